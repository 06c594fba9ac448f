"""The compliance grid: agency × report year, filtered, paged, rolled up by level and province."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from crawler.vocab.words import LEVELS, SOURCE_KINDS, STATUSES
from crawler.web.lists import collect, export_format, export_response, html
from crawler.web.params import Params, bad
from storage import browse

HEALTHS = ("ok", "degraded", "broken", "blocked", "disabled", "unknown")
MAX_YEARS = 20
EXPORT_COLUMNS = (
    "source",
    "agency",
    "level",
    "region",
    "kind",
    "year",
    "status",
    "deadline",
    "deadline_basis",
    "published_at",
    "published_at_source",
    "first_seen_at",
    "confidence",
    "reason",
    "reason_zh",
    "report",
    "report_url",
    "title",
    "as_of",
)


def grid_filter(request: Request, p: Params, db) -> tuple[browse.GridFilter, str | None]:
    span = browse.verdict_years(db) or (2019, 2019)
    first = p.integer("from", 2000, 2100, max(span[0], span[1] - 7))
    last = p.integer("to", 2000, 2100, span[1])
    assert first is not None and last is not None
    if first > last:
        raise bad("from", "after to")
    if last - first >= MAX_YEARS:
        raise bad("from", f"at most {MAX_YEARS} years at a time")
    f = browse.GridFilter(
        years=(first, last),
        level=p.choice("level", LEVELS),
        region=p.digits("region"),
        kind=p.choice("kind", SOURCE_KINDS),
        name=p.text("name"),
        status=p.choice("status", STATUSES),
    )
    health = p.choice("health", HEALTHS)
    if health:
        judged = request.app.state.archive.health()
        f.sources = sorted(
            s
            for s in browse.grid_source_ids(db, f)
            if (judged.get(s) or {}).get("health", "unknown") == health
        )
    return f, health


def grid(request: Request):
    p = Params(request.query_params)
    fmt = export_format(request)
    sort = p.choice("sort", browse.GRID_SORTS, "agency") or "agency"
    page, per, offset = p.page()
    with request.app.state.archive.db() as db:
        f, health = grid_filter(request, p, db)
        if fmt:
            total, sources = collect(
                lambda limit, off: browse.grid_sources(db, f, sort=sort, limit=limit, offset=off)
            )
            rows = []
            for i in range(0, len(sources), 500):
                ids = [s["source_id"] for s in sources[i : i + 500]]
                for v in browse.iter_verdicts(db, ids, f.years):
                    rows.append({**v, "source": v["source_id"], "report": v["report_id"]})
            return export_response(fmt, "grid", EXPORT_COLUMNS, rows, len(rows))
        total, sources = browse.grid_sources(db, f, sort=sort, limit=per, offset=offset)
        cells = browse.grid_cells(db, [s["source_id"] for s in sources], f.years)
        by_level = browse.rollup(db, f, "level")
        by_province = browse.rollup(db, f, "province")
        provinces = browse.provinces(db)
    return html(
        request,
        "grid.html",
        title="合规网格 Compliance grid",
        p=p,
        f=f,
        health=health,
        healths=HEALTHS,
        sort=sort,
        years=list(range(f.years[0], f.years[1] + 1)),
        sources=sources,
        cells=cells,
        total=total,
        page=page,
        per=per,
        pages=max(1, -(-total // per)),
        by_level=by_level,
        by_province=by_province,
        provinces=provinces,
        kinds=SOURCE_KINDS,
        rollup_filtered=bool(f.name or f.status or health),
    )


routes = [Route("/grid", grid, name="grid"), Route("/grid.{fmt}", grid, name="grid_export")]
