"""One URL identity: the form every URL takes when it enters nianbao (issue 13).

A link is stored, looked up and fetched in one form — the one Scrapy sends — so a report whose
path holds Chinese characters, spaces or ``%``-sequences is "known" on the next run (a
conditional request, no new row) instead of living as two rows, one of them never fetched.

:func:`canonical_url` follows the URL standard's parsing of an ``href``: leading and trailing
whitespace stripped, tabs and line breaks removed anywhere (an interior space is part of the
name: ``2024年 报告.pdf`` stays ``2024年%20报告.pdf``), non-ASCII percent-encoded as UTF-8
(w3lib's safe URL form, which is also Scrapy's), scheme and host lowercased, the fragment
dropped (it never reaches the server).
"""

from __future__ import annotations

import hashlib
import re

from w3lib.url import safe_url_string

_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_EDGE = " \t\n\r\f\x00"


def clean_href(href: str) -> str:
    """An ``href`` as a browser reads it: edge whitespace stripped, tabs and line breaks removed."""
    return _TAB_OR_NEWLINE.sub("", href.strip(_EDGE))


def canonical_url(url: str) -> str:
    """The one form of an absolute URL nianbao stores, looks up and fetches.

    ``"HTTP://WWW.X.GOV.CN/a/2024年 报告.pdf#p2"`` → ``"http://www.x.gov.cn/a/2024%E5%B9%B4%20%E6%8A%A5%E5%91%8A.pdf"``;
    idempotent: ``canonical_url(canonical_url(u)) == canonical_url(u)``.
    """
    safe = safe_url_string(clean_href(url), encoding="utf-8")
    return safe.split("#", 1)[0]


def report_id(source_id: str, url: str) -> str:
    """Stable id of a report: the source plus the canonical URL of its detail page or file."""
    return "r-" + hashlib.sha1(f"{source_id}\n{url}".encode()).hexdigest()[:16]
