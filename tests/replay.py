"""A replay world: real saved pages of the corpus served again over HTTP at their original paths.

Every corpus case that has a raw file (a listing page, a detail page, an attachment) and whose
``source.url`` is on the portal's host is served at that URL's path (and query) on a local
server, with the content type the case records; anything else answers 404, as a page the
archive never saved.  Nothing is rewritten: the spider reads the bytes the portal sent, and
links resolve against the local address exactly as they did against the portal's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.corpus.corpus import HERE, Case, load

TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "wps": "application/vnd.ms-works",
    "txt": "text/plain; charset=utf-8",
    "ofd": "application/ofd",
}


def path_of(url: str) -> str:
    """The request target a URL is served at: its path, and its query when it has one."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True)
class Portal:
    """The saved pages of one portal host: listing cases, report cases, and what is served."""

    host: str
    listings: list[Case]
    reports: list[Case]

    def pages(self) -> dict[str, tuple[bytes, str]]:
        """Request target → (bytes, content type), for every case with a raw file."""
        out: dict[str, tuple[bytes, str]] = {}
        for case in (*self.listings, *self.reports):
            if case.data.get("file") and case.data["kind"] != "txt":
                kind = case.data["kind"]
                content_type = case.data.get("content_type") or TYPES.get(kind, "application/octet-stream")
                out[path_of(case.url)] = ((HERE / "files" / case.data["file"]).read_bytes(), content_type)
        return out


def portal(host: str) -> Portal:
    """The corpus's saved pages of ``host``."""

    def on_host(case: Case) -> bool:
        return bool(case.url) and urlsplit(case.url).hostname == host and bool(case.data.get("file"))

    def column(case: Case) -> bool:  # decoy columns are not sources an operator would register
        return case.data.get("column", "annual_report") != "decoy"

    return Portal(
        host,
        [c for c in load("listings") if on_host(c) and column(c)],
        [c for c in load("reports") if on_host(c)],
    )


class _Handler(BaseHTTPRequestHandler):
    pages: dict[str, tuple[bytes, str]] = {}
    served: list[str]

    def do_GET(self) -> None:  # noqa: N802 (the http.server hook's name)
        self.served.append(self.path)
        page = self.pages.get(self.path)
        if page is None:
            self.send_error(404)
            return
        body, content_type = page
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


@dataclass
class Replay:
    """A running replay server: its base URL and the request targets it was asked for."""

    base_url: str
    served: list[str]

    def url(self, original: str) -> str:
        """The local address of a page saved from ``original``."""
        return self.base_url + path_of(original)


@contextmanager
def serve(p: Portal) -> Iterator[Replay]:
    """Serve a portal's saved pages on 127.0.0.1 until the block ends."""
    served: list[str] = []
    handler = type("Handler", (_Handler,), {"pages": p.pages(), "served": served})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Replay(f"http://127.0.0.1:{server.server_address[1]}", served)
    finally:
        server.shutdown()
        server.server_close()
