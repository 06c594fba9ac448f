"""End to end: crawl the simulator, extract, and the statistics stored for every report equal what
the simulator wrote; the checks pass on its consistent tables; export, show and the
``inconsistent`` flags work on the real archive."""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import date

import pytest

from portalsim import report_stats
from portalsim.stats import quality_defect
from portalsim.world import report_plan
from tests.simcrawl import crawl, nianbao, query, sim_world

pytestmark = pytest.mark.slow

SEED, AGENCIES, TODAY = 7, 12, date(2025, 4, 10)
HEADLINE = (
    "proactive_disclosures",
    "requests_received",
    "requests_carried_over",
    "reconsideration_total",
    "litigation_total",
)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stats")
    data = tmp / "data"
    with sim_world(tmp, seed=SEED, agencies=AGENCIES, today=TODAY) as w:
        crawl(w, data, TODAY)
        nianbao("extract", "--data", str(data), "--sources", str(w.sources), now=TODAY)
        yield {"tmp": tmp, "data": data, "sources": w.sources}


def defective(data) -> set[str]:
    """Ids of the reports the simulator wrote with a quality defect (tests/test_e2e_quality.py
    scores those; a table left as an image or a contradicting statement fails or leaves open
    the consistency rules too)."""
    return {
        r["id"]
        for r in query(
            data, "select id, source_id, report_year from reports where own = 1 and report_year >= 2019"
        )
        if quality_defect(SEED, int(r["source_id"].split("-")[1]), r["report_year"])
    }


def own_reports(data):
    return query(
        data, "select * from reports where own = 1 and report_year is not null and analysed_at is not null"
    )


def test_every_report_is_analysed_and_matches_the_simulator(world):
    rows = own_reports(world["data"])
    assert len(rows) > 100
    mismatches = []
    for r in rows:
        index = int(r["source_id"].split("-")[1])
        plan = report_plan(SEED, index, r["report_year"])
        truth = report_stats(
            SEED, index, r["report_year"], edited=bool(plan.edit_date and plan.edit_date <= TODAY)
        )
        expected_format = truth["template"]
        if r["format"] != expected_format:
            mismatches.append((r["id"], "format", r["format"], expected_format))
        for key in HEADLINE:
            want = truth[key]
            if want is not None and r[key] != want:
                mismatches.append((r["id"], key, r[key], want))
    assert not mismatches, mismatches[:10]


def test_table_cells_are_stored_and_checks_pass_on_consistent_reports(world):
    data = world["data"]
    failed = query(
        data,
        "select c.report_id, c.rule, c.message from checks c join reports r on r.id = c.report_id "
        "where c.result = 'fail' and c.severity = 'error' and r.own = 1",
    )
    bad = defective(data)
    assert bad  # the world holds defective reports, and only they may fail
    failed = [f for f in failed if f["report_id"] not in bad]
    assert not failed, failed[:5]
    passes = query(data, "select rule, count(*) n from checks where result = 'pass' group by rule")
    assert {p["rule"] for p in passes} >= {"B1", "B2", "B3", "B4", "C1", "C2", "C3", "T1", "T2"}
    b5 = query(data, "select count(*) n from checks where rule = 'B5' and result = 'pass'")[0]["n"]
    assert b5 > 0  # consecutive years of the same agency chain their carried-over requests
    cells = query(data, "select tbl, count(*) n from report_stats group by tbl")
    assert {c["tbl"] for c in cells} >= {"A", "B", "C", "text"}


def test_export_csv_and_json(world):
    out = world["tmp"] / "export"
    nianbao("export", "--data", str(world["data"]), "--sources", str(world["sources"]), "--out", str(out))
    raw = (out / "reports.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) == len(
        query(world["data"], "select id from reports where own = 1 and report_year is not null")
    )
    assert {
        "report_id",
        "agency",
        "report_year",
        "format",
        "requests_received",
        "check_B1",
        "checks_failed",
        "compliance_status",
    } <= set(rows[0])
    bad = defective(world["data"])
    analysed = [
        r for r in rows if r["format"] in ("template2019", "template2021") and r["report_id"] not in bad
    ]
    assert analysed and all(r["check_B1"] == "pass" and r["requests_received"].isdigit() for r in analysed)
    cells = list(csv.DictReader((out / "cells.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert {"report_id", "table", "row", "column", "value", "raw", "status"} == set(cells[0])
    json_out = world["tmp"] / "export-json"
    nianbao(
        "export",
        "--data",
        str(world["data"]),
        "--sources",
        str(world["sources"]),
        "--out",
        str(json_out),
        "--format",
        "json",
    )
    lines = (json_out / "reports.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(rows) and json.loads(lines[0])["report_id"] == rows[0]["report_id"]


def test_show_prints_tables_and_checks(world):
    rid = query(world["data"], "select id from reports where own = 1 and format = 'template2021' limit 1")[0][
        "id"
    ]
    out = nianbao("show", rid, "--data", str(world["data"])).stdout
    assert "table B 一:" in out and "总计=" in out and "checks:" in out
    shown = json.loads(nianbao("show", rid, "--data", str(world["data"]), "--json").stdout)
    assert shown["checks"] and shown["cells"] and shown["requests_received"] is not None


def test_a_failed_rule_becomes_an_inconsistent_flag(world, tmp_path):
    # corrupt one stored report's B1 result the way a real inconsistent report would fail it
    data = world["data"]
    con = sqlite3.connect(data / "archive.db")
    bad = defective(data)
    rid = next(
        r
        for (r,) in con.execute("select report_id from checks where rule = 'B1' and result = 'pass'")
        if r not in bad
    )
    con.execute(
        "update checks set result = 'fail', message = 'column 总计: 一+二 = 12 but 三(七)+四 = 11' "
        "where report_id = ? and rule = 'B1'",
        [rid],
    )
    con.commit()
    con.close()
    nianbao("check", "--data", str(data), "--sources", str(world["sources"]), "--no-notify", now=TODAY)
    flags = json.loads(nianbao("flags", "--data", str(data), "--kind", "inconsistent", "--json").stdout)
    flags = [f for f in flags if f["report"] not in bad]
    errors = [f for f in flags if f["detail"]["severity"] == "error"]
    assert [(f["report"], f["detail"]["rule"]) for f in errors] == [(rid, "B1")]
    # the simulator does not chain Table A across years nor bound lawsuits by reconsiderations,
    # and some 2021–2023 reports keep the 2019 tables: soft rules, raised as warnings
    warnings = {f["detail"]["rule"] for f in flags if f["detail"]["severity"] == "warning"}
    assert warnings and warnings <= {"A2", "C4", "S3"}
