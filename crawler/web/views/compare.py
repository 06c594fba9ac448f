"""Year-over-year (or copy-and-original) comparison of two reports: sections side by side with the
reused passages marked in both, and every parsed table value with its change."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from crawler.stats.originality import compare as compare_texts
from crawler.stats.originality import normalise
from crawler.vocab.words import HEADLINE
from crawler.web.lists import html
from crawler.web.params import Params, check_report_id
from storage.originality import originality_of
from storage.reports import find_report
from storage.stats import cells_for
from storage.texts import stored_report_text

MAX_TEXT = 200_000  # characters compared live (a report is rarely a tenth of that)


def text_sections(text: str) -> list[tuple[str, int, int]]:
    """The report's sections as (heading key, start, end) in the text itself."""
    norm = normalise(text)
    return [(key, norm.offsets[s], norm.offsets[e]) for key, s, e in norm.sections]


def marked(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``text[start:end]`` in pieces, each saying whether it lies in one of ``spans`` (reused)."""
    out: list[tuple[str, bool]] = []
    at = start
    for s, e in sorted(spans):
        s, e = max(s, start), min(e, end)
        if e <= at:
            continue
        if s > at:
            out.append((text[at:s], False))
        out.append((text[max(s, at) : e], True))
        at = e
    if at < end:
        out.append((text[at:end], False))
    return out


def side_by_side(text_a: str, text_b: str, passages: list, sections: dict[str, float]) -> list[dict]:
    """Rows of aligned sections (A's order, then B's own), each with both texts marked."""
    a_secs, b_secs = text_sections(text_a), text_sections(text_b)
    a_spans = [(p.start, p.end) for p in passages]
    b_spans = [(p.other_start, p.other_end) for p in passages]
    b_by_key = {k: (s, e) for k, s, e in b_secs}
    rows, used = [], set()
    for key, s, e in a_secs:
        other = b_by_key.get(key) if key not in used else None
        used.add(key)
        rows.append(
            {
                "key": key,
                "reuse": sections.get(key),
                "a": marked(text_a, s, e, a_spans),
                "b": marked(text_b, *other, b_spans) if other else [],
            }
        )
    for key, s, e in b_secs:
        if key not in used:
            rows.append({"key": key, "reuse": None, "a": [], "b": marked(text_b, s, e, b_spans)})
    return rows


def value_changes(cells_a: list[dict], cells_b: list[dict]) -> list[dict]:
    """Every parsed cell of either report (table, row, column) with both values and the change."""

    def keyed(cells: list[dict]) -> dict[tuple[str, str, str], object]:
        return {
            (c["tbl"], c["row"], c["col"] or ""): c["value"]
            if c["status"] == "number"
            else (c["raw"] or c["status"])
            for c in cells
        }

    a, b = keyed(cells_a), keyed(cells_b)
    out = []
    for key in sorted(set(a) | set(b)):
        va, vb = a.get(key), b.get(key)
        change = (
            float(va) - float(vb) if isinstance(va, int | float) and isinstance(vb, int | float) else None
        )
        out.append(
            {
                "table": key[0],
                "row": key[1],
                "col": key[2],
                "a": va,
                "b": vb,
                "change": change,
            }
        )
    return out


def _default_other(rows: list[dict]) -> str | None:
    by_kind = {r["kind"]: r for r in rows}
    for kind in ("previous_year", "other_body"):
        row = by_kind.get(kind)
        if row and row.get("compared_report_id"):
            return row["compared_report_id"]
    return None


def compare(request: Request):
    report_id = check_report_id(request.path_params["report"])
    p = Params(request.query_params)
    with request.app.state.archive.db() as db:
        a = find_report(db, report_id)
        if a is None:
            raise HTTPException(404, "no such report")
        stored = originality_of(db, report_id)
        other_id = p.text("with", 200) or _default_other(stored)
        if other_id is None:
            raise HTTPException(404, "nothing to compare with: no previous-year or similar report known")
        b = find_report(db, check_report_id(other_id))
        if b is None:
            raise HTTPException(404, "no such report to compare with")
        text_a = (stored_report_text(db, a["id"]) or {}).get("text") or ""
        text_b = (stored_report_text(db, b["id"]) or {}).get("text") or ""
        cells_a, cells_b = cells_for(db, a["id"]), cells_for(db, b["id"])
    if not text_a or not text_b:
        raise HTTPException(404, "one of the reports has no text yet (run nianbao extract)")
    text_a, text_b = text_a[:MAX_TEXT], text_b[:MAX_TEXT]
    names_a = tuple(n for n in (a.get("agency"),) if n and len(n) >= 3)
    names_b = tuple(n for n in (b.get("agency"),) if n and len(n) >= 3)
    reuse = compare_texts(text_a, text_b, names_a=names_a, names_b=names_b)
    headline = [
        {
            "key": k,
            "a": a.get(k),
            "b": b.get(k),
            "change": a[k] - b[k] if a.get(k) is not None and b.get(k) is not None else None,
        }
        for k in HEADLINE
    ]
    return html(
        request,
        "compare.html",
        title=f"对比 Compare: {a['title'] or a['id']}",
        a=a,
        b=b,
        reuse=reuse,
        rows=side_by_side(text_a, text_b, reuse.passages, reuse.sections),
        headline=headline,
        cells=value_changes(cells_a, cells_b),
        stored=stored,
    )


routes = [Route("/compare/{report}", compare, name="compare")]
