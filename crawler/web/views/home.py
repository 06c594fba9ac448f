"""The home page: what the archive holds, how its sources are, what is newest."""

from __future__ import annotations

from collections import Counter

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crawler.opstatus import describe_scheduler
from crawler.web.lists import html
from storage import browse


def home(request: Request):
    archive = request.app.state.archive
    with archive.db() as db:
        counts = browse.overview(db)
        newest = browse.newest_reports(db, 10)
        runs = browse.last_runs(db, 5)
        newest_flags = browse.newest_flags(db, browse.FlagFilter(state=None), limit=10)
        years = browse.verdict_years(db)
    health = Counter(r["health"] for r in archive.health().values())
    return html(
        request,
        "home.html",
        title="概览 Overview",
        counts=counts,
        newest=newest,
        newest_flags=newest_flags,
        runs=runs,
        health=dict(health),
        scheduler=describe_scheduler(archive.root),
        years=years,
    )


def favicon(request: Request) -> Response:
    """No icon: an empty answer instead of a 404 in every browser console."""
    return Response(status_code=204)


routes = [Route("/", home, name="home"), Route("/favicon.ico", favicon)]
