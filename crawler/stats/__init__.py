"""Statistics from report text and tables: format, Tables A/B/C, narrative numbers, checks.

:func:`analyse` is the one entry point (pure): text and span-expanded grids of a report in,
an :class:`Analysis` out — the template format (from table headers), the parsed tables, the
headline statistics of DESIGN §7 with where each came from, and every consistency rule of
domain.md §2.5.  Modules: ``tables`` (cells and Tables A/B/C), ``prose`` (labelled quantities
in the narrative, free-form reports), ``checks`` (the rules of domain.md §2.5), ``quality`` (the
completeness and content-quality rules Q1–Q6, run after them), ``sections`` (numbered headings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.vocab.words import HEADLINE

STATS_VERSION = "3"  # 2: the quality rules Q1–Q6; 3: T4


@dataclass(slots=True)
class Analysis:
    """What a report's text and tables say."""

    format: str | None
    stats: dict[str, int | float | None]  # headline numbers; None when not stated or only approximate
    detail: dict[str, dict[str, Any]]  # key → {"value", "approximate", "source": table|text, "raw"}
    tables: Any  # crawler.stats.tables.Tables
    checks: list = field(default_factory=list)  # crawler.stats.checks.Check
    narrative: dict[str, Any] = field(default_factory=dict)
    format_source: str = "none"  # headers | citation | year | none

    def tables_json(self) -> dict:
        """Tables A/B/C as plain JSON: {"A": {key: value}, "B": {row: {column: value}}, "C": {key: value}}."""
        t = self.tables
        if t is None or not t.found():
            return {}
        return {
            "source": t.source,
            "A": {k: c.value if c.status == "number" else c.raw for k, c in t.a.items()},
            "B": {
                r: {col: c.value if c.status == "number" else c.raw for col, c in row.items()}
                for r, row in t.b.items()
            },
            "C": {k: c.value if c.status == "number" else c.raw for k, c in t.c.items()},
        }

    def checks_json(self) -> list[dict]:
        return [
            {
                "rule": c.rule,
                "result": c.result,
                "severity": c.severity,
                "operands": c.operands,
                "message": c.message,
            }
            for c in self.checks
        ]


def narrative_dict(quantities: dict) -> dict[str, Any]:
    """Narrative quantities as the plain numbers the checks compare (approximate ones left out)."""
    return {k: q.value for k, q in quantities.items() if not q.approximate}


def analyse(
    text: str,
    grids: list[list[list[str]]] | None = None,
    *,
    year: int | None = None,
    level: str | None = None,
    previous=None,
    previous_year: int | None = None,
) -> Analysis:
    """Analyse one report's clean text and table grids (``previous``: the same agency's Y-1 tables)."""
    from crawler.recognize.report_text import cited_format
    from crawler.stats.checks import run_checks
    from crawler.stats.prose import narrative_numbers, proactive_parts
    from crawler.stats.quality import quality_checks
    from crawler.stats.tables import detect_format, headline, parse_tables

    text = text or ""
    fmt = detect_format(text, grids)
    tables = parse_tables(text, grids, fmt)
    quantities = narrative_numbers(text)
    narrative = narrative_dict(quantities)
    parts = proactive_parts(text)
    if parts:
        narrative["proactive_parts"] = [q.value for q in parts if not q.approximate]
    from_tables = headline(tables) if tables.found() else {}
    stats: dict[str, int | float | None] = {}
    detail: dict[str, dict[str, Any]] = {}
    for key in HEADLINE:
        value = from_tables.get(key)
        if value is not None:
            stats[key] = value
            detail[key] = {"value": value, "approximate": False, "source": "table", "raw": ""}
            continue
        q = quantities.get(key)
        if q is None:
            stats[key] = None
            continue
        stats[key] = None if q.approximate else q.value
        detail[key] = {"value": q.value, "approximate": q.approximate, "source": "text", "raw": q.raw}
    for key, q in quantities.items():  # the other labelled quantities (free-form reports)
        if key not in detail and key not in HEADLINE:
            detail[key] = {"value": q.value, "approximate": q.approximate, "source": "text", "raw": q.raw}
    # Table headers decide; without any (an excerpt, tables as images) a citation of the format
    # notice is the next best sign, and a report year ≤ 2018 had no national format at all.
    if fmt:
        format_source = "headers"
    elif fmt := cited_format(text):
        format_source = "citation"
    elif year is not None and year <= 2018:
        fmt, format_source = "freeform", "year"
    else:
        format_source = "none"
    checks = run_checks(
        tables,
        year=year,
        level=level,
        narrative=narrative,
        previous=previous,
        previous_year=previous_year,
        text=text,
    )
    checks += quality_checks(tables, text, year=year)
    return Analysis(fmt, stats, detail, tables, checks, narrative, format_source)
