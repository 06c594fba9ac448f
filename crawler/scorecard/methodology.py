"""The methodology page of a rule pack (Markdown): what each scored rule measures, its points,
how uncertain evidence is treated, how ranks are formed — generated from the pack, so the
published method is always the one that produced the scores."""

from __future__ import annotations

from crawler.scorecard.pack import Pack
from crawler.scorecard.rules import CATALOGUE
from crawler.scorecard.score import rule_rates

_MODES = {
    "conservative": (
        "A rule the evidence cannot decide (*uncertain*) is left out: the score is the points earned "
        "over the points decided, and no point is lost without evidence.",
        "证据不足以判断的规则不计入：得分 = 已判定规则的得分 ÷ 已判定规则的分值，没有证据不扣分。",
    ),
    "strict": (
        "A rule the evidence cannot decide (*uncertain*) earns nothing, as a checklist scored by hand would.",
        "证据不足以判断的规则不得分（与人工逐项打分一致）。",
    ),
}


def methodology(pack: Pack, cards: list | None = None) -> str:
    """Markdown describing ``pack`` (with, when ``cards`` are given, how often each rule passed)."""
    mode_en, mode_zh = _MODES[pack.mode]
    lines = [
        f"# {pack.title}",
        "",
        f"{pack.title_zh}",
        "",
        f"Pack `{pack.name}` ({pack.file}); {pack.max_points:g} points; mode **{pack.mode}**.",
        "",
    ]
    if pack.description:
        lines += [pack.description, ""]
    if pack.source:
        lines += [f"**Sources of the criteria:** {pack.source}", ""]
    lines += [
        "## How a score is formed / 计分方法",
        "",
        "- Each rule gives *pass*, *fail*, *uncertain* (the evidence cannot decide) or *n/a* (it does "
        "not apply: no report to judge, no previous year, a format without the item). *n/a* never counts.",
        "- *pass* earns the rule's points; *fail* earns none, or, where a deduction per defect is "
        "given, the points less that much per defect (blank cells, days late …), never below 0.",
        f"- {mode_en} {mode_zh}",
        f"- A card whose decided points are below {pack.min_coverage:.0%} of its applicable points (the "
        "rules not n/a) gets no score (too little evidence); it is listed, not ranked. A missing report "
        "is decided: *published* fails and the content rules are n/a, so it scores 0.",
        "- Score = earned ÷ counted points × 100. Ranks are within one report year and one level "
        f"(tier); a tier of fewer than {pack.small_tier} scored cards is marked *small*. The change is "
        "the difference from the same source's score the year before.",
        "- A finding a reviewer dismissed counts as a pass; `nianbao score --confirmed-only` scores "
        "unconfirmed fails as uncertain, so published scores rest only on confirmed findings.",
        "- Every result carries its evidence: the captures (time, URL, archived copy) behind the "
        "verdict, the check and the cells it compared, the passages two reports share.",
        "",
        "## Rules / 评分项",
        "",
        "| rule | 评分项 | points | deduction per defect | parameters | what it measures |",
        "|---|---|---:|---:|---|---|",
    ]
    for item in pack.items:
        rule = CATALOGUE[item.rule]
        params = ", ".join(f"{k} = {v}" for k, v in {**rule.params, **item.params}.items()) or "—"
        per = f"{item.per_defect:g}" if item.per_defect is not None else "all"
        measures = rule.measures + (f" *{item.note}*" if item.note else "")
        lines.append(
            f"| `{item.rule}` {rule.title} | {rule.title_zh} | {item.points:g} | {per} | {params} | {measures} |"
        )
    if cards:
        lines += [
            "",
            f"## Results over {len(cards)} card(s) / 各项结果",
            "",
            "| rule | pass | fail | uncertain | n/a | pass rate |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for r in rule_rates(cards, pack):
            rate = (
                "—"
                if r["pass_rate"] is None
                else f"{r['pass_rate']:.0%}" + (" (small)" if r["small"] else "")
            )
            lines.append(
                f"| `{r['rule']}` | {r['pass']} | {r['fail']} | {r['uncertain']} | {r['na']} | {rate} |"
            )
    return "\n".join(lines) + "\n"
