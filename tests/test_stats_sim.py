"""Tables A/B/C read back from the simulator's reports: the served HTML page and the DOCX, PDF and
RTF-as-.doc attachments go through ``crawler.extract.extract_bytes`` and ``parse_tables``, and
every number must equal what ``portalsim.stats.report_stats`` says the report states."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.extract import extract_bytes
from crawler.stats.checks import run_checks
from crawler.stats.tables import A_LAYOUT, B_COLUMNS, C_KEYS, Tables, headline, parse_tables
from portalsim.router import SimApp, attachment_bytes
from portalsim.stats import B_COLUMNS as SIM_B_COLUMNS
from portalsim.stats import quality_defect, report_stats
from portalsim.truth import agency_truth
from portalsim.world import report_plan, template_for

SEED = 7
TODAY = date(2026, 2, 10)
CASES = [  # (index, year, template the simulator uses)
    (2, 2019, "template2019"),
    (3, 2020, "template2019"),
    (2, 2021, "template2021"),
    (1, 2021, "template2019"),  # template drift: a 2021 report with the 2019 tables
    (9, 2022, "template2021"),
]
KINDS = ("html", "docx", "pdf", "doc")
TABLE_DEFECTS = ("slash_cells", "blank_cells", "image_tables")  # reports whose tables differ from their stats
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "doc": "application/msword",
}


@pytest.fixture(scope="module")
def app() -> SimApp:
    return SimApp(SEED, 12, TODAY, troubles=False)


def extracted(app: SimApp | None, index: int, year: int, kind: str):
    """What the extractor makes of the report as the simulator serves it."""
    if kind == "html":
        assert app is not None
        url = next(t["url"] for t in agency_truth(SEED, index, TODAY) if t["year"] == year)
        resp = app.handle("GET", url, {})
        assert resp.status == 200
        result = extract_bytes(resp.body, content_type=resp.headers["Content-Type"], url=url)
    else:
        result = extract_bytes(
            attachment_bytes(SEED, index, year, 0, kind),
            content_type=CONTENT_TYPES[kind],
            url=f"http://sim.example/report.{kind}",
        )
    assert result.status == "ok", result.error
    return result


def expected(stats: dict) -> tuple[dict, dict, dict]:
    """Tables A/B/C as report_stats states them, keyed like crawler.stats.tables."""
    a = {
        f"{row}.{col}": v
        for row, cols in A_LAYOUT[stats["template"]]
        for col, v in zip(cols, stats["table_a"][row], strict=True)
    }
    b = {row: dict(zip(B_COLUMNS, cells, strict=True)) for row, cells in stats["table_b"].items()}
    return a, b, dict(zip(C_KEYS, stats["table_c"], strict=True))


def numbers(t: Tables) -> tuple[dict, dict, dict]:
    assert {cell.status for cell in [*t.a.values(), *t.c.values()]} <= {"number"}
    assert {cell.status for row in t.b.values() for cell in row.values()} <= {"number"}
    return (
        {k: c.value for k, c in t.a.items()},
        {r: {k: c.value for k, c in row.items()} for r, row in t.b.items()},
        {k: c.value for k, c in t.c.items()},
    )


def test_columns_match_the_simulator():
    assert B_COLUMNS == SIM_B_COLUMNS


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("index", "year", "template"), CASES)
def test_every_table_number_round_trips(app, index, year, template, kind):
    assert template_for(SEED, index, year) == template
    assert report_plan(SEED, index, year).published is not None
    stats = report_stats(SEED, index, year)
    result = extracted(app, index, year, kind)
    t = parse_tables(result.text, result.tables)
    assert t.format == template
    assert t.source == ("text" if kind in ("pdf", "doc") else "grid")
    assert numbers(t) == expected(stats)
    assert list(t.b) == list(stats["table_b"])
    assert headline(t) == {
        key: stats[key]
        for key in (
            "requests_received",
            "requests_carried_over",
            "requests_carried_forward",
            "reconsideration_total",
            "litigation_total",
        )
    }
    narrative = {
        key: stats[key] for key in ("requests_received", "reconsideration_total", "litigation_total")
    }
    checks = {
        ch.rule: ch.result
        for ch in run_checks(t, year=year, narrative=narrative | {"period_year": year}, text=result.text)
    }
    assert {
        rule: checks[rule]
        for rule in ("B1", "B2", "B3", "B4", "C1", "C2", "C3", "A1", "T1", "T2", "S1", "S2")
    } == dict.fromkeys(("B1", "B2", "B3", "B4", "C1", "C2", "C3", "A1", "T1", "T2", "S1", "S2"), "pass")
    assert checks["S3"] == (
        "pass" if template == ("template2019" if year <= 2020 else "template2021") else "fail"
    )


def test_carried_requests_chain_across_years():
    this = extracted(None, 3, 2020, "pdf")
    last = extracted(None, 3, 2019, "docx")
    checks = run_checks(
        parse_tables(this.text, this.tables),
        year=2020,
        previous=parse_tables(last.text, last.tables),
        previous_year=2019,
    )
    assert next(ch for ch in checks if ch.rule == "B5").result == "pass"


@pytest.mark.parametrize("kind", KINDS)
def test_free_form_report_has_no_tables(app, kind):
    assert template_for(SEED, 2, 2015) == "freeform"
    result = extracted(app, 2, 2015, kind)
    t = parse_tables(result.text, result.tables)
    assert (t.found(), t.format) == (False, None)
    checks = run_checks(t, year=2015, text=result.text)
    assert "fail" not in {ch.result for ch in checks}


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 11])
def test_round_trip_sweep(seed):
    """Every 2019+ report of 25 agencies, as PDF, DOCX and RTF."""
    checked = 0
    for index in range(1, 26):
        for year in range(2019, 2025):
            if report_plan(seed, index, year).published is None:
                continue
            if quality_defect(seed, index, year) in TABLE_DEFECTS:
                continue  # written with blank/"/" cells or as images: tests/test_e2e_quality.py
            want = expected(report_stats(seed, index, year))
            for kind in ("pdf", "docx", "doc"):
                result = extract_bytes(
                    attachment_bytes(seed, index, year, 0, kind), content_type=CONTENT_TYPES[kind]
                )
                t = parse_tables(result.text, result.tables)
                assert (t.format, numbers(t)) == (template_for(seed, index, year), want), (
                    seed,
                    index,
                    year,
                    kind,
                )
                checked += 1
    assert checked > 200
