"""Originality (issue 16): containment by shingles with the template wording masked, per section,
with the reused passages; near-duplicate candidates (more in test_stats_neardup.py)."""

from __future__ import annotations

import time

import pytest

from crawler.stats.neardup import Doc, candidates
from crawler.stats.originality import compare, leaked_names, normalise

A_NAME, B_NAME = "江州市交通运输局", "宝盛县自然资源局"

TEMPLATE = """本报告依据《中华人民共和国政府信息公开条例》（以下简称《条例》）第五十条编制。
本报告所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。
一、总体情况
{overview}
二、主动公开政府信息情况
第二十条第（一）项
信息内容 本年制发件数 本年废止件数 现行有效件数
规章 0 0 0
行政规范性文件 {n1} 1 {n2}
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量 {r} 0 0 0 0 0 {r}
二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0
四、政府信息公开行政复议、行政诉讼情况
{y}年，{me}因政府信息公开工作被申请行政复议0件，被提起行政诉讼0件。
五、存在的主要问题及改进情况
{problems}
六、其他需要报告的事项
{me}未收取信息处理费。
{name}
"""

OWN_A = dict(
    overview="{y}年，{name}围绕港航建设和综合交通规划，在门户网站开设交通项目审批公示专栏，逐月公开道路运输行政许可办理结果，"
    "并在客运站设置触摸屏查询终端，方便旅客查询班线票价和运力安排。",
    problems="一是农村公路养护资金的公开颗粒度不够细；二是出租车运价调整听证材料上网滞后。"
    "下一步将把养护资金按乡镇逐项列示，听证材料会前十日全文上网。",
)
OWN_B = dict(
    overview="{y}年，{name}以不动产登记便民服务为抓手，公开土地征收补偿安置方案和矿业权出让信息，"
    "在乡镇国土所张贴地质灾害隐患点分布图，组织测绘资质年检结果集中公示。",
    problems="一是耕地保护目标责任考核结果公开不及时；二是林地审批信息公开栏目分散。"
    "下一步将整合审批公示页面，按季度公开耕地占补平衡台账。",
)


def report(name: str, me: str, year: int, own: dict, *, n: int, r: int) -> str:
    fields = {k: v.format(y=year, name=name) for k, v in own.items()}
    return TEMPLATE.format(y=year, name=name, me=me, n1=n, n2=n * 3 + 7, r=r, **fields)


def test_template_only_overlap_scores_about_zero():
    a = report(A_NAME, "我局", 2022, OWN_A, n=12, r=35)
    b = report(B_NAME, "我局", 2022, OWN_B, n=31, r=8)
    reuse = compare(a, b, names_a=[A_NAME], names_b=[B_NAME])
    assert reuse.overall < 0.05 and not reuse.passages
    assert max(reuse.sections.values()) < 0.05


def test_same_body_previous_year_copy_scores_high_per_section():
    old = report(A_NAME, "我局", 2021, OWN_A, n=12, r=35)
    new = report(A_NAME, "我局", 2022, OWN_A, n=14, r=40)  # year and numbers changed, wording kept
    reuse = compare(new, old, names_a=[A_NAME], names_b=[A_NAME])
    assert reuse.overall > 0.8
    assert reuse.sections["overview"] > 0.9 and reuse.sections["problems"] > 0.9
    assert set(reuse.sections) >= {
        "preamble",
        "overview",
        "proactive",
        "requests",
        "review",
        "problems",
        "other",
    }


def test_passages_are_marked_with_offsets_in_both_texts():
    old = report(A_NAME, "我局", 2021, OWN_A, n=12, r=35)
    new = report(A_NAME, "我局", 2022, OWN_A, n=14, r=40)
    reuse = compare(new, old, names_a=[A_NAME], names_b=[A_NAME])
    texts = [p.text for p in reuse.passages]
    assert any("港航建设和综合交通规划" in t for t in texts)
    assert any("养护资金按乡镇逐项列示" in t for t in texts)
    for p in reuse.passages:
        assert new[p.start : p.end] == p.text
        assert old[p.other_start : p.other_end][:4] == p.text[:4] or p.section
    assert [p.as_dict()["section"] for p in reuse.passages]


def test_cross_body_copy_with_the_name_left_in_is_detected():
    original = report(B_NAME, "我局", 2022, OWN_B, n=31, r=8)
    copy = original.replace("我局", "我局")  # copied whole, even the other body's name
    copy = copy.replace(f"{B_NAME}\n", f"{A_NAME}\n")  # only the signature changed
    reuse = compare(copy, original, names_a=[A_NAME], names_b=[B_NAME])
    assert reuse.overall > 0.9
    assert leaked_names(copy, [B_NAME, "宝盛县"], [A_NAME]) == [B_NAME, "宝盛县"]
    assert leaked_names(original, [A_NAME], [B_NAME]) == []


def test_cross_body_copy_with_the_name_changed_is_detected():
    original = report(B_NAME, "我局", 2022, OWN_B, n=31, r=8)
    copy = original.replace(B_NAME, A_NAME)
    assert compare(copy, original, names_a=[A_NAME], names_b=[B_NAME]).overall > 0.9


def test_unknown_structure_is_one_section():
    text = "这是一份没有标准标题的报告，" * 10
    assert normalise(text).sections == [("all", 0, len(normalise(text).chars))]
    assert compare(text, text).sections == {"all": 1.0}


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("一、概述", "overview"),
        ("二、行政机关主动公开政府信息情况", "proactive"),
        ("三、依申请公开政府信息和不予公开政府信息情况", "requests"),
        ("四、政府信息公开的收费及减免情况", "fees"),
        ("五、因政府信息公开工作被申请行政复议、提起行政诉讼情况", "review"),
        ("六、存在的主要问题和改进措施", "problems"),
        ("七、其他需要报告的事项", "other"),
    ],
)
def test_free_form_headings_have_keys(heading, key):
    other = "二、主动公开政府信息情况" if key != "proactive" else "五、存在的主要问题及改进情况"
    text = f"前言文字。\n{other}\n内容一。\n{heading}\n内容二。"
    keys = [k for k, _, _ in normalise(text).sections]
    assert key in keys


def test_a_20000_character_pair_compares_in_a_few_ms():
    a = (report(A_NAME, "我局", 2021, OWN_A, n=12, r=35) * 20)[:20000]
    b = (report(A_NAME, "我局", 2022, OWN_A, n=14, r=40) * 20)[:20000]
    na, nb = normalise(a, [A_NAME]), normalise(b, [A_NAME])
    compare(na, nb)
    started = time.perf_counter()
    for _ in range(5):
        compare(na, nb)
    per_pair = (time.perf_counter() - started) / 5
    assert per_pair < 0.05, per_pair  # a few ms on a quiet machine; generous under load


def test_lsh_proposes_copies_and_orders_them_by_publication():
    a = report(A_NAME, "我局", 2022, OWN_A, n=12, r=35)
    b = report(B_NAME, "我局", 2022, OWN_B, n=31, r=8)
    copy = b.replace(B_NAME, "平林市生态环境局")
    docs = [
        Doc("a", "sa", 2022, "2023-01-10", a, (A_NAME,)),
        Doc("b", "sb", 2022, "2023-01-12", b, (B_NAME,)),
        Doc("c", "sc", 2022, "2023-01-20", copy, ("平林市生态环境局",)),
        Doc("d", "sd", 2019, "2020-01-20", copy, ("平林市生态环境局",)),  # three years apart: never
    ]
    assert set(candidates(docs)) == {("c", "b")}
