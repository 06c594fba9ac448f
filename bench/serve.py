"""Web UI benchmark: p95 response time of ``nianbao serve`` pages on a large archive.

::

    python bench/serve.py             # 100,000 reports, 100,000 agencies x 17 years (build ~10 min, cached)
    python bench/serve.py --quick     # 10,000 reports, 10,000 agencies
    python bench/serve.py --runs 100 --json
    python bench/serve.py --reports 30000 --agencies 50000 --keep /tmp/serve-bench

Builds once, and caches in ``--keep`` (default ``/tmp/nianbao-bench-serve-<N>``), a data
directory whose archive is made by ``open_db`` (the migrations) and filled as crawls, extraction,
analysis and a check of the agencies would leave it:

* ``--reports`` reports: the texts of ``bench/search.py``'s generator in ``report_texts`` (then
  ``index_reports`` + ``optimize``), a ``reports`` row each (headline numbers for ~70 %), its
  ``documents``/``versions``/``fetches`` rows (5 % edited: two versions with texts, so the
  report page diffs them), ``checks`` and ``report_stats`` rows for the analysed ones;
* ``--agencies`` sources x report years 2008-2024 of verdicts written through
  ``storage.compliance.save_verdicts`` (which keeps the grid's roll-up tables), statuses in a
  realistic mix, 9 levels, 6-digit region codes in 31 provinces; every report belongs to a source
  and its verdict of that year links it;
* three crawl runs (a listing capture per source and run, ``source_runs``, the health
  summaries) and the flags a check opens: one per missing / late / not-online verdict, plus
  inconsistency and blocked-source flags, each with its ``opened`` event.

Then it starts ``nianbao serve --data DIR --port 0`` in a subprocess and GETs, sequentially and
warm (a few warm-up requests per page kind), ``--runs`` pages of each kind with varied
parameters: the home page, the grid (filters, sorts, deep pages, 17 years), searches (1-, 2-,
3+-character terms, common and rare, year filters, sort by date, later pages, multi-term), report
pages, the numbers query (``/reports?year=…&field=…``), flags, agency and verdict pages. Baseline,
same run: for each page, the plain SQL (own ``sqlite3`` connection) that reads the rows that page
shows (grid: its agencies' ``compliance`` rows; search: the FTS5 MATCH of the first term, one page;
report: the ``reports`` and ``report_texts`` rows; lists: their rows by key). Prints p50/p95/max
per page kind, page p95 / baseline p95, and the goal: p95 <= 200 ms per page, <= 300 ms for the
grid.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search import OFFICES, make_docs  # noqa: E402
from crawler.compliance.deadlines import expected_deadline  # noqa: E402
from crawler.vocab.urls import report_id  # noqa: E402
from crawler.vocab.words import HEADLINE  # noqa: E402
from storage.compliance import save_verdicts  # noqa: E402
from storage.db import DB_NAME, open_db  # noqa: E402
from storage.health import rebuild_summaries  # noqa: E402
from storage.search import index_reports, optimize, parse_query  # noqa: E402

BUILD_VERSION = 1
SEED = 20241114
YEARS = range(2008, 2025)
AS_OF = date(2025, 4, 10)
CHECKED_AT = "2025-04-10T06:30:00+08:00"
RUN_DAYS = (date(2025, 1, 20), date(2025, 2, 5), date(2025, 4, 10))
GOAL_MS = 200.0
GRID_GOAL_MS = 300.0
VERDICT_BATCH = 100_000

PROVINCES = [  # (code, name, weight)
    ("11", "北京市", 2), ("12", "天津市", 2), ("13", "河北省", 5), ("14", "山西省", 4), ("15", "内蒙古自治区", 3),
    ("21", "辽宁省", 4), ("22", "吉林省", 3), ("23", "黑龙江省", 3), ("31", "上海市", 2), ("32", "江苏省", 6),
    ("33", "浙江省", 6), ("34", "安徽省", 5), ("35", "福建省", 4), ("36", "江西省", 4), ("37", "山东省", 6),
    ("41", "河南省", 6), ("42", "湖北省", 5), ("43", "湖南省", 5), ("44", "广东省", 6), ("45", "广西壮族自治区", 4),
    ("46", "海南省", 1), ("50", "重庆市", 3), ("51", "四川省", 6), ("52", "贵州省", 3), ("53", "云南省", 4),
    ("54", "西藏自治区", 1), ("61", "陕西省", 4), ("62", "甘肃省", 3), ("63", "青海省", 1), ("64", "宁夏回族自治区", 1),
    ("65", "新疆维吾尔自治区", 3),
]  # fmt: skip
SYLLABLES = (
    "安宁平阳华兴东南西北山河清泉长乐永和新昌云丰德化宜春江城临海金石龙岩桂林玉溪天水白沙青松高城秀水明光"
)
MINISTRIES = [
    "教育部",
    "科学技术部",
    "民政部",
    "司法部",
    "财政部",
    "自然资源部",
    "生态环境部",
    "交通运输部",
    "水利部",
    "审计署",
]
MORE_OFFICES = [
    "商务局",
    "文化广电旅游局",
    "人力资源和社会保障局",
    "水利局",
    "林业局",
    "退役军人事务局",
    "体育局",
]
TOWN_SUFFIX = ("镇", "乡", "街道")
KINDS = {  # kind -> (share, ((level, weight), ...))
    "region": (0.12, (("province", 1), ("city", 10), ("county", 89))),
    "dept": (0.68, (("state_council_dept", 1), ("province_dept", 5), ("city_dept", 24), ("county_dept", 70))),
    "township": (0.20, (("township", 1),)),
}
CLASSES = {"good": (0.60, 0.96, 0.93), "average": (0.30, 0.85, 0.78), "poor": (0.10, 0.50, 0.50)}
DATE_SOURCES = (("meta", 5), ("page", 3), ("list", 2), ("url", 1))
RULES = ("A1", "B1", "B2", "B3", "C1", "T1")


# -- the archive -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Agency:
    i: int
    sid: str
    agency: str
    level: str
    kind: str
    region: str | None
    cls: str
    blocked: bool
    override: str | None
    listing: str


def _name(code: str, suffix: str) -> str:
    r = random.Random(code)
    return "".join(r.choice(SYLLABLES) for _ in range(2)) + suffix


def make_agencies(n: int, seed: int) -> list[Agency]:
    rng = random.Random(seed)
    codes, names, weights = zip(*PROVINCES, strict=True)
    out = []
    for i in range(n):
        r = rng.random()
        kind = "region" if r < 0.12 else "dept" if r < 0.80 else "township"
        levels, lw = zip(*KINDS[kind][1], strict=True)
        level = rng.choices(levels, lw)[0]
        p = rng.choices(range(len(codes)), weights)[0]
        city, county = f"{rng.randint(1, 18):02d}", f"{rng.randint(1, 28):02d}"
        pcode, pname = codes[p], names[p]
        cname = _name(pcode + city, "市")
        kname = _name(pcode + city + county, rng.choice(("县", "区")))
        office = rng.choice(OFFICES + MORE_OFFICES)
        if level == "state_council_dept":
            region, agency = None, rng.choice(MINISTRIES)
        elif level in ("province", "province_dept"):
            region = pcode + "0000"
            agency = pname + ("人民政府" if level == "province" else office)
        elif level in ("city", "city_dept"):
            region = pcode + city + "00"
            agency = cname + ("人民政府" if level == "city" else office)
        elif level == "township":
            region = pcode + city + county
            agency = cname + kname + _name(region + str(i % 7), rng.choice(TOWN_SUFFIX)) + "人民政府"
        else:
            region = pcode + city + county
            agency = cname + kname + ("人民政府" if level == "county" else office)
        cls = rng.choices(list(CLASSES), [c[0] for c in CLASSES.values()])[0]
        sid = f"ag{i:06d}"
        out.append(
            Agency(
                i,
                sid,
                agency,
                level,
                kind,
                region,
                cls,
                blocked=rng.random() < 0.04,
                override="06-30" if kind == "township" and rng.random() < 0.03 else None,
                listing=f"https://www.{sid}.gov.cn/col/col{1000 + i % 9000}/index.html",
            )
        )
    return out


def _ts(day: date, rng: random.Random) -> str:
    return (
        f"{day.isoformat()}T{rng.randint(9, 17):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}+08:00"
    )


def _sha(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


def _first_crawl_after(day: date) -> int:
    """Index of the first crawl run on or after ``day`` (the last one if none)."""
    return next((k for k, d in enumerate(RUN_DAYS) if d >= day), len(RUN_DAYS) - 1)


@dataclass(slots=True)
class Linked:
    """A report as its (source, year) verdict names it."""

    rid: str
    url: str
    title: str
    published: date
    date_source: str
    first_seen: str
    fetch_id: int
    status: str


@dataclass(slots=True)
class Built:
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _timed(built: Built, step: str, t0: float, note: str = "") -> None:
    built.seconds[step] = time.perf_counter() - t0
    print(f"  {step:<28} {built.seconds[step]:7.1f} s {note}", file=sys.stderr, flush=True)


def build(data: Path, n_reports: int, n_agencies: int, seed: int) -> Built:
    built = Built()
    t_all = time.perf_counter()
    db = open_db(data)
    conn = db.conn
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -524288")
    conn.execute("PRAGMA foreign_keys = OFF")
    rng = random.Random(seed)
    agencies = make_agencies(n_agencies, seed)
    n = n_agencies

    # crawl runs: one listing capture per source and run, source_runs, health summaries
    t0 = time.perf_counter()
    with conn:
        for k, day in enumerate(RUN_DAYS, start=1):
            conn.execute(
                "insert into runs (id, started_at, finished_at, finish_reason, command, args, stats, version) "
                "values (?, ?, ?, 'finished', 'crawl', '{}', '{}', 'bench')",
                [k, f"{day}T02:00:00+08:00", f"{day}T05:40:00+08:00"],
            )
        for k, day in enumerate(RUN_DAYS):
            fetches, runs = [], []
            for a in agencies:
                at = _ts(day, rng)
                status = 200 if a.blocked is False else 403
                revisit = k > 0 and status == 200 and rng.random() < 0.6
                fid = k * n + a.i + 1
                fetches.append(
                    (
                        fid,
                        k + 1,
                        a.sid,
                        a.listing,
                        "GET",
                        "listing",
                        status,
                        at,
                        "text/html",
                        rng.randint(8_000, 60_000),
                        _sha("listing", a.sid, k if not revisit else 0),
                        "revisit" if revisit else "response",
                        "bench-00001.warc.gz",
                        fid * 4096,
                        4000,
                        "blocked:waf" if a.blocked else None,
                    )
                )
                runs.append(
                    (
                        k + 1,
                        a.sid,
                        "blocked:waf" if a.blocked else "ok",
                        1,
                        0 if a.blocked else 1,
                        1 if a.blocked else 0,
                        0,
                        0 if a.blocked else rng.randint(5, 17),
                        0,
                        "{}",
                    )
                )
            conn.executemany(
                "insert into fetches (id, run_id, source_id, url, method, kind, status, fetched_at, content_type, "
                "size, payload_sha256, record_type, warc_file, warc_offset, warc_length, block) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                fetches,
            )
            conn.executemany(
                "insert into source_runs (run_id, source_id, status, listing_pages, listing_ok, blocked, errors, "
                "reports_seen, reports_new, detail) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                runs,
            )
        rebuild_summaries(db)
    _timed(built, "runs, captures, health", t0, f"({3 * n:,} fetches, {3 * n:,} source_runs)")

    # reports: the search bench's texts, each given to a source
    t0 = time.perf_counter()
    linked: dict[tuple[int, int], Linked] = {}
    next_fetch = 3 * n + 1
    texts_written = 0
    stats_rows = checks_rows = 0
    inconsistent: list[tuple] = []  # (agency, rid, year, rule, severity, url, fetch, first_seen)
    batch_reports, batch_texts, batch_docs, batch_versions, batch_fetches, batch_payloads = (
        [],
        [],
        [],
        [],
        [],
        [],
    )
    batch_stats, batch_checks = [], []

    def flush() -> None:
        conn.executemany(
            f"insert or replace into reports (id, source_id, agency, agency_source, own, report_year, title, url, "
            f"document_id, listing_url, published_at, published_at_source, date_candidates, first_seen_at, "
            f"last_seen_at, first_fetch_id, format, cms, exclusion, {', '.join(HEADLINE)}, analysed_at, stats_version) "
            f"values ({', '.join('?' * 26)})",
            batch_reports,
        )
        conn.executemany(
            "insert or replace into report_texts (report_id, title, agency, report_year, level, region, source_id, "
            "text, original, parts, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            batch_texts,
        )
        conn.executemany(
            "insert into documents (id, url, kind, source_id, first_seen_at, last_seen_at, last_checked_at, "
            "sha256, payload_sha256, content_type, last_fetch_id) values (?, ?, 'detail', ?, ?, ?, ?, ?, ?, "
            "'text/html', ?)",
            batch_docs,
        )
        conn.executemany(
            "insert into versions (document_id, seq, sha256, payload_sha256, size, content_type, first_seen_at, "
            "last_seen_at, first_fetch_id, last_fetch_id) values (?, ?, ?, ?, ?, 'text/html', ?, ?, ?, ?)",
            batch_versions,
        )
        conn.executemany(
            "insert into fetches (id, run_id, source_id, url, method, kind, status, fetched_at, content_type, size, "
            "payload_sha256, record_type, warc_file, warc_offset, warc_length) "
            "values (?, ?, ?, ?, 'GET', 'detail', 200, ?, 'text/html', ?, ?, 'response', 'bench-00002.warc.gz', ?, ?)",
            batch_fetches,
        )
        conn.executemany(
            "insert or replace into texts (sha256, status, extractor, extractor_version, ocr, pages, chars, "
            "file_type, text, extracted_at) values (?, 'ok', 'html', 'bench', 0, 1, ?, 'html', ?, ?)",
            batch_payloads,
        )
        conn.executemany(
            "insert or replace into report_stats (report_id, tbl, row, col, value, raw, status) "
            "values (?, ?, ?, ?, ?, ?, ?)",
            batch_stats,
        )
        conn.executemany(
            "insert or replace into checks (report_id, rule, result, severity, operands, message) "
            "values (?, ?, ?, ?, ?, ?)",
            batch_checks,
        )
        for b in (batch_reports, batch_texts, batch_docs, batch_versions, batch_fetches, batch_payloads):
            b.clear()
        batch_stats.clear()
        batch_checks.clear()

    conn.execute("BEGIN")
    for i, doc in enumerate(make_docs(n_reports)):
        a = agencies[rng.randrange(n)]
        year = doc["report_year"]
        due = expected_deadline(a.kind, year, override=a.override).due
        p_on_time = CLASSES[a.cls][2]
        late = rng.random() > p_on_time
        published = (
            due + timedelta(days=rng.randint(1, 200)) if late else due - timedelta(days=rng.randint(0, 75))
        )
        published = min(published, AS_OF - timedelta(days=2))
        crawl = _first_crawl_after(published)
        first_seen = _ts(RUN_DAYS[crawl], rng)
        url = f"https://www.{a.sid}.gov.cn/art/{published:%Y/%m/%d}/art_{1000 + a.i % 9000}_{i}.html"
        rid = report_id(a.sid, url)
        title = f"{a.agency}{year}年政府信息公开工作年度报告"
        fetch_id = next_fetch
        next_fetch += 1
        date_source = rng.choices(*zip(*DATE_SOURCES, strict=True))[0]
        if (a.i, year) not in linked:
            linked[(a.i, year)] = Linked(
                rid, url, title, published, date_source, first_seen, fetch_id, "late" if late else "on_time"
            )
        analysed = rng.random() < 0.70
        fmt = None
        numbers: list[float | None] = [None] * len(HEADLINE)
        if analysed:
            fmt = "template2021" if year >= 2020 else "template2019" if year == 2019 else "freeform"
            numbers = [
                float(rng.randint(10, 20_000)),
                float(int(rng.paretovariate(1.2) * 20)),
                float(rng.randint(0, 50)),
                float(int(rng.expovariate(0.3))),
                float(int(rng.expovariate(0.4))) if rng.random() < 0.9 else None,
            ]
        candidates = [
            {
                "date": published.isoformat(),
                "source": date_source,
                "raw": published.isoformat(),
                "trusted": True,
            }
        ]
        if rng.random() < 0.2:
            candidates.append(
                {"date": f"{year}-12-31", "source": "page", "raw": "成文日期", "trusted": False}
            )
        batch_reports.append(
            (
                rid,
                a.sid,
                a.agency,
                "page",
                1,
                year,
                title,
                url,
                i + 1,
                a.listing,
                published.isoformat(),
                date_source,
                json.dumps(candidates, ensure_ascii=False),
                first_seen,
                _ts(RUN_DAYS[-1], rng),
                fetch_id,
                fmt,
                rng.choice(("trs", "hanweb", "auto")),
                None,
                *numbers,
                CHECKED_AT if analysed else None,
                "bench" if analysed else None,
            )
        )
        text = doc["text"]
        batch_texts.append(
            (
                rid,
                title,
                a.agency,
                year,
                a.level,
                a.region,
                a.sid,
                text,
                doc["original"],
                json.dumps([{"url": url, "kind": "page"}]),
                CHECKED_AT,
            )
        )
        sha1 = _sha("page", rid, 1)
        fetched = [(fetch_id, crawl + 1, first_seen, sha1)]
        if rng.random() < 0.05:  # edited after publication: a second version, both with texts
            later = min(len(RUN_DAYS) - 1, crawl + 1)
            sha2 = _sha("page", rid, 2)
            fetched.append((next_fetch, later + 1, _ts(RUN_DAYS[later], rng), sha2))
            next_fetch += 1
            edited = re.sub(r"\d+", lambda m: str(int(m.group(0)) + 1), text, count=5)
            batch_payloads += [(sha1, len(text), text, CHECKED_AT), (sha2, len(edited), edited, CHECKED_AT)]
            texts_written += 2
        for seq, (fid, run, at, sha) in enumerate(fetched, start=1):
            size = len(text) * 3 + 2000
            batch_fetches.append((fid, run, a.sid, url, at, size, sha, fid * 4096, size))
            batch_versions.append((i + 1, seq, sha, sha, size, at, at, fid, fid))
        batch_docs.append(
            (i + 1, url, a.sid, first_seen, fetched[-1][2], fetched[-1][2], sha, sha, fetched[-1][0])
        )
        if analysed:
            for r, label in enumerate(("新收申请", "上年结转", "予以公开", "部分公开", "不予公开"), start=1):
                for c, col in enumerate(("自然人", "商业企业", "科研机构", "总计")):
                    v = float(rng.randint(0, 40)) if c < 3 else float(rng.randint(0, 120))
                    batch_stats.append((rid, "B", f"{r}.{label}", col, v, str(int(v)), "number"))
                    stats_rows += 1
            for rule in RULES:
                fails = rng.random() < 0.04
                severity = "error" if rule.startswith("B") else "warning"
                batch_checks.append(
                    (
                        rid,
                        rule,
                        "fail" if fails else "pass",
                        severity,
                        json.dumps({"total": 10, "sum": 9 if fails else 10}),
                        f"{rule}: total 10 vs sum {9 if fails else 10}",
                    )
                )
                checks_rows += 1
                if fails:
                    inconsistent.append((a, rid, year, rule, severity, url, fetch_id, first_seen, title))
        if len(batch_texts) >= 2000:
            flush()
    flush()
    conn.commit()
    built.counts.update(
        reports=n_reports,
        report_stats=stats_rows,
        checks=checks_rows,
        texts=texts_written,
        fetches=next_fetch - 1,
    )
    _timed(
        built,
        "reports + texts",
        t0,
        f"({n_reports:,} reports, {stats_rows:,} cells, {checks_rows:,} checks, {texts_written:,} version texts)",
    )

    t0 = time.perf_counter()
    indexed = index_reports(db)
    _timed(built, "index_reports", t0, f"({indexed:,} rows)")
    t0 = time.perf_counter()
    optimize(db)
    _timed(built, "optimize", t0)

    # verdicts through save_verdicts (keeps the roll-ups), and the flags a check opens
    t0 = time.perf_counter()
    statuses: dict[str, int] = defaultdict(int)
    flag_id = 0
    n_flags = 0
    pending: list[dict] = []
    flags: list[tuple] = []
    events: list[tuple] = []

    def add_flag(
        key: str,
        kind: str,
        a: Agency,
        year: int | None,
        rid: str | None,
        summary: str,
        summary_zh: str,
        url: str | None,
        evidence: list,
        detail: dict,
        opened: str,
    ) -> None:
        nonlocal flag_id
        flag_id += 1
        closed = rng.random() < 0.04
        updated = _ts(AS_OF, rng) if closed else opened
        flags.append(
            (
                flag_id,
                key,
                kind,
                a.sid,
                a.agency,
                year,
                rid,
                "closed" if closed else "open",
                summary,
                summary_zh,
                url,
                json.dumps(evidence, ensure_ascii=False),
                json.dumps(detail, ensure_ascii=False),
                _sha(key)[:16],
                opened,
                updated,
                updated if closed else None,
            )
        )
        events.append(
            (
                flag_id,
                opened,
                "opened",
                kind,
                None,
                a.sid,
                a.agency,
                year,
                rid,
                summary,
                summary_zh,
                url,
                opened,
            )
        )
        if closed:
            events.append(
                (
                    flag_id,
                    updated,
                    "closed",
                    kind,
                    kind,
                    a.sid,
                    a.agency,
                    year,
                    rid,
                    summary,
                    summary_zh,
                    url,
                    updated,
                )
            )

    def save() -> None:
        nonlocal n_flags
        save_verdicts(db, pending, CHECKED_AT)
        with conn:
            conn.executemany(
                "insert into flags (id, key, kind, source_id, agency, year, report_id, state, summary, summary_zh, "
                "url, evidence, detail, fingerprint, opened_at, updated_at, closed_at) "
                f"values ({', '.join('?' * 17)})",
                flags,
            )
            conn.executemany(
                "insert into flag_events (flag_id, at, event, kind, previous_kind, source_id, agency, year, "
                "report_id, summary, summary_zh, url, notified_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                events,
            )
        n_flags += len(flags)
        pending.clear()
        flags.clear()
        events.clear()

    for a in agencies:
        first, last = 0 * n + a.i + 1, 2 * n + a.i + 1
        listing_ev = [
            {
                "fetch": fid,
                "url": a.listing,
                "fetched_at": f"{RUN_DAYS[k]}T10:00:00+08:00",
                "role": role,
                "shows": "the report column as it stood",
                "shows_zh": "年报栏目当时的内容",
            }
            for k, fid, role in ((0, first, "first_capture"), (2, last, "latest_capture"))
        ]
        for year in YEARS:
            dl = expected_deadline(a.kind, year, override=a.override)
            rep = linked.get((a.i, year))
            published: date | None = None
            date_source, first_seen = "none", None
            if a.blocked:
                status = "unknown"
            elif rep is not None:
                status, published, date_source, first_seen = (
                    rep.status,
                    rep.published,
                    rep.date_source,
                    rep.first_seen,
                )
            elif dl.due >= AS_OF:
                status = "pending"
            else:
                p_pub, p_on_time = CLASSES[a.cls][1:]
                r = rng.random()
                if r < 0.06:
                    status = "unknown"
                elif rng.random() < p_pub:
                    status = "on_time" if rng.random() < p_on_time else "late"
                    if status == "on_time":
                        published = dl.due - timedelta(days=rng.randint(0, 75))
                    else:
                        published = min(
                            dl.due + timedelta(days=rng.randint(1, 300)), AS_OF - timedelta(days=2)
                        )
                    date_source = rng.choices(*zip(*DATE_SOURCES, strict=True))[0]
                    first_seen = _ts(RUN_DAYS[_first_crawl_after(published)], rng)
                else:
                    status = "missing" if year >= 2019 or rng.random() < 0.6 else "not_online"
            statuses[status] += 1
            evidence = list(listing_ev)
            if rep is not None:
                evidence.append(
                    {
                        "fetch": rep.fetch_id,
                        "url": rep.url,
                        "fetched_at": rep.first_seen,
                        "role": "first_capture",
                        "shows": "the report, first seen",
                        "shows_zh": "首次发现的年报",
                    }
                )
            if status in ("on_time", "late"):
                reason = (
                    f"published {published} ({date_source} date), "
                    f"{'on or before' if status == 'on_time' else 'after'} the {dl.due} deadline"
                )
                reason_zh = f"于{published}发布（{date_source}日期），{'未晚于' if status == 'on_time' else '晚于'}{dl.due}截止日期"
                confidence = "high" if date_source in ("meta", "page") else "medium"
            elif status == "missing":
                reason = f"no {year} report in the column in 3 captures from {RUN_DAYS[0]} to {RUN_DAYS[-1]}"
                reason_zh = f"{RUN_DAYS[0]}至{RUN_DAYS[-1]}三次抓取的栏目中均无{year}年度报告"
                confidence = "high"
            elif status == "not_online":
                reason = f"no {year} report online when first checked, long after the {dl.due} deadline"
                reason_zh = f"截止日期{dl.due}很久之后首次检查时未见{year}年度报告"
                confidence = "medium"
            elif status == "pending":
                reason, reason_zh, confidence = f"not due until {dl.due}", f"截止日期{dl.due}未到", "high"
            else:
                reason = "the column could not be read (blocked: waf)" if a.blocked else "listing incomplete"
                reason_zh = "栏目无法读取（被拦截）" if a.blocked else "栏目抓取不完整"
                confidence = "low"
            v = {
                "source": a.sid,
                "agency": a.agency,
                "level": a.level,
                "region": a.region,
                "kind": a.kind,
                "year": year,
                "status": status,
                "deadline": dl.due.isoformat(),
                "deadline_basis": dl.basis,
                "grace_days": 0,
                "published_at": published.isoformat() if published else None,
                "published_at_source": date_source,
                "first_seen_at": first_seen,
                "confidence": confidence,
                "reason": reason,
                "reason_zh": reason_zh,
                "report": rep.rid if rep else None,
                "report_url": rep.url if rep else None,
                "title": rep.title if rep else None,
                "as_of": AS_OF.isoformat(),
                "evidence": evidence,
            }
            pending.append(v)
            if status in ("missing", "late", "not_online"):
                opened = _ts(
                    RUN_DAYS[0] if dl.due < RUN_DAYS[0] else RUN_DAYS[_first_crawl_after(dl.due)], rng
                )
                add_flag(
                    f"compliance:{a.sid}:{year}",
                    status,
                    a,
                    year,
                    v["report"],
                    f"{a.agency}: {year} report {status}: {reason}",
                    f"{a.agency}{year}年度报告：{reason_zh}",
                    v["report_url"],
                    evidence,
                    {"deadline": v["deadline"], "deadline_basis": dl.basis, "confidence": confidence},
                    opened,
                )
        if a.blocked:
            add_flag(
                f"source:{a.sid}",
                "source_blocked",
                a,
                None,
                None,
                f"{a.agency} ({a.sid}): source blocked: waf",
                f"{a.agency}（{a.sid}）：来源被屏蔽（waf）",
                a.listing,
                listing_ev[1:],
                {"health": "blocked"},
                _ts(RUN_DAYS[1], rng),
            )
        if len(pending) >= VERDICT_BATCH:
            save()
    for a, rid, year, rule, severity, url, fid, first_seen, title in inconsistent:
        add_flag(
            f"inconsistent:{a.sid}:{rid}:{rule}",
            "inconsistent",
            a,
            year,
            rid,
            f"{a.agency}: {year} report “{title}” fails {rule} ({severity})",
            f"{a.agency}{year}年度报告“{title}”未通过{rule}校验",
            url,
            [{"fetch": fid, "url": url, "fetched_at": first_seen, "role": "first_capture"}],
            {"rule": rule, "severity": severity, "message": f"{rule}: total 10 vs sum 9"},
            _ts(RUN_DAYS[-1], rng),
        )
    save()
    total_verdicts = sum(statuses.values())
    built.counts.update(
        verdicts=total_verdicts, flags=n_flags, agencies=n, **{f"status_{k}": v for k, v in statuses.items()}
    )
    _timed(
        built,
        "verdicts (save_verdicts) + flags",
        t0,
        f"({total_verdicts:,} verdicts in batches of {VERDICT_BATCH:,}, {n_flags:,} flags)",
    )
    t0 = time.perf_counter()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    _timed(built, "checkpoint", t0)
    built.seconds["total"] = time.perf_counter() - t_all
    return built


# -- the pages ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class Page:
    label: str  # the variant, for the breakdown
    path: str
    baseline: tuple  # (kind of baseline, arguments)


@dataclass(slots=True)
class Kind:
    name: str
    goal: float
    pages: list[Page]
    times: list[float] = field(default_factory=list)
    base: list[float] = field(default_factory=list)
    by_label: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    sizes: list[int] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=lambda: defaultdict(int))


def _q(path: str, **params: object) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return path + ("?" + query if query else "")


SEARCHES = [  # (label, query, extra parameters)
    ("1-char common", "访", {}),
    ("1-char common", "审", {}),
    ("1-char", "罚", {}),
    ("2-char common", "复议", {}),
    ("2-char common", "诉讼", {}),
    ("2-char", "信访", {}),
    ("2-char", "预算", {}),
    ("2-char absent", "收费", {}),
    ("4-char common", "行政复议", {}),
    ("4-char", "政务公开", {}),
    ("4-char", "保密审查", {}),
    ("phrase rare", "答复期限超过法定期限", {}),
    ("agency phrase", "杭州市财政局", {}),
    ("1-char +year", "罚", {"year": 2023}),
    ("2-char +year", "复议", {"year": 2020}),
    ("4-char +year", "行政复议", {"year": 2024}),
    ("2-char sort=date", "信访", {"sort": "date"}),
    ("4-char sort=date", "政务公开", {"sort": "date"}),
    ("4-char page 5", "行政复议", {"page": 5}),
    ("2-char page 20", "复议", {"page": 20}),
    ("multi AND", "行政诉讼 败诉", {}),
    ("multi OR", "复议 OR 泄密", {}),
    ("multi NOT", "行政复议 -败诉", {}),
]


def make_pages(db: sqlite3.Connection, rng: random.Random, n_agencies: int) -> list[Kind]:
    years = db.execute("select min(year), max(year) from compliance_rollup").fetchone()
    last_page = max(1, -(-n_agencies // 50))
    report_ids = [r[0] for r in db.execute("select id from reports order by id")]
    with_reports = [r[0] for r in db.execute("select distinct source_id from reports limit 2000")]
    sources = [f"ag{i:06d}" for i in rng.sample(range(n_agencies), min(n_agencies, 500))]
    provinces = [
        r[0] for r in db.execute("select distinct province from compliance_rollup where province != ''")
    ]
    cities = [
        r[0][:4]
        for r in db.execute("select region from compliance_sources where region like '__0_00' limit 50")
    ]
    grid_years = (max(years[0], years[1] - 7), years[1])

    def grid(label: str, **params: object) -> Page:
        y = (params.get("from", grid_years[0]), params.get("to", grid_years[1]))
        return Page(label, _q("/grid", **params), ("grid", y))

    grid_pages = [
        grid("unfiltered"),
        grid("page 2", page=2),
        grid("page 100", page=min(100, last_page)),
        grid("page 500", page=min(500, last_page)),
        grid("last page", page=last_page),
        grid("sort=claims", sort="claims"),
        grid("sort=source page 300", sort="source", page=min(300, last_page)),
        grid("level=county", level="county"),
        grid("level=county page 200", level="county", page=min(200, max(1, last_page // 5))),
        grid("level=province", level="province"),
        grid("status=missing", status="missing"),
        grid("status=late page 50", status="late", page=min(50, max(1, last_page // 20))),
        grid("status=pending", status="pending"),
        grid("name=财政局", name="财政局"),
        grid("name=rare", name="人民政府办公室"),
        grid("region=province", region=rng.choice(provinces)),
        grid("region=city", region=rng.choice(cities) if cities else "3301"),
        grid("kind=township", kind="township"),
        grid("17 years", **{"from": years[0], "to": years[1]}),
        grid("level+status+region", level="county_dept", status="missing", region=rng.choice(provinces)),
    ]
    search_pages = [
        Page(label, _q("/search", q=q, **extra), ("search", q, extra.get("year"), extra.get("page", 1)))
        for label, q, extra in SEARCHES
    ]
    report_pages = []
    for k, rid in enumerate(rng.sample(report_ids, min(len(report_ids), 400))):
        q = "复议" if k % 4 == 0 else None
        report_pages.append(Page("with ?q=" if q else "plain", _q(f"/report/{rid}", q=q), ("report", rid)))
    number_pages = [
        Page(f"year+{f}", _q("/reports", year=y, field=f, order="desc"), ("ids",))
        for y in range(max(years[0], years[1] - 5), years[1] + 1)
        for f in HEADLINE
    ]
    number_pages += [
        Page(
            "year 2023 reconsideration", "/reports?year=2023&field=reconsideration_total&order=desc", ("ids",)
        ),
        Page("unfiltered newest", "/reports", ("ids",)),
        Page(
            "field >= 10 asc",
            _q("/reports", field="reconsideration_total", op="ge", value=10, order="asc"),
            ("ids",),
        ),
        Page("level=county", _q("/reports", level="county", year=years[1] - 1), ("ids",)),
        Page("region", _q("/reports", region=rng.choice(provinces), field="litigation_total"), ("ids",)),
        Page("page 100", _q("/reports", page=100), ("ids",)),
    ]
    flag_pages = [
        Page("open (default)", "/flags", ("flags",)),
        Page("kind=missing", "/flags?kind=missing", ("flags",)),
        Page("kind=late,not_online", "/flags?kind=late&kind=not_online", ("flags",)),
        Page("kind=inconsistent", "/flags?kind=inconsistent", ("flags",)),
        Page("year=2023", "/flags?year=2023", ("flags",)),
        Page("region", _q("/flags", region=rng.choice(provinces)), ("flags",)),
        Page("severity=warning", "/flags?severity=warning", ("flags",)),
        Page("state=all page 100", "/flags?state=all&page=100", ("flags",)),
        Page("name=财政局", _q("/flags", name="财政局"), ("flags",)),
    ]
    agency_pages = [
        Page("with reports", f"/agency/{s}", ("agency", s))
        for s in rng.sample(with_reports, min(100, len(with_reports)))
    ]
    agency_pages += [Page("any", f"/agency/{s}", ("agency", s)) for s in sources[:100]]
    verdict_pages = [
        Page("verdict", f"/verdict/{s}/{y}", ("verdict", s, y))
        for s in sources[:200]
        for y in (rng.choice(YEARS),)
    ]
    return [
        Kind("home", GOAL_MS, [Page("home", "/", ("home",))]),
        Kind("grid", GRID_GOAL_MS, grid_pages),
        Kind("search", GOAL_MS, search_pages),
        Kind("report", GOAL_MS, report_pages),
        Kind("numbers", GOAL_MS, number_pages),
        Kind("flags", GOAL_MS, flag_pages),
        Kind("agency", GOAL_MS, agency_pages),
        Kind("verdict", GOAL_MS, verdict_pages),
    ]


AGENCY_LINK = re.compile(r'href="/agency/([A-Za-z0-9._-]+)"')
REPORT_LINK = re.compile(r'href="/report/(r-[0-9a-f]{16})')
VERDICT_LINK = re.compile(r'href="/verdict/([A-Za-z0-9._-]+)/(\d{4})"')


def _in(n: int) -> str:
    return ", ".join("?" * n)


def baseline(db: sqlite3.Connection, spec: tuple, body: str) -> float:
    """Time the plain SQL that reads the rows ``body`` (the page) shows, in ms."""
    kind = spec[0]
    t = time.perf_counter()
    if kind == "grid":
        ids = list(dict.fromkeys(AGENCY_LINK.findall(body)))
        if ids:
            db.execute(
                f"select * from compliance where source_id in ({_in(len(ids))}) and year between ? and ?",
                [*ids, *spec[1]],
            ).fetchall()
    elif kind == "search":
        _, q, year, page = spec
        term = parse_query(q).positive[0]
        fts = term.fts_table
        sql = (
            f"select d.id, d.report_id, d.title, d.agency, d.report_year from {fts} join search_docs d "
            f"on d.id = {fts}.rowid where {fts} match ?"
        )
        args: list = [term.match]
        if year:
            sql += " and d.report_year = ?"
            args.append(year)
        db.execute(sql + " limit 50 offset ?", [*args, (page - 1) * 50]).fetchall()
    elif kind == "report":
        db.execute("select * from reports where id = ?", [spec[1]]).fetchall()
        db.execute("select * from report_texts where report_id = ?", [spec[1]]).fetchall()
    elif kind in ("ids", "home", "flags"):
        ids = list(dict.fromkeys(REPORT_LINK.findall(body)))
        keys = [f"compliance:{s}:{y}" for s, y in dict.fromkeys(VERDICT_LINK.findall(body))]
        if ids:
            db.execute(f"select * from reports where id in ({_in(len(ids))})", ids).fetchall()
        if keys:
            db.execute(f"select * from flags where key in ({_in(len(keys))})", keys).fetchall()
    elif kind == "agency":
        db.execute("select * from compliance where source_id = ?", [spec[1]]).fetchall()
        db.execute("select * from reports where source_id = ?", [spec[1]]).fetchall()
    elif kind == "verdict":
        db.execute("select * from compliance where source_id = ? and year = ?", [spec[1], spec[2]]).fetchall()
    return (time.perf_counter() - t) * 1000


class Client:
    """One keep-alive HTTP/1.1 connection to the server."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=120)

    def get(self, path: str) -> tuple[int, bytes, float]:
        for attempt in (1, 2):
            t = time.perf_counter()
            try:
                self.conn.request("GET", path)
                resp = self.conn.getresponse()
                body = resp.read()
                return resp.status, body, (time.perf_counter() - t) * 1000
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def start_server(data: Path) -> tuple[subprocess.Popen, str, int, float]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NIANBAO_NOW": f"{AS_OF}T12:00:00+08:00"}
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "serve", "--data", str(data), "--port", "0"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        m = re.search(r"http://([0-9.]+):(\d+)/", line)
        if m:
            return proc, m.group(1), int(m.group(2)), time.perf_counter() - t
    proc.kill()
    raise SystemExit(f"nianbao serve did not start (exit {proc.wait()}): {proc.stderr.read()[-2000:]}")


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p * (len(xs) - 1)))] if xs else float("nan")


def measure(data: Path, kinds: list[Kind], runs: int, rng: random.Random) -> dict:
    proc, host, port, startup = start_server(data)
    client = Client(host, port)
    db = sqlite3.connect(f"{(data / DB_NAME).resolve().as_uri()}?mode=ro", uri=True)
    extra: dict[str, float] = {"server_start_s": startup}
    try:
        # the first home page judges every source's health (cached for a minute by the server)
        status, _, ms = client.get("/")
        extra["home_first_ms"] = ms
        for kind in kinds:
            order = [kind.pages[k % len(kind.pages)] for k in range(runs)]
            rng.shuffle(order)
            for page in (kind.pages * 3)[:3]:  # warm-up, untimed
                client.get(page.path)
            for page in order:
                status, body, ms = client.get(page.path)
                if status != 200:
                    kind.errors[status] += 1
                kind.times.append(ms)
                kind.sizes.append(len(body))
                kind.by_label[page.label].append(ms)
                kind.base.append(baseline(db, page.baseline, body.decode("utf-8", "replace")))
    finally:
        db.close()
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return extra


# -- main ------------------------------------------------------------------------------------------


def archive_facts(data: Path) -> dict:
    db = sqlite3.connect(f"{(data / DB_NAME).resolve().as_uri()}?mode=ro", uri=True)
    try:
        out = {
            t: db.execute(f"select count(*) from {t}").fetchone()[0]
            for t in (
                "reports",
                "report_texts",
                "search_docs",
                "compliance",
                "compliance_sources",
                "flags",
                "fetches",
            )
        }
        out["statuses"] = dict(
            db.execute("select status, sum(n) from compliance_rollup group by status").fetchall()
        )
    finally:
        db.close()
    out["mb"] = round(sum(p.stat().st_size for p in data.glob(DB_NAME + "*")) / 1e6)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=100_000, help="reports (texts) in the archive")
    ap.add_argument("--agencies", type=int, default=100_000, help="sources judged over 2008-2024")
    ap.add_argument("--quick", action="store_true", help="10,000 reports and 10,000 agencies")
    ap.add_argument(
        "--keep", help="data directory to build in and reuse (default /tmp/nianbao-bench-serve-<N>)"
    )
    ap.add_argument("--rebuild", action="store_true", help="build again even if --keep holds this archive")
    ap.add_argument("--runs", type=int, default=60, help="timed requests per page kind")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--json", action="store_true", help="the figures as JSON on stdout (table on stderr)")
    args = ap.parse_args()
    n_reports, n_agencies = (10_000, 10_000) if args.quick else (args.reports, args.agencies)
    suffix = f"{n_reports}" if n_reports == n_agencies else f"{n_reports}r-{n_agencies}a"
    data = Path(args.keep or f"/tmp/nianbao-bench-serve-{suffix}")
    out = sys.stderr if args.json else sys.stdout
    marker = data / "bench-serve.json"
    want = {"version": BUILD_VERSION, "reports": n_reports, "agencies": n_agencies, "seed": args.seed}
    cached = not args.rebuild and marker.exists() and json.loads(marker.read_text()).get("params") == want
    if cached:
        info = json.loads(marker.read_text())
    else:
        if data.exists():
            shutil.rmtree(data)
        print(
            f"building {data}: {n_reports:,} reports, {n_agencies:,} agencies x {len(YEARS)} years",
            file=sys.stderr,
        )
        built = build(data, n_reports, n_agencies, args.seed)
        info = {"params": want, "seconds": built.seconds, "counts": built.counts}
        marker.write_text(json.dumps(info, indent=1))
    facts = archive_facts(data)
    rng = random.Random(args.seed + 1)
    db = sqlite3.connect(f"{(data / DB_NAME).resolve().as_uri()}?mode=ro", uri=True)
    kinds = make_pages(db, rng, n_agencies)
    db.close()
    extra = measure(data, kinds, args.runs, rng)

    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(
        f"archive {data / DB_NAME} ({'cached' if cached else 'built'}): {facts['reports']:,} reports "
        f"({facts['search_docs']:,} indexed), {facts['compliance_sources']:,} agencies, "
        f"{facts['compliance']:,} verdicts, {facts['flags']:,} flags, {facts['fetches']:,} fetches; "
        f"{facts['mb']:,} MB; built in {info['seconds']['total']:.0f} s "
        f"(index_reports {info['seconds'].get('index_reports', 0):.0f} s, verdicts "
        f"{info['seconds'].get('verdicts (save_verdicts) + flags', 0):.0f} s)"
    )
    p(
        "  verdicts: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(facts["statuses"].items(), key=lambda kv: -kv[1]))
    )
    p(
        f"server up in {extra['server_start_s']:.1f} s; first home page (judges every source's health, "
        f"then cached 60 s) {extra['home_first_ms']:.0f} ms"
    )
    p(
        f"\n{args.runs} warm sequential GETs per page kind (keep-alive); ms; baseline = plain SQL reading the "
        "rows the page shows (own sqlite3 connection, same run)"
    )
    p(
        f"{'page':8} {'n':>4} {'p50':>7} {'p95':>7} {'max':>7} {'KB':>5} | {'base p50':>8} {'base p95':>8} | "
        f"{'p95/base':>8} | {'goal':>5}  verdict"
    )
    rows = []
    for k in kinds:
        p50, p95, mx = pct(k.times, 0.5), pct(k.times, 0.95), max(k.times)
        b50, b95 = pct(k.base, 0.5), pct(k.base, 0.95)
        ok = p95 <= k.goal and not k.errors
        kb = pct([float(x) for x in k.sizes], 0.5) / 1000
        ratio = p95 / b95 if b95 > 0 else float("inf")
        errs = f" errors {dict(k.errors)}" if k.errors else ""
        p(
            f"{k.name:8} {len(k.times):4} {p50:7.1f} {p95:7.1f} {mx:7.1f} {kb:5.0f} | {b50:8.2f} {b95:8.2f} | "
            f"{ratio:8.0f} | "
            f"{k.goal:5.0f}  {'MET' if ok else 'MISSED'}{errs}"
        )
        rows.append(
            {
                "page": k.name,
                "n": len(k.times),
                "p50_ms": round(p50, 2),
                "p95_ms": round(p95, 2),
                "max_ms": round(mx, 2),
                "median_kb": round(kb, 1),
                "baseline_p50_ms": round(b50, 3),
                "baseline_p95_ms": round(b95, 3),
                "ratio_p95": round(ratio, 1),
                "goal_ms": k.goal,
                "met": ok,
                "errors": dict(k.errors),
                "variants": {
                    label: {"n": len(v), "p50_ms": round(pct(v, 0.5), 2), "max_ms": round(max(v), 2)}
                    for label, v in k.by_label.items()
                },
            }
        )
    p("\nper variant: n, p50 / max ms (slowest first)")
    for k in kinds:
        if len(k.by_label) < 2:
            continue
        parts = sorted(k.by_label.items(), key=lambda kv: -pct(kv[1], 0.5))
        p(
            f"  {k.name}: "
            + "; ".join(f"{label} {len(v)}× {pct(v, 0.5):.0f}/{max(v):.0f}" for label, v in parts)
        )
    met = all(r["met"] for r in rows)
    p(
        f"\ngoal: every page p95 <= {GOAL_MS:.0f} ms, the grid <= {GRID_GOAL_MS:.0f} ms -> {'MET' if met else 'MISSED'}"
    )
    if args.json:
        json.dump(
            {"archive": {**facts, "build": info}, "server": extra, "pages": rows, "met": met},
            sys.stdout,
            indent=1,
        )
        print()


if __name__ == "__main__":
    main()
