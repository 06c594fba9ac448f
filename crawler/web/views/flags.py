"""Flags: filters by kind, severity, year, region and state; exports and an Atom feed of their events."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crawler.outputs.feed import render_atom
from crawler.vocab import clock
from crawler.vocab.words import FLAG_KINDS
from crawler.web.lists import collect, export_format, export_response, html
from crawler.web.params import Params
from crawler.web.views.review import standing_decisions
from storage import browse

STATES = ("open", "closed", "all")
SEVERITIES = ("error", "warning")
EXPORT_COLUMNS = (
    "id",
    "kind",
    "severity",
    "state",
    "source_id",
    "agency",
    "level",
    "region",
    "year",
    "report_id",
    "summary_zh",
    "summary",
    "url",
    "opened_at",
    "updated_at",
    "closed_at",
    "review",
)


def flag_filter(p: Params) -> browse.FlagFilter:
    state = p.choice("state", STATES, "open")
    return browse.FlagFilter(
        kinds=p.choices("kind", FLAG_KINDS) or None,
        year=p.integer("year", 1990, 2100),
        region=p.digits("region"),
        state=None if state == "all" else state,
        source=p.source(),
        name=p.text("name"),
        severity=p.choice("severity", SEVERITIES),
        since=p.text("since", 32),
    )


def flags(request: Request):
    p = Params(request.query_params)
    fmt = export_format(request, ("csv", "json", "atom"))
    f = flag_filter(p)
    page, per, offset = p.page()
    decisions = standing_decisions(request)
    with request.app.state.archive.db() as db:
        if fmt in ("csv", "json"):
            total, rows = collect(lambda limit, off: browse.flags_page(db, f, limit=limit, offset=off))
            for r in rows:
                d = decisions.get(r["key"])
                r["review"] = f"{d['decision']}: {d['note']}" if d else ""
            return export_response(fmt, "flags", EXPORT_COLUMNS, rows, total)
        if fmt == "atom":
            events = browse.flag_events_page(db, f, limit=200)
            return atom(request, events)
        total, rows = browse.flags_page(db, f, limit=per, offset=offset)
        kinds = browse.flag_kind_counts(db, f)
    for r in rows:
        r["review"] = decisions.get(r["key"])
    return html(
        request,
        "flags.html",
        title="标记 Flags",
        p=p,
        f=f,
        state=p.choice("state", STATES, "open"),
        states=STATES,
        severities=SEVERITIES,
        rows=rows,
        total=total,
        kinds=kinds,
        page=page,
        per=per,
        pages=max(1, -(-total // per)),
        desk=request.app.state.review,
        here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    )


def atom(request: Request, events: list[dict]) -> Response:
    base = str(request.base_url).rstrip("/")
    for e in events:
        e["source"] = e.get("source_id")
        e["report"] = e.get("report_id")
        if e.get("source_id") and e.get("year") is not None:
            e["url"] = (
                f"{base}/verdict/{e['source_id']}/{e['year']}"
                if e.get("kind") in ("missing", "late", "not_online")
                else e.get("url")
            )
    body = render_atom(
        events,
        feed_id=str(request.url),
        title="nianbao: 标记 flags",
        updated=max((e["at"] for e in events), default="") or clock.now_iso(),
        self_url=str(request.url),
    )
    return Response(body, media_type="application/atom+xml")


routes = [Route("/flags", flags, name="flags"), Route("/flags.{fmt}", flags, name="flags_export")]
