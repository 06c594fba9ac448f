"""Downloader middlewares: the raw archive of every exchange, block detection, retry backoff.

``ArchiveMiddleware`` (order 950, next to the downloader) writes, through the crawl's archive
session (:mod:`crawler.extensions.archive`), every exchange — listing,
detail, attachment, robots.txt, each retry attempt, failures without a response, block pages —
to WARC plus a ``fetches`` row, and puts the fetch id in ``request.meta[META_FETCH_ID]``.
Block pages (412 Ruishu, 521 Jiasule, EdgeOne, WAF phrases, tiny bodies) are archived with
their kind and then stopped with :class:`BlockedPage`, so they reach the spider's errback as a
block and never look like an empty column.  Gated by ``NIANBAO_STORE_ENABLED``.

``SharedRobotsTxtMiddleware`` (order 100, replacing Scrapy's) fixes a Scrapy 2.13+ regression
(scrapy/scrapy#6802): every request that arrives while robots.txt for its host is still being
fetched awaits the same Deferred, and all but the first get ``None`` back — i.e. "no robots.txt,
everything allowed".  Each waiter here gets its own Deferred chained to the shared one.

``BackoffMiddleware`` (order 540, after RetryMiddleware has scheduled a retry) waits
``NIANBAO_RETRY_BACKOFF_BASE * 2**(attempt-1)`` seconds (with jitter, capped by
``NIANBAO_RETRY_BACKOFF_MAX``) before a retried request goes out.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Self, TypeVar
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.extensions.archive import ArchiveOwner
from crawler.recognize.blocks import SOFT_404, TINY, detect_block, detect_soft_failure
from crawler.recognize.encoding import decode_body
from crawler.recognize.headers import is_document_response
from crawler.session import ArchiveSession
from crawler.vocab import clock
from crawler.vocab.words import (
    ATTACHMENT,
    META_FETCH_ID,
    META_KIND,
    META_SHA256,
    META_SOURCE,
    ROBOTS,
    SOURCE_BLOCKED,
    with_detail,
)
from storage.db import is_disk_full
from storage.warc import Exchange

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


logger = logging.getLogger(__name__)
T = TypeVar("T")


class RedirectRefused(IgnoreRequest):
    """A redirect (or meta refresh) to a host the source does not allow: never followed."""

    def __init__(self, url: str, why: str) -> None:
        self.url, self.why = url, why
        super().__init__(f"redirect to {url} refused: {why}")


def _is_internal(host: str) -> bool:
    """Loopback, private, link-local or otherwise non-public addresses (and ``localhost``)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def refused_target(source_hosts: list[str], allows_host: Callable[[str], bool], url: str) -> str | None:
    """Why a request to ``url`` made on a source's behalf must not go out, or None: a host the
    source does not allow, or an internal address (loopback, private, link-local) unless the
    source's own URLs are on one (a portal on an intranet, the simulator)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        return f"not an http(s) URL: {url}"
    if _is_internal(host) and not any(_is_internal(h) for h in source_hosts):
        return f"{host} is an internal address"
    if not allows_host(host):
        return f"{host} is not one of the source's hosts"
    return None


class RedirectGuardMiddleware:
    """Every hop a redirect or meta refresh makes stays on its source's hosts (and off internal
    addresses): the hop is refused before any request — robots.txt included — reaches the target.

    Placed before the robots.txt middleware; the 3xx response that asked for the hop is already
    archived with its ``Location`` (fetches.redirect_to).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not request.meta.get("redirect_urls") or META_SOURCE not in request.meta:
            return
        source = getattr(self.crawler.spider, "by_id", {}).get(request.meta[META_SOURCE])
        if source is None:
            return
        hosts = [urlsplit(u).hostname or "" for u in source.urls]
        why = refused_target(hosts, source.allows_host, request.url)
        if why:
            self.crawler.stats.inc_value("nianbao/redirects_refused")
            logger.warning("%s: %s", source.id, RedirectRefused(request.url, why))
            raise RedirectRefused(request.url, why)


class BlockedPage(IgnoreRequest):
    """An anti-bot or WAF page answered instead of the content."""

    def __init__(self, kind: str, status: int, url: str) -> None:
        self.kind, self.status, self.url = kind, status, url
        super().__init__(f"{with_detail(SOURCE_BLOCKED, kind)} (HTTP {status}) at {url}")


def _headers(h) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in h.items() for v in vs]


SOFT_LIMIT = 256 * 1024  # a soft 404, captcha or login page is small: this much is read for one


def _decoded(headers: dict[str, str], body: bytes, limit: int = 1 << 20) -> bytes:
    """The body without its Content-Encoding (gzip/deflate), at most ``limit`` bytes, for block
    detection only: this middleware sits outside HttpCompression and archives the raw bytes."""
    encoding = headers.get("content-encoding", "").lower()
    if not body or not any(e in encoding for e in ("gzip", "deflate")):
        return body
    try:
        return zlib.decompressobj(wbits=zlib.MAX_WBITS | 32).decompress(body, limit)
    except zlib.error:
        try:  # raw deflate, as some servers send it
            return zlib.decompressobj(wbits=-zlib.MAX_WBITS).decompress(body, limit)
        except zlib.error:
            return body


def _kind(request: Request) -> str:
    kind = request.meta.get(META_KIND)
    if kind:
        return kind
    return ROBOTS if request.url.endswith("/robots.txt") else "other"


class ArchiveMiddleware:
    """Archive every exchange as WARC records plus a ``fetches`` row; stop block pages."""

    def __init__(self, crawler: Crawler, owner: ArchiveOwner) -> None:
        self.crawler = crawler
        self.owner = owner

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        owner = crawler.get_extension(ArchiveOwner)
        if owner is None:  # NIANBAO_STORE_ENABLED off: nothing is archived
            raise NotConfigured
        return cls(crawler, owner)

    @property
    def session(self) -> ArchiveSession:
        return self.owner.session

    def _exchange(self, request: Request, response: Response | None) -> Exchange:
        req_headers = _headers(request.headers)
        if not any(k.lower() == "host" for k, _ in req_headers):
            req_headers.insert(0, ("Host", request.url.split("/")[2]))
        return Exchange(
            url=request.url,
            method=request.method,
            request_headers=req_headers,
            request_body=request.body,
            status=response.status if response is not None else 0,
            reason="",
            response_headers=_headers(response.headers) if response is not None else [],
            body=response.body if response is not None else b"",
            moment=clock.now(),
        )

    def _row(self, request: Request, ex: Exchange) -> dict:
        return {
            "source_id": request.meta.get(META_SOURCE),
            "url": request.url,
            "method": request.method,
            "kind": _kind(request),
            "fetched_at": ex.moment.isoformat(timespec="seconds"),
        }

    def process_response(self, request: Request, response: Response) -> Response:
        ex = self._exchange(request, response)
        headers = {k.lower(): v for k, v in ex.response_headers}
        kind = _kind(request)
        ctype = (headers.get("content-type") or "").lower()
        # "tiny body" only means a block for HTML pages: an empty record-API XML answer is
        # small and legitimate, and so is a small attachment.
        expect_html = (
            kind not in (ATTACHMENT, ROBOTS)
            and (not ctype or "html" in ctype)
            and not is_document_response(ctype, headers.get("content-disposition"), request.url)
        )
        plain = _decoded(headers, response.body)
        block = (
            detect_block(response.status, response.headers, plain, expect_html=expect_html)
            if kind != ROBOTS
            else None
        )
        if block in (None, TINY) and expect_html:
            # a 200 that is a 页面不存在, a 验证码 or a login form: recorded as such (rather than
            # as a mere tiny page), never read as an (empty) column or a report page
            soft = detect_soft_failure(response.status, decode_body(plain[:SOFT_LIMIT], ctype)[0])
            block = soft or block
        row = self._row(request, ex) | {
            "status": response.status,
            "content_type": headers.get("content-type"),
            "etag": headers.get("etag"),
            "last_modified": headers.get("last-modified"),
            "block": block,
            "redirect_to": headers.get("location"),
        }
        fetch_id, digest = self._archived(lambda: self.session.archive_response(ex, row))
        request.meta[META_FETCH_ID] = fetch_id
        request.meta[META_SHA256] = digest
        stats = self.crawler.stats
        stats.inc_value("nianbao/fetches")
        stats.inc_value("nianbao/bytes", len(response.body))
        if block == SOFT_404:
            stats.inc_value("nianbao/soft404")
            return response.replace(status=404)  # answered as what it is: the page is not there
        if block:
            stats.inc_value(f"nianbao/blocked/{block}")
            raise BlockedPage(block, response.status, request.url)
        return response

    def _archived(self, write: Callable[[], T]) -> T:
        """Run an archive write; a full disk stops the crawl (the session's owner is told) and
        this response goes unread — nothing is read that could not be kept as evidence."""
        try:
            return write()
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            self.session.disk_full(exc)
            raise IgnoreRequest("the disk is full: not archived") from exc

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, IgnoreRequest):
            return None  # not an exchange (robots.txt refusal, a block we raised ourselves)
        ex = self._exchange(request, None)
        error = f"{type(exception).__name__}: {exception}".strip()[:500]
        fetch_id = self._archived(
            lambda: self.session.archive_failure(ex, self._row(request, ex) | {"error": error})
        )
        request.meta[META_FETCH_ID] = fetch_id
        self.crawler.stats.inc_value("nianbao/fetch_errors")
        return None


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """RobotsTxtMiddleware whose concurrent waiters all receive the parsed robots.txt."""

    async def robot_parser(self, request: Request):
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(pending, Deferred):
            mine: Deferred = Deferred()

            def relay(result):
                mine.callback(result)
                return result  # keep the result for the next waiter

            pending.addBoth(relay)
            return await maybe_deferred_to_future(mine)
        return await super().robot_parser(request)


class BackoffMiddleware:
    """Delay retried requests exponentially (RetryMiddleware itself re-sends at once)."""

    def __init__(self, base: float, cap: float) -> None:
        self.base, self.cap = base, cap

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        base = crawler.settings.getfloat("NIANBAO_RETRY_BACKOFF_BASE")
        if base <= 0 or not crawler.settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        return cls(base, crawler.settings.getfloat("NIANBAO_RETRY_BACKOFF_MAX"))

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        return min(self.cap, self.base * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2)

    async def process_request(self, request: Request) -> None:
        attempt = request.meta.get("retry_times", 0)
        if attempt:
            await asyncio.sleep(self.delay(attempt))
        return None
