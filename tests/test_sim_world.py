"""The simulated world without HTTP: determinism, truth, deadlines, names, stats, registry."""

from __future__ import annotations

import collections
import re
import time
import tomllib
from datetime import date, timedelta

import pytest

from portalsim import render_sources_toml, report_stats, truth_records
from portalsim.rng import deadline
from portalsim.router import SimApp
from portalsim.site import column_url_path, report_path
from portalsim.world import agency, report_plan, report_status

SEED = 7
ALLOWED_KEYS = {
    "id",
    "agency",
    "level",
    "region",
    "kind",
    "urls",
    "cms",
    "encoding",
    "first_year",
    "deadline",
    "enabled",
    "note",
}
LEVELS = {
    "state_council_dept",
    "province",
    "province_dept",
    "city",
    "city_dept",
    "county",
    "county_dept",
    "township",
    "other",
}


def test_truth_is_deterministic_and_seeded():
    today = date(2025, 4, 10)
    assert truth_records(SEED, 300, today) == truth_records(SEED, 300, today)
    assert truth_records(SEED, 300, today) != truth_records(SEED + 1, 300, today)


def test_pages_are_byte_identical_for_the_same_world():
    today = date(2025, 2, 5)
    a, b = SimApp(SEED, 60, today, troubles=False), SimApp(SEED, 60, today, troubles=False)
    other = SimApp(SEED + 1, 60, today, troubles=False)
    for i in (1, 2, 3, 17, 42):
        ag = agency(SEED, i)
        urls = [column_url_path(ag)]
        plan = report_plan(SEED, i, 2022)
        if plan.published and report_path(ag, plan):
            urls.append(report_path(ag, plan))
        for url in urls:
            ra, rb = a.handle("GET", url, {}), b.handle("GET", url, {})
            assert (ra.status, ra.body, ra.headers) == (rb.status, rb.body, rb.headers)
        assert a.handle("GET", urls[0], {}).body != other.handle("GET", urls[0], {}).body


def test_truth_record_shape():
    records = truth_records(SEED, 40, date(2025, 4, 10), base_url="http://127.0.0.1:1")
    keys = {"source", "agency", "year", "deadline", "published_on", "status", "reachable", "edited", "url"}
    for rec in records:
        assert set(rec) == keys
        assert rec["status"] in {"on_time", "late", "missing", "not_online", "pending"}
        ag = agency(SEED, int(rec["source"][4:]))
        assert ag.first_year <= rec["year"] <= 2024
        if rec["published_on"]:
            assert rec["url"].startswith("http://127.0.0.1:1/" + ag.slug + "/")
            assert rec["published_on"] > f"{rec['year']}-12-31"
        else:
            assert rec["url"] is None and not rec["edited"]


@pytest.mark.parametrize(
    ("kind", "year", "due"),
    [
        ("region", 2018, date(2019, 3, 31)),
        ("dept", 2018, date(2019, 3, 31)),
        ("township", 2018, date(2019, 3, 31)),
        ("region", 2019, date(2020, 3, 31)),
        ("dept", 2019, date(2020, 1, 31)),
        ("township", 2019, date(2020, 2, 20)),
        ("region", 2024, date(2025, 3, 31)),
        ("dept", 2024, date(2025, 1, 31)),
        ("township", 2024, date(2025, 2, 20)),
    ],
)
def test_deadlines(kind, year, due):
    assert deadline(kind, year) == due


def _statuses(today: date, kind: str, year: int = 2024) -> collections.Counter:
    return collections.Counter(
        r["status"]
        for r in truth_records(SEED, 1500, today)
        if r["year"] == year and agency(SEED, int(r["source"][4:])).kind == kind
    )


def test_dept_statuses_move_across_the_january_deadline():
    before = _statuses(date(2025, 1, 20), "dept")
    assert set(before) == {"on_time", "pending"}
    after = _statuses(date(2025, 2, 5), "dept")
    assert {"on_time", "missing"} <= set(after) and "pending" not in after
    later = _statuses(date(2025, 4, 10), "dept")
    assert "pending" not in later and later["late"] > 0
    assert later["missing"] < after["missing"]  # some "missing" on Feb 5 turned out late
    assert later["on_time"] == after["on_time"]


def test_region_statuses_move_across_the_march_deadline():
    assert "missing" not in _statuses(date(2025, 2, 5), "region")
    assert "pending" in _statuses(date(2025, 2, 5), "region")
    april = _statuses(date(2025, 4, 10), "region")
    assert "pending" not in april and april["on_time"] > 0


def test_world_mix_is_roughly_as_specified():
    n = 3000
    ags = [agency(SEED, i) for i in range(1, n + 1)]
    fam = collections.Counter(a.family for a in ags)
    for name, share in {"trs": 0.35, "trs6": 0.20, "hanweb": 0.25, "plain": 0.20}.items():
        assert abs(fam[name] / n - share) < 0.04, (name, fam)
    assert 0.02 < sum(a.block is not None for a in ags) / n < 0.06
    assert {a.block for a in ags} == {None, "ruishu", "waf", "jiasule"}
    statuses = collections.Counter(
        r["status"] for r in truth_records(SEED, n, date(2025, 6, 1)) if r["year"] <= 2023
    )
    total = sum(statuses.values())
    assert 0.84 < statuses["on_time"] / total < 0.92
    assert 0.05 < statuses["late"] / total < 0.09
    # never published: not_online for years whose deadline window closed before 2025-06-01
    assert statuses["missing"] == 0
    assert 0.03 < statuses["not_online"] / total < 0.07
    kinds = collections.Counter(a.kind for a in ags)
    assert kinds["region"] > 0 and kinds["dept"] > kinds["region"] and 0 < kinds["township"] < n * 0.1


def test_names_are_unique_and_some_need_gbk():
    names = [agency(SEED, i).name for i in range(1, 5001)]
    assert len(set(names)) == len(names)
    gbk_only = [nm for nm in names if any(ch in nm for ch in "镕堃喆")]
    assert gbk_only
    with pytest.raises(UnicodeEncodeError):
        gbk_only[0].encode("gb2312")
    assert all(re.fullmatch(r"\w+(人民政府|办公室|局)", nm) for nm in names)


def test_truth_for_5000_agencies_is_fast():
    start = time.perf_counter()
    records = truth_records(SEED + 100, 5000, date(2025, 4, 10))
    assert time.perf_counter() - start < 10
    assert len({r["source"] for r in records}) == 5000


def test_report_stats_are_internally_consistent():
    checked = 0
    for i in range(1, 80):
        for year in (2019, 2020, 2021, 2023):
            if year < agency(SEED, i).first_year:
                continue
            s = report_stats(SEED, i, year)
            b, c = s["table_b"], s["table_c"]
            outcome = [k for k in b if k.startswith("三.") and k != "三.七"]
            for col in range(7):
                assert b["一"][col] + b["二"][col] == b["三.七"][col] + b["四"][col]  # B1
                assert b["三.七"][col] == sum(b[k][col] for k in outcome)  # B3
            for row in b.values():
                assert row[6] == sum(row[:6]) and min(row) >= 0  # B2, B4
            for g in range(3):
                assert sum(c[g * 5 : g * 5 + 4]) == c[g * 5 + 4]  # C1-C3
            assert s["requests_received"] == b["一"][6]
            assert s["litigation_total"] == c[9] + c[14]
            if year > max(2019, agency(SEED, i).first_year):
                assert b["二"] == report_stats(SEED, i, year - 1)["table_b"]["四"]  # B5
            assert ("三.六.1" in b) == (s["template"] == "template2021")
            checked += 1
    assert checked > 100
    old = report_stats(SEED, 2, 2015)
    assert old["template"] == "freeform" and old["table_b"] is None and old["freeform"]


def test_edited_stats_differ_only_in_the_corrected_number():
    plan = next(
        report_plan(SEED, i, y)
        for i in range(1, 500)
        for y in range(2010, 2024)
        if report_plan(SEED, i, y).edit_date and y >= agency(SEED, i).first_year
    )
    before = report_stats(SEED, plan.index, plan.year)
    after = report_stats(SEED, plan.index, plan.year, edited=True)
    assert after["proactive_disclosures"] != before["proactive_disclosures"]
    assert after["original_proactive_disclosures"] == before["proactive_disclosures"]
    assert after["table_b"] == before["table_b"]


def test_sources_toml_matches_the_registry_schema():
    text = render_sources_toml(SEED, 400, "http://127.0.0.1:8000/")
    assert text.startswith(
        "# Sources for simulator world seed=7 agencies=400 (generated by nianbao sim sources)"
    )
    sources = tomllib.loads(text)["source"]
    assert len(sources) == 400
    assert sources[0]["id"] == "sim-00001"
    for src in sources:
        assert set(src) <= ALLOWED_KEYS
        assert src["level"] in LEVELS and re.fullmatch(r"\d{6}", src["region"])
        assert src["kind"] in {"region", "dept", "township"}
        assert src["cms"] in {"trs", "trs6", "hanweb", "plain", "auto"}
        assert src["urls"][0].startswith(f"http://127.0.0.1:8000/a{int(src['id'][4:]):05d}/")
        assert src["encoding"] == "auto" and src["enabled"] is True
        assert ("deadline" in src) == (src["kind"] == "township") == ("note" in src)
    towns = [s for s in sources if s["kind"] == "township"]
    assert towns and all(s["deadline"] == "02-20" for s in towns)
    auto = sum(s["cms"] == "auto" for s in sources) / len(sources)
    assert 0.25 < auto < 0.42
    assert {s["first_year"] for s in sources} == {2008, 2012, 2016, 2019}


def test_truth_claims_missing_only_within_the_window_after_the_deadline():
    """What a careful watchdog crawling that day may claim of a report never published: missing
    within 183 days after deadline + grace, not_online after."""
    from portalsim.world import CLAIM_GRACE_DAYS, CLAIM_WINDOW_DAYS

    never = [
        (i, y) for i in range(1, 400) for y in range(2019, 2024) if report_plan(SEED, i, y).published is None
    ]
    assert never
    for i, y in never[:40]:
        plan = report_plan(SEED, i, y)
        last_day = plan.deadline + timedelta(days=CLAIM_GRACE_DAYS + CLAIM_WINDOW_DAYS)
        assert report_status(plan, plan.deadline) == ("pending", None)
        assert report_status(plan, last_day) == ("missing", None)
        assert report_status(plan, last_day + timedelta(days=1)) == ("not_online", None)
