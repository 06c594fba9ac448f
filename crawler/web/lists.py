"""Every list is a URL: its HTML page and its ``.csv`` / ``.json`` / ``.atom`` twins come from the
same filters, and an export holds exactly the filtered set (every page of it, up to
:data:`EXPORT_MAX` rows, which the response says when it cuts)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from crawler.web.render import csv_text, json_text

EXPORT_MAX = 100_000
EXPORT_BATCH = 1_000


def export_format(request: Request, allowed: tuple[str, ...] = ("csv", "json")) -> str | None:
    fmt = request.path_params.get("fmt")
    if fmt is None:
        return None
    if fmt not in allowed:
        raise HTTPException(404, f"no .{fmt} form of this list (try {', '.join('.' + a for a in allowed)})")
    return fmt


def collect(page: Callable[[int, int], tuple[int, list[dict]]]) -> tuple[int, list[dict]]:
    """Every row of a paged query (``page(limit, offset)`` → (total, rows)), up to EXPORT_MAX."""
    rows: list[dict] = []
    total = 0
    while len(rows) < EXPORT_MAX:
        total, batch = page(min(EXPORT_BATCH, EXPORT_MAX - len(rows)), len(rows))
        rows += batch
        if len(batch) < EXPORT_BATCH:
            break
    return total, rows


def export_response(fmt: str, name: str, columns: Iterable[str], rows: list[dict], total: int) -> Response:
    """The CSV (UTF-8 with BOM) or JSON export of ``rows``; ``X-Total-Count`` says how many
    matched, ``X-Truncated`` when there were more than were written."""
    columns = list(columns)
    headers = {"X-Total-Count": str(total), "Content-Disposition": f'inline; filename="{name}.{fmt}"'}
    if total > len(rows):
        headers["X-Truncated"] = f"{len(rows)} of {total}"
    if fmt == "csv":
        return Response(csv_text(columns, rows), media_type="text/csv; charset=utf-8", headers=headers)
    body = {"total": total, "count": len(rows), "rows": [{c: r.get(c) for c in columns} for r in rows]}
    return Response(json_text(body), media_type="application/json", headers=headers)


def html(request: Request, template: str, **context) -> HTMLResponse:
    app = request.app
    context.setdefault("title", "")
    page = app.state.templates.get_template(template).render(
        request=request, app_name="nianbao 年报", **context
    )
    return HTMLResponse(page)
