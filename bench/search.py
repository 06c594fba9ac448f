"""Search benchmark: the trigram + unigram FTS5 index of ``storage.search`` against a LIKE scan.

::

    python bench/search.py             # 100,000 synthetic reports of ~3,000 characters
    python bench/search.py --quick     # 10,000
    python bench/search.py --docs 30000 --runs 7 --keep /tmp/search.db

Builds a temporary archive, fills ``report_texts`` with deterministic report-like texts (section
headings of the standard format, template sentences, agencies, years), times ``index_reports``
(+ ``optimize``), reports sizes (file, dbstat per object), then for 1-, 2-, 4-character and phrase
queries (and multi-term ones) times, warm, in the same run:

* ``search(limit=20)`` ranked (bm25) and unranked (``ranked=False``, newest first);
* ``count()`` (the lazy count);
* ``SELECT … WHERE text LIKE '%q%' LIMIT 20`` and the ``count(*)`` LIKE full scan.

It also checks recall: the index count must equal the LIKE count for every single-term query.
Goal: p95 ≤ 50 ms and ≥ 20× faster than the scan.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlite_utils import Database  # noqa: E402

from storage.migrations import migrations  # noqa: E402
from storage.search import count, index_reports, optimize, search  # noqa: E402

HEADINGS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]
PLACES = [
    "杭州市",
    "宁波市",
    "温州市",
    "嘉兴市",
    "湖州市",
    "绍兴市",
    "金华市",
    "衢州市",
    "舟山市",
    "台州市",
    "南京市",
    "无锡市",
    "徐州市",
    "常州市",
    "苏州市",
    "南通市",
    "合肥市",
    "芜湖市",
    "福州市",
    "厦门市",
]
DISTRICTS = ["", "上城区", "西湖区", "滨江区", "鼓楼区", "玄武区", "姑苏区", "吴中区", "海曙区", "鹿城区"]
OFFICES = [
    "人民政府",
    "人民政府办公室",
    "财政局",
    "审计局",
    "发展和改革委员会",
    "教育局",
    "公安局",
    "民政局",
    "司法局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "卫生健康委员会",
    "市场监督管理局",
    "信访局",
    "统计局",
    "医疗保障局",
    "应急管理局",
]
LEVELS = {"人民政府": "government", "人民政府办公室": "office"}
SENTENCES = [
    "{y}年，{a}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外。",
    "全年主动公开政府信息{n}条，其中规范性文件{m}件，政策解读{k}篇。",
    "通过政府门户网站、政务微博、政务微信等渠道及时发布权威信息，回应社会关切。",
    "共收到政府信息公开申请{n}件，其中自然人申请{m}件，法人或其他组织申请{k}件。",
    "本年度因政府信息公开工作被申请行政复议{k}件，提起行政诉讼{m}件。",
    "行政复议结果维持{k}件，纠正{m}件；行政诉讼结果维持{k}件，纠正{m}件。",
    "未发生因政府信息公开引起的行政诉讼败诉情况。",
    "严格落实保密审查制度，做到先审查、后公开，全年未发生泄密事件。",
    "围绕优化营商环境、乡村振兴等重点领域，加大信息公开力度。",
    "深入推进政务公开标准化规范化建设，编制公开事项目录{m}项。",
    "加强政府信息公开工作年度报告的编制和发布，接受社会监督。",
    "存在的主要问题是部分单位对政务公开工作重视不够，公开内容不够全面。",
    "下一步，将进一步完善工作机制，加强业务培训，提升公开质量。",
    "全年举办政府开放日活动{k}次，邀请市民代表参与。",
    "做好财政预算决算信息公开，公开部门预算{m}个。",
    "畅通信访渠道，依法规范办理群众来信来访{n}件。",
    "对行政处罚和行政许可信息实行双公示，公示信息{n}条。",
    "依法受理审计发现问题整改情况公开，及时公开审计结果。",
    "本年度未收取信息处理费。",
    "召开新闻发布会{k}场，发布政策解读材料{m}篇，组织在线访谈{k}期。",
]
RARE = [
    "答复期限超过法定期限的申请{k}件，已督促整改。",
    "复议机关依法作出复议决定，维持原行政行为。",
    "按照规定收取信息处理费{k}元。",
]

QUERIES = {
    "1-char": ["访", "审", "罚", "泄"],
    "2-char": ["复议", "诉讼", "信访", "败诉", "泄密", "审计", "预算", "收费"],
    "4-char": ["行政诉讼", "行政复议", "政务公开", "保密审查", "营商环境", "乡村振兴", "行政处罚", "开放日"],
    "phrase": [
        '"政府信息公开申请"',
        '"答复期限超过法定期限"',
        '"复议机关依法作出复议决定"',
        '"信息处理费"',
        '"杭州市财政局"',
    ],
    "multi": ["行政诉讼 败诉", "乡村振兴 预算", "复议 维持", "复议 OR 泄密", "行政复议 -败诉"],
}


def make_docs(n: int, seed: int = 20240601):
    """Yield ``n`` report rows, deterministic for a seed, about 3,000 characters each."""
    rng = random.Random(seed)
    for i in range(n):
        place, district, office = rng.choice(PLACES), rng.choice(DISTRICTS), rng.choice(OFFICES)
        agency = place + district + office
        year = rng.randint(2008, 2024)
        parts: list[str] = []
        size = 0
        target = rng.randint(2400, 3600)
        heading = 0
        own = rng.sample(SENTENCES, rng.randint(6, 14))  # a report uses some of the phrasing only
        while size < target:
            if heading < len(HEADINGS) and (size == 0 or rng.random() < 0.08):
                parts.append("\n" + HEADINGS[heading] + "\n")
                heading += 1
            pool = RARE if rng.random() < 0.004 else own
            s = rng.choice(pool).format(
                y=year, a=agency, n=rng.randint(10, 9999), m=rng.randint(0, 300), k=rng.randint(0, 30)
            )
            parts.append(s)
            size += len(s)
        text = "".join(parts).strip()
        yield {
            "report_id": f"r{i:07d}",
            "title": f"{agency}{year}年政府信息公开工作年度报告",
            "agency": agency,
            "report_year": year,
            "level": LEVELS.get(office, "department"),
            "region": place,
            "source_id": f"src{PLACES.index(place):02d}",
            "text": text,
            "original": text,
            "updated_at": "2024-06-01T00:00:00",
        }


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p * (len(xs) - 1)))]


def like_term(q: str) -> str | None:
    q = q.strip('"')
    return None if " " in q else q


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--quick", action="store_true", help="10,000 documents")
    ap.add_argument("--runs", type=int, default=5, help="warm runs per query")
    ap.add_argument("--keep", help="write the database here and keep it")
    args = ap.parse_args()
    n = 10_000 if args.quick else args.docs
    tmp = None
    if args.keep:
        path = Path(args.keep)
        path.unlink(missing_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="nianbao-search-")
        path = Path(tmp.name) / "archive.db"
    db = Database(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA cache_size = -262144")
    migrations.apply(db)

    t = time.perf_counter()
    db["report_texts"].insert_all(make_docs(n), batch_size=2000)
    t_fill = time.perf_counter() - t
    chars = db.execute("SELECT sum(length(text)) FROM report_texts").fetchone()[0]
    base = path.stat().st_size
    print(
        f"{n:,} documents, {chars / 1e6:.1f} M characters (avg {chars / n:,.0f}); "
        f"generated + inserted in {t_fill:.1f} s; base DB {base / 1e6:.0f} MB"
    )

    t = time.perf_counter()
    indexed = index_reports(db)
    t_index = time.perf_counter() - t
    t = time.perf_counter()
    optimize(db)
    t_opt = time.perf_counter() - t
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(
        f"index_reports: {indexed:,} rows in {t_index:.1f} s ({indexed / t_index:,.0f} docs/s, "
        f"{chars / t_index / 1e6:.2f} M chars/s); optimize {t_opt:.1f} s; "
        f"re-run index_reports (nothing changed): ",
        end="",
        flush=True,
    )
    t = time.perf_counter()
    again = index_reports(db)
    print(f"{again} rows in {time.perf_counter() - t:.1f} s")
    sizes = dict(
        db.execute(
            "SELECT CASE WHEN name LIKE 'search_docs_fts%' THEN 'trigram FTS' "
            "WHEN name LIKE 'search_chars_fts%' THEN 'unigram FTS' WHEN name LIKE 'search_chars%' THEN 'search_chars' "
            "WHEN name LIKE 'search_docs%' THEN 'search_docs' WHEN name LIKE '%report_texts%' THEN 'report_texts' "
            "ELSE 'other' END AS k, sum(pgsize) FROM dbstat GROUP BY k"
        ).fetchall()
    )
    print(
        f"file {path.stat().st_size / 1e6:,.0f} MB; "
        + ", ".join(f"{k} {v / 1e6:,.0f} MB" for k, v in sorted(sizes.items(), key=lambda kv: -kv[1]))
    )

    conn = db.conn
    print(f"\nwarm latency, ms, {args.runs} runs per query (p50 / p95 over all queries × runs of a category)")
    header = (
        f"{'category':9} {'ranked top20':>15} {'exact-rank top20':>17} {'unranked top20':>15} {'count':>15} {'LIKE top20':>15} "
        f"{'LIKE count':>15} {'×LIKE20':>8} {'×LIKEcnt':>8}  recall"
    )
    print(header)
    for cat, queries in QUERIES.items():
        ranked, exact, unranked, counts, like20, likecnt = [], [], [], [], [], []
        recall_ok = True
        for q in queries:
            search(db, q)  # warm
            ranked += timed(lambda q=q: search(db, q, limit=20), args.runs)  # default: RANK_POOL
            exact += timed(lambda q=q: search(db, q, limit=20, rank_pool=None), args.runs)
            unranked += timed(lambda q=q: search(db, q, limit=20, ranked=False), args.runs)
            counts += timed(lambda q=q: count(db, q), args.runs)
            term = like_term(q) if cat != "multi" else None
            if term:
                pat = f"%{term}%"
                like20 += timed(
                    lambda pat=pat: conn.execute(
                        "SELECT report_id, title FROM report_texts WHERE text LIKE ? OR title LIKE ? LIMIT 20",
                        (pat, pat),
                    ).fetchall(),
                    args.runs,
                )
                cnt = None

                def scan(pat=pat):
                    nonlocal cnt
                    cnt = conn.execute(
                        "SELECT count(*) FROM report_texts WHERE text LIKE ? OR title LIKE ?", (pat, pat)
                    ).fetchone()[0]

                likecnt += timed(scan, 1)
                if cnt != count(db, q):
                    recall_ok = False
                    print(f"  recall mismatch {q}: index {count(db, q)} vs LIKE {cnt}")
        r50, r95 = pct(ranked, 0.5), pct(ranked, 0.95)
        e50, e95 = pct(exact, 0.5), pct(exact, 0.95)
        u50, u95 = pct(unranked, 0.5), pct(unranked, 0.95)
        c50, c95 = pct(counts, 0.5), pct(counts, 0.95)
        if like20:
            l50, l95, s50, s95 = pct(like20, 0.5), pct(like20, 0.95), pct(likecnt, 0.5), pct(likecnt, 0.95)
            ratio20 = f"{l50 / max(u50, 1e-3):8.1f}"
            ratiocnt = f"{s50 / max(c50, 1e-3):8.0f}"
            like_cols = f"{l50:7.1f}/{l95:7.1f} {s50:7.0f}/{s95:7.0f}"
        else:
            like_cols, ratio20, ratiocnt = f"{'-':>15} {'-':>15}", f"{'-':>8}", f"{'-':>8}"
        print(
            f"{cat:9} {r50:7.1f}/{r95:7.1f} {e50:8.1f}/{e95:8.1f} {u50:7.1f}/{u95:7.1f} {c50:7.1f}/{c95:7.1f} {like_cols} "
            f"{ratio20} {ratiocnt}  {'ok' if recall_ok and like20 else ('-' if not like20 else 'MISMATCH')}"
        )
    print(
        "\nranked = the default (the RANK_POOL newest matches scored by BM25 term frequency);"
        " exact-rank = every match ranked by FTS5 bm25 (--exact)."
    )
    print("×LIKE20 = LIKE top-20 p50 ÷ unranked top-20 p50; ×LIKEcnt = LIKE count p50 ÷ index count p50.")
    hits = {q: count(db, q) for qs in QUERIES.values() for q in qs}
    print("hits per query: " + ", ".join(f"{q} {h:,}" for q, h in hits.items()))
    db.close()
    if tmp is not None:
        tmp.cleanup()
    elif args.keep:
        print(f"kept {args.keep} ({os.path.getsize(args.keep) / 1e6:,.0f} MB)")


if __name__ == "__main__":
    main()
