"""End to end with the simulator's clock: crawl the same world as of 2025-01-20, 2025-02-05 and
2025-04-10 (the report-year-2024 deadlines fall between), check after each crawl, and score the
verdicts against the simulator's truth."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from datetime import date, timedelta

import pytest

from portalsim.world import report_plan
from tests.simcrawl import crawl, nianbao, query, sim_world

pytestmark = pytest.mark.slow

SEED, AGENCIES = 7, 80
DAYS = (date(2025, 1, 20), date(2025, 2, 5), date(2025, 4, 10))
FINAL = DAYS[-1]
CLAIMS = ("late", "missing", "not_online")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("compliance")
    data = tmp / "data"
    out = {"data": data, "checks": {}}
    with sim_world(tmp, seed=SEED, agencies=AGENCIES, today=DAYS[0]) as world:
        for day in DAYS:
            world.server.set_today(day)
            crawl(world, data, day)
            nianbao("extract", "--data", str(data), now=day)
            proc = nianbao("check", "--data", str(data), "--sources", str(world.sources), "--json", now=day)
            out["checks"][day] = json.loads(proc.stdout)
            out["summary", day] = proc.stderr
        out["truth"] = {(t["source"], t["year"]): t for t in world.truth(FINAL)}
        out["sources"] = world.sources
        out["what_if"] = json.loads(
            nianbao(
                "check",
                "--data",
                str(data),
                "--sources",
                str(world.sources),
                "--json",
                "--as-of",
                "2025-02-05",
                now=FINAL,
            ).stdout
        )
    return out


def test_verdicts_match_the_truth(run):
    verdicts = run["checks"][FINAL]
    truth = run["truth"]
    assert len(verdicts) == len(truth)
    confusion = Counter()
    for v in verdicts:
        t = truth[v["source"], v["year"]]
        confusion[(t["status"] if t["reachable"] else "blocked", v["status"])] += 1
        if v["status"] in CLAIMS:  # precision: no false accusation, ever
            assert t["reachable"] and v["status"] == t["status"], (v, t)
        if not t["reachable"]:
            assert v["status"] == "unknown", (v, t)
    positives = [t for t in truth.values() if t["reachable"] and t["status"] in CLAIMS]
    found = sum(confusion[(s, s)] for s in CLAIMS)
    assert found >= 0.99 * len(positives), confusion
    # a 2024 report never published is missing (crawled within the window); older ones are only
    # not online: the first crawl came long after their deadlines
    assert confusion[("missing", "missing")] > 0 and confusion[("not_online", "not_online")] > 0
    assert confusion[("blocked", "unknown")] > 0 and confusion[("on_time", "on_time")] > 900


def test_every_claim_carries_evidence_with_fetch_ids(run):
    fetch_ids = {r["id"] for r in query(run["data"], "select id from fetches")}
    for v in run["checks"][FINAL]:
        if v["status"] in (*CLAIMS, "on_time"):
            assert v["evidence"], v
            assert {e["fetch"] for e in v["evidence"]} <= fetch_ids
        assert v["deadline_basis"] in ("492号 Art.31", "711号 Art.49¶1", "711号 Art.49¶2", "source override")


def test_late_verdict_dates_match_the_truth(run):
    for v in run["checks"][FINAL]:
        t = run["truth"][v["source"], v["year"]]
        if v["status"] == "late" and v["published_at_source"] != "first_seen":
            assert v["published_at"] == t["published_on"], (v, t)
        assert v["deadline"] == t["deadline"]


def test_missing_flags_become_late_when_the_report_appears(run):
    events = query(run["data"], "select * from flag_events order by id")
    updated = [e for e in events if e["event"] == "updated"]
    assert updated and all((e["previous_kind"], e["kind"]) == ("missing", "late") for e in updated)
    for e in updated:
        t = run["truth"][e["source_id"], e["year"]]
        assert t["status"] == "late" and t["published_on"] > "2025-02-05"
    # one event per state change: nothing was opened twice
    opened = Counter(e["flag_id"] for e in events if e["event"] == "opened")
    assert max(opened.values()) == 1


def test_edited_reports_are_flagged_with_their_dates(run):
    flags = json.loads(nianbao("flags", "--data", str(run["data"]), "--kind", "edited", "--json").stdout)
    expected = set()
    for (source, year), t in run["truth"].items():
        plan = report_plan(SEED, int(source.split("-")[1]), year)
        if t["reachable"] and plan.edit_date and plan.published:
            seen = [d for d in DAYS if d >= plan.published]
            if any(d < plan.edit_date for d in seen) and any(d >= plan.edit_date for d in seen):
                expected.add((source, year, plan.edit_date))
    assert expected
    assert {(f["source"], f["year"]) for f in flags} == {(s, y) for s, y, _ in expected}
    for f in flags:
        edit_date = next(d for s, y, d in expected if (s, y) == (f["source"], f["year"]))
        for change in f["detail"]["changes"]:
            before_last, after_first = change["before_seen"][1][:10], change["after_seen"][:10]
            assert before_last < edit_date.isoformat() <= after_first
            assert change["diff"].startswith("---") and "更正" in change["diff"]


def test_flags_cli_filters_and_csv(run):
    data = str(run["data"])
    all_open = json.loads(nianbao("flags", "--data", data, "--json").stdout)
    kinds = Counter(f["kind"] for f in all_open)
    assert kinds["missing"] and kinds["late"] and kinds["edited"]
    late_2024 = json.loads(
        nianbao("flags", "--data", data, "--kind", "late", "--year", "2024", "--json").stdout
    )
    assert late_2024 and all(f["kind"] == "late" and f["year"] == 2024 for f in late_2024)
    one = all_open[0]
    by_agency = json.loads(nianbao("flags", "--data", data, "--agency", one["agency"], "--json").stdout)
    assert by_agency and all(one["agency"] in f["agency"] for f in by_agency)
    rows = list(csv.DictReader(io.StringIO(nianbao("flags", "--data", data, "--csv").stdout)))
    assert len(rows) == len(all_open) and set(rows[0]) >= {"kind", "source", "agency", "year", "summary"}


def test_historical_check_is_a_what_if(run):
    stored = {(v["source"], v["year"]): v["status"] for v in run["checks"][DAYS[1]]}
    what_if = {(v["source"], v["year"]): v["status"] for v in run["what_if"]}
    assert what_if == stored
    rows = query(run["data"], "select distinct as_of from compliance")
    assert rows == [{"as_of": FINAL.isoformat()}]


def test_feed_is_written(run):
    feed = (run["data"] / "flags.atom").read_bytes()
    assert feed.startswith(b"<?xml") and b"<feed" in feed and feed.count(b"<entry>") >= 10


def test_a_registry_without_first_year_claims_nothing_before_the_oldest_listed_report(run, tmp_path):
    """The same archive judged with every ``first_year`` removed from the registry: no year before
    a column's oldest listed report is missing (each is unknown, saying why), and every missing
    verdict that remains is one the full registry also gives."""
    text = run["sources"].read_text(encoding="utf-8")
    first_years = {}
    for block in text.split("[[source]]")[1:]:
        source_id = re.search(r'^id = "([^"]+)"', block, re.M)[1]
        found = re.search(r"^first_year = (\d+)", block, re.M)
        first_years[source_id] = int(found[1]) if found else None
    bare = tmp_path / "sources-no-first-year.toml"
    bare.write_text(re.sub(r"^first_year = \d+\n", "", text, flags=re.M), encoding="utf-8")
    assert "first_year" not in bare.read_text(encoding="utf-8")
    later = FINAL + timedelta(days=1)  # --as-of FINAL from a later clock: a what-if, nothing written

    def judged(sources):
        args = (
            "check",
            "--data",
            str(run["data"]),
            "--sources",
            str(sources),
            "--json",
            "--as-of",
            str(FINAL),
        )
        return {(v["source"], v["year"]): v for v in json.loads(nianbao(*args, now=later).stdout)}

    full, without = judged(run["sources"]), judged(bare)
    before = [v for (s, y), v in without.items() if first_years[s] and y < first_years[s]]
    assert before, "the world has sources whose columns start after 2008"
    assert all(v["status"] == "unknown" and "oldest listed report" in v["reason"] for v in before)
    missing = {k for k, v in without.items() if v["status"] == "missing"}
    assert missing and missing <= {k for k, v in full.items() if v["status"] == "missing"}
