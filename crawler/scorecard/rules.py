"""The scorecard's rule catalogue: what an evaluator checks by hand, read off what nianbao already
measured for one (source, year) — its compliance verdict, its report's consistency and quality
checks, its originality and its edits (domain.md §3's suggested scorecard).

Each rule is a pure function of :class:`Facts` (and the pack's parameters) returning a
:class:`RuleResult`: ``pass``, ``fail``, ``uncertain`` (the evidence cannot decide) or ``na``
(the rule does not apply: no report to judge, no previous year, a format without the item), with
the text it rests on.  A rule pack (:mod:`crawler.scorecard.pack`) gives them points.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PASS, FAIL, UNCERTAIN, NA = "pass", "fail", "uncertain", "na"
OUTCOMES = (PASS, FAIL, UNCERTAIN, NA)


@dataclass(slots=True)
class Facts:
    """What the archive holds about one (source, year): the stored verdict (``compliance`` row,
    evidence decoded), its report (or None), the report's checks by rule, its originality rows
    by comparison kind (``previous_year`` | ``other_body``), and its open ``edited`` flag."""

    source: str
    year: int
    agency: str
    level: str | None
    region: str | None
    verdict: dict
    report: dict | None = None
    checks: dict[str, dict] = field(default_factory=dict)
    originality: dict[str, dict] = field(default_factory=dict)
    edited: dict | None = None
    kind: str | None = (
        None  # the source's kind: region (a people's government's region-wide report), dept, township
    )
    parts: list[dict] = field(default_factory=list)  # a region report's departments' and townships' reports


@dataclass(slots=True)
class RuleResult:
    """One rule on one (source, year): the outcome, how many defects (blank cells, failing
    checks, days late …), a note in English and 中文, and the evidence (captures, checks, passages)."""

    rule: str
    outcome: str
    note: str
    note_zh: str
    count: int = 0
    evidence: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "outcome": self.outcome,
            "count": self.count,
            "note": self.note,
            "note_zh": self.note_zh,
            "evidence": self.evidence,
        }


@dataclass(frozen=True, slots=True)
class RuleDef:
    """A catalogue entry: what the rule measures (for the methodology page), its parameters'
    defaults, and the function that decides it."""

    id: str
    title: str
    title_zh: str
    measures: str
    decide: Callable[[Facts, dict[str, Any]], RuleResult]
    params: dict[str, Any] = field(default_factory=dict)
    needs_report: bool = True


def _report_evidence(f: Facts) -> list[dict]:
    r = f.report or {}
    return [
        {
            "fetch": r.get("first_fetch_id"),
            "url": r.get("url"),
            "fetched_at": r.get("first_seen_at"),
            "shows": "the report as first captured",
        }
    ]


# --- from the compliance verdict --------------------------------------------------------------


def _published(f: Facts, _: dict) -> RuleResult:
    v = f.verdict
    status, evidence = v["status"], v.get("evidence") or []
    where = f"published {v.get('published_at') or 'date unknown'} ({v.get('published_at_source') or 'no date source'})"
    if status in ("on_time", "late"):
        return RuleResult(
            "published",
            PASS,
            f"report found: {where}",
            f"已发布：{v.get('published_at') or '日期不详'}",
            evidence=evidence,
        )
    if status == "missing":
        return RuleResult("published", FAIL, v["reason"], v["reason_zh"], evidence=evidence)
    if status == "pending":
        return RuleResult("published", NA, v["reason"], v["reason_zh"], evidence=evidence)
    return RuleResult(
        "published", UNCERTAIN, v["reason"], v["reason_zh"], evidence=evidence
    )  # not_online, unknown


def _on_time(f: Facts, _: dict) -> RuleResult:
    from datetime import date

    v = f.verdict
    status, evidence = v["status"], v.get("evidence") or []
    if status == "on_time":
        return RuleResult("on_time", PASS, v["reason"], v["reason_zh"], evidence=evidence)
    if status == "late":
        days = 0
        if v.get("published_at") and v.get("deadline"):
            days = (date.fromisoformat(v["published_at"][:10]) - date.fromisoformat(v["deadline"][:10])).days
        return RuleResult("on_time", FAIL, v["reason"], v["reason_zh"], count=max(days, 1), evidence=evidence)
    if status == "missing":
        return RuleResult("on_time", FAIL, v["reason"], v["reason_zh"], evidence=evidence)
    if status == "pending":
        return RuleResult("on_time", NA, v["reason"], v["reason_zh"], evidence=evidence)
    return RuleResult("on_time", UNCERTAIN, v["reason"], v["reason_zh"], evidence=evidence)


# --- from the report's checks (crawler.stats.checks, crawler.stats.quality) ---------------------


def _from_checks(rule_id: str, check_ids: tuple[str, ...]) -> Callable[[Facts, dict], RuleResult]:
    """A rule that passes when every listed check that could be decided passed, fails when any
    failed (count: how many), and is uncertain when none could be decided."""

    def decide(f: Facts, _: dict) -> RuleResult:
        found = [f.checks[c] for c in check_ids if c in f.checks]
        if not found:
            return RuleResult(
                rule_id,
                UNCERTAIN,
                f"not analysed for {', '.join(check_ids)} (run nianbao extract)",
                f"尚未分析（{'、'.join(check_ids)}）",
            )
        failed = [c for c in found if c["result"] == FAIL]
        decided = [c for c in found if c["result"] in (PASS, FAIL)]
        evidence = [
            {
                **_report_evidence(f)[0],
                "check": c["rule"],
                "result": c["result"],
                "message": c["message"],
                "operands": c.get("operands") or {},
            }
            for c in (failed or found)
        ]
        if failed:
            messages = "; ".join(f"{c['rule']}: {c['message']}" for c in failed)
            return RuleResult(
                rule_id,
                FAIL,
                messages,
                f"未通过{'、'.join(c['rule'] for c in failed)}",
                len(failed),
                evidence,
            )
        if decided:
            undecided = [c["rule"] for c in found if c["result"] not in (PASS, FAIL)]
            rest = f" ({', '.join(undecided)} could not be checked)" if undecided else ""
            return RuleResult(
                rule_id,
                PASS,
                f"{', '.join(c['rule'] for c in decided)} passed{rest}",
                f"{'、'.join(c['rule'] for c in decided)}通过",
                evidence=evidence,
            )
        return RuleResult(
            rule_id,
            UNCERTAIN,
            "; ".join(f"{c['rule']}: {c['message']}" for c in found),
            f"{'、'.join(c['rule'] for c in found)}无法判断",
            evidence=evidence,
        )

    return decide


def _count_from_operands(result: RuleResult) -> RuleResult:
    """Q2 counts cells: take the defect count from its operands where it gives one."""
    if result.outcome == FAIL and result.evidence:
        count = (result.evidence[0].get("operands") or {}).get("count")
        if isinstance(count, int) and count > 0:
            result.count = count
    return result


def _blank_cells(f: Facts, params: dict) -> RuleResult:
    return _count_from_operands(_from_checks("no_blank_cells", ("Q2",))(f, params))


def _data_anomalies(f: Facts, _: dict) -> RuleResult:
    """Any failing hard rule (severity error) is an anomaly for a person to look at."""
    if not f.checks:
        return RuleResult("data_anomalies", UNCERTAIN, "not analysed (run nianbao extract)", "尚未分析")
    errors = [c for c in f.checks.values() if c["result"] == FAIL and c["severity"] == "error"]
    if errors:
        return RuleResult(
            "data_anomalies",
            FAIL,
            "; ".join(f"{c['rule']}: {c['message']}" for c in errors),
            f"数据异常：{'、'.join(c['rule'] for c in errors)}",
            len(errors),
            [
                {
                    **_report_evidence(f)[0],
                    "check": c["rule"],
                    "message": c["message"],
                    "operands": c.get("operands") or {},
                }
                for c in errors
            ],
        )
    return RuleResult(
        "data_anomalies",
        PASS,
        "no hard consistency rule failed",
        "未发现数据异常",
        evidence=_report_evidence(f),
    )


# --- from originality and edits ----------------------------------------------------------------


def _reuse(rule_id: str, kind: str) -> Callable[[Facts, dict], RuleResult]:
    def decide(f: Facts, params: dict) -> RuleResult:
        limit = float(params["max_reuse"])
        row = f.originality.get(kind)
        if row is None:
            return RuleResult(
                rule_id,
                UNCERTAIN,
                "not compared yet (run nianbao similar)",
                "尚未比对（运行 nianbao similar）",
            )
        if row.get("compared_report_id") is None:
            if kind == "previous_year":
                return RuleResult(
                    rule_id,
                    NA,
                    "no previous-year report of this body in the archive",
                    "档案中无本机关上一年度报告",
                )
            return RuleResult(
                rule_id,
                PASS,
                "no similar report of another body found",
                "未发现与其他机关报告雷同",
                evidence=_report_evidence(f),
            )
        reuse = float(row["reuse"])
        shared = sum(int(p.get("content") or 0) for p in row.get("passages") or [])
        other = f"{row.get('compared_agency') or row['compared_report_id']} {row.get('compared_year') or ''}".strip()
        evidence = [
            *_report_evidence(f),
            {
                "report": row["compared_report_id"],
                "url": row.get("compared_url"),
                "fetch": row.get("compared_first_fetch_id"),
                "shows": f"the compared report ({other})",
                "reuse": reuse,
                "sections": row.get("sections") or {},
                "passages": sorted(row.get("passages") or [], key=lambda p: -p.get("content", 0))[:3],
                "leaked_names": row.get("leaked_names") or [],
            },
        ]
        if reuse >= limit and shared < int(params["min_shared"]):
            return RuleResult(
                rule_id,
                UNCERTAIN,
                f"{reuse:.0%} repeats {other}, but that is only {shared} characters of own wording "
                f"(fewer than {params['min_shared']}): too little text to judge",
                f"与{other}重复{reuse:.0%}，但仅{shared}字自有文字，不足以判断",
                evidence=evidence,
            )
        if reuse >= limit:
            return RuleResult(
                rule_id,
                FAIL,
                f"{reuse:.0%} of its own wording repeats {other} (limit {limit:.0%})",
                f"{reuse:.0%}的内容与{other}重复（上限{limit:.0%}）",
                round(reuse * 100),
                evidence,
            )
        return RuleResult(
            rule_id,
            PASS,
            f"{reuse:.0%} repeats {other} (below {limit:.0%})",
            f"与{other}重复{reuse:.0%}（低于{limit:.0%}）",
            evidence=evidence,
        )

    return decide


def _not_edited(f: Facts, _: dict) -> RuleResult:
    if f.edited is None:
        return RuleResult(
            "not_edited",
            PASS,
            "no change to the report's text seen after publication",
            "未发现发布后修改",
            evidence=_report_evidence(f),
        )
    changes = len((f.edited.get("detail") or {}).get("changes") or []) or 1
    return RuleResult(
        "not_edited",
        FAIL,
        f.edited["summary"],
        f.edited["summary_zh"],
        changes,
        f.edited.get("evidence") or [],
    )


PART_FIELDS = ("requests_received", "reconsideration_total")


def _region_covers_parts(f: Facts, params: dict) -> RuleResult:
    """Soft: a region-wide report's counts are at least the sum of its own departments' and
    townships' reports in the archive (they are part of the region)."""
    rid = "region_covers_parts"
    if f.kind != "region":
        return RuleResult(rid, NA, "not a region-wide report", "非本行政区域年度报告")
    least = int(params["min_parts"])
    report = f.report or {}
    short = []
    decided = 0
    for key in PART_FIELDS:
        own = report.get(key)
        values = [p for p in f.parts if p.get(key) is not None]
        if own is None or len(values) < least:
            continue
        decided += 1
        total = sum(p[key] for p in values)
        if own < total:
            short.append((key, own, total, values))
    if not decided:
        return RuleResult(
            rid,
            UNCERTAIN,
            f"fewer than {least} of its departments' or townships' reports state the counts, or the region's report does not",
            "本区域部门、乡镇报告数据不足，无法比对",
        )
    if short:
        key, own, total, values = short[0]
        evidence = [
            *_report_evidence(f),
            *(
                {
                    "report": p["id"],
                    "url": p.get("url"),
                    "fetch": p.get("first_fetch_id"),
                    "shows": f"{p['agency']}: {key} = {p[key]:g}",
                }
                for p in values
            ),
        ]
        return RuleResult(
            rid,
            FAIL,
            f"{key} {own:g} in the region-wide report, but its {len(values)} departments' and townships' "
            f"reports add up to {total:g}",
            f"全区域报告{key}为{own:g}，小于所属{len(values)}个部门、乡镇报告之和{total:g}",
            len(short),
            evidence,
        )
    return RuleResult(
        rid,
        PASS,
        "the region-wide counts cover its departments' and townships' reports",
        "全区域数据不小于所属部门、乡镇之和",
        evidence=_report_evidence(f),
    )


CATALOGUE: dict[str, RuleDef] = {
    r.id: r
    for r in (
        RuleDef(
            "published",
            "Report published",
            "按要求发布年度报告",
            "the compliance verdict: a report was found (on time or late); missing fails; not online / unknown are uncertain",
            _published,
            needs_report=False,
        ),
        RuleDef(
            "on_time",
            "Published by the deadline",
            "按时发布",
            "the compliance verdict: on time passes; late fails (count: days late); missing fails",
            _on_time,
            needs_report=False,
        ),
        RuleDef(
            "correct_template",
            "The right format for the year",
            "使用当年规定格式",
            "check S3: the table format matches the report year (2019 trial format for 2019–2020, the 2021 format from 2021)",
            _from_checks("correct_template", ("S3",)),
        ),
        RuleDef(
            "all_sections",
            "All statutory sections",
            "法定内容要素齐全",
            "check S2: the six headings and Tables A/B/C are present (reports from 2019)",
            _from_checks("all_sections", ("S2",)),
        ),
        RuleDef(
            "tables_as_text",
            "Tables given as text",
            "表格以文字形式公开",
            "check Q1: Tables A/B/C are text, not only images",
            _from_checks("tables_as_text", ("Q1",)),
        ),
        RuleDef(
            "tables_add_up",
            "Tables add up",
            "表格数据勾稽关系正确",
            "checks B1–B3 and C1–C3: the printed arithmetic of Tables B and C (count: rules failed)",
            _from_checks("tables_add_up", ("B1", "B2", "B3", "C1", "C2", "C3")),
        ),
        RuleDef(
            "cells_valid",
            "Cells are valid counts",
            "表格数据格式正确",
            "checks B4 and A1: every cell a non-negative integer (fees a decimal)",
            _from_checks("cells_valid", ("B4", "A1")),
        ),
        RuleDef(
            "text_matches_tables",
            "Text agrees with the tables",
            "正文数据与表格一致",
            "checks T1–T4: counts stated in the text equal the tables",
            _from_checks("text_matches_tables", ("T1", "T2", "T3", "T4")),
        ),
        RuleDef(
            "carryover_chain",
            "Carried-over requests chain",
            "结转数据前后衔接",
            "check B5: this year's carried-over requests equal last year's carried forward",
            _from_checks("carryover_chain", ("B5",)),
        ),
        RuleDef(
            "period_stated",
            "Reporting period",
            "统计期限正确",
            "check S1: the stated period is the report year",
            _from_checks("period_stated", ("S1",)),
        ),
        RuleDef(
            "no_blank_cells",
            "No blank or '/' cells",
            "表格无空白或“/”",
            "check Q2: blank or '/' cells where a number belongs (count: cells)",
            _blank_cells,
        ),
        RuleDef(
            "problems_section",
            "Concrete problems and improvements",
            "问题及改进情况具体",
            "check Q3: section 五 names concrete problems, not empty, 无 or boilerplate",
            _from_checks("problems_section", ("Q3",)),
        ),
        RuleDef(
            "fees_consistent",
            "Fees stated consistently",
            "收费情况前后一致",
            "check Q4: the information-processing fees in the text agree with section 六 and Table B",
            _from_checks("fees_consistent", ("Q4",)),
        ),
        RuleDef(
            "section_numbering",
            "Sections numbered in order",
            "章节编号规范",
            "check Q5: headings 一…六 in order, none missing or repeated",
            _from_checks("section_numbering", ("Q5",)),
        ),
        RuleDef(
            "no_contradictions",
            "No statements contradicting the tables",
            "表述与表格不矛盾",
            "check Q6: e.g. 「均已办结」 while requests are carried forward",
            _from_checks("no_contradictions", ("Q6",)),
        ),
        RuleDef(
            "data_anomalies",
            "No data anomalies",
            "无数据异常",
            "any failing hard consistency rule (severity error), for a person to look at (count: rules)",
            _data_anomalies,
        ),
        RuleDef(
            "original_vs_previous_year",
            "Not a repeat of last year",
            "与上年报告不雷同",
            "originality: share of the report's own wording (the format's fixed text left out) found in the same body's previous report; fails at max_reuse or more",
            _reuse("original_vs_previous_year", "previous_year"),
            {"max_reuse": 0.5, "min_shared": 100},
        ),
        RuleDef(
            "original_vs_other_bodies",
            "Not copied from another body",
            "与其他机关报告不雷同",
            "originality: share of the report's own wording found in another body's earlier report of the same or the previous year; fails at max_reuse or more",
            _reuse("original_vs_other_bodies", "other_body"),
            {"max_reuse": 0.5, "min_shared": 100},
        ),
        RuleDef(
            "not_edited",
            "Not silently edited",
            "发布后未修改",
            "no change to the report's text seen after publication (count: changes)",
            _not_edited,
        ),
        RuleDef(
            "region_covers_parts",
            "Region-wide report covers its parts (soft)",
            "全区域报告涵盖所属部门和乡镇（参考）",
            "a people's government's region-wide report states at least as many requests received and "
            "reviews as its own departments' and townships' reports in the archive add up to (same region "
            "code; townships below it); uncertain with fewer than min_parts of them",
            _region_covers_parts,
            {"min_parts": 2},
        ),
    )
}


def evaluate(rule: RuleDef, facts: Facts, params: dict[str, Any] | None = None) -> RuleResult:
    """One rule on one (source, year); a rule about the report's content is ``na`` without a report."""
    if rule.needs_report and facts.report is None:
        return RuleResult(rule.id, NA, "no report to judge", "无报告可评")
    return rule.decide(facts, {**rule.params, **(params or {})})
