"""Source-health benchmark: what the scheduler computes after every run, over a long history.

::

    python bench/health.py                          # 100,000 sources x 180 daily runs (18M rows)
    python bench/health.py --sources 5000 --days 60 # smoke run

Builds once, and caches in ``--db`` (default ``/tmp/nianbao-bench-health-<S>x<D>``), an
``archive.db`` made by ``storage.db.open_db`` with one scheduled run per day for ``--days`` days
and a ``source_runs`` row per source and run: mostly ``ok`` with reports, ~5 % of sources blocked
for good, ~2 % redesigned halfway (``ok`` with no reports from then on), scattered ``partial``,
``unreachable`` and ``interrupted`` runs.

Each measurement runs in a fresh subprocess (peak RSS from ``os.wait4``), alternated
``--repeat`` times, best of each:

* **baseline**: ``crawler.health.health_rows`` as the first version did it: every run of every
  source loaded (``load_outcomes(db)``) and judged;
* **now**: ``health_rows`` as the scheduler and ``nianbao status`` call it: one summary row per
  source (``source_summary``, kept by the crawl with every outcome it records: the runs within
  the health window of the newest, the last success before them and the failures since), so
  the time grows with the number of sources, not with the history.  Goal (issue 13): ≤ 2 s at
  100,000 sources × 180 runs.

Both must give the same judgement for every source (checked, by digest).  The figure is the
ratio now / baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.vocab.clock import CHINA_TZ  # noqa: E402

START = datetime(2025, 1, 1, 2, 0, tzinfo=CHINA_TZ)

MEASURE = r"""
import hashlib, json, os, sys, time
from datetime import datetime
sys.path.insert(0, {root!r})
from crawler.health import health_rows, judge
from crawler.registry.sources import Source
from storage.db import open_db
from storage import health

db = open_db({data!r}, create=False)
now = datetime.fromisoformat({now!r})
ids = [r[0] for r in db.conn.execute("select distinct source_id from source_runs")]
registry = [Source(i, i, "county", "region", ("http://127.0.0.1/",), None, "auto", "auto", 2008, None, True, "",
                   ("127.0.0.1",), 50) for i in ids]
t0 = time.perf_counter()
if {mode!r} == "baseline":
    outcomes = health.load_outcomes(db)
    rows = [(s.id, judge(outcomes.get(s.id, []), now).as_dict()) for s in registry]
    seconds = time.perf_counter() - t0
    loaded = sum(map(len, outcomes.values()))
else:
    rows = [(r["source"], {{k: r[k] for k in ("health", "reason", "last_success", "consecutive_failures",
            "items_last_run", "success_rate", "runs_in_window")}}) for r in health_rows(db, registry, now)]
    seconds = time.perf_counter() - t0
    loaded = db.conn.execute("select count(*) from source_summary").fetchone()[0]  # one row per source
digest = hashlib.sha256(json.dumps(sorted(rows), sort_keys=True, default=str).encode()).hexdigest()
states = {{}}
for _, h in rows:
    states[h["health"]] = states.get(h["health"], 0) + 1
print(json.dumps({{"seconds": seconds, "digest": digest, "rows": loaded, "states": states}}))
"""


def build(data: Path, sources: int, days: int) -> None:
    from storage.db import open_db

    open_db(data).close()
    rng = random.Random(7)
    blocked = {i for i in range(sources) if rng.random() < 0.05}
    redesigned = {i for i in range(sources) if rng.random() < 0.02}
    con = sqlite3.connect(data / "archive.db")
    con.execute("PRAGMA synchronous = OFF")
    with con:
        for day in range(days):
            at = (START + timedelta(days=day)).isoformat(timespec="seconds")
            run_id = con.execute(
                "insert into runs (started_at, command, args, version) values (?, 'crawl', '{}', 'bench')",
                (at,),
            ).lastrowid
            rows = []
            for i in range(sources):
                roll = rng.random()
                if i in blocked:
                    status, seen = "blocked:waf", 0
                elif i in redesigned and day >= days // 2:
                    status, seen = "ok", 0
                elif roll < 0.01:
                    status, seen = "partial", 3
                elif roll < 0.015:
                    status, seen = "unreachable", 0
                elif roll < 0.02:
                    status, seen = "interrupted", 0
                else:
                    status, seen = "ok", 3 + i % 7
                rows.append((run_id, f"s{i:06d}", status, seen))
            con.executemany(
                "insert into source_runs (run_id, source_id, status, reports_seen) values (?, ?, ?, ?)", rows
            )
    con.close()
    # what the crawl keeps as it records each outcome (storage.runs.record_source_run): the
    # per-source summaries, built here in one pass over the synthetic history
    from storage.health import rebuild_summaries

    db = open_db(data)
    with db.conn:
        rebuild_summaries(db)
    db.close()
    (data / "bench.json").write_text(json.dumps({"sources": sources, "days": days, "summaries": 1}))


def measure(data: Path, mode: str, now: datetime) -> dict:
    code = MEASURE.format(
        root=str(Path(__file__).resolve().parents[1]), data=str(data), now=now.isoformat(), mode=mode
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.stdout.close()
    if status:
        raise SystemExit(f"{mode} measurement failed ({status})")
    return {**json.loads(out), "rss_mb": usage.ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    data = args.db or Path(f"/tmp/nianbao-bench-health-{args.sources}x{args.days}")
    if not (data / "bench.json").exists():
        t0 = time.perf_counter()
        build(data, args.sources, args.days)
        print(
            f"built {args.sources:,} sources x {args.days} runs in {time.perf_counter() - t0:.0f} s",
            file=sys.stderr,
            flush=True,
        )
    now = START + timedelta(days=args.days - 1, hours=12)
    best: dict[str, dict] = {}
    for _ in range(args.repeat):
        for mode in ("baseline", "now"):
            result = measure(data, mode, now)
            if mode not in best or result["seconds"] < best[mode]["seconds"]:
                best[mode] = result
    base, new = best["baseline"], best["now"]
    same = base["digest"] == new["digest"]
    print(
        f"{args.sources:,} sources x {args.days} daily runs ({args.sources * args.days:,} source_runs rows)"
    )
    for mode, r in (("baseline (all runs)", base), ("now (summaries)    ", new)):
        print(
            f"{mode:<22} {r['seconds']:7.2f} s  {r['rows']:>11,} rows loaded  peak RSS {r['rss_mb']:6.0f} MB"
        )
    print(
        f"ratio now/baseline {new['seconds'] / base['seconds']:.3f}  same judgement for every source: {same}  "
        f"states {json.dumps(new['states'], sort_keys=True)}"
    )
    if not same:
        raise SystemExit("the reduced history changed a judgement")


if __name__ == "__main__":
    main()
