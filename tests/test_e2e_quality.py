"""End to end (issue 16): crawl a simulated world over HTTP, extract, and the completeness and
content-quality rules Q1–Q6 stored in ``checks`` agree with the simulator's ``quality_truth``:
each rule is right on at least 95 % of the reports it can judge, and no honest report fails any
of them.  The per-rule figures are printed (``pytest -s``)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest

from portalsim.truth import QUALITY_RULES, quality_truth
from tests.simcrawl import crawl, nianbao, query, sim_world

pytestmark = pytest.mark.slow

SEED, AGENCIES, TODAY = 7, 100, date(2025, 4, 10)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("quality")
    data = tmp / "data"
    with sim_world(tmp, seed=SEED, agencies=AGENCIES, today=TODAY, troubles=False) as w:
        crawl(w, data, TODAY, "--years", "2018-2024")
        nianbao("extract", "--data", str(data), "--sources", str(w.sources), now=TODAY)
        yield {"data": data, "sources": w.sources}


def _results(data) -> dict[tuple[str, int], dict[str, dict]]:
    rows = query(
        data,
        "select r.source_id, r.report_year, c.rule, c.result, c.operands, c.message from checks c "
        "join reports r on r.id = c.report_id where r.own = 1 and r.report_year is not null "
        "and c.rule like 'Q%' order by r.first_seen_at",
    )
    out: dict[tuple[str, int], dict[str, dict]] = {}
    for r in rows:
        out.setdefault((r["source_id"], r["report_year"]), {}).setdefault(r["rule"], r)
    return out


def test_quality_rules_agree_with_the_simulator(world):
    found = _results(world["data"])
    truth = [t for t in quality_truth(SEED, AGENCIES, TODAY) if (t["source"], t["year"]) in found]
    defects = Counter(t["defect"] for t in truth if t["defect"])
    assert len(truth) > 200 and sum(defects.values()) >= 20, defects
    n, right, fails = Counter(), Counter(), Counter()
    wrong, honest_fails = [], []
    for t in truth:
        got = found[t["source"], t["year"]]
        for rule, want in t["rules"].items():
            result = got[rule]["result"]
            if result == "fail" and t["defect"] is None:
                honest_fails.append((t["source"], t["year"], rule, got[rule]["message"]))
            if want is None:
                continue
            n[rule] += 1
            fails[rule] += want == "fail"
            if result == want:
                right[rule] += 1
            else:
                wrong.append((t["source"], t["year"], t["defect"], rule, want, result, got[rule]["message"]))
    for rule in QUALITY_RULES:
        print(
            f"{rule}: n {n[rule]} (should fail {fails[rule]}) right {right[rule]} {right[rule] / n[rule]:.1%}"
        )
    print("defects", dict(defects))
    assert not honest_fails, honest_fails[:5]
    for rule in QUALITY_RULES:
        assert fails[rule] >= 2, (rule, fails)
        assert right[rule] / n[rule] >= 0.95, (rule, [w for w in wrong if w[3] == rule][:5])


def _quotes(value) -> list[dict]:
    """Every {"quote", "offset"} object inside the operands."""
    if isinstance(value, dict):
        own = [value] if "quote" in value and "offset" in value else []
        return own + [q for v in value.values() for q in _quotes(v)]
    if isinstance(value, list):
        return [q for v in value for q in _quotes(v)]
    return []


def test_a_failed_rule_quotes_its_text(world):
    data = world["data"]
    rows = query(
        data,
        "select c.report_id, c.rule, c.operands from checks c join reports r on r.id = c.report_id "
        "where c.rule like 'Q%' and c.result = 'fail' and r.own = 1",
    )
    assert {r["rule"] for r in rows} == set(QUALITY_RULES)
    for r in rows:
        text = query(data, "select text from report_texts where report_id = ?", (r["report_id"],))[0]["text"]
        ops = json.loads(r["operands"])
        quotes = _quotes(ops)
        if r["rule"] != "Q2":  # Q2 rests on the table cells it lists
            assert quotes, r
        else:
            assert ops["count"] > 0 and ops["cells"]
        for q in quotes:
            assert text[q["offset"] : q["offset"] + len(q["quote"])] == q["quote"], (r["rule"], q)
    shown = nianbao("show", rows[0]["report_id"], "--data", str(data)).stdout
    assert rows[0]["rule"] in shown
