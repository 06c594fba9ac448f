"""Completeness and content-quality rules Q1–Q6 (crawler.stats.quality) and the section splitter
(crawler.stats.sections) on small hand-written texts: pass, fail and uncertain for each rule,
and every fail quotes the text it rests on at its offset."""

from __future__ import annotations

import pytest

from crawler.stats import analyse
from crawler.stats.quality import MIN_OWN_CHARS, QUALITY_RULES, own_chars, quality_checks
from crawler.stats.sections import headings, numeral_value, section_text
from crawler.stats.tables import A_LAYOUT, B_COLUMNS, C_KEYS, Cell, Tables, b_rows

PROBLEMS = (
    "一是部分栏目信息更新不够及时；二是依申请公开答复文书格式还不统一。下一步，将建立栏目更新台账，"
    "每月通报一次，并制定答复文书范本。"
)


def num(v: int | float) -> Cell:
    return Cell(v, str(v), "number")


def tables(
    b: dict[str, int] | None = None, c: dict[str, int] | None = None, fmt: str = "template2021"
) -> Tables:
    """Full Tables A/B/C of ``fmt``, all zero, with the given 总计 cells of B and cells of C."""
    b = b or {}
    rows = {
        r: {col: num(b.get(r, 0) if col in ("自然人", "总计") else 0) for col in B_COLUMNS}
        for r in b_rows(fmt)
    }
    a = {f"{row}.{col}": num(0) for row, cols in A_LAYOUT[fmt] for col in cols}
    return Tables(fmt, a, rows, {k: num((c or {}).get(k, 0)) for k in C_KEYS}, "grid")


def report(
    problems: str = PROBLEMS, other: str = "本年度未收取信息处理费。", overview: str = "", numbers=None
) -> str:
    n = numbers or ["一", "二", "三", "四", "五", "六"]
    return "\n".join(
        [
            "某县人民政府2022年政府信息公开工作年度报告",
            f"{n[0]}、总体情况",
            overview or "2022年，我县共收到政府信息公开申请3件，已办结2件，结转下年度继续办理1件。",
            f"{n[1]}、主动公开政府信息情况",
            "第二十条第（一）项 | 信息内容 | 本年制发件数 |",
            f"{n[2]}、收到和处理政府信息公开申请情况",
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 |",
            f"{n[3]}、政府信息公开行政复议、行政诉讼情况",
            "行政复议 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |",
            f"{n[4]}、存在的主要问题及改进情况",
            problems,
            f"{n[5]}、其他需要报告的事项",
            other,
            "某县人民政府",
        ]
    )


def run(text: str, t: Tables | None = None, year: int | None = 2022) -> dict:
    t = t if t is not None else tables(b={"一": 3, "三.七": 2, "四": 1, "三.一": 2})
    return {c.rule: c for c in quality_checks(t, text, year=year)}


def quotes_hold(check, text: str) -> None:
    def walk(value):
        if isinstance(value, dict):
            if "quote" in value:
                assert text[value["offset"] : value["offset"] + len(value["quote"])] == value["quote"]
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(check.operands)


def test_an_honest_report_passes_every_rule():
    text = report()
    got = run(text)
    assert list(got) == list(QUALITY_RULES)
    assert {r: c.result for r, c in got.items()} == dict.fromkeys(QUALITY_RULES, "pass"), {
        r: c.message for r, c in got.items()
    }
    assert all(c.severity == "warning" for c in got.values())


def test_analyse_runs_the_quality_rules_after_the_consistency_rules():
    rules = [c.rule for c in analyse(report(), year=2022).checks]
    assert rules[-6:] == list(QUALITY_RULES) and "S3" in rules[:-6]


# -- sections ---------------------------------------------------------------------------------
def test_numerals_and_headings():
    assert [numeral_value(s) for s in ("一", "九", "十", "十二", "二十", "二十三", "一一", "")] == [
        1,
        9,
        10,
        12,
        20,
        23,
        None,
        None,
    ]
    text = "（一）主动公开\n五、存在的主要问题及改进情况：一是公开不及时。\n六、其他需要报告的事项\n无。"
    found = headings(text)
    assert [(h.number, h.statutory) for h in found] == [(5, "problems"), (6, "other")]
    assert found[0].title == "存在的主要问题及改进情况"
    h, start, end = section_text(text, found, "problems")
    assert text[start:end].strip() == "：一是公开不及时。"


# -- Q1 ---------------------------------------------------------------------------------------
def test_q1_fails_on_a_heading_without_its_table():
    text = report().replace(
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 |", ""
    )
    t = tables()
    t.b = {}
    q1 = run(text, t)["Q1"]
    assert q1.result == "fail" and [f["table"] for f in q1.operands["failing"]] == ["B"]
    assert q1.operands["failing"][0]["quote"] == "三、收到和处理政府信息公开申请情况"
    quotes_hold(q1, text)


def test_q1_uncertain_when_the_table_text_is_there_or_before_2019():
    t = tables()
    t.b = {}
    assert run(report(), t)["Q1"].result == "uncertain"  # 申请人情况 is in the text: unreadable table
    assert run(report(), year=2017)["Q1"].result == "uncertain"


# -- Q2 ---------------------------------------------------------------------------------------
def test_q2_counts_blank_and_slash_cells():
    t = tables()
    t.b["三.三.1"]["商业企业"] = Cell(None, "/", "na")
    t.b["三.三.2"]["科研机构"] = Cell(None, "", "blank")
    q2 = run(report(), t)["Q2"]
    assert q2.result == "fail" and (q2.operands["count"], q2.operands["blank"], q2.operands["slash"]) == (
        2,
        1,
        1,
    )
    assert {c["cell"] for c in q2.operands["cells"]} == {"B 三.三.1/商业企业", "B 三.三.2/科研机构"}


def test_q2_accepts_slash_in_the_rules_row_and_ignores_money():
    t = tables()
    t.a["规章.本年制发件数"] = Cell(None, "/", "na")
    t.a["行政事业性收费.本年收费金额"] = Cell(None, "/", "na")
    assert run(report(), t)["Q2"].result == "pass"
    t.a["行政许可.本年处理决定数量"] = Cell(None, "/", "na")
    assert run(report(), t)["Q2"].result == "fail"


def test_q2_uncertain_without_tables_or_with_unreadable_cells():
    assert run(report(), Tables(None, {}, {}, {}, "text"))["Q2"].result == "uncertain"
    t = tables()
    t.c["复议.总计"] = Cell(None, "1 0", "text")
    assert run(report(), t)["Q2"].result == "uncertain"


# -- Q3 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "state"),
    [
        ("", "empty"),
        ("无。", "none"),
        ("暂无", "none"),
        (
            "2022年，我县政府信息公开工作取得了一定成效，但仍存在一些不足，与群众的期待还有一定差距。"
            "下一步，我县将继续做好政府信息公开工作，不断提升政府信息公开工作水平。",
            "boilerplate",
        ),
    ],
)
def test_q3_fails_on_an_empty_none_or_boilerplate_section(body, state):
    text = report(problems=body)
    q3 = run(text)["Q3"]
    assert (q3.result, q3.operands["state"]) == ("fail", state)
    quotes_hold(q3, text)


def test_q3_fails_when_the_section_is_missing():
    text = report().replace("五、存在的主要问题及改进情况\n" + PROBLEMS + "\n", "")
    q3 = run(text)["Q3"]
    assert (q3.result, q3.operands["state"]) == ("fail", "missing")


def test_q3_passes_concrete_wording_and_counts_own_characters():
    assert own_chars(PROBLEMS) >= MIN_OWN_CHARS
    assert run(report())["Q3"].operands["state"] == "concrete"
    assert run("某局报告\n存在问题：无")["Q3"].result == "uncertain"  # no recognisable sections


# -- Q4 ---------------------------------------------------------------------------------------
def test_q4_fee_statements():
    assert run(report(other="本年度收取信息处理费400元。"))["Q4"].result == "pass"
    text = report(
        overview="2022年，我县共收到政府信息公开申请3件，未收取信息处理费。",
        other="本年度收取信息处理费400元。",
    )
    q4 = run(text)["Q4"]
    assert q4.result == "fail" and q4.operands["amounts"][0]["value"] == 400
    quotes_hold(q4, text)
    assert run(report(other="无。"))["Q4"].result == "uncertain"
    # a waiver for some requests is no statement about all of them
    waived = report(overview="对3件申请未收取信息处理费。", other="本年度收取信息处理费400元。")
    assert run(waived)["Q4"].result == "pass"


def test_q4_fee_notice_row_and_table_a_fees():
    t = tables(b={"三.六.2": 1})
    text = report(other="本年度未向申请人发出收费通知，未收取信息处理费。")
    assert run(text, t)["Q4"].result == "fail"
    t = tables()
    t.a["行政事业性收费.本年收费金额"] = num(12.5)  # administrative fees, not an FOI fee
    assert run(report(), t)["Q4"].result == "pass"


# -- Q5 ---------------------------------------------------------------------------------------
def test_q5_numbering():
    assert run(report())["Q5"].result == "pass"
    dup = run(report(numbers=["一", "二", "三", "四", "四", "六"]))["Q5"]
    assert dup.result == "fail" and dup.operands["problems"][0]["kind"] == "duplicate"
    gap = run(report(numbers=["一", "二", "三", "四", "六", "七"]))["Q5"]
    assert gap.result == "fail" and gap.operands["problems"][0]["missing"] == [5]
    # a numbered heading of another title fills the gap
    filled = report(numbers=["一", "二", "三", "五", "六", "七"]).replace(
        "五、政府", "四、其他工作情况\n五、政府"
    )
    assert run(filled)["Q5"].result == "pass"
    twins = report() + "\n\n" + report()
    assert run(twins)["Q5"].result == "pass"
    assert run("一、总体情况\n六、其他需要报告的事项")["Q5"].result == "uncertain"


# -- Q6 ---------------------------------------------------------------------------------------
def test_q6_all_closed_against_carried_forward():
    text = report(overview="2022年，我县共收到政府信息公开申请3件，均已按时办结。")
    q6 = run(text)["Q6"]
    assert q6.result == "fail" and q6.operands["failing"][0]["cells"] == {"B 四 总计": 1}
    quotes_hold(q6, text)
    assert run(text, tables(b={"一": 3, "三.七": 3}))["Q6"].result == "pass"
    carried_in = report(overview="上年结转的2件申请均已办结。人大代表建议和政协提案均已办结。")
    assert run(carried_in)["Q6"].result == "pass"


def test_q6_no_cases_and_no_requests():
    t = tables(b={"一": 3, "三.七": 2, "四": 1}, c={"复议.维持": 1, "复议.总计": 1})
    text = report(overview="本年度未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。")
    q6 = run(text, t)["Q6"]
    assert q6.result == "fail" and q6.operands["failing"][0]["cells"] == {"C 复议 总计": 1, "C 诉讼 总计": 0}
    only_suits = report(overview="本年度未被提起政府信息公开行政诉讼。")
    assert run(only_suits, t)["Q6"].result == "pass"
    none = report(overview="2022年，我县未收到政府信息公开申请。")
    assert run(none)["Q6"].result == "fail"
    assert run(none, tables(b={"一": 0}))["Q6"].result == "pass"
    assert run(none, Tables(None, {}, {}, {}, "text"))["Q6"].result == "uncertain"


def test_quotes_point_into_the_original_text():
    # full-width digits and a zero-width space before the claim: offsets still match the original
    text = report(overview="\u200b２０２２年，我县共收到政府信息公开申请３件，均已按时办结。")
    q6 = run(text)["Q6"]
    assert q6.result == "fail"
    quotes_hold(q6, text)


def test_q2_blank_in_flattened_text_is_uncertain_and_q1_on_a_cut_excerpt():
    t = tables()
    t.source = "text"
    t.b["三.三.2"]["科研机构"] = Cell(None, "", "blank")
    assert run(report(), t)["Q2"].result == "uncertain"  # a PDF's lost cell looks the same
    t.b["三.三.1"]["商业企业"] = Cell(None, "/", "na")
    assert run(report(), t)["Q2"].result == "fail"  # an explicit "/" is never lost
    cut = report().split("三、收到和处理")[0].replace("第二十条第（一）项 | 信息内容 | 本年制发件数 |", "")
    t = tables()
    t.a = {}
    assert run(cut, t)["Q1"].result == "uncertain"  # the excerpt ends inside section 二
