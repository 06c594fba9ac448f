"""The compliance grid: agency × report year, filtered, paged, rolled up by level and province."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crawler.outputs.report_html import render_csv
from crawler.vocab.words import LEVELS, SOURCE_KINDS, STATUSES
from crawler.web.lists import collect, export_format, html
from crawler.web.params import Params, bad
from crawler.web.render import json_text
from storage import browse
from storage.compliance import verdict_from_row

HEALTHS = ("ok", "degraded", "broken", "blocked", "disabled", "unknown")
MAX_YEARS = 20


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


def verdict_export(fmt: str, verdicts: list[dict]) -> Response:
    """The verdicts of the grid's filtered set as ``nianbao report --out FILE.csv`` writes them
    (UTF-8 with BOM, evidence fetch ids) or as ``nianbao check --json`` prints them."""
    headers = {"X-Total-Count": str(len(verdicts)), "Content-Disposition": f'inline; filename="grid.{fmt}"'}
    if fmt == "csv":
        return Response(
            "\ufeff" + render_csv(verdicts), media_type="text/csv; charset=utf-8", headers=headers
        )
    body = {"total": len(verdicts), "count": len(verdicts), "rows": verdicts}
    return Response(json_text(body), media_type="application/json", headers=headers)


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
            verdicts = [
                verdict_from_row(v)
                for v in browse.iter_verdicts(db, [s["source_id"] for s in sources], f.years)
            ]
            return verdict_export(fmt, verdicts)
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
