"""The ASGI application of ``nianbao serve``: routes, security headers, error pages."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crawler.web.archive import ServingArchive
from crawler.web.render import environment
from crawler.web.views import compare, flags, grid, home, reports, review, search, verdicts
from storage.db import is_database_error, is_interrupted

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"

# The application's own pages: scripts and styles from this origin only (no inline script, no
# CDN), archived pages only inside sandboxed frames, forms only to this origin.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Adds the security headers to every response; the page CSP unless the view set its own
    (archived originals carry ``sandbox``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                for k, v in SECURITY_HEADERS:
                    if k not in names:
                        headers.append((k, v))
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, wrapped)


def _error_page(request: Request, status: int, message: str) -> Response:
    if request.url.path.endswith((".json", ".csv", ".atom")):
        return PlainTextResponse(message, status_code=status)
    try:
        body = request.app.state.templates.get_template("error.html").render(
            request=request, status=status, message=message, title=f"{status}", app_name="nianbao 年报"
        )
    except Exception:  # noqa: BLE001 - the error page must not fail
        return PlainTextResponse(message, status_code=status)
    return HTMLResponse(body, status_code=status)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _error_page(request, exc.status_code, str(exc.detail))


async def server_error(request: Request, exc: Exception) -> Response:
    if is_interrupted(exc):
        return _error_page(request, 503, "查询超时 The query ran past its time limit; narrow the filters.")
    if is_database_error(exc):
        log.error("database error on %s: %s", request.url.path, exc)
        return _error_page(request, 500, "数据库错误 Database error")
    log.exception("error on %s", request.url.path)
    return _error_page(request, 500, "内部错误 Internal error")


def create_app(
    data: str | os.PathLike | None = None,
    *,
    sources: str | None = None,
    time_limit: float = 5.0,
    review_desk: review.ReviewDesk | None = None,
) -> Starlette:
    """The web application over the archive in ``data`` (read-only; raises ArchiveMissing).
    With ``review_desk`` the flags page takes review decisions (POST /review, written to
    ``review.db`` only)."""
    archive = ServingArchive(data, sources=sources, time_limit=time_limit)
    routes = [
        *home.routes,
        *grid.routes,
        *verdicts.routes,
        *reports.routes,
        *compare.routes,
        *search.routes,
        *flags.routes,
        *(review.routes if review_desk is not None else []),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: http_error, Exception: server_error},
        middleware=[],
    )
    app.state.archive = archive
    app.state.review = review_desk
    app.state.templates = environment()
    archive.warm()
    return SecurityHeaders(app)  # type: ignore[return-value]
