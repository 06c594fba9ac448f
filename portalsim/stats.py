"""The statistics stated by each simulated report (Tables A/B/C and the narrative numbers).

:func:`report_stats` is the public helper: it returns what a report says, so a later truth for
statistics can score the extractor.  Numbers satisfy the consistency rules of domain.md §2.5:
B1 (一+二 = 三(七)+四 per column), B2 (row totals), B3 (三(七) = sum of outcome rows), B4, B5
(this year's 二 equals last year's 四), C1–C3, and the narrative numbers equal the table totals
(T1, T2).  An edited report (see ``edited=True``) corrects its proactive-disclosure count.
"""

from __future__ import annotations

from functools import lru_cache

from portalsim.rng import rng
from portalsim.world import agency, copy_plan, quality_plan, template_for

B_COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
_COL_WEIGHTS = (80, 9, 1, 1, 3, 6)
# Outcome rows of 三、本年度办理结果 (keys) with their draw weights.
OUTCOMES_COMMON = (
    ("三.一", 45),
    ("三.二", 10),
    ("三.三.1", 1),
    ("三.三.2", 1),
    ("三.三.3", 2),
    ("三.三.4", 3),
    ("三.三.5", 2),
    ("三.三.6", 3),
    ("三.三.7", 1),
    ("三.三.8", 1),
    ("三.四.1", 20),
    ("三.四.2", 4),
    ("三.四.3", 3),
    ("三.五.1", 3),
    ("三.五.2", 3),
    ("三.五.3", 1),
    ("三.五.4", 1),
    ("三.五.5", 1),
)
OUTCOMES_2019 = (*OUTCOMES_COMMON, ("三.六", 2))
OUTCOMES_2021 = (*OUTCOMES_COMMON, ("三.六.1", 1), ("三.六.2", 1), ("三.六.3", 1))
SCALES = {"region": (8, 90), "dept": (0, 25), "township": (0, 5)}


def _split(r, total: int, weights: tuple[float, ...]) -> list[int]:
    """``total`` units drawn into len(weights) bins."""
    out = [0] * len(weights)
    for k in r.choices(range(len(weights)), weights=weights, k=total):
        out[k] += 1
    return out


def _new_requests(seed: int, key: str, year: int, kind: str) -> list[int]:
    """New requests of the year per applicant column (6 columns, without 总计)."""
    r = rng(seed, "requests", key, year)
    low, high = SCALES[kind]
    return _split(r, r.randint(low, high), _COL_WEIGHTS)


def _carry(seed: int, key: str, year: int, kind: str, first_year: int) -> list[int]:
    """Requests carried from ``year`` into the next one (row 四 of ``year``), per column."""
    if year < first_year:
        return [0] * 6
    new = _new_requests(seed, key, year, kind)
    r = rng(seed, "carry", key, year)
    raw = [r.choice((0, 0, 0, 1, 2)), r.choice((0, 0, 0, 0, 1)), 0, 0, r.choice((0, 0, 1)), 0]
    return [min(a, b) for a, b in zip(raw, new, strict=True)]


def _with_total(cells: list[int]) -> list[int]:
    return [*cells, sum(cells)]


def _table_b(seed: int, key: str, year: int, kind: str, first_year: int, template: str) -> dict:
    """Table B rows (key → 7 cells) satisfying B1–B5."""
    new = _new_requests(seed, key, year, kind)
    cin = _carry(seed, key, year - 1, kind, first_year)
    cout = _carry(seed, key, year, kind, first_year)
    outcomes = OUTCOMES_2019 if template == "template2019" else OUTCOMES_2021
    rows: dict[str, list[int]] = {k: [0] * 6 for k, _ in outcomes}
    r = rng(seed, "outcomes", key, year)
    weights = tuple(w for _, w in outcomes)
    for c in range(6):
        handled = new[c] + cin[c] - cout[c]
        for (k, _), n in zip(outcomes, _split(r, handled, weights), strict=True):
            rows[k][c] = n
    table = {"一": _with_total(new), "二": _with_total(cin)}
    table.update({k: _with_total(v) for k, v in rows.items()})
    table["三.七"] = _with_total([sum(v[c] for v in rows.values()) for c in range(6)])
    table["四"] = _with_total(cout)
    return table


def _table_c(r, kind: str) -> list[int]:
    """Table C: 15 cells (复议 5, 未经复议起诉 5, 复议后起诉 5), each group summing to its total."""
    out: list[int] = []
    for scale in (
        (0, 0, 1, 2, 3) if kind == "region" else (0, 0, 0, 0, 1),
        (0, 0, 0, 1, 2) if kind == "region" else (0, 0, 0, 0, 1),
        (0, 0, 0, 0, 1),
    ):
        parts = _split(r, r.choice(scale), (5, 2, 1, 1))
        out.extend([*parts, sum(parts)])
    return out


def _table_a(r, kind: str, level: str, template: str) -> dict:
    """Table A cells for the 2021 or the 2019 format."""
    big = kind == "region"
    rules = r.randint(0, 3) if level == "city" else 0
    norms = r.randint(0, 15 if big else 5)
    permits = r.randint(0, 5000 if big else 800) if kind != "township" else r.randint(0, 50)
    penalties = r.randint(0, 2000 if big else 400) if kind != "township" else r.randint(0, 20)
    coercion = r.randint(0, 60)
    fee = round(r.uniform(0, 500 if big else 60), r.choice((2, 4))) if r.random() < 0.6 else 0
    if template == "template2021":
        return {
            "规章": [rules, r.randint(0, rules), rules + r.randint(0, 30) if rules else 0],
            "行政规范性文件": [norms, r.randint(0, norms), norms + r.randint(10, 200)],
            "行政许可": [permits],
            "行政处罚": [penalties],
            "行政强制": [coercion],
            "行政事业性收费": [fee],
        }
    return {
        "规章": [rules, rules, rules + r.randint(0, 30) if rules else 0],
        "规范性文件": [norms, norms, norms + r.randint(10, 200)],
        "行政许可": [r.randint(5, 300), r.randint(-5, 5), permits],
        "其他对外管理服务事项": [r.randint(0, 100), r.randint(-3, 3), r.randint(0, 500)],
        "行政处罚": [r.randint(20, 900), r.randint(-10, 10), penalties],
        "行政强制": [r.randint(0, 40), r.randint(-2, 2), coercion],
        "行政事业性收费": [r.randint(0, 30), r.randint(-2, 2)],
        "政府集中采购": [r.randint(0, 40), round(r.uniform(0, 3000), 2)],
    }


@lru_cache(maxsize=4096)
def body_stats(seed: int, key: str, year: int, kind: str, level: str, first_year: int, template: str) -> dict:
    """Statistics of the ``year`` report of any body (``key`` names it: slug or full name)."""
    r = rng(seed, "stats", key, year)
    low, high = {"region": (800, 25000), "dept": (30, 900), "township": (20, 300)}[kind]
    proactive = r.randint(low, high)
    if template == "freeform" and proactive >= 10000:
        proactive = round(proactive, -2)  # stated as "1.53万条": keep it exact
    b = _table_b(seed, key, year, kind, first_year, template)
    c = _table_c(r, kind)
    stats = {
        "year": year,
        "template": template,
        "proactive_disclosures": proactive,
        "requests_received": b["一"][6],
        "requests_carried_over": b["二"][6],
        "requests_carried_forward": b["四"][6],
        "reconsideration_total": c[4],
        "litigation_total": c[9] + c[14],
        "fee_collected_yuan": r.choice((0, 0, 0, 0, 20, 35, 100)),
        "table_a": None,
        "table_b": None,
        "table_c": None,
        "freeform": None,
    }
    if template == "freeform":
        n = b["一"][6]
        channels = _split(r, n, (4, 5, 2, 1, 1))
        stats["requests_carried_over"] = None
        stats["requests_carried_forward"] = None
        stats["freeform"] = {
            "channels": dict(
                zip(("当面申请", "网上申请", "信函申请", "传真申请", "电子邮件申请"), channels, strict=True)
            ),
            "replies": dict(
                zip(
                    ("同意公开", "同意部分公开", "不予公开", "信息不存在或非本机关掌握"),
                    _split(r, n, (10, 2, 1, 2)),
                    strict=True,
                )
            ),
            "first_period_may": year == 2008 and r.random() < 0.5,
        }
    else:
        stats["table_a"] = _table_a(r, kind, level, template)
        stats["table_b"] = b
        stats["table_c"] = c
    return stats


COPIED_KEYS = (
    "proactive_disclosures",
    "reconsideration_total",
    "litigation_total",
    "fee_collected_yuan",
    "table_a",
    "table_c",
)


def report_stats(seed: int, index: int, year: int, edited: bool = False) -> dict:
    """What agency ``index``'s ``year`` report states; ``edited`` = the corrected version.

    Keys: ``year``, ``template``, ``proactive_disclosures``, ``requests_received``,
    ``requests_carried_over`` (None for free-form reports), ``requests_carried_forward``,
    ``reconsideration_total``, ``litigation_total``, ``fee_collected_yuan``, ``table_a``
    (row → cells), ``table_b`` (row key such as ``"三.三.4"`` → 7 cells ending with 总计),
    ``table_c`` (15 cells), ``freeform`` (channel and reply counts of pre-2019 prose).
    """
    ag = agency(seed, index)
    stats = dict(
        body_stats(seed, ag.slug, year, ag.kind, ag.level, ag.first_year, template_for(seed, index, year))
    )
    copied = copy_plan(seed, index, year)
    if copied is not None:  # the copier states the original's numbers but its own Table B
        src = agency(seed, copied.source_index)
        original = body_stats(
            seed,
            src.slug,
            copied.source_year,
            src.kind,
            src.level,
            src.first_year,
            template_for(seed, copied.source_index, copied.source_year),
        )
        stats.update({k: original[k] for k in COPIED_KEYS})
    if edited:
        original = stats["proactive_disclosures"]
        delta = rng(seed, "edit", index, year).randint(1, max(2, original // 20))
        stats["proactive_disclosures"] = original + (100 * delta if original >= 10000 else delta)
        stats["original_proactive_disclosures"] = original
    return stats


# Which quality rule (crawler Q1–Q6, issue 16) each defect makes fail; the others hold.
DEFECT_FAILS = {
    "problems_empty": "Q3",
    "problems_none": "Q3",
    "problems_boilerplate": "Q3",
    "slash_cells": "Q2",
    "blank_cells": "Q2",
    "image_tables": "Q1",
    "fee_contradiction": "Q4",
    "misnumbered_duplicate": "Q5",
    "misnumbered_gap": "Q5",
    "claim_all_closed": "Q6",
    "claim_no_cases": "Q6",
    "claim_no_requests": "Q6",
}


def quality_defect(seed: int, index: int, year: int) -> str | None:
    """The quality defect agency ``index``'s ``year`` report carries (None: an honest report):
    :func:`portalsim.world.quality_plan` where the report's numbers allow it — a claim the
    tables contradict needs a non-zero cell, image tables need the year's own template (a
    drifted report's format could then only be guessed from its citation), blank or "/" cells
    need zero rows to blank."""
    defect = quality_plan(seed, index, year)
    if defect is None:
        return None
    stats = report_stats(seed, index, year)
    b = stats["table_b"]
    need = {
        "claim_all_closed": b["四"][6] > 0,
        "claim_no_cases": stats["reconsideration_total"] + stats["litigation_total"] > 0,
        "claim_no_requests": b["一"][6] > 0,
        "image_tables": stats["template"] == ("template2019" if year <= 2020 else "template2021"),
        "slash_cells": bool(blankable_rows(b)),
        "blank_cells": bool(blankable_rows(b)),
    }
    return defect if need.get(defect, True) else None


def blankable_rows(b: dict) -> list[str]:
    """Outcome rows whose five 法人 columns are all 0 (what a sloppy report leaves blank or
    fills with "/"): never rows 一, 二, 三(七) or 四, nor the 总计 column."""
    skip = {"一", "二", "三.七", "四"}
    return [k for k, cells in b.items() if k not in skip and not any(cells[1:6])][:4]
