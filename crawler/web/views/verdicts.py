"""A verdict (source, year) with everything it rests on, its evidence bundle, and an agency's page."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Route

from crawler.outputs.evidence import bundle_folder, write_bundle
from crawler.outputs.evidence_text import deadline_facts
from crawler.web.lists import html
from crawler.web.params import check_source_id
from storage import browse
from storage import compliance as store


def _year(request: Request) -> int:
    value = request.path_params["year"]
    if not value.isdigit() or not 1990 <= int(value) <= 2100:
        raise HTTPException(404, "no such year")
    return int(value)


def _verdict(db, source_id: str, year: int) -> dict:
    row = browse.verdict_row(db, source_id, year)
    if row is None:
        raise HTTPException(404, f"no stored verdict for {source_id} {year} (run nianbao check)")
    return store.verdict_from_row(row)


def _flags_of(db, source_id: str, year: int | None = None) -> list[dict]:
    flags = [
        f for f in store.query_flags(db, source=source_id, state=None) if year is None or f["year"] == year
    ]
    history = browse.flag_events_of(db, [f["id"] for f in flags])
    for f in flags:
        f["history"] = history.get(f["id"], [])
    return flags


def verdict(request: Request):
    source_id = check_source_id(request.path_params["source"])
    year = _year(request)
    with request.app.state.archive.db() as db:
        v = _verdict(db, source_id, year)
        ids = sorted(
            {int(e[k]) for e in v["evidence"] for k in ("fetch", "basis_fetch") if isinstance(e.get(k), int)}
        )
        captures = browse.fetches_by_id(db, ids)
        flags = _flags_of(db, source_id, year)
    return html(
        request,
        "verdict.html",
        title=f"{v['agency']} {year}",
        v=v,
        deadline=deadline_facts(v),
        captures=captures,
        flags=flags,
    )


def evidence_zip(request: Request):
    source_id = check_source_id(request.path_params["source"])
    year = _year(request)
    archive = request.app.state.archive
    tmp = Path(tempfile.mkdtemp(prefix="nianbao-evidence-"))
    try:
        with archive.db(limited=False) as db:  # copies WARC records: bounded by the evidence, not by a query
            v = _verdict(db, source_id, year)
            flags = [f for f in store.query_flags(db, source=source_id, state=None) if f["year"] == year]
            out = tmp / f"{bundle_folder(v)}.zip"
            write_bundle(db, archive.root, v, flags, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)  # a 404 or a failed bundle leaves no temp files behind
        raise
    return FileResponse(
        out,
        media_type="application/zip",
        filename=out.name,
        background=BackgroundTask(shutil.rmtree, tmp, ignore_errors=True),
    )


def agency(request: Request):
    source_id = check_source_id(request.path_params["source"])
    archive = request.app.state.archive
    with archive.db() as db:
        row = browse.source_row(db, source_id)
        verdicts = [store.verdict_from_row(r) for r in browse.source_verdict_rows(db, source_id)]
        reports = browse.source_reports(db, source_id)
        runs = browse.source_runs(db, source_id)
        flags = _flags_of(db, source_id)
    if row is None and not reports and not runs:
        raise HTTPException(404, f"no source {source_id} in this archive")
    for r in runs:
        try:
            r["detail"] = json.loads(r.get("detail") or "{}")
        except ValueError:
            r["detail"] = {}
    agency_name = (row or {}).get("agency") or next(
        (r["agency"] for r in reports if r.get("agency")), source_id
    )
    return html(
        request,
        "agency.html",
        title=agency_name,
        source_id=source_id,
        agency=agency_name,
        row=row,
        verdicts=verdicts,
        reports=reports,
        runs=runs,
        flags=flags,
        health=archive.health().get(source_id),
    )


routes = [
    Route("/verdict/{source}/{year}", verdict, name="verdict"),
    Route("/verdict/{source}/{year}/evidence.zip", evidence_zip, name="evidence"),
    Route("/agency/{source}", agency, name="agency"),
]
