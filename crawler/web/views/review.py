"""The review desk of ``nianbao serve --review``: a person confirms or dismisses a flag from the
flags page.  The one place the web UI writes — and only to ``DATA/review.db``, never to the
archive.

A POST is accepted only with the form token of this server process (a page of another origin
cannot read it), a ``Host`` that is the address the server was reached at as a local name or the
bound address (no DNS rebinding), an ``Origin`` (when the browser sends one) of that same host,
and a flag that exists.  Anything else is refused with 403 or 400 and changes nothing.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from storage.compliance import has_flag
from storage.review import DECISIONS, DISMISSED, decide, latest, open_review

MAX_NOTE = 2000
MAX_BODY = 16_384
LOCAL_NAMES = ("127.0.0.1", "localhost", "::1")


@dataclass(slots=True)
class ReviewDesk:
    """What the review step needs: where decisions go, who makes them, this process's form token
    and the host names a request may carry."""

    data: Path
    reviewer: str
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    hosts: tuple[str, ...] = LOCAL_NAMES

    def decisions(self) -> dict[str, dict]:
        return latest(open_review(self.data, readonly=True))


def standing_decisions(request: Request) -> dict[str, dict]:
    """Review decisions by flag key (empty when nobody has reviewed anything)."""
    desk: ReviewDesk | None = getattr(request.app.state, "review", None)
    if desk is not None:
        return desk.decisions()
    return latest(open_review(request.app.state.archive.root, readonly=True))


def _allowed_host(value: str, hosts: tuple[str, ...]) -> bool:
    try:
        name = urlsplit(f"//{value}").hostname
    except ValueError:
        return False
    return name is not None and name in hosts


def _safe_next(value: str | None) -> str:
    """A local path to go back to (never another site)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/flags"


async def post_review(request: Request):
    desk: ReviewDesk = request.app.state.review
    host = request.headers.get("host", "")
    if not _allowed_host(host, desk.hosts):
        raise HTTPException(403, "unexpected Host header")
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != host:
        raise HTTPException(403, "cross-origin form")
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        raise HTTPException(400, "a form is expected")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HTTPException(400, "form too large")
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
    if not hmac.compare_digest(form.get("token", ""), desk.token):
        raise HTTPException(403, "the form is stale or not from this server; reload the page")
    target, decision = form.get("target", ""), form.get("decision", "")
    note = form.get("note", "").strip()
    if decision not in DECISIONS:
        raise HTTPException(400, "unknown decision")
    if decision == DISMISSED and not note:
        raise HTTPException(400, "dismissing a finding needs a note saying why")
    if len(note) > MAX_NOTE or len(target) > 300:
        raise HTTPException(400, "note or target too long")
    with request.app.state.archive.db() as db:
        if not has_flag(db, target):
            raise HTTPException(400, "no such flag")
    from crawler.vocab import clock

    db = open_review(desk.data)
    assert db is not None
    decide(db, target, decision, note, at=clock.now_iso(), by=desk.reviewer)
    return RedirectResponse(_safe_next(form.get("next")), status_code=303)


routes = [Route("/review", post_review, methods=["POST"], name="review")]
