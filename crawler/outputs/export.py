"""``nianbao export``: the statistics dataset, one row per report plus every cell in long form.

Files written to the output directory:

* ``reports.csv`` / ``reports.jsonl`` — one row per own report: identity (report id, source,
  agency, level, region, kind, year, title, url), dates (published_at + source, first_seen_at),
  ``format``, the headline numbers of DESIGN §7, the compliance status of that source and year,
  ``checks_failed`` / ``checks_uncertain`` (rule names, space-separated) and one ``check_<rule>``
  column per rule (pass | fail | uncertain | empty when not run);
* ``cells.csv`` / ``cells.jsonl`` — every parsed cell: report id, table (A, B, C, or ``text``
  for labelled quantities from the narrative), row, column, value, raw text, status
  (number | blank | na | text | approximate).

CSV is UTF-8 with a BOM (Excel opens it as UTF-8); text cells that a spreadsheet would run as a
formula get a leading ``'``.  Rows stream: memory does not grow with the archive.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from crawler.vocab.text import cell_text
from crawler.vocab.words import HEADLINE
from storage import stats as stats_store

RULES = (
    "A1",
    "A2",
    "A3",
    "B1",
    "B2",
    "B3",
    "B4",
    "B5",
    "C1",
    "C2",
    "C3",
    "C4",
    "S1",
    "S2",
    "S3",
    "T1",
    "T2",
    "T3",
    "Q1",
    "Q2",
    "Q3",
    "Q4",
    "Q5",
    "Q6",
)
REPORT_COLUMNS = (
    "report_id",
    "source_id",
    "agency",
    "level",
    "region",
    "kind",
    "report_year",
    "title",
    "url",
    "published_at",
    "published_at_source",
    "first_seen_at",
    "format",
    *HEADLINE,
    "compliance_status",
    "deadline",
    "checks_failed",
    "checks_uncertain",
    *(f"check_{r}" for r in RULES),
)
CELL_COLUMNS = ("report_id", "table", "row", "column", "value", "raw", "status")
TEXT_COLUMNS = {"agency", "title", "url", "raw", "row", "column"}


def report_rows(db: Database, registry: dict[str, dict]) -> Iterator[dict]:
    """One dict per own report of a known year, with its checks folded into columns."""
    for row in stats_store.dataset_reports(db):
        results = dict(part.split("=", 1) for part in (row.pop("checks") or "").split() if "=" in part)
        source = registry.get(row["source_id"], {})
        out = {
            "report_id": row["report_id"],
            "source_id": row["source_id"],
            "agency": row["agency"],
            "level": source.get("level"),
            "region": source.get("region"),
            "kind": source.get("kind"),
            **row,
        }
        for key in HEADLINE:
            value = out.get(key)
            out[key] = int(value) if isinstance(value, float) and value.is_integer() else value
        out["checks_failed"] = " ".join(r for r in RULES if results.get(r) == "fail")
        out["checks_uncertain"] = " ".join(r for r in RULES if results.get(r) == "uncertain")
        out.update({f"check_{r}": results.get(r) for r in RULES})
        yield {k: out.get(k) for k in REPORT_COLUMNS}


def cell_rows(db: Database) -> Iterator[dict]:
    """Every stored cell of own reports, in long form."""
    for row in stats_store.dataset_cells(db):
        value = row["value"]
        row["value"] = int(value) if isinstance(value, float) and value.is_integer() else value
        yield row


def _safe(key: str, value):
    return cell_text(value) if key in TEXT_COLUMNS else ("" if value is None else value)


def write_csv(path: Path, columns: tuple[str, ...], rows: Iterator[dict]) -> int:
    n = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_safe(k, row.get(k)) for k in columns])
            n += 1
    return n


def write_jsonl(path: Path, rows: Iterator[dict]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def export(db: Database, out: Path, fmt: str, registry: dict[str, dict]) -> dict[str, int]:
    """Write the dataset into ``out`` (created); returns rows written per file name."""
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        return {
            "reports.csv": write_csv(out / "reports.csv", REPORT_COLUMNS, report_rows(db, registry)),
            "cells.csv": write_csv(out / "cells.csv", CELL_COLUMNS, cell_rows(db)),
        }
    return {
        "reports.jsonl": write_jsonl(out / "reports.jsonl", report_rows(db, registry)),
        "cells.jsonl": write_jsonl(out / "cells.jsonl", cell_rows(db)),
    }
