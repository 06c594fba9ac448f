"""Near-duplicate search (issue 16): the containment sketch proposes every copy — whole, half of a
report inside a longer one, a short part of a long one, with the body's name changed — and
nothing for honest reports that share only the template; the exact check agrees with compare."""

from __future__ import annotations

import random

import numpy as np

from crawler.stats.neardup import (
    MIN_REUSE,
    Doc,
    Exact,
    candidates,
    max_df,
    position_hashes,
    reach,
)
from crawler.stats.originality import compare, normalise

WORDS = (
    "档案 台账 窗口 专栏 热线 网格 社区 园区 企业 农户 学校 医院 车站 码头 水库 河道 耕地 补贴 低保 救助 "
    "养老 托育 就业 社保 医保 住房 安置 征收 规划 环评 排污 扬尘 食品 药品 价格 计量 消防 防汛 地灾 公交 "
    "停车 路灯 供水 燃气 垃圾 污水 公园 文物 旅游 招商 项目 审批 备案 登记 许可 检查 督办 约谈 通报 听证 "
    "解读 回应 答复 办结 逐月 按季 限时 线上 入户 走访 张贴 推送 短信 触摸屏 明白纸"
).split()

FORMAT = """本报告依据《中华人民共和国政府信息公开条例》第五十条编制。
一、总体情况
{y}年，{name}{overview}
二、主动公开政府信息情况
规章 0 0 0
行政规范性文件 {n} 1 {m}
三、收到和处理政府信息公开申请情况
{requests}
四、政府信息公开行政复议、行政诉讼情况
{y}年，我局因政府信息公开工作被申请行政复议0件，被提起行政诉讼0件。
五、存在的主要问题及改进情况
{problems}
六、其他需要报告的事项
我局未收取信息处理费。
{name}
"""


def own(rng: random.Random, size: int) -> str:
    """About ``size`` characters of wording of a body's own (random word sequences)."""
    out = ""
    while len(out) < size:
        out += "".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))) + "。"
    return out


def report(rng: random.Random, name: str, year: int, size: int = 400) -> str:
    return FORMAT.format(
        y=year,
        name=name,
        n=rng.randint(10, 99),
        m=rng.randint(100, 999),
        overview=own(rng, size),
        requests=own(rng, size // 2),
        problems=own(rng, size // 2),
    )


def honest(n: int, seed: int = 1) -> list[Doc]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        name = f"第{i}号县{rng.choice(['财政局', '教育局', '民政局'])}"
        docs.append(
            Doc(f"h{i}", f"s{i}", 2022, f"2023-01-{1 + i % 28:02d}T{i:05d}", report(rng, name, 2022), (name,))
        )
    return docs


def found(docs: list[Doc], threshold: float = MIN_REUSE) -> set[tuple[str, str]]:
    """Candidate pairs whose exact check reaches the threshold."""
    by_id = {d.id: d for d in docs}
    exact = Exact(floor=threshold)
    out = set()
    for later, earlier in candidates(docs, floor=threshold):
        reuse = exact.check(by_id[later], by_id[earlier])
        if reuse is not None and reuse.overall >= threshold:
            out.add((later, earlier))
    return out


def test_honest_reports_sharing_only_the_template_make_no_pair():
    docs = honest(40)
    assert found(docs, 0.2) == set()
    by_id = {d.id: d for d in docs}
    assert len(set(candidates(docs))) <= 2  # a chance shared phrase at most: the template is not sampled
    # and the exact comparison agrees on every pair
    a, b = by_id["h3"], by_id["h7"]
    assert compare(a.text, b.text, names_a=a.names, names_b=b.names).overall < 0.05


def test_a_copied_half_inside_a_longer_report_is_found():
    docs = honest(30, seed=2)
    rng = random.Random(5)
    long_original = Doc(
        "long", "sl", 2022, "2023-01-02", report(rng, "江州市交通运输局", 2022, 2400), ("江州市交通运输局",)
    )
    half = long_original.text[len(long_original.text) // 2 :]
    # a later report: a beginning of its own, then half of the long original
    copier = Doc(
        "half", "sc", 2022, "2023-03-01", own(rng, len(half) // 3) + "\n" + half, ("宝盛县自然资源局",)
    )
    # a short report that is a part of a long one, alone (high containment, low Jaccard)
    part = Doc("part", "sp", 2023, "2024-02-01", long_original.text[800:1400], ("平林市生态环境局",))
    pairs = found([*docs, long_original, copier, part])
    assert pairs == {("half", "long"), ("part", "long")}


def test_a_copy_with_the_body_name_changed_is_found():
    docs = honest(30, seed=3)
    original = docs[9]
    new_name = "平林市生态环境局"
    text = original.text.replace(original.names[0], new_name)
    copy = Doc("copy", "sx", 2023, "2024-01-15", text, (new_name,))
    assert found([*docs, copy]) == {("copy", original.id)}
    reuse = Exact().check(copy, original)
    assert reuse is not None and reuse.overall > 0.9


def test_the_later_publication_is_the_copy_and_years_must_be_close():
    docs = honest(10, seed=4)
    original = docs[0]
    copy = Doc("copy", "sx", 2022, "2022-06-01", original.text, ("某某县统计局",))  # published earlier
    far = Doc("far", "sy", 2019, "2030-01-01", original.text, ("某某县审计局",))  # three years apart
    pairs = set(candidates([*docs, copy, far]))
    assert (original.id, "copy") in pairs and ("copy", original.id) not in pairs
    assert not [p for p in pairs if "far" in p]


def test_wording_in_more_reports_than_max_df_links_none_of_them():
    assert max_df(40) < 40
    rng = random.Random(6)
    shared = own(rng, 600)  # not in the template list, yet in every report: boilerplate
    docs = [
        Doc(
            d.id,
            d.body,
            d.year,
            d.published,
            d.text.replace("六、其他需要报告的事项", shared + "\n六、其他需要报告的事项"),
            d.names,
        )
        for d in honest(40, seed=7)
    ]
    assert set(candidates(docs)) == set()


def test_the_exact_check_is_compare_and_its_bound_never_cuts_a_pair():
    docs = honest(12, seed=8)
    left_in = Doc("left", "sl", 2022, "2023-05-01", docs[2].text, ("宝盛县自然资源局",))  # name left in
    renamed = Doc(
        "renamed", "sr", 2022, "2023-05-02", docs[3].text.replace(docs[3].names[0], "平林市"), ("平林市",)
    )
    half = Doc("half", "sh", 2022, "2023-05-03", docs[4].text[: len(docs[4].text) // 2], ("江州市",))
    everything = [*docs, left_in, renamed, half]
    exact = Exact(floor=0.0)
    for a in everything:
        for b in everything:
            if a is b:
                continue
            want = compare(a.text, b.text, names_a=a.names, names_b=b.names)
            got = exact.check(a, b)
            assert got is not None
            assert (got.overall, got.sections, got.passages_json()) == (
                want.overall,
                want.sections,
                want.passages_json(),
            )
            na = normalise(a.text, (*a.names, *b.names))
            nb = normalise(b.text, (*a.names, *b.names))
            bound = reach(na, position_hashes(na), np.unique(position_hashes(nb)))
            assert bound >= want.overall
    assert Exact().check(docs[0], docs[1]) is None  # honest: ruled out before compare
    reuse = Exact().check(left_in, docs[2])
    assert reuse is not None and reuse.overall > 0.9
