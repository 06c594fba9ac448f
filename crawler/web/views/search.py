"""Chinese full-text search with counts, facets, highlighted snippets, exports and a feed."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from crawler.vocab.words import LEVELS
from crawler.web.lists import export_format, export_response, html
from crawler.web.params import Params
from crawler.web.views.reports import REPORT_COLUMNS, atom_response
from storage import browse
from storage import search as index

SORTS = ("relevance", "date")
EXPORT_COLUMNS = ("rank", *REPORT_COLUMNS, "snippet")


def explain(query: str) -> dict:
    """How a query is searched, in words: each term, the index that answers it, AND/OR/NOT."""
    parsed = index.parse_query(query)

    def term(t: index.Term) -> dict:
        return {
            "text": t.text,
            "how": "逐字索引（1–2个字） per-character index"
            if t.short
            else "三元组索引（≥3个字） trigram index",
        }

    return {
        "groups": [[term(t) for t in g] for g in parsed.groups],
        "negated": [term(t) for t in parsed.negated],
        "warnings": parsed.warnings,
        "simplified": [t.text for t in parsed.positive],
    }


def search(request: Request):
    p = Params(request.query_params)
    fmt = export_format(request, ("csv", "json", "atom"))
    query = p.text("q", index.MAX_QUERY_CHARS) or ""
    filters: dict[str, Any] = {
        "year": p.integer("year", 1990, 2100),
        "level": p.choice("level", LEVELS),
        "region": p.digits("region"),
        "agency": p.text("agency"),
    }
    sort = p.choice("sort", SORTS, "relevance") or "relevance"
    page, per, offset = p.page()
    with request.app.state.archive.db() as db:
        ids, exact = index.matching_ids(db, query, **filters) if query else ([], True)
        if fmt == "atom":
            rows = list(
                browse.reports_by_id(
                    db, [h.report_id for h in index.hits_by_date(db, query, ids, limit=100, offset=0)]
                ).values()
            )
            return atom_response(request, rows, f"搜索 search: {query}")
        if fmt:
            limit, off = len(ids), 0
        else:
            limit, off = per, offset
        if sort == "date":
            hits = index.hits_by_date(db, query, ids, limit=limit, offset=off)
        else:
            hits = index.search(db, query, **filters, limit=limit, offset=off) if query else []
        details = browse.reports_by_id(db, [h.report_id for h in hits])
        facets = index.facet_counts(db, ids) if not fmt else {}
    results = [
        {"hit": h, "rank": off + i + 1, **(details.get(h.report_id) or {"id": h.report_id})}
        for i, h in enumerate(hits)
    ]
    if fmt:
        rows = [{**r, "snippet": r["hit"].snippet} for r in results]
        return export_response(
            fmt, "search", EXPORT_COLUMNS, rows, len(ids) if exact else max(len(ids), len(rows))
        )
    total = len(ids)
    return html(
        request,
        "search.html",
        title=f"搜索 {query}" if query else "搜索 Search",
        p=p,
        query=query,
        filters=filters,
        sort=sort,
        results=results,
        total=total,
        exact=exact,
        cap=index.COUNT_CAP,
        facets=facets,
        how=explain(query) if query else None,
        page=page,
        per=per,
        pages=max(1, -(-total // per)),
    )


routes = [Route("/search", search, name="search"), Route("/search.{fmt}", search, name="search_export")]
