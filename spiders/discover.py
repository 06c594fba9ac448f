"""The discover spider: from portal pages to the annual-report columns they lead to.

Best first, politely: each start URL is a portal (home page, 政府信息公开 platform or a 专栏);
the links most likely to lead to 年报 columns are followed first (``link_score``), at most
``depth`` clicks from the start and ``max_pages`` pages per start; a data endpoint a menu loads
costs no click. A page that lists annual reports is a column: it is reported (with the path of
pages that led to it, its report years and the body it belongs to) and not walked further. Every
exchange is archived like any crawl (request meta ``nianbao_source`` = ``discover:<host>``), and
a redirect off the portal's site is refused as it is for a source.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import scrapy

from crawler.recognize.discovery import (
    Link,
    body_kind,
    body_name,
    confirm_column,
    endpoint_links,
    link_score,
    looks_like_body,
    page_links,
    same_site,
    site_name,
)
from crawler.recognize.encoding import decode_body
from crawler.registry.sources import Source
from crawler.vocab.records import FoundColumn
from crawler.vocab.urls import canonical_url
from crawler.vocab.words import META_KIND, META_SOURCE

BODY_LINK = 90  # a body named on an index page of bodies' reports
COLUMN_PAGES = 3  # pages of a column linked as one read before saying it lists no report
DISCOVERY = "discovery"  # the fetches kind of discovery pages


@dataclass(slots=True)
class StartState:
    pages: int = 0
    site: str | None = None
    columns: list[FoundColumn] = field(default_factory=list)
    rejected: Counter = field(default_factory=Counter)


def _paging(check) -> str:
    """How a confirmed column pages, as its first page says (the crawl follows it)."""
    if check.pages:
        return f"{check.pages} pages"
    return "more pages" if check.next_pages else "single page"


def _skip(link: Link) -> bool:
    """Links even a breadth-first walk does not take: search forms."""
    return "/search" in link.url


def _header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _source_for(start: str) -> Source:
    host = urlsplit(start).hostname or ""
    return Source(
        id=f"discover:{host}",
        agency="(discovery)",
        level="other",
        kind="region",
        urls=(start,),
        region=None,
        cms="auto",
        encoding="auto",
        first_year=None,
        deadline=None,
        enabled=True,
        note="",
        allowed_hosts=(host,) + ((".".join(host.split(".")[-3:]),) if host.endswith(".gov.cn") else ()),
        max_pages=50,
    )


class DiscoverSpider(scrapy.Spider):
    """Walk portals best first and report the annual-report columns found (``self.found``)."""

    name = "discover"

    def __init__(
        self,
        urls: str = "",
        depth: int | str = 4,
        max_pages: int | str = 60,
        strategy: str = "best",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        # "bfs": follow every link of the site breadth first (the baseline bench/discover.py
        # compares with); "best": the most promising links first, decoys never
        self.strategy = strategy
        self.starts = [canonical_url(u) for u in urls.split("\n") if u.strip()]
        self.depth = int(depth)
        self.max_pages = int(max_pages)
        self.state = {s: StartState() for s in self.starts}
        self.by_id = {src.id: src for src in map(_source_for, self.starts)}
        self.failures: list[tuple[str, str]] = []

    @property
    def found(self) -> list[FoundColumn]:
        return [c for s in self.starts for c in self.state[s].columns]

    def _request(
        self,
        url: str,
        start: str,
        depth: int,
        path: list[str],
        anchor: str | None,
        *,
        index: bool,
        endpoint: bool,
        priority: int,
        column_link: bool = False,
    ):
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.failed,
            priority=priority,
            meta={
                META_SOURCE: _source_for(start).id,
                META_KIND: DISCOVERY,
                "nb_start": start,
                "nb_depth": depth,
                "nb_path": path,
                "nb_anchor": anchor,
                "nb_index": index,
                "nb_endpoint": endpoint,
                "nb_column_link": column_link,
            },
        )

    async def start(self):
        for start in self.starts:
            yield self._request(start, start, 0, [start], None, index=False, endpoint=False, priority=1000)

    def failed(self, failure) -> None:
        request = failure.request
        why = type(failure.value).__name__
        self.failures.append((request.url, why))
        self._unreadable(request, why)

    def _unreadable(self, request, why: str) -> None:
        """A page linked as a 年报 column that could not be read (blocked, an error): proposed
        as unsure, with why, so the operator can look instead of never hearing of it."""
        meta = request.meta
        if not meta.get("nb_column_link") or meta.get("nb_column_of"):
            return
        name = meta["nb_anchor"] if looks_like_body(meta["nb_anchor"] or "") else None
        level, kind = body_kind(name)
        self.state[meta["nb_start"]].columns.append(
            FoundColumn(
                meta["nb_start"],
                canonical_url(request.url),
                meta["nb_depth"],
                list(meta["nb_path"]),
                meta["nb_anchor"],
                name,
                "index" if name else "none",
                level,
                kind,
                "auto",
                [],
                0,
                0,
                "low",
                f"linked as a 年报 column but could not be read ({why})",
            )
        )

    def parse_page(self, response):
        meta = response.meta
        start, depth = meta["nb_start"], meta["nb_depth"]
        state = self.state[start]
        state.pages += 1
        if response.status != 200:
            self.failures.append((response.url, f"HTTP {response.status}"))
            self._unreadable(response.request, f"HTTP {response.status}")
            return
        text, _ = decode_body(response.body, _header(response, "Content-Type"))
        if meta["nb_endpoint"]:
            links = endpoint_links(text, response.url)
        else:
            if depth == 0 or state.site is None:
                state.site = state.site or site_name(text)
            check = confirm_column(text, response.url, linked_as_column=bool(meta["nb_column_link"]))
            column_url = meta.get("nb_column_of") or response.url
            if check.is_column or (check.reports and depth > 0):
                name, origin = body_name(check, meta["nb_anchor"], site_name(text) or state.site)
                level, kind = body_kind(name)
                state.columns.append(
                    FoundColumn(
                        start,
                        canonical_url(column_url),
                        depth,
                        list(meta["nb_path"]),
                        meta["nb_anchor"],
                        name,
                        origin,
                        level,
                        kind,
                        check.cms,
                        check.years,
                        check.reports,
                        check.items,
                        check.confidence if check.is_column else "low",
                        check.reason,
                        meta.get("nianbao_fetch_id"),
                        _paging(check),
                    )
                )
                if check.is_column:
                    return
            elif check.items:
                if meta["nb_column_link"] and check.next_pages and meta.get("nb_page", 1) < COLUMN_PAGES:
                    # linked as a 年报 column, but its first page shows no report (news pushed to
                    # the top): read on before judging it
                    yield self._next_page(response, check.next_pages[0])
                    return
                state.rejected[check.reason.split(" (")[0]] += 1
            links = page_links(text, response.url)
        yield from self._follow(response, links, start, depth, meta)

    def _next_page(self, response, url: str):
        """The next page of a column being judged: same click depth, same context."""
        meta = dict(response.meta)
        meta["nb_column_of"] = meta.get("nb_column_of") or response.url
        meta["nb_page"] = meta.get("nb_page", 1) + 1
        keep = {k: v for k, v in meta.items() if k.startswith("nb_") or k in (META_SOURCE, META_KIND)}
        return scrapy.Request(url, callback=self.parse_page, errback=self.failed, priority=900, meta=keep)

    def _follow(self, response, links: list[Link], start: str, depth: int, meta: dict):
        state = self.state[start]
        bodies = [link for link in links if not link.endpoint and looks_like_body(link.text)]
        # an index page of bodies' reports (reached by its anchor, or listing many bodies)
        index = bool(meta["nb_index"]) or len(bodies) >= 5 and not meta["nb_endpoint"]
        for link in links:
            if state.pages >= self.max_pages or not same_site(link.url, start):
                continue
            score = link_score(link) if self.strategy == "best" else (1 if not _skip(link) else 0)
            anchor = None
            if (index or meta["nb_endpoint"] and meta["nb_index"]) and looks_like_body(link.text):
                anchor = link.text
                if self.strategy == "best":
                    score = max(score, BODY_LINK)
            if score <= 0:
                continue
            next_depth = depth if link.endpoint else depth + 1
            if next_depth > self.depth:
                continue
            yield self._request(
                link.url,
                start,
                next_depth,
                [*meta["nb_path"], link.url],
                anchor or (link.text if score >= 100 else meta["nb_anchor"] if link.endpoint else None),
                index=score == 80 or (link.endpoint and index),
                endpoint=link.endpoint,
                column_link=score in (100, BODY_LINK),
                priority=score * 10 - next_depth if self.strategy == "best" else -next_depth,
            )
