"""Compliance benchmark: verdicts for every (agency, report year) vs reading the same rows.

::

    python bench/compliance.py                     # 100,000 agencies x 17 report years (2008-2024)
    python bench/compliance.py --agencies 2000     # smoke run (~20 s, mostly interpreter start-ups)
    python bench/compliance.py --profile           # also cProfile one compute_verdicts run
    python bench/compliance.py --db /tmp/x --rebuild

Builds once, and caches in ``--db`` (a data directory; default
``/tmp/nianbao-bench-compliance-<N>``), an ``archive.db`` made by ``storage.db.open_db`` with N
agencies crawled by three runs (2025-01-20, 2025-02-05, 2025-04-10): ``runs``, ``source_runs``
(mostly ok; ~4 % blocked:waf, some partial, a few unreachable or empty), 1-3 ``listing_snapshots``
per agency and run (304 replays included) whose ``report_urls`` list what the column showed then,
the agencies' ``reports`` (meta/page/list/url date candidates, some untrusted, a few back-dated,
re-posts, other bodies' reports, unidentified links) and a ``documents`` row per URL read.
Report years 2008-2024, as of 2025-04-10: on time, late, missing, published between runs,
pending (townships with a 06-30 local rule), unknown.  ``bench.json`` beside the archive marks
a finished build (delete it, or pass ``--rebuild``, to build again).

Then, each measurement in a fresh subprocess (reaped with ``os.wait4`` for its peak RSS):

* **read** (the baseline): the very SELECTs ``load_captures`` and ``load_reports`` issue
  (traced with ``set_trace_callback`` on an empty database), every row iterated as tuples,
  nothing decided; also plain ``select *`` scans of ``listing_snapshots`` and ``reports``;
* **end to end**: ``compute_verdicts(db, sources, as_of, Policy())`` (loaders + decisions +
  ``as_dict``), read and end to end alternated ``--repeat`` times, best of each;
* **parts** (one subprocess): the loaders, ``source_verdicts`` over the preloaded inputs (the
  pure decision) and ``as_dict``, each best of ``--repeat`` (called directly, so with whatever
  garbage-collector setting the interpreter has; they need not add up to the end-to-end time).

The ``verdicts/s`` column is the verdict count over that line's seconds (for the read lines:
the rate the read alone would allow); ``x read`` is seconds over the read baseline's.

The figure is the ratio end-to-end seconds / read seconds.  ``--profile`` adds a cProfile
listing of one end-to-end run (its own subprocess, so the figures are not skewed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.compliance.deadlines import expected_deadline  # noqa: E402
from crawler.compliance.verdicts import Policy, source_verdicts, years_due  # noqa: E402
from crawler.items import report_id  # noqa: E402
from crawler.registry.sources import Source  # noqa: E402
from crawler.stages.check import compute_verdicts, source_info  # noqa: E402
from storage import compliance as store  # noqa: E402
from storage.db import DB_NAME, memory_db, open_db  # noqa: E402

GENERATOR_VERSION = 1  # bump when the generated archive changes: cached builds are rebuilt
AS_OF = date(2025, 4, 10)
YEARS = range(2008, AS_OF.year)  # 17 report years
CST = timezone(timedelta(hours=8))
RUN_DAYS = (date(2025, 1, 20), date(2025, 2, 5), date(2025, 4, 10))
RUN_HOURS = 6  # a run walks every agency between 02:00 and 08:00
RUN_ARGS = json.dumps({"source_ids": [], "sources_path": None, "years": None}, sort_keys=True)

PLACES = [
    "杭州市",
    "宁波市",
    "温州市",
    "嘉兴市",
    "湖州市",
    "绍兴市",
    "金华市",
    "衢州市",
    "南京市",
    "苏州市",
    "合肥市",
    "福州市",
    "厦门市",
    "济南市",
    "郑州市",
    "武汉市",
    "长沙市",
    "成都市",
    "昆明市",
    "西安市",
]
COUNTIES = [
    "上城区",
    "西湖区",
    "滨江区",
    "鼓楼区",
    "玄武区",
    "姑苏区",
    "吴中区",
    "海曙区",
    "鹿城区",
    "临安区",
    "安吉县",
    "德清县",
    "长兴县",
    "桐庐县",
    "淳安县",
    "建德市",
    "义乌市",
    "东阳市",
    "永康市",
    "兰溪市",
]
DEPTS = [
    "财政局",
    "审计局",
    "发展和改革局",
    "教育局",
    "公安局",
    "民政局",
    "司法局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "卫生健康局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "应急管理局",
    "人力资源和社会保障局",
    "商务局",
    "文化和旅游局",
]
TOWNS = [
    "城关镇",
    "新塘街道",
    "临江镇",
    "东湖街道",
    "白塔乡",
    "南山镇",
    "北苑街道",
    "青石镇",
    "柳桥乡",
    "石门镇",
]
LEVELS = {  # kind -> (level, weight)
    "region": (("province", 1), ("city", 10), ("county", 89)),
    "dept": (("state_council_dept", 1), ("province_dept", 5), ("city_dept", 24), ("county_dept", 70)),
    "township": (("township", 1),),
}
# diligence class -> (P(report of a year published), P(on time | published))
CLASSES = {"good": (0.97, 0.95), "average": (0.86, 0.80), "poor": (0.55, 0.50)}


# -- the agencies ----------------------------------------------------------------------------------


def _pick(rng: random.Random, weighted) -> str:
    names, weights = zip(*weighted, strict=True)
    return rng.choices(names, weights)[0]


def agency(i: int, seed: int) -> tuple[Source, random.Random]:
    """Agency ``i`` as a registry ``Source``, and its random stream positioned after the source draws."""
    rng = random.Random(seed * 1_000_003 + i)
    r = rng.random()
    kind = "region" if r < 0.12 else "dept" if r < 0.80 else "township"
    level = _pick(rng, LEVELS[kind])
    place, county = rng.choice(PLACES), rng.choice(COUNTIES)
    name = {
        "region": place + county + "人民政府",
        "dept": place + county + rng.choice(DEPTS),
        "township": place + county + rng.choice(TOWNS) + "人民政府",
    }[kind]
    first_year = 2008 if rng.random() < 0.82 else rng.choice((2010, 2014, 2017, 2019, 2021))
    deadline = None
    if kind == "township":
        r = rng.random()
        deadline = "03-31" if r < 0.10 else "06-30" if r < 0.13 else None
    sid = f"ag{i:06d}"
    host = f"www.{sid}.gov.cn"
    src = Source(
        id=sid,
        agency=name,
        level=level,
        kind=kind,
        urls=(f"https://{host}/col/col{1000 + i % 9000}/index.html",),
        region=f"{330000 + i % 9999:06d}",
        cms=rng.choice(("auto", "trs", "hanweb")),
        encoding="auto",
        first_year=first_year,
        deadline=deadline,
        enabled=True,
        note="",
        allowed_hosts=(host,),
        max_pages=50,
    )
    return src, rng


def make_sources(n: int, seed: int) -> list[Source]:
    return [agency(i, seed)[0] for i in range(n)]


# -- the archive -----------------------------------------------------------------------------------


class Builder:
    """Generates the rows of every agency; run-1 rows go straight to SQLite, later runs' rows are
    written after them, so row order (snapshot ids, report rowids) follows the crawls."""

    SNAP_SQL = (
        "insert into listing_snapshots (run_id, source_id, column_url, url, fetch_id, fetched_at, status, "
        "items, report_urls, basis_fetch_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    SR_SQL = (
        "insert into source_runs (run_id, source_id, status, listing_pages, listing_ok, blocked, errors, "
        "reports_seen, reports_new, detail) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    REP_SQL = (
        "insert into reports (id, source_id, agency, agency_source, own, report_year, title, url, document_id, "
        "listing_url, published_at, published_at_source, date_candidates, first_seen_at, last_seen_at, "
        "first_fetch_id, format, cms, exclusion) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    DOC_SQL = (
        "insert into documents (id, url, kind, source_id, first_seen_at, last_seen_at, last_checked_at, sha256, "
        "payload_sha256, content_type, last_fetch_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )

    def __init__(self, db, n: int, seed: int) -> None:
        self.db, self.n, self.seed = db, n, seed
        self.fetch_id = 0
        self.doc_id = 0
        self.uid = 0
        self.run_start = [datetime(d.year, d.month, d.day, 2, 0, tzinfo=CST) for d in RUN_DAYS]
        # rows per run: snapshots, source_runs, reports, documents
        self.rows = [{"snap": [], "sr": [], "rep": [], "doc": []} for _ in RUN_DAYS]
        self.counts: Counter = Counter()

    def next_fetch(self) -> int:
        self.fetch_id += 1
        return self.fetch_id

    def add_doc(self, run: int, url: str, kind: str, sid: str, seen: str, last: str, fetch: int) -> int:
        self.doc_id += 1
        h = hashlib.blake2b(url.encode(), digest_size=32).hexdigest()
        ctype = "application/pdf" if url.endswith(".pdf") else "text/html"
        self.rows[run]["doc"].append((self.doc_id, url, kind, sid, seen, last, last, h, h, ctype, fetch))
        return self.doc_id

    def flush(self, run: int) -> None:
        rows, conn = self.rows[run], self.db.conn
        conn.executemany(self.DOC_SQL, rows["doc"])
        conn.executemany(self.REP_SQL, rows["rep"])
        conn.executemany(self.SNAP_SQL, rows["snap"])
        conn.executemany(self.SR_SQL, rows["sr"])
        for k, v in rows.items():
            self.counts[k] += len(v)
            v.clear()

    def build(self) -> None:
        conn = self.db.conn
        conn.execute("BEGIN")
        for r, (day, start) in enumerate(zip(RUN_DAYS, self.run_start, strict=True), 1):
            end = start + timedelta(hours=RUN_HOURS)
            conn.execute(
                "insert into runs (id, started_at, finished_at, finish_reason, command, args, stats, version) "
                "values (?, ?, ?, 'finished', 'crawl', ?, '{}', '0.1.0')",
                [r, start.isoformat(timespec="seconds"), end.isoformat(timespec="seconds"), RUN_ARGS],
            )
            assert day == start.date()
        for i in range(self.n):
            self.agency(i)
            if len(self.rows[0]["rep"]) > 50_000:
                self.flush(0)
        self.flush(0)
        self.flush(1)
        self.flush(2)
        conn.execute("COMMIT")

    # one agency: its reports, then what each run saw
    def agency(self, i: int) -> None:
        src, rng = agency(i, self.seed)
        host = src.allowed_hosts[0]
        cls = _pick(rng, (("good", 60), ("average", 30), ("poor", 10)))
        p_pub, p_on_time = CLASSES[cls]
        always_blocked = rng.random() < 0.03
        style = _pick(rng, (("hanweb", 40), ("trs", 35), ("pdf", 25)))
        links = []  # dict(url, year, pub, own, kind, cands, title, repost_of)
        for y in range(src.first_year, AS_OF.year):
            due = expected_deadline(src.kind, y, override=src.deadline).due
            if rng.random() >= p_pub - (0.12 if y <= 2012 else 0.0):
                continue  # never published
            if rng.random() < p_on_time:
                earliest = date(y + 1, 1, 5)
                pub = (
                    date(y, 12, rng.randint(20, 31))
                    if rng.random() < 0.02
                    else due - timedelta(days=rng.randint(0, (due - earliest).days))
                )
            else:
                pub = due + timedelta(days=1 + int(rng.expovariate(1 / 40)))
            if pub >= AS_OF:
                continue  # not published yet
            links.append(self.report_link(rng, src, style, y, pub, due))
            if rng.random() < 0.02:  # re-posted later under a new URL
                later = max(pub, RUN_DAYS[0]) + timedelta(days=rng.randint(1, 60))
                if later < AS_OF:
                    links.append(self.report_link(rng, src, style, y, later, due, repost=True))
        for _ in range(rng.random() < 0.03 and rng.randint(1, 2)):  # another body's report in the column
            self.uid += 1
            y = rng.randint(2015, 2023)
            links.append(
                {
                    "url": f"https://{host}/art/{y + 1}/3/{rng.randint(1, 28)}/art_9_{self.uid}.html",
                    "year": y,
                    "pub": date(y + 1, 3, 1),
                    "own": 0,
                    "kind": "other",
                }
            )
        for _ in range(rng.random() < 0.05 and rng.randint(1, 3)):  # read, found not to be a report
            self.uid += 1
            links.append(
                {
                    "url": f"https://{host}/art/2023/6/1/art_7_{self.uid}.html",
                    "year": None,
                    "pub": date(2023, 6, 1),
                    "own": 0,
                    "kind": "notreport",
                }
            )
        if rng.random() < 0.003:  # own report whose year could not be read
            self.uid += 1
            links.append(
                {
                    "url": f"https://{host}/art/2020/2/1/art_5_{self.uid}.html",
                    "year": None,
                    "pub": date(2020, 2, 1),
                    "own": 1,
                    "kind": "noyear",
                    "title": f"{src.agency}政府信息公开工作年度报告",
                }
            )
        links.sort(key=lambda lk: lk["pub"], reverse=True)
        per_page = rng.choice((8, 10, 12, 15, 20))
        self.crawl(i, rng, src, links, per_page, always_blocked)

    def report_link(
        self, rng: random.Random, src: Source, style: str, y: int, pub: date, due: date, repost: bool = False
    ) -> dict:
        self.uid += 1
        host = src.allowed_hosts[0]
        if style == "hanweb":
            url = f"https://{host}/art/{pub.year}/{pub.month}/{pub.day}/art_{1229 + self.uid % 50}_{self.uid}.html"
        elif style == "trs":
            url = f"https://{host}/zwgk/ndbg/{pub:%Y%m}/t{pub:%Y%m%d}_{self.uid}.html"
        else:
            url = f"https://{host}/module/download/downfile.jsp?classid=0&filename={self.uid:08x}.pdf"
        stated = pub
        if y == AS_OF.year - 1 and pub > due and due < RUN_DAYS[1] <= pub and rng.random() < 0.25:
            stated = due - timedelta(days=rng.randint(0, 10))  # back-dated: states a date before the deadline
        return {
            "url": url,
            "year": y,
            "pub": pub,
            "stated": stated,
            "own": 1,
            "kind": "report",
            "style": style,
            "title": f"{src.agency}{y}年政府信息公开工作年度报告" + ("（更新）" if repost else ""),
        }

    @staticmethod
    def candidates(rng: random.Random, link: dict, first_seen: date) -> list[dict]:
        d, y = link["stated"], link["year"]
        out = []
        if link["style"] == "pdf":  # a bare file: only the column's date, if any
            if rng.random() < 0.6:
                out.append(
                    {
                        "date": d.isoformat(),
                        "source": "list",
                        "raw": d.isoformat(),
                        "trusted": True,
                        "note": "",
                    }
                )
            return out
        if rng.random() < 0.6:
            r = rng.random()
            if r < 0.04:  # PubDate that is only the page-generation time
                raw = f"{first_seen} 03:{rng.randint(10, 59)}"
                out.append(
                    {
                        "date": first_seen.isoformat(),
                        "source": "meta",
                        "raw": raw,
                        "trusted": False,
                        "note": f"equals 页面生成时间 {raw}",
                    }
                )
            elif r < 0.05:
                out.append(
                    {
                        "date": "1970-01-01",
                        "source": "meta",
                        "raw": "1970-01-01 08:00:00",
                        "trusted": False,
                        "note": "epoch",
                    }
                )
            else:
                out.append(
                    {
                        "date": d.isoformat(),
                        "source": "meta",
                        "raw": f"{d} {rng.randint(8, 18)}:{rng.randint(10, 59)}",
                        "trusted": True,
                        "note": "",
                    }
                )
        if rng.random() < 0.7:
            out.append(
                {
                    "date": d.isoformat(),
                    "source": "page",
                    "raw": f"发布日期：{d}",
                    "trusted": True,
                    "note": "",
                }
            )
        elif rng.random() < 0.03:  # a date of the wrong kind (成文日期 inside the reporting year)
            w = date(y, rng.randint(1, 11), 15)
            out.append(
                {
                    "date": w.isoformat(),
                    "source": "page",
                    "raw": f"成文日期：{w}",
                    "trusted": True,
                    "note": "",
                }
            )
        if rng.random() < 0.5:
            out.append(
                {"date": d.isoformat(), "source": "list", "raw": d.isoformat(), "trusted": True, "note": ""}
            )
        pub = link["pub"]  # the URL carries the real posting date
        out.append(
            {"date": pub.isoformat(), "source": "url", "raw": link["url"], "trusted": True, "note": ""}
        )
        return out

    def crawl(
        self, i: int, rng: random.Random, src: Source, links: list[dict], per_page: int, always_blocked: bool
    ) -> None:
        sid, col = src.id, src.urls[0]
        first_seen: dict[str, tuple[int, str, int]] = {}  # link url -> (run index, seen_at, fetch id)
        last_seen: dict[str, str] = {}
        page_seen: dict[
            str, tuple[int, str, str, int]
        ] = {}  # page url -> (run, first, last fetched_at, fetch)
        previous: dict[str, tuple[tuple[str, ...], int]] = {}  # page url -> (urls, basis fetch)
        offset = timedelta(seconds=int(RUN_HOURS * 3600 * i / max(self.n, 1)))
        for run, (day, start) in enumerate(zip(RUN_DAYS, self.run_start, strict=True)):
            at = start + offset
            r = rng.random()
            status = (
                "blocked:waf"
                if always_blocked or r < 0.01
                else "partial"
                if r < 0.025
                else "unreachable"
                if r < 0.029
                else "ok"
            )
            visible = [lk for lk in links if lk["pub"] < day]
            urls = [lk["url"] for lk in visible]  # the column lists newest first
            if status == "ok" and rng.random() < 0.015:  # a link whose detail fetch failed: unidentified
                self.uid += 1
                urls.insert(0, f"https://{src.allowed_hosts[0]}/art/{day.year}/1/2/art_3_{self.uid}.html")
            size = max(per_page, -(-len(urls) // 3))  # 1-3 pages
            pages = [urls[k : k + size] for k in range(0, len(urls), size)] or [[]]
            snaps, counts, read = [], Counter(), []
            fetched = at.isoformat(timespec="seconds")
            for p, page_urls in enumerate(pages):
                url = col if p == 0 else col.replace("index.html", f"index_{p}.html")
                fetched = (at + timedelta(seconds=3 * p)).isoformat(timespec="seconds")
                fid = self.next_fetch()
                if status != "ok" and status != "partial":  # blocked or unreachable: the first page fails
                    st = status if status.startswith("blocked") else "error:timeout"
                    snaps.append((run + 1, sid, col, url, fid, fetched, st, 0, "[]", fid))
                    counts[st] += 1
                    break
                if status == "partial" and p == 1:  # the walk breaks on page 2: the rest is never seen
                    snaps.append((run + 1, sid, col, url, fid, fetched, "http:500", 0, "[]", fid))
                    counts["http:500"] += 1
                    break
                tup = tuple(page_urls)
                basis = fid
                prev = previous.get(url)
                if prev is not None and prev[0] == tup and rng.random() < 0.8:
                    basis = prev[1]  # 304 Not Modified: the earlier capture replayed
                previous[url] = (tup, basis)
                snaps.append(
                    (
                        run + 1,
                        sid,
                        col,
                        url,
                        fid,
                        fetched,
                        "ok",
                        len(page_urls) + rng.randint(0, 3),
                        json.dumps(page_urls),
                        basis,
                    )
                )
                counts["ok"] += 1
                read.extend(page_urls)
                first = page_seen.get(url)
                page_seen[url] = (
                    (first[0], first[1], fetched, first[3]) if first else (run, fetched, fetched, fid)
                )
            if status == "partial" and len(pages) == 1:  # a one-page column: its year sub-column failed
                fid = self.next_fetch()
                url = col.replace("index.html", f"{day.year - 1}/index.html")
                snaps.append((run + 1, sid, col, url, fid, fetched, "http:500", 0, "[]", fid))
                counts["http:500"] += 1
            rows = self.rows[run]
            rows["snap"].extend(snaps)
            by_url = {lk["url"]: lk for lk in visible}
            seen_own = new_own = 0
            for u in read:
                lk = by_url.get(u)
                if lk is None:
                    continue  # the unidentified link: nothing stored
                last_seen[u] = fetched
                seen_own += lk["own"]
                if u in first_seen:
                    continue
                fid = self.next_fetch()
                seen_at = (at + timedelta(seconds=20 + rng.randint(0, 600))).isoformat(timespec="seconds")
                first_seen[u] = (run, seen_at, fid)
                new_own += lk["own"]
                lk["seen_at"] = seen_at
            detail = ", ".join(f"{k}={v}" for k, v in sorted(counts.items()))
            if counts.get("ok"):
                sr = "partial" if len(counts) > 1 else ("ok" if seen_own else "empty")
            else:
                sr = status
            rows["sr"].append(
                (
                    run + 1,
                    sid,
                    sr,
                    sum(counts.values()),
                    counts.get("ok", 0),
                    sum(n for k, n in counts.items() if k.startswith("blocked")),
                    sum(n for k, n in counts.items() if k.startswith(("http:", "error:"))),
                    seen_own,
                    new_own,
                    detail,
                )
            )
        for page_url, (run, seen, last, fid) in page_seen.items():
            self.add_doc(run, page_url, "listing", sid, seen, last, fid)
        for lk in links:
            if "seen_at" not in lk:
                continue
            run, seen, fid = first_seen[lk["url"]]
            last = last_seen[lk["url"]]
            kind = "attachment" if lk["url"].endswith(".pdf") else "detail"
            doc = self.add_doc(run, lk["url"], kind, sid, seen, last, fid)
            if lk["kind"] == "notreport":
                continue
            title = lk.get("title") or "关于印发工作要点的通知"
            cands = self.candidates(rng, lk, date.fromisoformat(seen[:10])) if lk["kind"] == "report" else []
            stated = next((c for c in cands if c["trusted"] and c["source"] != "url"), None)
            self.rows[run]["rep"].append(
                (
                    report_id(sid, lk["url"]),
                    sid,
                    src.agency if lk["own"] else "其他单位",
                    "title",
                    lk["own"],
                    lk["year"],
                    title,
                    lk["url"],
                    doc,
                    col,
                    stated["date"] if stated else None,
                    stated["source"] if stated else "first_seen",
                    json.dumps(cands, ensure_ascii=False),
                    seen,
                    last,
                    fid,
                    "pdf" if kind == "attachment" else "html",
                    src.cms,
                    "other body" if lk["kind"] == "other" else None,
                )
            )


def build(root: Path, n: int, seed: int) -> dict:
    """Create the archive under ``root`` (replacing any), returning its facts (``bench.json``)."""
    root.mkdir(parents=True, exist_ok=True)
    for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm", "bench.json"):
        (root / name).unlink(missing_ok=True)
    t0 = time.perf_counter()
    db = open_db(root)  # the migrations
    db.execute("PRAGMA journal_mode = DELETE")  # one big transaction: no WAL growth
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -1048576")  # 1 GiB while building (random report-id inserts)
    b = Builder(db, n, seed)
    b.build()
    db.execute("PRAGMA journal_mode = WAL")  # as open_db leaves an archive
    db.conn.close()
    facts = {
        "generator": GENERATOR_VERSION,
        "agencies": n,
        "seed": seed,
        "build_s": round(time.perf_counter() - t0, 1),
        "bytes": (root / DB_NAME).stat().st_size,
        "rows": dict(b.counts),
        "fetch_ids": b.fetch_id,
    }
    (root / "bench.json").write_text(json.dumps(facts, indent=1))
    return facts


# -- measurements (each in its own subprocess) -----------------------------------------------------


def loader_sql() -> list[tuple[str, str, list]]:
    """(loader, SQL, params) of each SELECT ``load_captures`` and ``load_reports`` issue for all
    sources, traced on an empty database, so always the loaders' current SQL (through sqlite-utils
    or the raw connection alike: the trace is sqlite3's, with parameters expanded)."""
    statements: list[tuple[str, str, list]] = []
    db = memory_db()
    for loader in (store.load_captures, store.load_reports):

        def trace(sql: str, who: str = loader.__name__) -> None:
            if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                statements.append((who, sql, []))

        db.conn.set_trace_callback(trace)
        loader(db)
    db.conn.set_trace_callback(None)
    if {who for who, _, _ in statements} != {"load_captures", "load_reports"}:
        sys.exit(f"could not trace the loaders' SELECTs: {statements!r}")
    return statements


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        out = None
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def phase_read(db, repeat: int) -> dict:
    conn = db.conn
    statements = loader_sql()

    per_statement = [float("inf")] * len(statements)

    def read() -> int:
        n = 0
        for k, (_, sql, params) in enumerate(statements):
            t = time.perf_counter()
            for _row in conn.execute(sql, params):
                n += 1
            per_statement[k] = min(per_statement[k], time.perf_counter() - t)
        return n

    def scan() -> int:
        n = 0
        for sql in ("select * from listing_snapshots", "select * from reports"):
            for _row in conn.execute(sql):
                n += 1
        return n

    t_read, rows = _best(read, repeat)
    t_scan, scanned = _best(scan, repeat)
    return {
        "read_s": t_read,
        "rows": rows,
        "scan_s": t_scan,
        "scanned": scanned,
        "statement_s": per_statement,
        "statements": [who for who, _, _ in statements],
    }


def phase_e2e(db, sources: list[Source], repeat: int) -> dict:
    policy = Policy()
    t, verdicts = _best(lambda: compute_verdicts(db, sources, AS_OF, policy), repeat)
    counts = Counter(v["status"] for v in verdicts)
    conf = Counter(f"{v['status']}/{v['confidence']}" for v in verdicts)
    due = sum(len(years_due(s.first_year, AS_OF)) for s in sources)
    return {
        "e2e_s": t,
        "verdicts": len(verdicts),
        "due": due,
        "status": dict(counts),
        "status_confidence": dict(conf),
    }


def phase_parts(db, sources: list[Source], repeat: int) -> dict:
    policy = Policy()
    t_caps, caps = _best(lambda: store.load_captures(db), repeat)
    t_reps, reps = _best(lambda: store.load_reports(db), repeat)
    infos = [source_info(s) for s in sources]

    def decide() -> list:
        out = []
        for info in infos:
            out.extend(source_verdicts(info, reps.get(info.id, ()), caps.get(info.id, []), AS_OF, policy))
        return out

    t_decide, verdicts = _best(decide, repeat)
    t_dict, _ = _best(lambda: [v.as_dict() for v in verdicts], repeat)
    return {
        "load_captures_s": t_caps,
        "load_reports_s": t_reps,
        "decide_s": t_decide,
        "as_dict_s": t_dict,
        "verdicts": len(verdicts),
        "captures": sum(len(v) for v in caps.values()),
        "pages": sum(len(c.pages) for v in caps.values() for c in v),
        "reports": sum(len(v) for v in reps.values()),
    }


def phase_profile(db, sources: list[Source], top: int) -> dict:
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    compute_verdicts(db, sources, AS_OF, Policy())
    prof.disable()
    wall = time.perf_counter() - t
    text = io.StringIO()
    stats = pstats.Stats(prof, stream=text)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return {"profiled_s": wall, "text": text.getvalue()}


def child_main(args: argparse.Namespace) -> None:
    if args.phase == "build":
        print(json.dumps(build(Path(args.db), args.agencies, args.seed)))
        return
    import spiders.base  # noqa: F401  load_captures imports it (and Scrapy, ~0.5 s) on first use: not timed

    db = open_db(Path(args.db), create=False)
    sources = make_sources(args.agencies, args.seed)
    if args.phase == "read":
        out = phase_read(db, args.inner)
    elif args.phase == "e2e":
        out = phase_e2e(db, sources, args.inner)
    elif args.phase == "parts":
        out = phase_parts(db, sources, args.repeat)
    else:
        out = phase_profile(db, sources, args.top)
    print(json.dumps(out, ensure_ascii=False))


def run_child(args: argparse.Namespace, phase: str, inner: int = 1) -> dict:
    """Run one phase in a fresh interpreter; its JSON result plus ``maxrss_mib`` (``os.wait4``).

    A child's ``ru_maxrss`` starts from the parent's RSS at fork time (exec records the old
    address space's high-water mark), so the parent never holds the archive or any results.
    """
    cmd = [
        sys.executable,
        __file__,
        "--phase",
        phase,
        "--db",
        args.db,
        "--agencies",
        str(args.agencies),
        "--seed",
        str(args.seed),
        "--repeat",
        str(args.repeat),
        "--inner",
        str(inner),
        "--top",
        str(args.top),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"{phase} subprocess failed ({proc.returncode})")
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["maxrss_mib"] = usage.ru_maxrss / 1024
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agencies", type=int, default=100_000)
    ap.add_argument(
        "--db", help="data directory of the cached archive (default /tmp/nianbao-bench-compliance-N)"
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3, help="measurements of each kind; the best is reported")
    ap.add_argument("--rebuild", action="store_true", help="build the archive even if a cached one matches")
    ap.add_argument("--profile", action="store_true", help="also cProfile one end-to-end run")
    ap.add_argument("--top", type=int, default=30, help="functions listed by --profile")
    ap.add_argument("--phase", choices=("build", "read", "e2e", "parts", "profile"), help=argparse.SUPPRESS)
    ap.add_argument("--inner", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.db = args.db or f"/tmp/nianbao-bench-compliance-{args.agencies}"
    if args.phase:
        child_main(args)
        return

    root = Path(args.db)
    meta = root / "bench.json"
    facts = json.loads(meta.read_text()) if meta.exists() else None
    if (
        args.rebuild
        or not facts
        or (facts["generator"], facts["agencies"], facts["seed"])
        != (GENERATOR_VERSION, args.agencies, args.seed)
    ):
        print(f"building {args.agencies:,} agencies in {root} ...", file=sys.stderr, flush=True)
        facts = run_child(args, "build")  # in a subprocess: the parent stays small (see run_child)
        built = f"built now, peak RSS {facts['maxrss_mib']:,.0f} MiB"
    else:
        built = "cached"
    rows = facts["rows"]
    print(
        f"archive {root / DB_NAME} ({built}): {args.agencies:,} agencies, report years {YEARS[0]}-{YEARS[-1]}, "
        f"as of {AS_OF}; {facts['bytes'] / 1e6:,.0f} MB, built in {facts['build_s']:.1f} s"
    )
    print(
        f"  rows: {rows['snap']:,} listing_snapshots, {rows['sr']:,} source_runs, {rows['rep']:,} reports, "
        f"{rows['doc']:,} documents, 3 runs"
    )

    reads, e2es = [], []
    for k in range(args.repeat):  # alternate baseline and measurement, each in a fresh process
        print(f"  pair {k + 1}/{args.repeat}: read ...", file=sys.stderr, flush=True)
        reads.append(run_child(args, "read"))
        print(f"  pair {k + 1}/{args.repeat}: compute_verdicts ...", file=sys.stderr, flush=True)
        e2es.append(run_child(args, "e2e"))
    print("  parts (loaders, decisions, as_dict) ...", file=sys.stderr, flush=True)
    parts = run_child(args, "parts")

    read = min(reads, key=lambda r: r["read_s"])
    scan = min(r["scan_s"] for r in reads)
    e2e = min(e2es, key=lambda r: r["e2e_s"])
    n = e2e["verdicts"]
    assert n == parts["verdicts"], (n, parts["verdicts"])
    t_read, t_e2e = read["read_s"], e2e["e2e_s"]
    t_load = parts["load_captures_s"] + parts["load_reports_s"]
    print(f"\n{n:,} verdicts ({e2e['due']:,} agency-years due); best of {args.repeat}, seconds")
    print(f"{'what':44} {'seconds':>8} {'verdicts/s':>11} {'x read':>7} {'peak RSS MiB':>13}")

    def line(what: str, t: float, rss: float | None = None) -> None:
        rss_s = f"{rss:13,.0f}" if rss is not None else ""
        print(f"{what:44} {t:8.2f} {n / t:11,.0f} {t / t_read:7.2f} {rss_s}".rstrip())

    line(
        f"read: loader SELECTs, {read['rows']:,} rows as tuples", t_read, max(r["maxrss_mib"] for r in reads)
    )
    for what, t in zip(read["statements"], read["statement_s"], strict=True):
        line(f"  {what} SELECT", t)
    line(f"  (plain select * scans, {read['scanned']:,} rows)", scan)
    line("compute_verdicts end to end", t_e2e, max(r["maxrss_mib"] for r in e2es))
    line("  load_captures + load_reports", t_load, parts["maxrss_mib"])
    line(f"    load_captures ({parts['captures']:,} captures)", parts["load_captures_s"])
    line(f"    load_reports ({parts['reports']:,} reports)", parts["load_reports_s"])
    line("  source_verdicts (pure decisions)", parts["decide_s"])
    line("  Verdict.as_dict", parts["as_dict_s"])
    print(
        f"ratio end to end / read: {t_e2e / t_read:.2f}  (per pair: "
        + ", ".join(f"{e['e2e_s'] / r['read_s']:.2f}" for r, e in zip(reads, e2es, strict=True))
        + ")"
    )
    print(
        "statuses: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(e2e["status"].items(), key=lambda kv: -kv[1]))
    )
    print("  by confidence: " + ", ".join(f"{k} {v:,}" for k, v in sorted(e2e["status_confidence"].items())))
    print(
        f"parent process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB "
        "(the floor of every child's figure)"
    )
    if args.profile:
        print("\nprofiling one compute_verdicts run (cProfile) ...", file=sys.stderr, flush=True)
        prof = run_child(args, "profile")
        print(f"\ncProfile of compute_verdicts: {prof['profiled_s']:.1f} s under the profiler")
        print(prof["text"])


if __name__ == "__main__":
    main()
