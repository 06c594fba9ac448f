"""End to end: columns that cannot tell the whole story — pruned after a redesign, moved away
without a redirect, registered without ``first_year`` — never produce a false ``missing`` or
``late`` (issue 12).

The simulator prunes some agencies' columns to the reports of 2019 on (their older pages still
answer, unlinked), moves others (every listing URL answers 404), and the registry drops
``first_year`` for a few more.  The world is crawled and checked in the report season and again
after the region deadline; the verdicts are then scored against the simulator's truth: a
``missing`` or ``late`` claim must be exactly the truth, an old report that was published but
is no longer listed may only be ``not_online`` (a true statement of fact), and a moved column
claims nothing.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, timedelta

import pytest

from portalsim.world import agency
from tests.simcrawl import crawl, nianbao, sim_world

pytestmark = pytest.mark.slow

SEED, AGENCIES = 13, 36
DAYS = (date(2025, 2, 10), date(2025, 4, 10))
CUTOFF = 2019  # pruned columns list only reports of this year on


def _choose() -> tuple[dict[int, int], list[int], list[int]]:
    """Reachable agencies: 4 pruned and 3 moved among those whose columns start in 2008; without
    first_year in the registry, the first pruned one and those whose columns start later."""
    reachable = [i for i in range(1, AGENCIES + 1) if agency(SEED, i).block is None]
    full = [i for i in reachable if agency(SEED, i).first_year == 2008]
    late = [i for i in reachable if agency(SEED, i).first_year > 2008]
    assert len(full) >= 7 and late, (full, late)
    return {i: CUTOFF for i in full[:4]}, full[4:7], [full[0], *late[:3]]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pruned")
    data = tmp / "data"
    pruned, moved, bare = _choose()
    out = {"pruned": pruned, "moved": moved, "bare": bare}
    with sim_world(tmp, seed=SEED, agencies=AGENCIES, today=DAYS[0], troubles=False) as world:
        text = world.sources.read_text(encoding="utf-8")
        bare_ids = {agency(SEED, i).source_id for i in bare}
        blocks = text.split("[[source]]")
        for k, block in enumerate(blocks):
            found = re.search(r'^id = "([^"]+)"', block, re.M)
            if found and found[1] in bare_ids:
                blocks[k] = re.sub(r"^first_year = \d+\n", "", block, flags=re.M)
        world.sources.write_text("[[source]]".join(blocks), encoding="utf-8")
        world.server.set_pruned(pruned)
        world.server.set_moved(moved)
        for day in DAYS:
            world.server.set_today(day)
            crawl(world, data, day)
            nianbao("extract", "--data", str(data), now=day)
            proc = nianbao("check", "--data", str(data), "--sources", str(world.sources), "--json", now=day)
            out[day] = json.loads(proc.stdout)
            out["truth", day] = {(t["source"], t["year"]): t for t in world.truth(day)}
        out["truth"] = out["truth", DAYS[-1]]
        # the same archive judged as if any absence, however late, proved a report missing
        no_window = ("-s", "NIANBAO_MISSING_WINDOW_DAYS=100000", "--as-of", str(DAYS[-1]))
        args = ("check", "--data", str(data), "--sources", str(world.sources), "--json", *no_window)
        out["no_window"] = json.loads(nianbao(*args, now=DAYS[-1] + timedelta(days=1)).stdout)
    return out


def _by_agency(run, indices) -> list[dict]:
    ids = {agency(SEED, i).source_id for i in indices}
    return [v for v in run[DAYS[-1]] if v["source"] in ids]


def test_no_false_missing_or_late_anywhere(run):
    for day in DAYS:  # each check against the truth of its own day
        truth = run["truth", day]
        false = [
            (v["source"], v["year"], v["status"], (truth.get((v["source"], v["year"])) or {}).get("status"))
            for v in run[day]
            if v["status"] in ("missing", "late")
            and v["status"] != (truth.get((v["source"], v["year"])) or {}).get("status")
        ]
        assert false == [], day
    claims = Counter(v["status"] for v in run[DAYS[-1]])
    assert claims["missing"] > 0 and claims["late"] > 0  # the world still has real claims to make


def test_a_pruned_column_makes_old_reports_not_online_never_missing(run):
    listed_first_year = [i for i in run["pruned"] if i not in run["bare"]]
    old = [v for v in _by_agency(run, listed_first_year) if v["year"] < CUTOFF]
    assert old
    for v in old:  # published or not, long ago: the column no longer shows it, which proves no more
        assert v["status"] == "not_online", v
        assert "may have been published and removed since" in v["reason"]
    recent = [v for v in _by_agency(run, run["pruned"]) if v["year"] >= CUTOFF]
    assert any(v["status"] in ("on_time", "late") for v in recent)


def test_a_moved_column_claims_nothing(run):
    verdicts = _by_agency(run, run["moved"])
    assert verdicts and {v["status"] for v in verdicts} <= {"unknown", "pending"}
    assert all(
        "unreachable" in v["reason"] or "not found" in v["reason"]
        for v in verdicts
        if v["status"] == "unknown"
    )


def test_without_first_year_nothing_is_claimed_before_the_oldest_listed_report(run):
    verdicts = _by_agency(run, run["bare"])
    oldest: dict[str, int] = {}
    for v in verdicts:
        if v["report"]:
            oldest[v["source"]] = min(oldest.get(v["source"], 9999), v["year"])
    before = [v for v in verdicts if v["year"] < oldest[v["source"]]]
    assert before, "the chosen sources list reports from after 2008 only"
    for v in before:
        assert v["status"] == "unknown" and "oldest listed report" in v["reason"], v
    for v in verdicts:  # where a claim is made, it is the truth (years before a column began have none)
        truth = run["truth"].get((v["source"], v["year"]))
        if v["status"] in ("missing", "late"):
            assert truth is not None and v["status"] == truth["status"], v


def test_without_the_window_a_pruned_column_would_be_accused(run):
    """The rule the tests above hold is what keeps the pruned columns safe: judged without the
    window, their published old reports come out missing."""
    pruned = {agency(SEED, i).source_id for i in run["pruned"] if i not in run["bare"]}
    accused = [
        v
        for v in run["no_window"]
        if v["source"] in pruned
        and v["status"] == "missing"
        and run["truth"][v["source"], v["year"]]["published_on"]
    ]
    assert accused
