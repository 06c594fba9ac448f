"""End to end (issue 16): crawl a simulated world, extract, then ``nianbao similar``: the copied
reports the simulator planted are found (previous year, other bodies with and without their
name) and no two honest reports, which share only the template wording, are paired."""

from __future__ import annotations

import json
from datetime import date

import pytest

from portalsim.truth import copies_truth
from tests.simcrawl import crawl, nianbao, query, sim_world

pytestmark = pytest.mark.slow

SEED, AGENCIES, TODAY = 7, 40, date(2025, 4, 10)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("similar")
    data = tmp / "data"
    with sim_world(tmp, seed=SEED, agencies=AGENCIES, today=TODAY, troubles=False) as w:
        crawl(w, data, TODAY, "--years", "2018-2024")
        nianbao("extract", "--data", str(data), "--sources", str(w.sources), now=TODAY)
        yield {"data": data}


def _key(source: str, year: int) -> tuple[str, int]:
    return source, year


def test_copies_are_found_with_precision_and_recall(world):
    data = world["data"]
    archived = {
        _key(r["source_id"], r["report_year"]): r["id"]
        for r in query(
            data, "select id, source_id, report_year from reports where own = 1 and report_year is not null"
        )
    }
    truth = {
        (_key(t["source"], t["year"]), _key(t["original_source"], t["original_year"]))
        for t in copies_truth(SEED, AGENCIES, TODAY)
        if _key(t["source"], t["year"]) in archived
        and _key(t["original_source"], t["original_year"]) in archived
    }
    assert len(truth) >= 8
    rows = json.loads(nianbao("similar", "--data", str(data), "--json", now=TODAY).stdout)
    found = {
        (_key(r["source_id"], r["report_year"]), _key(r["compared_source_id"], r["compared_year"]))
        for r in rows
    }
    hits = found & truth
    precision, recall = len(hits) / max(1, len(found)), len(hits) / len(truth)
    print(f"copies {len(truth)} found {len(found)} precision {precision:.3f} recall {recall:.3f}")
    assert precision >= 0.95, sorted(found - truth)
    assert recall >= 0.95, sorted(truth - found)
    # honest reports share only the template: nothing else is paired, at any kind
    copiers = {pair[0] for pair in truth}
    assert not [r for r in rows if _key(r["source_id"], r["report_year"]) not in copiers]


def test_name_left_in_a_copy_is_named(world):
    data = world["data"]
    left = [
        t for t in copies_truth(SEED, AGENCIES, TODAY) if t["kind"] == "other_body" and not t["name_changed"]
    ]
    rows = json.loads(nianbao("similar", "--data", str(data), "--json", now=TODAY).stdout)
    named = {(r["source_id"], r["report_year"]) for r in rows if r["leaked_names"]}
    archived = {(r["source_id"], r["report_year"]) for r in rows}
    expected = {(t["source"], t["year"]) for t in left if (t["source"], t["year"]) in archived}
    assert expected and expected <= named


def test_one_report_shows_sections_and_passages(world):
    data = world["data"]
    rows = json.loads(nianbao("similar", "--data", str(data), "--json", now=TODAY).stdout)
    one = rows[0]["report_id"]
    detail = json.loads(nianbao("similar", one, "--data", str(data), "--json", now=TODAY).stdout)
    kinds = {c["kind"]: c for c in detail["comparisons"]}
    best = kinds[rows[0]["kind"]]
    assert best["reuse"] >= 0.5 and best["passages"] and best["sections"]
    text = query(data, "select text from report_texts where report_id = ?", (one,))[0]["text"]
    for p in best["passages"]:
        assert text[p["start"] : p["end"]] == p["text"]
    out = nianbao("similar", one, "--data", str(data), now=TODAY).stdout
    assert "section" in out and rows[0]["kind"] in out
    listing = nianbao("similar", "--data", str(data), "--csv", now=TODAY).stdout.splitlines()
    assert listing[0].startswith("report_id,kind,reuse") and len(listing) == len(rows) + 1


def test_copied_flags_name_the_original_with_both_captures(world):
    """After ``similar``, ``check`` raises one ``copied`` flag per planted copy (another body's
    report at ≥ 50 %, the same body's previous year at ≥ 90 %), none on an honest report, each
    with the first capture of both reports as evidence; a second check changes nothing."""
    data = world["data"]
    rows = json.loads(nianbao("similar", "--data", str(data), "--json", now=TODAY).stdout)
    nianbao("check", "--data", str(data), "--no-notify", now=TODAY)
    flags = json.loads(nianbao("flags", "--data", str(data), "--kind", "copied", "--json", now=TODAY).stdout)
    expected = {
        (r["report_id"], r["kind"]) for r in rows if r["reuse"] >= (0.5 if r["kind"] == "other_body" else 0.9)
    }
    assert expected and {(f["report"], f["detail"]["comparison"]) for f in flags} == expected
    truth = {(t["source"], t["year"]) for t in copies_truth(SEED, AGENCIES, TODAY)}
    assert all((f["source"], f["year"]) in truth for f in flags)  # no honest report accused
    fetched = {r["id"] for r in query(data, "select id from fetches")}
    for f in flags:
        roles = {e["role"]: e for e in f["evidence"]}
        assert set(roles) == {"copy", "original"}
        assert roles["copy"]["fetch"] in fetched and roles["original"]["fetch"] in fetched
        original = query(
            data,
            "select first_seen_at, published_at from reports where id = ?",
            (f["detail"]["compared_report"],),
        )[0]
        assert f["detail"]["compared_published_at"] == original["published_at"]
        assert f["detail"]["passages"] and all(p["text"] for p in f["detail"]["passages"])
        assert "%" in f["summary"] and ("雷同" in f["summary_zh"] or "重复" in f["summary_zh"])
    before = query(data, "select count(*) n from flag_events")[0]["n"]
    nianbao("check", "--data", str(data), "--no-notify", now=TODAY)
    assert query(data, "select count(*) n from flag_events")[0]["n"] == before
