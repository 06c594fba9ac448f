"""The statistics stage (run by ``nianbao extract`` after report texts change): each report's
text and table grids → format, headline numbers, every cell, every consistency check.

Reports are analysed in (source, year) order so the cross-year rule B5 can compare this year's
row 二 with the previous report's row 四; a report whose previous year changed is re-checked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict

from sqlite_utils import Database

from crawler.stats import STATS_VERSION, Analysis, analyse
from crawler.stats.tables import Cell, Tables, cells_long
from crawler.vocab import clock
from storage import stats as store
from storage import texts


def _grids(parts: list[dict], by_sha: dict[str, dict]) -> list[list[list[str]]]:
    grids: list[list[list[str]]] = []
    for p in parts:
        row = by_sha.get(p["sha256"])
        if row and row.get("tables"):
            try:
                grids.extend(json.loads(row["tables"]))
            except ValueError:
                continue
    return grids


def stored_tables(db: Database, report_id: str) -> Tables | None:
    """Table B of an analysed report, rebuilt from its stored cells (for B5 across years)."""
    b: dict[str, dict[str, Cell]] = {}
    for c in store.cells_for(db, report_id):
        if c["tbl"] == "B":
            b.setdefault(c["row"], {})[c["col"]] = Cell(c["value"], c["raw"] or "", c["status"])
    return Tables(format=None, a={}, b=b, c={}, source="stored") if b else None


def _previous(db: Database, source_id: str, year: int, done: dict[tuple[str, int], Tables]) -> Tables | None:
    if (source_id, year - 1) in done:
        return done[source_id, year - 1]
    for report_id in store.analysed_reports_of(db, source_id, year - 1):
        tables = stored_tables(db, report_id)
        if tables is not None:
            return tables
    return None


def analyse_reports(db: Database, report_ids: Iterable[str], registry: dict[str, dict]) -> int:
    """Analyse the given reports (and re-check their next years); returns how many were written."""
    done: dict[tuple[str, int], Tables] = {}
    written = 0
    for row in store.with_next_years(db, report_ids):
        text_row = texts.stored_report_text(db, row["id"])
        if text_row is None:
            continue
        report = next(texts.report_sources(db, [row["id"]]))
        by_sha = texts.texts_for(db, [p["sha256"] for p in report["parts"]])
        year = row["report_year"]
        previous = _previous(db, row["source_id"], year, done) if year else None
        analysis: Analysis = analyse(
            text_row["text"] or "",
            _grids(report["parts"], by_sha),
            year=year,
            level=registry.get(row["source_id"], {}).get("level"),
            previous=previous,
            previous_year=year - 1 if previous is not None and year else None,
        )
        store.save_analysis(
            db,
            row["id"],
            format=analysis.format,
            headline=analysis.stats,
            detail=analysis.detail,
            cells=cells_long(analysis.tables) + _narrative_cells(analysis),
            checks=[asdict(c) for c in analysis.checks],
            version=STATS_VERSION,
            at=clock.now_iso(),
        )
        if year and analysis.tables.b:
            done[row["source_id"], year] = analysis.tables
        written += 1
    return written


def _narrative_cells(analysis: Analysis) -> list[dict]:
    """Labelled quantities from the text, in the long cells table (table ``text``)."""
    out = []
    for key, d in analysis.detail.items():
        if d["source"] == "text":
            out.append(
                {
                    "table": "text",
                    "row": key,
                    "column": "",
                    "value": d["value"],
                    "raw": d["raw"],
                    "status": "approximate" if d["approximate"] else "number",
                }
            )
    return out
