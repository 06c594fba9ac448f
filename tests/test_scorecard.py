"""Scorecards (issue 16): rule packs are validated like the registry, the rules read the facts
they claim to, and scores, ranks, changes and review decisions follow the documented arithmetic."""

from __future__ import annotations

import tomllib

import pytest

from crawler.scorecard.methodology import methodology
from crawler.scorecard.pack import load_pack, parse_pack, shipped_packs
from crawler.scorecard.rules import CATALOGUE, FAIL, NA, PASS, UNCERTAIN, Facts, evaluate
from crawler.scorecard.score import result_key, rule_rates, score_all, score_card
from crawler.vocab.errors import ConfigError


def verdict(status: str, **kw) -> dict:
    base = {
        "status": status,
        "reason": f"reason {status}",
        "reason_zh": f"理由 {status}",
        "published_at": "2024-01-20",
        "published_at_source": "page_meta",
        "deadline": "2024-01-31",
        "evidence": [{"fetch": 1, "url": "http://x/", "role": "listing"}],
    }
    return {**base, **kw}


def check(rule: str, result: str, severity: str = "error", **operands) -> dict:
    return {
        "rule": rule,
        "result": result,
        "severity": severity,
        "message": f"{rule} {result}",
        "operands": operands,
    }


def facts(source="s1", year=2023, level="county", status="on_time", checks=(), report=True, **kw) -> Facts:
    return Facts(
        source=source,
        year=year,
        agency=f"{source}人民政府",
        level=level,
        region="350100",
        verdict=verdict(status, **kw.pop("verdict_kw", {})),
        report={
            "id": f"r-{source}-{year}",
            "url": f"http://x/{source}/{year}",
            "first_fetch_id": 7,
            "first_seen_at": "2024-01-21",
        }
        if report
        else None,
        checks={c["rule"]: c for c in checks},
        **kw,
    )


PACK = """
[pack]
name = "t"
title = "test"
mode = "{mode}"
min_coverage = 0.5
small_tier = 3

[[item]]
rule = "published"
points = 40

[[item]]
rule = "tables_add_up"
points = 40

[[item]]
rule = "no_blank_cells"
points = 20
per_defect = 5
"""


def pack(mode="conservative"):
    return parse_pack(tomllib.loads(PACK.replace("{mode}", mode)), "t.toml")


def test_shipped_packs_load_and_reference_only_catalogue_rules():
    assert {"default", "local-example"} <= set(shipped_packs())
    default = load_pack()
    assert default.max_points == 100 and default.mode == "conservative"
    local = load_pack("local-example")
    assert local.max_points == 15 and local.mode == "strict"
    assert {i.rule for i in local.items} == {
        "published",
        "on_time",
        "original_vs_previous_year",
        "data_anomalies",
    }
    assert all(i.rule in CATALOGUE for p in (default, local) for i in p.items)


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        (
            '[pack]\nname="x"\ntitle="y"\nmode="lenient"\n[[item]]\nrule="published"\npoints=1',
            "pack.mode",
            "conservative, strict",
        ),
        (
            '[pack]\nname="x"\ntitle="y"\n[[item]]\nrule="publishd"\npoints=1',
            "item #1.rule",
            "did you mean 'published'",
        ),
        ('[pack]\nname="x"\ntitle="y"\n[[item]]\nrule="published"\npoints=-1', "item #1.points", "≥ 0"),
        (
            '[pack]\nname="x"\ntitle="y"\n[[item]]\nrule="published"\npoints=1\n[[item]]\nrule="published"\npoints=2',
            "item #2.rule",
            "twice",
        ),
        (
            '[pack]\nname="x"\ntitle="y"\n[[item]]\nrule="published"\npoints=1\nparams={max_reuse=0.5}',
            "item #1.params",
            "no parameter",
        ),
        (
            '[pack]\nname="x"\ntitle="y"\n[[item]]\nrule="original_vs_other_bodies"\npoints=1\nparams={max_reus=0.5}',
            "item #1.params",
            "did you mean 'max_reuse'",
        ),
        (
            '[pack]\nname="x"\ntitle="y"\n[[item]]\nrule="published"\npoints=1\nweight=2',
            "item #1.weight",
            "unknown key",
        ),
        ('[pack]\nname="x"\ntitle="y"', "item", "at least one"),
        ('[pak]\nname="x"', "pak", "did you mean 'pack'"),
        ('[pack]\nname="x"\ntitle="y"\n[[item]]\nrule="published"\npoints=0', "item", "add up to 0"),
    ],
)
def test_a_bad_pack_names_the_field_and_the_fix(text, field, words):
    with pytest.raises(ConfigError) as err:
        parse_pack(tomllib.loads(text), "bad.toml")
    assert err.value.field == field and words in str(err.value) and "bad.toml" in str(err.value)


def test_a_pack_file_that_is_not_toml_or_utf8_is_a_config_error(tmp_path):
    (tmp_path / "a.toml").write_bytes("[pack\nname='年报'".encode())
    (tmp_path / "b.toml").write_bytes("[pack]\nname='年报'".encode("gbk"))
    for name, words in (("a.toml", "TOML syntax"), ("b.toml", "UTF-8"), ("missing.toml", "cannot read")):
        with pytest.raises(ConfigError, match=words):
            load_pack(tmp_path / name)


def test_verdict_rules_never_accuse_without_a_decided_verdict():
    for status, published, on_time in (
        ("on_time", PASS, PASS),
        ("late", PASS, FAIL),
        ("missing", FAIL, FAIL),
        ("not_online", UNCERTAIN, UNCERTAIN),
        ("unknown", UNCERTAIN, UNCERTAIN),
        ("pending", NA, NA),
    ):
        f = facts(status=status, report=status in ("on_time", "late"))
        assert evaluate(CATALOGUE["published"], f).outcome == published, status
        assert evaluate(CATALOGUE["on_time"], f).outcome == on_time, status
    late = evaluate(CATALOGUE["on_time"], facts(status="late", verdict_kw={"published_at": "2024-02-10"}))
    assert late.count == 10 and late.evidence  # days after the deadline, with the captures


def test_check_rules_fail_on_any_failed_check_pass_on_decided_ones_and_are_na_without_a_report():
    rule = CATALOGUE["tables_add_up"]
    failing = facts(checks=[check("B1", "pass"), check("B2", "fail", part="一"), check("C1", "uncertain")])
    r = evaluate(rule, failing)
    assert (
        (r.outcome, r.count) == (FAIL, 1)
        and r.evidence[0]["check"] == "B2"
        and r.evidence[0]["operands"] == {"part": "一"}
    )
    assert evaluate(rule, facts(checks=[check("B1", "pass"), check("C1", "uncertain")])).outcome == PASS
    assert evaluate(rule, facts(checks=[check("C1", "uncertain")])).outcome == UNCERTAIN
    assert evaluate(rule, facts(checks=[])).outcome == UNCERTAIN  # not analysed: no claim either way
    assert evaluate(rule, facts(status="missing", report=False)).outcome == NA
    blank = evaluate(CATALOGUE["no_blank_cells"], facts(checks=[check("Q2", "fail", "warning", count=3)]))
    assert (blank.outcome, blank.count) == (FAIL, 3)
    anomalies = CATALOGUE["data_anomalies"]
    assert (
        evaluate(anomalies, facts(checks=[check("T3", "fail", "warning"), check("B1", "pass")])).outcome
        == PASS
    )
    assert evaluate(anomalies, facts(checks=[check("B3", "fail")])).outcome == FAIL


def test_reuse_rules_read_the_originality_rows_and_the_pack_threshold():
    row = {
        "compared_report_id": "r-o",
        "reuse": 0.62,
        "compared_agency": "甲县",
        "compared_year": 2022,
        "passages": [{"text": "…", "content": 130}],
    }
    other = CATALOGUE["original_vs_other_bodies"]
    f = facts(originality={"other_body": row})
    r = evaluate(other, f)
    assert r.outcome == FAIL and "62%" in r.note and r.evidence[1]["report"] == "r-o"
    assert evaluate(other, f, {"max_reuse": 0.7}).outcome == PASS
    thin = facts(originality={"other_body": {**row, "passages": [{"text": "…", "content": 30}]}})
    r = evaluate(other, thin)  # 62 % of a report with 30 shared characters of its own: too little to judge
    assert r.outcome == UNCERTAIN and "too little text" in r.note
    assert evaluate(other, thin, {"min_shared": 20}).outcome == FAIL
    assert evaluate(other, facts()).outcome == UNCERTAIN  # never compared
    none_found = facts(originality={"other_body": {"compared_report_id": None, "reuse": 0.0}})
    assert evaluate(other, none_found).outcome == PASS
    no_previous = facts(originality={"previous_year": {"compared_report_id": None, "reuse": 0.0}})
    assert evaluate(CATALOGUE["original_vs_previous_year"], no_previous).outcome == NA


def test_scores_follow_the_mode_per_defect_deductions_and_coverage():
    f = facts(checks=[check("B1", "pass"), check("Q2", "fail", "warning", count=2)])
    card = score_card(f, pack())
    assert (card.earned, card.counted, card.score) == (40 + 40 + 10, 100, 90.0)  # 20 − 2 × 5
    unsure = facts(checks=[check("Q2", "pass", "warning")])  # tables_add_up not analysed
    conservative, strict = score_card(unsure, pack()), score_card(unsure, pack("strict"))
    assert (conservative.counted, conservative.score) == (60, 100.0)
    assert (strict.counted, strict.score) == (100, 60.0)
    thin = score_card(facts(status="unknown", checks=[]), pack())  # nothing decided
    assert thin.score is None and thin.counted == 0
    missing = score_card(facts(status="missing", report=False), pack())
    assert missing.score == 0.0 and [s.result.outcome for s in missing.items] == [FAIL, NA, NA]


def test_ranks_ties_small_tiers_and_the_change_from_last_year():
    def f(source, year, level, q2):
        return facts(
            source,
            year,
            level,
            checks=[check("B1", "pass"), check("Q2", "fail" if q2 else "pass", "warning", count=q2)],
        )

    cards = score_all(
        [
            f("a", 2023, "county", 0),
            f("b", 2023, "county", 1),
            f("c", 2023, "county", 0),
            f("d", 2023, "city", 4),
            f("a", 2022, "county", 2),
        ],
        pack(),
    )
    by = {(c.source, c.year): c for c in cards}
    assert by["a", 2023].rank == by["c", 2023].rank == 1 and by["b", 2023].rank == 3
    assert by["b", 2023].tier_size == 3 and not by["b", 2023].tier_small
    assert by["d", 2023].rank == 1 and by["d", 2023].tier_small  # alone in its tier
    assert by["a", 2023].change == pytest.approx(10.0) and by["a", 2023].previous_score == pytest.approx(90.0)
    rates = {r["rule"]: r for r in rule_rates(cards, pack())}
    assert rates["no_blank_cells"]["fail"] == 3 and rates["no_blank_cells"]["pass"] == 2


def test_review_dismissed_fail_scores_as_pass_and_confirmed_only_scores_unconfirmed_as_uncertain():
    f = facts(checks=[check("B1", "fail"), check("Q2", "fail", "warning", count=4)])
    plain = score_card(f, pack())
    assert plain.score == 40.0
    dismissed = {
        result_key("s1", 2023, "tables_add_up"): {"decision": "dismissed", "note": "PDF cell misread"}
    }
    card = score_card(f, pack(), dismissed)
    item = next(s for s in card.items if s.item.rule == "tables_add_up")
    assert item.result.outcome == PASS and "PDF cell misread" in item.result.note and card.score == 80.0
    confirmed = {result_key("s1", 2023, "no_blank_cells"): {"decision": "confirmed", "note": ""}}
    strict_review = score_card(f, pack(), confirmed, confirmed_only=True)
    outcomes = {s.item.rule: s.result.outcome for s in strict_review.items}
    assert outcomes == {"published": PASS, "tables_add_up": UNCERTAIN, "no_blank_cells": FAIL}
    assert strict_review.score == pytest.approx(40 / 60 * 100)


def test_methodology_is_generated_from_the_pack():
    text = methodology(load_pack())
    for item in load_pack().items:
        assert f"`{item.rule}`" in text
    assert "conservative" in text and "small" in text and "50% of its applicable points" in text
    cards = score_all([facts(), facts("b", checks=[check("B1", "fail")])], pack())
    assert "| `tables_add_up` | 0 | 1 | 1 | 0 | 0% (small) |" in methodology(pack(), cards)


def test_a_region_wide_report_is_checked_softly_against_its_parts_in_the_archive():
    rule = CATALOGUE["region_covers_parts"]
    region = facts(
        "county",
        kind="region",
        parts=[
            {
                "id": "r-a",
                "agency": "甲县教育局",
                "requests_received": 3,
                "reconsideration_total": 0,
                "first_fetch_id": 9,
            },
            {"id": "r-b", "agency": "甲县某镇", "requests_received": 4, "reconsideration_total": None},
        ],
    )
    region.report.update(requests_received=12, reconsideration_total=1)
    assert evaluate(rule, region).outcome == PASS
    region.report["requests_received"] = 5  # fewer than its two parts state: 3 + 4
    r = evaluate(rule, region)
    assert (
        r.outcome == FAIL
        and "add up to 7" in r.note
        and {e.get("report") for e in r.evidence} >= {"r-a", "r-b"}
    )
    assert evaluate(rule, region, {"min_parts": 3}).outcome == UNCERTAIN  # too few parts to say
    assert evaluate(rule, facts("dept", kind="dept")).outcome == NA
    assert not any(i.rule == "region_covers_parts" for i in load_pack().items)  # soft: opt-in only
