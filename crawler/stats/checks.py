"""The consistency rules of domain.md §2.5 over parsed tables and narrative numbers.

:func:`run_checks` returns one :class:`Check` per rule, in :data:`RULES` order. Arithmetic is
exact (tolerance 0). A rule checked in parts (per column, row or cell: B1–B5, A1–A3, T2, S1)
is one Check: it fails when any part fails, else is uncertain when any part is, else passes;
``operands`` lists the failing parts (``failing``: ``part`` = the column, row or cell, with
``left``, ``right`` and the ``cells`` compared) and the undecided ones (``uncertain``).

Missing operands make a rule ``uncertain``: a blank cell, an unreadable one, a row or table not
found, and ``/`` (not applicable) in any sum, since a "/" where a count belongs cannot be read
as 0 with certainty. Only the type and level rules (B4, A1, A3) accept "/" as a valid entry. A
rule that does not apply (B5 without the Y-1 report, A2 on a 2019-format table, S2/S3 before
2019) is ``uncertain`` too, with a message saying so.

Severity: ``error`` for the hard rules B1–B5, C1–C3, A1, T1, T2, S1; ``warning`` for the soft
ones named in domain.md (C4, A2, A3), for T3 (a 其中 list often names only some categories),
T4 (the text's 予以公开/部分公开/不予公开/结转 counts against Table B: a text may count by
another convention, e.g. 不予公开 including 无法提供),
S2 (renamed headings and image tables are common) and S3 (template drift, pitfall 6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from crawler.stats.tables import B_COLUMNS, C_RESULTS, Cell, Tables, a_keys, b_rows

RULES = {
    "B1": "error",
    "B2": "error",
    "B3": "error",
    "B4": "error",
    "B5": "error",
    "C1": "error",
    "C2": "error",
    "C3": "error",
    "C4": "warning",
    "A1": "error",
    "A2": "warning",
    "A3": "warning",
    "T1": "error",
    "T2": "error",
    "T3": "warning",
    "T4": "warning",
    "S1": "error",
    "S2": "warning",
    "S3": "warning",
}
RULE_LEVELS = ("state_council_dept", "province", "city")  # only these make 规章 (A3)
LOWER_LEVELS = ("province_dept", "city_dept", "county", "county_dept", "township")
HEADINGS = {
    "总体情况": r"总体情况",
    "主动公开": r"主动公开政府信息",
    "依申请公开": r"收到和处理政府信息公开申请|依申请公开",
    "复议诉讼": r"行政复议.{0,6}行政诉讼",
    "问题改进": r"存在.{0,6}问题",
    "其他事项": r"其他需要报告",
}
_HEADING_LINE = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.,，]|第[一二三四五六七八九十]+部分)")
_OUTCOMES = ("一", "二", "三.七", "四")


@dataclass(frozen=True, slots=True)
class Check:
    """The result of one rule on one report."""

    rule: str
    result: str  # pass | fail | uncertain
    severity: str  # error | warning
    operands: dict
    message: str


def _v(cell: Cell | None) -> int | float | None:
    return cell.value if cell is not None and cell.status == "number" else None


def _sum(values: list) -> int | float | None:
    return None if any(v is None for v in values) else sum(values)


def _check(rule: str, result: str, message: str, **operands: object) -> Check:
    return Check(rule, result, RULES[rule], operands, message)


def _parts(rule: str, parts: list[tuple[str, str, dict]], what: str, none: str) -> Check:
    """One Check from per-column/per-row results ``(name, result, detail)``."""
    failing = [{"part": name, **detail} for name, result, detail in parts if result == "fail"]
    uncertain = [name for name, result, _ in parts if result == "uncertain"]
    if not parts:
        return _check(rule, "uncertain", none)
    if failing:
        names = ", ".join(f["part"] for f in failing)
        return _check(
            rule, "fail", f"{rule} fails for {names}: {what}.", failing=failing, uncertain=uncertain
        )
    if uncertain:
        return _check(
            rule,
            "uncertain",
            f"{rule} cannot be decided for {', '.join(uncertain)} (missing operands): {what}.",
            failing=[],
            uncertain=uncertain,
        )
    return _check(rule, "pass", f"{rule} holds: {what}.", failing=[], uncertain=[])


def _equal(name: str, left: list, right: list, cells: dict) -> tuple[str, str, dict]:
    lv, rv = _sum(left), _sum(right)
    if lv is None or rv is None:
        return name, "uncertain", {}
    return name, "pass" if lv == rv else "fail", {"left": lv, "right": rv, "cells": cells}


def _b_layout(t: Tables) -> tuple[str, ...]:
    """Table B rows expected for this table (its (六) shape, else its format)."""
    if any(k.startswith("三.六.") for k in t.b):
        return b_rows("template2021")
    return b_rows("template2019" if "三.六" in t.b else t.format)


def _cell(t: Tables, row: str, col: str) -> int | float | None:
    return _v(t.b.get(row, {}).get(col))


def _b_rules(t: Tables, previous: Tables | None, year: int | None, previous_year: int | None) -> list[Check]:
    none = "Table B was not found."
    rows = _b_layout(t)
    outcomes = [r for r in rows if r not in _OUTCOMES]
    b1 = (
        [
            _equal(
                c,
                [_cell(t, "一", c), _cell(t, "二", c)],
                [_cell(t, "三.七", c), _cell(t, "四", c)],
                {r: _cell(t, r, c) for r in _OUTCOMES},
            )
            for c in B_COLUMNS
        ]
        if t.b
        else []
    )
    b2 = [
        _equal(
            r,
            [_v(cells.get("总计"))],
            [_v(cells.get(c)) for c in B_COLUMNS[:-1]],
            {c: _v(cells.get(c)) for c in B_COLUMNS},
        )
        for r, cells in t.b.items()
    ]
    b3 = (
        [
            _equal(
                c,
                [_cell(t, "三.七", c)],
                [_cell(t, r, c) for r in outcomes],
                {r: _cell(t, r, c) for r in ("三.七", *outcomes)},
            )
            for c in B_COLUMNS
        ]
        if t.b
        else []
    )
    b4 = []
    for r in rows if t.b else ():
        for c in B_COLUMNS:
            cell = t.b.get(r, {}).get(c)
            status = "uncertain" if cell is None or cell.status in ("blank", "text") else "pass"
            value = _v(cell)
            if value is not None and not (value >= 0 and value == int(value)):
                status = "fail"
            b4.append((f"{r}/{c}", status, {"raw": cell.raw if cell else None}))
    checks = [
        _parts("B1", b1, "一 + 二 == 三(七) + 四", none),
        _parts("B2", b2, "总计 == 自然人 + the five 法人 columns", none),
        _parts("B3", b3, "三(七) == the sum of the outcome rows", none),
        _parts("B4", b4, "every cell is an integer >= 0", none),
    ]
    if previous is None or not previous.b:
        checks.append(
            _check("B5", "uncertain", "No previous-year Table B to compare the carried-over row with.")
        )
    elif year is None or year < 2020 or previous_year != year - 1:
        checks.append(
            _check(
                "B5",
                "uncertain",
                "B5 needs the agency's Y-1 report and a year from 2020.",
                year=year,
                previous_year=previous_year,
            )
        )
    else:
        b5 = [
            _equal(
                c,
                [_cell(t, "二", c)],
                [_cell(previous, "四", c)],
                {"二": _cell(t, "二", c), "previous 四": _cell(previous, "四", c)},
            )
            for c in B_COLUMNS
        ]
        checks.append(_parts("B5", b5, "this year's 二 == last year's 四", none))
    return checks


def _c_rules(t: Tables, previous: Tables | None) -> list[Check]:
    checks = []
    for rule, group in (("C1", "复议"), ("C2", "诉讼直接"), ("C3", "诉讼复议后")):
        parts = [f"{group}.{r}" for r in C_RESULTS]
        values = {k: _v(t.c.get(k)) for k in parts}
        part = _equal(group, [values[k] for k in parts[:4]], [values[parts[4]]], values) if t.c else None
        checks.append(
            _parts(
                rule, [part] if part else [], f"the {group} results sum to its 总计", "Table C was not found."
            )
        )
    after, recon = _v(t.c.get("诉讼复议后.总计")), _v(t.c.get("复议.总计"))
    prev = _v(previous.c.get("复议.总计")) if previous is not None else None
    ops = {"复议后起诉": after, "复议": recon, "previous 复议": prev}
    if after is None or recon is None:
        checks.append(_check("C4", "uncertain", "Table C totals are missing.", **ops))
    elif after <= recon or (prev is not None and after <= recon + prev):
        checks.append(
            _check("C4", "pass", "Lawsuits after reconsideration do not exceed reconsiderations.", **ops)
        )
    elif prev is None:
        checks.append(
            _check(
                "C4",
                "uncertain",
                "More lawsuits after reconsideration than reconsiderations this "
                "year; last year's count is needed.",
                **ops,
            )
        )
    else:
        checks.append(
            _check(
                "C4",
                "fail",
                "More lawsuits after reconsideration than reconsiderations in this and the previous year.",
                **ops,
            )
        )
    return checks


def _a_ok(key: str, cell: Cell) -> str:
    if cell.status == "na":
        return "pass"
    if cell.status != "number":
        return "uncertain"
    v = cell.value
    assert v is not None  # a "number" cell always has a value (tables.parse_number)
    if key.endswith("本年增/减"):
        return "pass" if v == int(v) else "fail"
    if key.endswith(("本年收费金额", "采购总金额")):
        return "pass" if v >= 0 else "fail"
    return "pass" if v >= 0 and v == int(v) else "fail"


def _a_rules(t: Tables, level: str | None, previous: Tables | None) -> list[Check]:
    keys = a_keys(t.format)
    a1 = [(k, "uncertain", {}) if k not in t.a else (k, _a_ok(k, t.a[k]), {"raw": t.a[k].raw}) for k in keys]
    checks = [
        _parts(
            "A1",
            a1 if t.a else [],
            "Table A cells are integers >= 0 (amounts decimal, 增/减 signed)",
            "Table A was not found.",
        )
    ]
    if t.format != "template2021" or previous is None or previous.format != "template2021":
        checks.append(_check("A2", "uncertain", "A2 needs this and the previous year's 2021-format Table A."))
    else:
        a2 = []
        for row in ("规章", "行政规范性文件"):
            now, new, gone = (
                _v(t.a.get(f"{row}.{c}")) for c in ("现行有效件数", "本年制发件数", "本年废止件数")
            )
            before = _v(previous.a.get(f"{row}.现行有效件数"))
            a2.append(
                _equal(
                    row,
                    [now],
                    [before, new, -gone if gone is not None else None],
                    {"现行有效": now, "previous 现行有效": before, "制发": new, "废止": gone},
                )
            )
        checks.append(_parts("A2", a2, "现行有效 == last year's + 制发 - 废止", "Table A was not found."))
    rules = {k: cell for k, cell in t.a.items() if k.startswith("规章.")}
    if level in RULE_LEVELS:
        checks.append(_check("A3", "pass", f"A {level} body may make 规章.", level=level))
    elif level not in LOWER_LEVELS or not rules:
        checks.append(_check("A3", "uncertain", "The level or the 规章 row is unknown.", level=level))
    else:
        a3 = [
            (
                k,
                "pass"
                if c.status == "na" or c.value == 0
                else "fail"
                if c.status == "number"
                else "uncertain",
                {"value": c.value, "raw": c.raw},
            )
            for k, c in rules.items()
        ]
        checks.append(_parts("A3", a3, f"规章 == 0 for a {level} body", "Table A was not found."))
    return checks


def _t_rules(t: Tables, narrative: dict) -> list[Check]:
    b1, b2 = _cell(t, "一", "总计"), _cell(t, "二", "总计")
    with_carried = bool(narrative.get("requests_received_includes_carried_over"))
    table = (None if b1 is None or b2 is None else b1 + b2) if with_carried else b1
    stated = narrative.get("requests_received")
    t1 = [
        _equal(
            "requests_received",
            [stated],
            [table],
            {"narrative": stated, "table": table, "includes_carried": with_carried},
        )
    ]
    direct, after = _v(t.c.get("诉讼直接.总计")), _v(t.c.get("诉讼复议后.总计"))
    lit = None if direct is None or after is None else direct + after
    t2 = [
        _equal(name, [narrative.get(name)], [value], {"narrative": narrative.get(name), "table": value})
        for name, value in (("reconsideration_total", _v(t.c.get("复议.总计"))), ("litigation_total", lit))
    ]
    parts, total = narrative.get("proactive_parts"), narrative.get("proactive_disclosures")
    t3 = (
        [_equal("proactive_disclosures", list(parts), [total], {"parts": list(parts), "total": total})]
        if parts
        else []
    )
    refused = [_cell(t, f"三.三.{k}", "总计") for k in range(1, 9)]
    t4 = [
        _equal(name, [narrative.get(name)], [value], {"narrative": narrative.get(name), "table": value})
        for name, value in (
            ("requests_carried_over", b2),
            ("replies_granted", _cell(t, "三.一", "总计")),
            ("replies_partial", _cell(t, "三.二", "总计")),
            ("replies_refused", _sum(refused)),
        )
        if narrative.get(name) is not None
    ]
    return [
        _parts("T1", t1, "the narrative request count equals Table B", ""),
        _parts("T2", t2, "the narrative 复议/诉讼 counts equal the Table C totals", ""),
        _parts("T3", t3, "the stated sub-counts sum to the stated total", "No stated sub-counts."),
        _parts(
            "T4",
            t4,
            "the narrative carried-over and outcome counts (予以公开, 部分公开, 不予公开) equal Table B",
            "No carried-over or outcome count stated in the text.",
        ),
    ]


def _s_rules(t: Tables, year: int | None, narrative: dict, text: str) -> list[Check]:
    stated = narrative.get("period_year")
    s1 = [_equal("period_year", [stated], [year], {"stated": stated, "year": year})]
    for key, expect in (
        ("period_start", (f"{year}-01-01",) + (("2008-05-01",) if year == 2008 else ())),
        ("period_end", (f"{year}-12-31",)),
    ):
        value = narrative.get(key)
        if value is not None and year is not None:
            value = value.isoformat() if isinstance(value, date) else str(value)
            s1.append((key, "pass" if value in expect else "fail", {"left": value, "right": expect[0]}))
    checks = [_parts("S1", s1, "the statistics period is the report year", "")]
    if year is None or year < 2019:
        return [
            *checks,
            _check("S2", "uncertain", "S2 applies to reports from 2019."),
            _check("S3", "uncertain", "S3 applies to reports from 2019."),
        ]
    lines = [
        ln for ln in text.splitlines() if ln.strip() and (_HEADING_LINE.match(ln) or len(ln.strip()) <= 30)
    ]
    missing = (
        [k for k, rx in HEADINGS.items() if not any(re.search(rx, ln) for ln in lines)] if text else None
    )
    tables = [name for name, part in (("A", t.a), ("B", t.b), ("C", t.c)) if not part]
    if missing is None:
        checks.append(
            _check("S2", "uncertain", "No text to look for the section headings in.", missing_tables=tables)
        )
    elif missing or tables:
        checks.append(
            _check(
                "S2",
                "fail",
                "Section headings or tables of the standard format are missing.",
                missing_headings=missing,
                missing_tables=tables,
            )
        )
    else:
        checks.append(
            _check(
                "S2",
                "pass",
                "All six section headings and Tables A, B and C are present.",
                missing_headings=[],
                missing_tables=[],
            )
        )
    expected = "template2019" if year <= 2020 else "template2021"
    if t.format is None:
        checks.append(_check("S3", "uncertain", "The table format was not recognised.", expected=expected))
    else:
        checks.append(
            _check(
                "S3",
                "pass" if t.format == expected else "fail",
                f"The {year} report uses the {t.format} tables (expected {expected}).",
                format=t.format,
                expected=expected,
            )
        )
    return checks


def run_checks(
    t: Tables,
    *,
    year: int | None,
    level: str | None = None,
    narrative: dict | None = None,
    previous: Tables | None = None,
    previous_year: int | None = None,
    text: str = "",
) -> list[Check]:
    """All rules of domain.md §2.5 on one report (see the module docs)."""
    narrative = narrative or {}
    if previous is not None and previous_year is None and year is not None:
        previous_year = year - 1  # the caller passes the Y-1 report unless it says otherwise
    last = previous if year is not None and previous_year == year - 1 else None
    return [
        *_b_rules(t, previous, year, previous_year),
        *_c_rules(t, last),
        *_a_rules(t, level, last),
        *_t_rules(t, narrative),
        *_s_rules(t, year, narrative, text),
    ]
