"""Consistency rules (crawler.stats.checks): property tests over generated consistent tables,
then one changed cell must fail exactly the rules that involve it; plus unit rows per rule."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.stats.checks import RULES, run_checks
from crawler.stats.tables import A_LAYOUT, B_COLUMNS, C_GROUPS, C_RESULTS, Cell, Tables, b_rows

YEARS = {"template2021": 2022, "template2019": 2020}
LEVEL = "township"  # may not make 规章: A3 is live
SUMMARY_ROWS = ("一", "二", "三.七", "四")
TEXT = "\n".join(
    [
        "某镇2022年政府信息公开工作年度报告",
        "一、总体情况",
        "二、行政机关主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
        "五、存在的主要问题和改进措施",
        "六、其他需要报告的事项",
    ]
)


def num(v: int | float, signed: bool = False) -> Cell:
    return Cell(v, str(v), "number", signed)


def b_table(rows: dict[str, list[int]]) -> dict[str, dict[str, Cell]]:
    return {
        r: {col: num(v) for col, v in zip(B_COLUMNS, [*vals, sum(vals)], strict=True)}
        for r, vals in rows.items()
    }


@st.composite
def worlds(draw, fmt: str):
    """(this year's Tables, last year's Tables, narrative) satisfying every rule."""
    rows = b_rows(fmt)
    outcomes = [r for r in rows if r not in SUMMARY_ROWS]
    b = {r: [0] * 6 for r in rows}
    small = st.integers(0, 6)
    for j in range(6):
        for r in outcomes:
            b[r][j] = draw(small)
        b["三.七"][j] = sum(b[r][j] for r in outcomes)
        b["四"][j] = draw(st.integers(0, 3))
        b["二"][j] = draw(st.integers(0, b["三.七"][j] + b["四"][j]))
        b["一"][j] = b["三.七"][j] + b["四"][j] - b["二"][j]
    c_groups = [[draw(st.integers(0, 4)) for _ in range(4)] for _ in C_GROUPS]
    c_groups[0][0] += sum(c_groups[2])  # C4: lawsuits after reconsideration <= reconsiderations
    c = {
        f"{g}.{r}": num(v)
        for g, parts in zip(C_GROUPS, c_groups, strict=True)
        for r, v in zip(C_RESULTS, [*parts, sum(parts)], strict=True)
    }
    a: dict[str, Cell] = {}
    prev_a: dict[str, Cell] = {}
    for row, cols in A_LAYOUT[fmt]:
        if row == "规章":
            a.update({f"{row}.{col}": num(0) for col in cols})
        elif cols[0] == "本年制发件数":
            before, new = draw(small), draw(small)
            gone = draw(st.integers(0, before + new))
            a.update(
                {
                    f"{row}.本年制发件数": num(new),
                    f"{row}.本年废止件数": num(gone),
                    f"{row}.现行有效件数": num(before + new - gone),
                }
            )
            prev_a[f"{row}.现行有效件数"] = num(before)
        else:
            for col in cols:
                if col == "本年增/减":
                    a[f"{row}.{col}"] = num(draw(st.integers(-5, 5)), signed=True)
                elif col in ("本年收费金额", "采购总金额"):
                    a[f"{row}.{col}"] = num(draw(st.integers(0, 10**6)) / 10**4)
                else:
                    a[f"{row}.{col}"] = num(draw(st.integers(0, 500)))
    if fmt == "template2021":
        prev_a.update({"规章.现行有效件数": num(0)})
    this = Tables(format=fmt, a=a, b=b_table(b), c=c, source="grid")
    last = Tables(
        format=fmt if fmt == "template2021" else "template2019",
        a=prev_a,
        b=b_table({"四": b["二"]}),
        c={"复议.总计": num(draw(st.integers(0, 3)))},
        source="grid",
    )
    parts = [draw(small) for _ in range(draw(st.integers(1, 4)))]
    narrative = {
        "requests_received": sum(b["一"]),
        "reconsideration_total": c["复议.总计"].value,
        "litigation_total": c["诉讼直接.总计"].value + c["诉讼复议后.总计"].value,
        "proactive_disclosures": sum(parts),
        "proactive_parts": parts,
        "period_year": YEARS[fmt],
        "requests_carried_over": sum(b["二"]),
        "replies_granted": sum(b["三.一"]),
        "replies_partial": sum(b["三.二"]),
        "replies_refused": sum(sum(b[f"三.三.{k}"]) for k in range(1, 9)),
    }
    return this, last, narrative


def checks(this: Tables, last: Tables, narrative: dict) -> dict[str, str]:
    year = YEARS[this.format]
    found = run_checks(
        this, year=year, level=LEVEL, narrative=narrative, previous=last, previous_year=year - 1, text=TEXT
    )
    assert [ch.rule for ch in found] == list(RULES)
    assert all(ch.severity == RULES[ch.rule] for ch in found)
    return {ch.rule: ch.result for ch in found}


def baseline(fmt: str) -> dict[str, str]:
    """Every rule passes; A2 does not apply to the 2019 format."""
    out = dict.fromkeys(RULES, "pass")
    if fmt == "template2019":
        out["A2"] = "uncertain"
    return out


def involved(fmt: str, table: str, row: str, col: str, new: float, this: Tables, last: Tables) -> set[str]:
    """The rules that fail when cell (table, row, col) of a consistent report becomes ``new``."""
    if table == "B":
        rules = {"B2"}  # the row total
        if row in SUMMARY_ROWS:
            rules.add("B1")  # 一 + 二 == 三(七) + 四, per column
        if row not in ("一", "二", "四"):
            rules.add("B3")  # 三(七) == sum of the outcome rows, per column
        if row == "二":
            rules.add("B5")  # this year's 二 == last year's 四
        if row == "一" and col == "总计":
            rules.add("T1")  # narrative 收到申请 == B[一][总计]
        if col == "总计" and (row in ("二", "三.一", "三.二") or row.startswith("三.三.")):
            rules.add("T4")  # narrative 结转 / 予以公开 / 部分公开 / 不予公开 == B totals
        if new < 0:
            rules.add("B4")
        return rules
    if table == "C":
        rules = {"C1" if row == "复议" else "C2" if row == "诉讼直接" else "C3"}
        if col == "总计":
            rules.add("T2")  # narrative 复议 / 诉讼 counts == C totals
            totals = {g: this.c[f"{g}.总计"].value for g in C_GROUPS} | {row: new}
            if totals["诉讼复议后"] > totals["复议"] + last.c["复议.总计"].value:
                rules.add("C4")
        return rules
    rules = set()
    if new < 0 and col != "本年增/减":
        rules.add("A1")
    if (
        fmt == "template2021"
        and row in ("规章", "行政规范性文件")
        and col in ("本年制发件数", "本年废止件数", "现行有效件数")
    ):
        rules.add("A2")  # 现行有效 == last year's + 制发 - 废止
    if row == "规章":
        rules.add("A3")  # a township makes no 规章
    return rules


@pytest.mark.parametrize("fmt", ["template2021", "template2019"])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_one_changed_cell_fails_exactly_the_rules_involving_it(fmt, data):
    this, last, narrative = data.draw(worlds(fmt))
    assert checks(this, last, narrative) == baseline(fmt)
    cells = (
        [("A", *k.split(".", 1)) for k in this.a]
        + [("B", r, col) for r in this.b for col in B_COLUMNS]
        + [("C", *k.split(".", 1)) for k in this.c]
    )
    table, row, col = data.draw(st.sampled_from(cells))
    delta = data.draw(st.integers(-3, 3).filter(bool))
    if table == "A":
        old = this.a[f"{row}.{col}"]
        this.a[f"{row}.{col}"] = num(old.value + delta, old.signed)
        new = this.a[f"{row}.{col}"].value
    elif table == "B":
        new = this.b[row][col].value + delta
        this.b[row] = {**this.b[row], col: num(new)}
    else:
        new = this.c[f"{row}.{col}"].value + delta
        this.c[f"{row}.{col}"] = num(new)
    expected = involved(fmt, table, row, col, new, this, last)
    results = checks(this, last, narrative)
    assert {rule for rule, result in results.items() if result == "fail"} == expected, (
        table,
        row,
        col,
        delta,
    )
    assert {rule: r for rule, r in results.items() if rule not in expected} == {
        rule: r for rule, r in baseline(fmt).items() if rule not in expected
    }


# -- unit rows -----------------------------------------------------------------------------------


def tables(fmt: str | None = "template2021", a=None, b=None, c=None) -> Tables:
    return Tables(format=fmt, a=a or {}, b=b or {}, c=c or {}, source="text")


def run(t: Tables, **kw) -> dict:
    kw.setdefault("year", 2022)
    return {ch.rule: ch for ch in run_checks(t, **kw)}


def consistent_b() -> dict[str, dict[str, Cell]]:
    rows = {r: [0] * 6 for r in b_rows("template2021")}
    rows["一"] = [3, 1, 0, 0, 0, 0]
    rows["三.一"] = [2, 1, 0, 0, 0, 0]
    rows["三.七"] = [2, 1, 0, 0, 0, 0]
    rows["四"] = [1, 0, 0, 0, 0, 0]
    return b_table(rows)


def test_blank_na_and_text_cells_make_sums_uncertain():
    b = consistent_b()
    assert run(tables(b=b))["B1"].result == "pass"
    for cell, b4 in (
        (Cell(None, "", "blank"), "uncertain"),
        (Cell(None, "/", "na"), "pass"),
        (Cell(None, "无", "text"), "uncertain"),
    ):
        b["四"] = {**b["四"], "科研机构": cell}
        got = run(tables(b=b))
        assert (got["B1"].result, got["B2"].result, got["B4"].result) == ("uncertain", "uncertain", b4)
        assert got["B1"].operands["uncertain"] == ["科研机构"]
        assert got["B3"].result == "pass"  # 四 is not in B3


def test_failures_name_the_columns_and_operands():
    b = consistent_b()
    b["一"] = {**b["一"], "自然人": num(5)}
    b1 = run(tables(b=b))["B1"]
    assert b1.result == "fail" and b1.severity == "error"
    assert b1.operands["failing"] == [
        {"part": "自然人", "left": 5, "right": 3, "cells": {"一": 5, "二": 0, "三.七": 2, "四": 1}}
    ]
    assert "自然人" in b1.message


@pytest.mark.parametrize(
    ("value", "result"),
    [(num(-1), "fail"), (num(1.5), "fail"), (num(2.0), "pass"), (num(2, signed=True), "pass")],
)
def test_b4_integers_at_least_zero(value, result):
    b = consistent_b()
    b["三.六.3"] = {**b["三.六.3"], "其他": value}
    assert run(tables(b=b))["B4"].result == result


def test_b4_and_b3_need_every_row_of_the_format():
    b = consistent_b()
    del b["三.三.2"]
    got = run(tables(b=b))
    assert (got["B3"].result, got["B4"].result) == ("uncertain", "uncertain")


@pytest.mark.parametrize(
    ("year", "previous_year", "carried", "result"),
    [
        (2022, 2021, 1, "pass"),
        (2022, 2021, 2, "fail"),
        (2022, 2020, 1, "uncertain"),
        (2019, 2018, 1, "uncertain"),
        (None, None, 1, "uncertain"),
    ],
)
def test_b5_chains_carried_requests_across_years(year, previous_year, carried, result):
    b = consistent_b()
    b["二"] = b_table({"二": [1, 0, 0, 0, 0, 0]})["二"]
    b["一"] = b_table({"一": [2, 1, 0, 0, 0, 0]})["一"]
    last = tables(b=b_table({"四": [carried, 0, 0, 0, 0, 0]}))
    got = run(tables(b=b), year=year, previous=last, previous_year=previous_year)
    assert got["B5"].result == result
    assert run(tables(b=b), year=year)["B5"].result == "uncertain"


def c_cells(recon: int, after: int) -> dict[str, Cell]:
    totals = {"复议": recon, "诉讼直接": 0, "诉讼复议后": after}
    return {f"{g}.{r}": num(totals[g] if r in ("维持", "总计") else 0) for g in C_GROUPS for r in C_RESULTS}


@pytest.mark.parametrize(
    ("recon", "after", "prev", "result"),
    [
        (2, 1, None, "pass"),
        (2, 2, None, "pass"),
        (1, 2, None, "uncertain"),
        (1, 2, 1, "pass"),
        (1, 3, 1, "fail"),
    ],
)
def test_c4_lawsuits_after_reconsideration(recon, after, prev, result):
    last = tables(c={"复议.总计": num(prev)}) if prev is not None else None
    got = run(tables(c=c_cells(recon, after)), previous=last)
    assert (got["C1"].result, got["C3"].result) == ("pass", "pass")
    assert (got["C4"].result, got["C4"].severity) == (result, "warning")


@pytest.mark.parametrize(
    ("level", "cell", "result"),
    [
        ("city", num(3), "pass"),
        ("province", num(1), "pass"),
        ("township", num(1), "fail"),
        ("county_dept", Cell(None, "/", "na"), "pass"),
        ("county", num(0), "pass"),
        ("township", Cell(None, "", "blank"), "uncertain"),
        (None, num(0), "uncertain"),
        ("other", num(1), "uncertain"),
    ],
)
def test_a3_only_some_levels_make_rules(level, cell, result):
    a = {"规章.本年制发件数": cell, "规章.本年废止件数": num(0), "规章.现行有效件数": num(0)}
    got = run(tables(a=a), level=level)["A3"]
    assert (got.result, got.severity) == (result, "warning")


@pytest.mark.parametrize(
    ("fmt", "key", "cell", "result"),
    [
        ("template2021", "行政事业性收费.本年收费金额", num(103.3879), "pass"),
        ("template2021", "行政事业性收费.本年收费金额", num(-0.5), "fail"),
        ("template2021", "行政许可.本年处理决定数量", num(2.5), "fail"),
        ("template2021", "行政许可.本年处理决定数量", Cell(None, "/", "na"), "pass"),
        ("template2021", "行政许可.本年处理决定数量", Cell(None, "", "blank"), "uncertain"),
        ("template2019", "行政处罚.本年增/减", num(-253, signed=True), "pass"),
        ("template2019", "行政处罚.处理决定数量", num(-1), "fail"),
        ("template2019", "政府集中采购.采购总金额", num(52.15), "pass"),
    ],
)
def test_a1_cell_types(fmt, key, cell, result):
    a = {f"{row}.{col}": num(0) for row, cols in A_LAYOUT[fmt] for col in cols} | {key: cell}
    assert run(tables(fmt, a=a))["A1"].result == result


def test_a2_stock_of_documents_across_years():
    a = {
        "规章.本年制发件数": num(0),
        "规章.本年废止件数": num(0),
        "规章.现行有效件数": num(0),
        "行政规范性文件.本年制发件数": num(4),
        "行政规范性文件.本年废止件数": num(1),
        "行政规范性文件.现行有效件数": num(13),
    }
    last = tables(a={"规章.现行有效件数": num(0), "行政规范性文件.现行有效件数": num(10)})
    assert run(tables(a=a), previous=last)["A2"].result == "pass"
    last.a["行政规范性文件.现行有效件数"] = num(11)
    a2 = run(tables(a=a), previous=last)["A2"]
    assert (a2.result, a2.severity, a2.operands["failing"][0]["part"]) == (
        "fail",
        "warning",
        "行政规范性文件",
    )
    assert run(tables("template2019", a=a), previous=last)["A2"].result == "uncertain"


@pytest.mark.parametrize(
    ("narrative", "t1", "t2"),
    [
        ({"requests_received": 3, "reconsideration_total": 2, "litigation_total": 1}, "pass", "pass"),
        ({"requests_received": 4, "reconsideration_total": 2, "litigation_total": 1}, "fail", "pass"),
        ({"requests_received": 4, "requests_received_includes_carried_over": True}, "pass", "uncertain"),
        ({"reconsideration_total": 2, "litigation_total": 2}, "uncertain", "fail"),
        ({}, "uncertain", "uncertain"),
    ],
)
def test_t1_t2_narrative_against_tables(narrative, t1, t2):
    b = consistent_b()
    b["二"] = b_table({"二": [1, 0, 0, 0, 0, 0]})["二"]
    b["一"] = b_table({"一": [2, 1, 0, 0, 0, 0]})["一"]
    c = c_cells(2, 0) | {"诉讼直接.维持": num(1), "诉讼直接.总计": num(1)}
    got = run(tables(b=b, c=c), narrative=narrative)
    assert (got["T1"].result, got["T2"].result) == (t1, t2)


@pytest.mark.parametrize(
    ("narrative", "t4", "failing"),
    [
        (
            {"replies_granted": 3, "replies_partial": 0, "replies_refused": 0, "requests_carried_over": 0},
            "pass",
            [],
        ),
        ({"replies_granted": 2}, "fail", ["replies_granted"]),
        ({"replies_granted": 3, "replies_refused": 1}, "fail", ["replies_refused"]),
        ({"requests_carried_over": 1}, "fail", ["requests_carried_over"]),
        ({}, "uncertain", []),
    ],
)
def test_t4_narrative_outcomes_against_table_b(narrative, t4, failing):
    got = run(tables(b=consistent_b()), narrative=narrative)["T4"]  # 予以公开 3, no refusals, nothing carried
    assert (got.result, got.severity) == (t4, "warning")
    assert [f["part"] for f in got.operands.get("failing", [])] == failing


@pytest.mark.parametrize(
    ("narrative", "result"),
    [
        ({"proactive_disclosures": 756, "proactive_parts": [24, 485, 247]}, "pass"),
        ({"proactive_disclosures": 756, "proactive_parts": [24, 485]}, "fail"),
        ({"proactive_disclosures": None, "proactive_parts": [24, 485]}, "uncertain"),
        ({"proactive_disclosures": 756}, "uncertain"),
    ],
)
def test_t3_stated_sub_counts(narrative, result):
    got = run(tables(), narrative=narrative)["T3"]
    assert (got.result, got.severity) == (result, "warning")


@pytest.mark.parametrize(
    ("year", "narrative", "result"),
    [
        (2022, {"period_year": 2022}, "pass"),
        (2022, {"period_year": 2021}, "fail"),
        (2022, {}, "uncertain"),
        (2022, {"period_year": 2022, "period_start": "2022-01-01", "period_end": "2022-12-31"}, "pass"),
        (2022, {"period_year": 2022, "period_end": "2022-06-30"}, "fail"),
        (2008, {"period_year": 2008, "period_start": "2008-05-01"}, "pass"),
    ],
)
def test_s1_statistics_period(year, narrative, result):
    assert run(tables(), year=year, narrative=narrative)["S1"].result == result


def full_tables(fmt: str = "template2021") -> Tables:
    return tables(fmt, a={"规章.本年制发件数": num(0)}, b=consistent_b(), c=c_cells(0, 0))


@pytest.mark.parametrize(
    ("year", "text", "t", "result"),
    [
        (2022, TEXT, full_tables(), "pass"),
        (2022, TEXT.replace("五、存在的主要问题和改进措施", "五、下一步工作"), full_tables(), "fail"),
        (2022, TEXT, tables(b=consistent_b()), "fail"),  # Tables A and C missing (images?)
        (
            2022,
            "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
            "存在的主要问题及改进情况、其他需要报告的事项。",
            full_tables(),
            "fail",
        ),  # listed in prose only
        (2022, "", full_tables(), "uncertain"),
        (2015, TEXT, full_tables(), "uncertain"),
    ],
)
def test_s2_headings_and_tables(year, text, t, result):
    got = run(t, year=year, text=text)["S2"]
    assert (got.result, got.severity) == (result, "warning")


def test_s2_names_what_is_missing():
    got = run(tables(b=consistent_b()), text=TEXT.replace("六、其他需要报告的事项", ""))["S2"]
    assert got.operands == {"missing_headings": ["其他事项"], "missing_tables": ["A", "C"]}


@pytest.mark.parametrize(
    ("year", "fmt", "result"),
    [
        (2019, "template2019", "pass"),
        (2020, "template2019", "pass"),
        (2021, "template2021", "pass"),
        (2022, "template2019", "fail"),
        (2020, "template2021", "fail"),
        (2023, None, "uncertain"),
        (2015, None, "uncertain"),
    ],
)
def test_s3_template_matches_year(year, fmt, result):
    got = run(tables(fmt), year=year)["S3"]
    assert (got.result, got.severity) == (result, "warning")


def test_nothing_found_is_uncertain_not_failed():
    results = {rule: ch.result for rule, ch in run(tables(None)).items()}
    assert "fail" not in results.values()
    assert results["B1"] == results["C1"] == results["A1"] == "uncertain"
