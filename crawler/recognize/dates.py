"""The one date parser, URL dates, and the publish-date precedence (DESIGN §6, domain.md §6.2).

Every date nianbao reads from a page or a URL goes through :func:`parse_date` or
:func:`url_date` and is kept as a :class:`DateCandidate` tagged with where it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from crawler.vocab.text import fold_width
from crawler.vocab.words import DATE_SOURCES

MIN_YEAR, MAX_YEAR = 1990, 2100
EPOCH = date(1970, 1, 1)

# Precedence used by choose_published, best first.
SOURCE_ORDER = DATE_SOURCES  # precedence, best first

_Y = r"(?P<y>(?:19|20|21)\d{2})"
# Ordinary forms: 2024-01-15, 2024/1/15, 2024.01.15, 2024年1月15日 (optional time after).
_FULL = re.compile(rf"(?<!\d){_Y}\s*(?:[-/.]|年)\s*(?P<m>\d{{1,2}})\s*(?:[-/.]|月)\s*(?P<d>\d{{1,2}})(?!\d)")
# Dropped 年: 20211月1日.
_NO_YEAR_MARK = re.compile(rf"(?<!\d){_Y}(?P<m>\d{{1,2}})月\s*(?P<d>\d{{1,2}})\s*日")
# Dropped 月 (2007年45日) or both (202111日, 20211230日): month+day digits before 日.
_NO_MONTH_MARK = re.compile(rf"(?<!\d){_Y}\s*年?\s*(?P<md>\d{{2,4}})\s*日")
# Chinese numerals: 二〇一〇年一月十九日.
_CN_DIGITS = "〇零一二三四五六七八九"
_CN_VALUE = {c: (i - 1 if i > 1 else 0) for i, c in enumerate(_CN_DIGITS)}
_CN = re.compile(
    rf"(?P<y>[{_CN_DIGITS}]{{4}})\s*年\s*(?P<m>[{_CN_DIGITS}十]{{1,3}})\s*月\s*"
    rf"(?P<d>[{_CN_DIGITS}十]{{1,3}})\s*日"
)

_CLOCK = re.compile(r"\s*\d{1,2}:\d{2}(?::\d{2})?")
_URL_TRS = re.compile(r"/t(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})_\d+")
_URL_HANWEB = re.compile(r"/art/(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/")
_URL_DAY_FOLDER = re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})/")


@dataclass(frozen=True, slots=True)
class DateCandidate:
    """A date and its provenance: ``source`` is one of ``meta|page|list|url``.

    ``trusted`` is False for dates known to be wrong in kind (a PubDate that is only the page
    regeneration time, an epoch date); ``note`` says why.
    """

    date: date
    source: str
    raw: str
    trusted: bool = True
    note: str = ""


def make_date(year: int, month: int, day: int) -> date | None:
    """``date(year, month, day)`` when it exists and the year is in 1990..2100, else None."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _cn_number(s: str) -> int:
    """二〇一〇 → 2010 (digit by digit); 十九 → 19, 二十 → 20, 三十一 → 31."""
    if "十" not in s:
        return int("".join(str(_CN_VALUE[c]) for c in s))
    tens, _, units = s.partition("十")
    return (_CN_VALUE.get(tens, 1) if tens else 1) * 10 + (_CN_VALUE.get(units, 0) if units else 0)


def _split_month_day(year: int, digits: str) -> date | None:
    """The one valid (month, day) split of ``digits`` (``45`` → 4-5, ``1230`` → 12-30)."""
    found = {
        make_date(year, int(digits[:cut]), int(digits[cut:])) for cut in (1, 2) if 1 <= len(digits) - cut <= 2
    } - {None}
    return found.pop() if len(found) == 1 else None


def _candidates(s: str) -> list[tuple[re.Match[str], date | None]]:
    out: list[tuple[re.Match[str], date | None]] = []
    for m in _FULL.finditer(s):
        out.append((m, make_date(int(m["y"]), int(m["m"]), int(m["d"]))))
    for m in _NO_YEAR_MARK.finditer(s):
        out.append((m, make_date(int(m["y"]), int(m["m"]), int(m["d"]))))
    for m in _NO_MONTH_MARK.finditer(s):
        out.append((m, _split_month_day(int(m["y"]), m["md"])))
    for m in _CN.finditer(s):
        out.append((m, make_date(_cn_number(m["y"]), _cn_number(m["m"]), _cn_number(m["d"]))))
    return out


def find_date(s: str) -> tuple[date, str] | None:
    """The first valid date in ``s`` with the text it was read from (a time right after the
    date is included: ``"2024-01-15 09:30"``), or None. See :func:`parse_date`."""
    if not s:
        return None
    s = fold_width(s)
    for m, d in sorted(_candidates(s), key=lambda c: c[0].start()):
        if d is not None:
            end = m.end()
            if m.re is _FULL and s[end : end + 1] == "日":
                end += 1
            clock = _CLOCK.match(s, end)
            return d, s[m.start() : clock.end() if clock else end]
    return None


def parse_date(s: str) -> date | None:
    """The first valid date in ``s``, or None.

    Accepts ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYY.MM.DD``, ``YYYY年M月D日`` (any time after it
    is ignored), full-width digits, Chinese numerals (二〇一〇年一月十九日), and dropped 年/月
    characters where the split is unambiguous (``20211月1日``, ``2007年45日``, ``202111日``,
    ``20211230日``; ``2021123日`` could be 1-23 or 12-3 and is skipped). Impossible dates and
    years outside 1990..2100 are skipped, so ``2024-13-45 … 2024-01-15`` gives 2024-01-15.
    """
    found = find_date(s)
    return found[0] if found else None


def url_date(url: str) -> date | None:
    """The posting date encoded in a URL, or None.

    TRS ``/t20240115_123.html``, Hanweb ``/art/2024/1/15/art_…``, Shanghai ``/20240115/…``.
    A bare month folder (``/202401/``) has no day and gives None, as does the epoch
    (``t19700101_…``, seen on migrated sites).
    """
    if not url:
        return None
    for pattern in (_URL_TRS, _URL_HANWEB, _URL_DAY_FOLDER):
        m = pattern.search(url)
        if m:
            d = make_date(int(m["y"]), int(m["m"]), int(m["d"]))
            if d is not None:
                return d
    return None


def choose_published(cands: list[DateCandidate]) -> DateCandidate | None:
    """The publish date to use, by provenance: ``meta`` > ``page`` > ``list`` > ``url``.

    Only trusted candidates count (a PubDate equal to the page regeneration time or the epoch
    never wins). Within one source the earliest-listed candidate wins. The order follows
    DESIGN §6 and domain.md §6.2: page metadata, then the visible 发布日期/发布时间, then the
    column list's date, then the URL date (which alone never makes a report late).
    """
    for source in SOURCE_ORDER:
        for cand in cands:
            if cand.source == source and cand.trusted:
                return cand
    return None
