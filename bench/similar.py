"""Near-duplicate search benchmark (issue 16): the containment sketch + exact check of
``crawler.stats.neardup`` over synthetic reports, against all-pairs exact comparison.

::

    python bench/similar.py                 # 100,000 reports (~3,500 characters each)
    python bench/similar.py --docs 20000    # a smaller archive
    python bench/similar.py --sample 1000 --strict

Reports come from bench/search.py's ``make_docs`` (section headings, shared stock sentences —
masked as template wording —, agencies, years) with some wording of their own mixed in (real
reports, and the simulator's, have some; without it a synthetic report's only content is the
numbers in the stock sentences and two honest reports "share" most of it by chance).  2 % of
them are copies of an earlier report (the same body's previous year or another body's report of
the same year), of three kinds: *whole* (the name changed or left in, a sentence added), *half*
(half of the original after a shorter text of the copier's own) and *part* (a third of a long
original, alone).

The search (``candidates`` then ``Exact.check``, as the originality stage runs them) is timed on
the whole archive, normalisation included.  On a sample, every pair of the same or consecutive
years is checked exactly (``Exact`` with its upper bound first, then ``compare`` on every pair
the bound does not rule out — the bound never rules out a pair ``compare`` would pass; with
``--strict``, ``compare`` on every pair), and the search must find the same pairs.  The all-pairs
time at full size is extrapolated from the cost of ``compare`` on a pair (measured on sample
pairs) times the number of pairs, plus normalising every report once.  Goal: ≤ 10 minutes for
100,000 reports.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import RARE, SENTENCES, make_docs  # noqa: E402

from crawler.stats.neardup import MIN_REUSE, Doc, Exact, candidates  # noqa: E402
from crawler.stats.originality import compare, normalise  # noqa: E402

THRESHOLD = MIN_REUSE
# the generator's stock sentences, cut at their slots: every synthetic report draws on them, so
# they are its template wording (as the legal format's is for real reports)
TEMPLATE = tuple(p for s in SENTENCES + RARE for p in re.split(r"\{[a-z]\}", s) if len(p) >= 2)
COPY_RATE = 0.02
# words a report's own sentences are drawn from (its own wording: what a copier takes)
WORDS = tuple(
    "档案 台账 窗口 专栏 热线 网格 社区 街巷 园区 企业 农户 学校 医院 车站 码头 水库 河道 山林 耕地 牧场 "
    "补贴 低保 救助 养老 托育 就业 社保 医保 公积金 住房 拆迁 安置 征收 规划 环评 排污 噪声 扬尘 秸秆 "
    "食品 药品 疫苗 特种设备 价格 计量 标准 质量 安全生产 消防 防汛 抗旱 地灾 气象 地震 人防 交通 公交 "
    "出租 停车 路灯 供水 供电 燃气 供暖 垃圾 污水 公厕 绿化 公园 文物 图书馆 体育 旅游 招商 项目 审批 "
    "备案 年检 登记 许可 处罚 检查 抽查 督办 约谈 通报 公示 听证 征求意见 解读 回应 答复 转办 办结 "
    "逐月 按季 每周 当日 限时 全程 线上 线下 上墙 入户 走访 张贴 推送 短信 二维码 触摸屏 公开栏 明白纸".split()
)


def own_sentences(rng: random.Random, size: int) -> str:
    """About ``size`` characters of a report's own wording (random word sequences)."""
    out: list[str] = []
    n = 0
    while n < size:
        s = "".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))) + "。"
        out.append(s)
        n += len(s)
    return "".join(out)


def with_own_wording(rng: random.Random, text: str) -> str:
    """``text`` with some sentences of its own after some of its stock sentences."""
    parts = text.split("。")
    for _ in range(rng.randint(3, 7)):
        at = rng.randrange(len(parts))
        parts[at] += "。" + own_sentences(rng, rng.randint(60, 160)).rstrip("。")
    return "。".join(parts)


def make_archive(n: int, seed: int = 20240601) -> tuple[list[Doc], dict[tuple[str, str], str]]:
    """``n`` reports, 2 % of them copies; returns the docs and the planted (copy, original) pairs
    with their kind (whole, half, part)."""
    rng = random.Random(seed + 1)
    docs: list[Doc] = []
    planted: dict[tuple[str, str], str] = {}
    for i, row in enumerate(make_docs(n, seed)):
        year = row["report_year"]
        text, agency = with_own_wording(rng, row["text"]), row["agency"]
        if docs and rng.random() < COPY_RATE:
            src = docs[rng.randrange(len(docs))]
            if src.year is not None and src.year < 2024:
                year = src.year + rng.choice((0, 1))
                copied = src.text.replace(f"{src.year}年", f"{year}年")
                if year == src.year or rng.random() < 0.5:
                    copied = copied.replace(src.names[0], agency) if rng.random() < 0.5 else copied
                kind = rng.choice(("whole", "half", "part"))
                half, third = len(copied) // 2, len(copied) // 3
                if kind == "whole":
                    text = copied + "下一步，将按照上级部署继续做好相关工作。"
                elif kind == "half":  # the copier's own beginning, then the original's second half
                    text = text[: len(copied) // 4] + "\n" + copied[half:]
                else:  # a third of the original, alone
                    text = copied[third : 2 * third]
                planted[f"d{i:07d}", src.id] = kind
        docs.append(Doc(f"d{i:07d}", agency, year, f"{i:09d}", text, (agency,)))
    return docs, planted


def eligible(a: Doc, b: Doc) -> bool:
    """A pair the bench asks about (a later than b): the same or consecutive years, not the same
    body's report of the same year."""
    if a.year is None or b.year is None or a.year - b.year not in (0, 1):
        return False
    return not (a.body == b.body and a.year == b.year)


def found_by_search(docs: list[Doc]) -> tuple[set[tuple[str, str]], set[tuple[str, str]], int]:
    """The pairs ≥ THRESHOLD the search finds, its candidates, how many of them compared."""
    by_id = {d.id: d for d in docs}
    exact = Exact(TEMPLATE, THRESHOLD)
    pairs: set[tuple[str, str]] = set()
    proposed: set[tuple[str, str]] = set()
    compared = 0
    for later, earlier in candidates(docs, template=TEMPLATE, floor=THRESHOLD):
        a, b = by_id[later], by_id[earlier]
        if not eligible(a, b):
            continue
        proposed.add((later, earlier))
        reuse = exact.check(a, b)
        if reuse is None:
            continue
        compared += 1
        if reuse.overall >= THRESHOLD:
            pairs.add((later, earlier))
    return pairs, proposed, compared


def all_pairs(docs: list[Doc], strict: bool) -> tuple[set[tuple[str, str]], int, int]:
    """Every eligible pair checked exactly; the pairs ≥ THRESHOLD, how many pairs, how many went
    to ``compare``."""
    exact = Exact(TEMPLATE, 0.0 if strict else THRESHOLD)
    pairs: set[tuple[str, str]] = set()
    n = compared = 0
    for x, y in combinations(docs, 2):
        a, b = (x, y) if (x.published, x.id) > (y.published, y.id) else (y, x)
        if not eligible(a, b):
            continue
        n += 1
        reuse = exact.check(a, b)
        if reuse is None:
            continue
        compared += 1
        if reuse.overall >= THRESHOLD:
            pairs.add((a.id, b.id))
    return pairs, n, compared


def compare_cost(docs: list[Doc], pairs: int = 1000) -> tuple[float, float]:
    """Seconds to normalise a report, and to ``compare`` two normalised reports."""
    rng = random.Random(7)
    some = docs[:200]
    started = time.perf_counter()
    norms = [normalise(d.text, d.names, TEMPLATE) for d in some]
    per_doc = (time.perf_counter() - started) / len(some)
    chosen = [(rng.randrange(len(norms)), rng.randrange(len(norms))) for _ in range(pairs)]
    started = time.perf_counter()
    for i, j in chosen:
        compare(norms[i], norms[j])
    return per_doc, (time.perf_counter() - started) / pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--strict", action="store_true", help="compare every sample pair (no bound first)")
    args = parser.parse_args()

    docs, planted = make_archive(args.docs)
    sample = docs[: args.sample]
    started = time.perf_counter()
    exact, n_pairs, n_compared = all_pairs(sample, args.strict)
    t_exact = time.perf_counter() - started
    started = time.perf_counter()
    searched, n_cand, n_cand_compared = found_by_search(sample)
    t_search_sample = time.perf_counter() - started
    per_doc, per_pair = compare_cost(sample)
    print(
        f"sample {args.sample}: all-pairs {n_pairs} pairs checked exactly in {t_exact:.1f} s "
        f"({n_compared} by compare{'' if args.strict else ', the others ruled out by the bound'}), "
        f"{len(exact)} pairs ≥ {THRESHOLD}; search {t_search_sample:.1f} s, {len(n_cand)} candidates, "
        f"{n_cand_compared} compared, {len(searched)} pairs; same pairs: {searched == exact} "
        f"(missed {len(exact - searched)}, extra {len(searched - exact)})"
    )
    started = time.perf_counter()
    found, proposed, n_found_compared = found_by_search(docs)
    t_search = time.perf_counter() - started
    scale = (args.docs / args.sample) ** 2
    t_all = n_pairs * scale * per_pair + args.docs * per_doc
    kinds = ("whole", "half", "part")
    by_kind = {k: [p for p, kind in planted.items() if kind == k] for k in kinds}
    detail = ", ".join(
        f"{k} {sum(p in proposed for p in by_kind[k])}/{sum(p in found for p in by_kind[k])}/{len(by_kind[k])}"
        for k in kinds
    )
    print(
        f"archive {args.docs}: search + exact check {t_search:.1f} s ({len(proposed)} candidates, "
        f"{n_found_compared} compared, {len(found)} pairs ≥ {THRESHOLD}); planted copies proposed "
        f"{sum(p in proposed for p in planted)}/{len(planted)}, found ≥ {THRESHOLD} {sum(p in found for p in planted)}/"
        f"{len(planted)} (proposed/found/planted: {detail}); all-pairs extrapolated {t_all / 3600:.1f} h (compare {per_pair * 1000:.2f} ms a pair × "
        f"{n_pairs * scale:.3g} pairs + normalise {per_doc * 1000:.2f} ms a report), "
        f"{t_all / max(t_search, 1e-9):.0f}× slower; goal ≤ 600 s: {'met' if t_search <= 600 else 'missed'}"
    )


if __name__ == "__main__":
    main()
