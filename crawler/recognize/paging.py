"""Script pagers of TRS pages: ``createPageHTML``/``createPage`` calls and ``countPage`` vars.

Two arities exist and the arity, not the function name, tells them apart (portals.md §2):

* 4 arguments ``createPageHTML(N, cur, "index", "html")`` — TRS classic, **0-based**: page *i*
  is ``index.html`` for i = 0, else ``index_{i}.html``; also used for the parts of a long
  article (prefix = the document's own file stem, ``t20240115_1234567``);
* 6 arguments ``createPageHTML('page_div', N, cur, 'xlist', 'shtml', total)`` — TRS 集约化,
  **1-based**: page *p* is ``xlist.shtml`` for p = 1, else ``xlist_{p}.shtml``.

``var countPage = N; var currentPage = c`` without a call is read as the 4-argument form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

MAX_PAGES = 100  # never list more than this many pages from one pager (a 年报 column has ≤ 50)

_CALL = re.compile(r"\bcreatePage(?:HTML)?\s*\(([^()]{0,300})\)")
_COUNT = re.compile(r"\bvar\s+countPage\s*=\s*['\"]?(\d+)")
_CURRENT = re.compile(r"\bvar\s+currentPage\s*=\s*['\"]?(\d+)")
_STEM = re.compile(r"/([^/?#]*?)(?:\.([A-Za-z]+))?(?:[?#].*)?$")


@dataclass(frozen=True, slots=True)
class Pager:
    """A pager read from a page: ``total`` pages, ``current`` index in its own base."""

    total: int
    current: int
    prefix: str
    suffix: str
    one_based: bool
    records: int | None = None

    def page_name(self, index: int) -> str:
        """File name of page ``index`` (0-based or 1-based per the pager)."""
        first = 1 if self.one_based else 0
        if index == first:
            return f"{self.prefix}.{self.suffix}"
        return f"{self.prefix}_{index}.{self.suffix}"

    def following(self, url: str) -> list[str]:
        """Absolute URLs of the pages after the current one, in order (at most MAX_PAGES)."""
        last = self.total if self.one_based else self.total - 1
        start = self.current + 1
        stop = min(last, start + MAX_PAGES - 1)
        return [urljoin(url, self.page_name(i)) for i in range(start, stop + 1)]


def _args(raw: str) -> list[str]:
    return [a.strip().strip("'\"").strip() for a in raw.split(",")]


def _int(s: str) -> int | None:
    return int(s) if s.isdigit() else None


def file_stem(url: str) -> tuple[str, str]:
    """``(stem, extension)`` of the last path segment of ``url`` (``("index_2", "shtml")``)."""
    path = urlsplit(url).path if url else ""
    m = _STEM.search(path)
    if not m:
        return "", ""
    return m.group(1), (m.group(2) or "")


def find_pagers(html: str, url: str = "") -> list[Pager]:
    """Every well-formed pager call on the page, in document order (function definitions and
    calls with non-numeric counts are skipped); a bare ``countPage`` var when there is none."""
    pagers: list[Pager] = []
    for m in _CALL.finditer(html):
        args = _args(m.group(1))
        if len(args) == 4:
            total, cur = _int(args[0]), _int(args[1])
            if total is not None and cur is not None and args[2] and args[3].isalnum():
                pagers.append(Pager(total, cur, args[2], args[3], one_based=False))
        elif len(args) == 6:
            total, cur = _int(args[1]), _int(args[2])
            if total is not None and cur is not None and args[3] and args[4].isalnum():
                pagers.append(
                    Pager(total, max(cur, 1), args[3], args[4], one_based=True, records=_int(args[5]))
                )
    if pagers:
        return pagers
    count = _COUNT.search(html)
    if count:
        stem, ext = file_stem(url)
        current = _CURRENT.search(html)
        cur = int(current.group(1)) if current else None
        parts = re.fullmatch(r"(t\d{8}_\d+|.+?)(?:_(\d+))?", stem) if stem else None
        prefix = parts.group(1) if parts else "index"
        if cur is None:
            cur = int(parts.group(2)) if parts and parts.group(2) else 0
        suffix = ext if ext.lower() in {"html", "shtml", "htm"} else "html"
        pagers.append(Pager(int(count.group(1)), cur, prefix, suffix, one_based=False))
    return pagers
