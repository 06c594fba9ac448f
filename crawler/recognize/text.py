"""Text normalisation shared by every recogniser: width folding, pinyin removal, whitespace.

Two forms exist on purpose:

* :func:`normalize_text` keeps the text readable (line breaks survive) and is what body text,
  metadata cells and date strings go through;
* :func:`normalize_title` is the *matching* form of a title: one line, no whitespace, no
  quotation or book-title marks, no trailing ellipsis.

:func:`clean_line` sits between the two: one line for display (listing titles, link texts).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.vocab.text import fold_width
from crawler.vocab.urls import canonical_url, clean_href

# Inline pinyin annotations such as 開(kāi) or 鎮(zhèn): a CJK character followed by a
# parenthesised lowercase Latin syllable containing at least one tone-marked vowel.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_PINYIN = re.compile(rf"(?<=[\u3400-\u9fff])[(（]\s*(?=[a-z{_TONED}]*[{_TONED}])[a-z{_TONED}]{{1,7}}\s*[)）]")
_HSPACE = re.compile(r"[ \t\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
# Formatting markup CMSs leave in titles; anything else (``<script>`` in a hijacked page) is
# kept as text, for every output to escape, rather than silently rewritten.
_TAG = re.compile(
    r"<br\s*/?>|</?(?:font|span|b|i|u|em|strong|p|sup|sub|a|div|nobr|small|big)\b[^<>]{0,200}>", re.I
)
_TITLE_MARKS = re.compile(r"[《》〈〉“”‘’\"'「」『』]")
_TRAILING_ELLIPSIS = re.compile(r"(?:\.{2,}|…+|。{3,})+$")


def normalize_text(s: str) -> str:
    """Fold widths, drop inline pinyin annotations and normalise whitespace.

    Horizontal whitespace collapses to one space, each line is stripped, runs of blank lines
    shrink to one, and the result is stripped. Line breaks are kept.
    """
    s = fold_width(s).replace("\r\n", "\n").replace("\r", "\n")
    s = _PINYIN.sub("", s)
    lines = (_HSPACE.sub(" ", line).strip() for line in s.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def clean_line(s: str) -> str:
    """One display line: :func:`normalize_text`, lines joined, no spaces next to CJK characters."""
    s = normalize_text(s)
    s = _SPACE_NEAR_CJK.sub("", s)
    return " ".join(s.split())


def normalize_title(s: str) -> str:
    """The matching form of a title: one line, no whitespace, no quotes/《》, no trailing ….

    ``"《XX市2023年度政府<br>信息公开工作年度报告》..."`` → ``"XX市2023年度政府信息公开工作年度报告"``.
    Markup left in a title (``<br>``, ``<font>``) is dropped.
    """
    s = "".join(normalize_text(_TAG.sub("\n", s)).split())
    s = _TITLE_MARKS.sub("", s)
    return _TRAILING_ELLIPSIS.sub("", s)


def safe_join(base: str, href: str) -> str | None:
    """The canonical absolute URL of ``href`` on a page at ``base`` (crawler.vocab.urls: the one
    form stored, looked up and fetched), or None for hrefs no URL parser accepts (``http://[bad``…),
    so one malformed link never costs the rest of the page."""
    try:
        joined = canonical_url(urljoin(base, clean_href(href)))
        urlsplit(joined).port  # noqa: B018 - raises ValueError on a malformed netloc/port
    except ValueError:
        return None
    return joined
