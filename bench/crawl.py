#!/usr/bin/env python
"""Crawl benchmark: full pipeline vs a bare Scrapy spider, re-crawl bytes, peak RSS.

    python bench/crawl.py [--quick] [--sizes 1000,10000] [--repeat 3] [--repeat-large 2]
                          [--seed 7] [--no-recrawl] [--set NAME=VALUE] [--json] [--keep]

What it measures, against the portal simulator (``nianbao sim serve --no-troubles`` in its own
process, so it shares no GIL with the crawler; troubles off because slow pages would measure the
simulator's sleep; blocked sites stay, they are part of the world):

* **Throughput ratio** (goal >= 0.5): pages/s of the full pipeline (``nianbao crawl --profile
  sim``: crawl + parsing + WARC + SQLite, ``NIANBAO_NOW`` pinned) / pages/s of
  ``bench/bare_spider.py``, a bare Scrapy spider with the same concurrency that fetches exactly
  the requests the full crawl made (method, URL and, for Hanweb dataproxy POSTs, the form body
  read back from the WARC ``request`` record), measured in the same invocation.  Per size: one
  priming full crawl (it makes the request list and meets the simulator's caches cold, so it is
  not in the medians), then bare, full, bare, full... ``--repeat`` times; medians reported.
  "pages" = ``fetches`` rows of the run (every exchange) for the full crawl, responses +
  failures for the bare one.  Two clocks: *wall* = the whole subprocess, interpreter start-up
  included; *engine* = Scrapy's ``elapsed_time_seconds`` (spider open to close).  CPU ms/page
  (user + sys of the subprocess) is the least noisy of the three.
* **Re-crawl bytes** (goal <= 0.10): after the priming crawl of the smallest size, the same data
  directory is crawled again as of the next day (inside ``NIANBAO_REVISIT_DAYS``: listings
  re-read, known documents skipped) and as of ten days later (past it: known documents
  re-checked with conditional requests, so 304s).  Bytes = ``sum(fetches.size)`` (response
  bodies) of the run / that of the first run.  The goal applies to the routine (next-day) run.
* **Peak RSS** of the crawl subprocess (``ru_maxrss`` from ``os.wait4``) at each size, full and
  bare (max over the runs of that size).  Sizes are target page counts: the first size uses a
  guessed pages-per-agency rate, later sizes the rate measured on the first; the actual page
  counts are printed.

The simulator and crawls run in a temporary directory that is removed at the end (``--keep``
keeps it).  Figures are ratios against baselines measured in the same run; the VM is noisy, so
compare medians, not single runs.  ``--set NAME=VALUE`` passes a setting to the full crawl only
(to try a tuning against the same baseline).  Exit status 0 unless a subprocess failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BARE_SPIDER = Path(__file__).resolve().parent / "bare_spider.py"
PY = sys.executable
SEED = 7
TODAY = "2025-04-10"  # the simulated world is served as of this date, first crawl too
RECRAWL_SOON = "2025-04-11"  # inside the 7-day revisit interval
RECRAWL_LATE = "2025-04-20"  # past it: conditional re-checks of known documents
PAGES_PER_AGENCY_GUESS = 27.0  # seed 7 measured ≈ 27; only used to size the first world
LARGE = 5000  # sizes above this run --repeat-large times
CHILD_TIMEOUT = 900.0


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class ChildFailed(RuntimeError):
    pass


# -- subprocesses ---------------------------------------------------------------------------
@dataclass
class Child:
    """A finished subprocess: wall seconds, exit code, peak RSS (KiB) and CPU seconds."""

    wall: float
    rc: int
    maxrss_kib: int
    cpu: float


def run_child(
    args: list[str], *, env: dict[str, str], cwd: Path, logs: Path, timeout: float = CHILD_TIMEOUT
) -> Child:
    """Run a subprocess to completion; reap it with ``os.wait4`` for its own rusage."""
    with open(logs.with_suffix(".out"), "wb") as out, open(logs.with_suffix(".err"), "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, env=env, cwd=cwd)
        killed = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if not killed and time.perf_counter() - t0 > timeout:
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
            time.sleep(0.005)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    child = Child(wall, proc.returncode, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)
    if child.rc != 0:
        tail = logs.with_suffix(".err").read_text(errors="replace")[-3000:]
        raise ChildFailed(f"{' '.join(args[:4])}… exited {child.rc}{' (timeout)' if killed else ''}\n{tail}")
    return child


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "SCRAPY_"))}
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Sim:
    """``nianbao sim serve`` in a subprocess (troubles off) and its registry file."""

    def __init__(self, seed: int, agencies: int, work: Path) -> None:
        self.err = open(work / f"sim-{agencies}.err", "wb")  # noqa: SIM115 - lives as long as the server
        self.proc = subprocess.Popen(
            [
                PY,
                "-m",
                "crawler.cli",
                "sim",
                "serve",
                "--seed",
                str(seed),
                "--agencies",
                str(agencies),
                "--today",
                TODAY,
                "--port",
                "0",
                "--no-troubles",
            ],
            stdout=subprocess.PIPE,
            stderr=self.err,
            text=True,
            env=base_env(),
            cwd=work,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("http://"):
            self.stop()
            raise ChildFailed(f"simulator did not start (said {line!r})")
        self.base_url = line.rstrip("/")
        self.sources = work / f"sources-{agencies}.toml"
        reg = subprocess.run(
            [
                PY,
                "-m",
                "crawler.cli",
                "sim",
                "sources",
                "--seed",
                str(seed),
                "--agencies",
                str(agencies),
                "--base-url",
                self.base_url,
            ],
            capture_output=True,
            env=base_env(),
            cwd=work,
        )
        if reg.returncode != 0:
            self.stop()
            raise ChildFailed(
                f"nianbao sim sources exited {reg.returncode}\n{reg.stderr.decode(errors='replace')}"
            )
        self.sources.write_bytes(reg.stdout)

    def cpu(self) -> float | None:
        """CPU seconds the simulator has used so far (Linux /proc), None if unknown."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self.err.close()


# -- one full crawl / one bare crawl ------------------------------------------------------------
@dataclass
class Measure:
    kind: str  # "full" | "bare"
    pages: int
    wall: float
    engine: float | None
    cpu: float
    maxrss_kib: int
    sim_cpu: float | None
    bytes: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def pps_wall(self) -> float:
        return self.pages / self.wall

    @property
    def pps_engine(self) -> float | None:
        return self.pages / self.engine if self.engine else None

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.cpu / self.pages if self.pages else float("nan")


def _query(db: Path, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        return list(con.execute(sql, args))
    finally:
        con.close()


FULL_SETTINGS: list[str] = []  # extra ``-s NAME=VALUE`` for the full crawl (``--set``)


def full_crawl(sim: Sim, data: Path, now: str, work: Path, tag: str) -> Measure:
    """``nianbao crawl --profile sim`` into ``data`` as of ``now``; figures from its archive."""
    env = base_env() | {"NIANBAO_NOW": now}
    args = [
        PY,
        "-m",
        "crawler.cli",
        "crawl",
        "--data",
        str(data),
        "--sources",
        str(sim.sources),
        "--profile",
        "sim",
        "-s",
        "LOG_LEVEL=WARNING",
        "-s",
        "NIANBAO_PROGRESS=False",
    ]
    for setting in FULL_SETTINGS:
        args += ["-s", setting]
    sim0 = sim.cpu()
    child = run_child(args, env=env, cwd=work, logs=work / f"{tag}.log")
    sim1 = sim.cpu()
    db = data / "archive.db"
    run = _query(db, "select id, stats, finish_reason from runs order by id desc limit 1")[0]
    stats = json.loads(run["stats"] or "{}")
    agg = _query(
        db,
        "select count(*) n, coalesce(sum(size), 0) b, sum(status = 304) n304 from fetches where run_id = ?",
        (run["id"],),
    )[0]
    by_kind = {
        r["kind"]: {"pages": r["n"], "bytes": r["b"]}
        for r in _query(
            db,
            "select kind, count(*) n, coalesce(sum(size), 0) b from fetches where run_id = ? group by kind",
            (run["id"],),
        )
    }
    return Measure(
        "full",
        agg["n"],
        child.wall,
        stats.get("elapsed_time_seconds"),
        child.cpu,
        child.maxrss_kib,
        None if sim0 is None or sim1 is None else sim1 - sim0,
        agg["b"],
        {
            "run_id": run["id"],
            "now": now,
            "not_modified": agg["n304"] or 0,
            "by_kind": by_kind,
            "finish_reason": run["finish_reason"],
        },
    )


def export_requests(data: Path, run_id: int, out: Path) -> dict:
    """The (method, url, body) list of a run's fetches, for the bare spider.

    GETs need only the URL.  Non-GET bodies (Hanweb dataproxy POST forms) are read back from
    the WARC ``request`` record, which the archive writes right after the response/metadata
    record the fetch row points at; the request's Content-Type goes along.
    """
    sys.path.insert(0, str(REPO))
    from storage.warc import RecordRef, read_record

    specs, methods = [], {}
    for row in _query(
        data / "archive.db",
        "select method, url, warc_file, warc_offset, warc_length from fetches where run_id = ? order by id",
        (run_id,),
    ):
        spec = {"method": row["method"], "url": row["url"], "body": "", "headers": {}}
        methods[row["method"]] = methods.get(row["method"], 0) + 1
        if row["method"] != "GET":
            rec = read_record(
                data / "warc", RecordRef(row["warc_file"], row["warc_offset"] + row["warc_length"], 1 << 20)
            )
            if rec.rec_type != "request" or rec.uri != row["url"]:
                raise ChildFailed(f"no request record after the fetch of {row['url']}")
            spec["body"] = rec.payload.decode("latin-1")
            spec["headers"] = {k: v for k, v in rec.http_headers if k.lower() == "content-type"}
        specs.append(spec)
    out.write_text(json.dumps(specs), encoding="utf-8")
    return methods


def bare_crawl(sim: Sim, requests_file: Path, work: Path, tag: str) -> Measure:
    out = work / f"{tag}.json"
    sim0 = sim.cpu()
    child = run_child(
        [PY, str(BARE_SPIDER), str(requests_file), str(out)],
        env=base_env(),
        cwd=work,
        logs=work / f"{tag}.log",
    )
    sim1 = sim.cpu()
    res = json.loads(out.read_text())
    return Measure(
        "bare",
        res["pages"] + res["failures"],
        child.wall,
        res["elapsed"],
        child.cpu,
        child.maxrss_kib,
        None if sim0 is None or sim1 is None else sim1 - sim0,
        res["bytes"],
        {"failures": res["failures"], "requests": res["requests"]},
    )


# -- one size -----------------------------------------------------------------------------------
def med(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def bench_size(target: int, agencies: int, repeat: int, seed: int, work: Path, recrawl: bool) -> dict:
    """One world: a priming full crawl, then ``repeat`` × (bare, full); re-crawls if asked.

    The priming crawl (not in the throughput medians: it meets a cold simulator whose page and
    attachment caches the later runs find warm) gives the request list of the bare spider, the
    first run of the re-crawl chain, and one more peak-RSS sample.
    """
    log(
        f"size {target:,}: simulator with {agencies} agencies; priming full crawl, then {repeat} × (bare, full)"
    )
    sim = Sim(seed, agencies, work)
    fulls: list[Measure] = []
    bares: list[Measure] = []
    recrawls: list[Measure] = []
    requests_file = work / f"requests-{agencies}.json"
    try:
        data = work / f"data-{agencies}-prime"
        prime = full_crawl(sim, data, TODAY, work, f"full-{agencies}-prime")
        log(
            f"  priming full: {prime.pages} pages in {prime.wall:.1f} s wall ({prime.pps_wall:.0f}/s), "
            f"RSS {prime.maxrss_kib / 1024:.0f} MiB"
        )
        methods = export_requests(data, prime.extra["run_id"], requests_file)
        if recrawl:
            for now in (RECRAWL_SOON, RECRAWL_LATE):
                m = full_crawl(sim, data, now, work, f"recrawl-{agencies}-{now}")
                recrawls.append(m)
                log(
                    f"  re-crawl as of {now}: {m.pages} pages, {m.bytes:,} bytes "
                    f"({m.bytes / prime.bytes:.3f} of run 1), {m.extra['not_modified']} × 304"
                )
        shutil.rmtree(data, ignore_errors=True)
        for i in range(repeat):
            bare = bare_crawl(sim, requests_file, work, f"bare-{agencies}-{i}")
            bares.append(bare)
            log(
                f"  bare #{i + 1}: {bare.pages} pages in {bare.wall:.1f} s wall ({bare.pps_wall:.0f}/s), "
                f"engine {bare.engine or 0:.1f} s, RSS {bare.maxrss_kib / 1024:.0f} MiB"
            )
            data = work / f"data-{agencies}-{i}"
            full = full_crawl(sim, data, TODAY, work, f"full-{agencies}-{i}")
            fulls.append(full)
            shutil.rmtree(data, ignore_errors=True)
            log(
                f"  full #{i + 1}: {full.pages} pages in {full.wall:.1f} s wall ({full.pps_wall:.0f}/s), "
                f"engine {full.engine or 0:.1f} s, RSS {full.maxrss_kib / 1024:.0f} MiB"
            )
            if full.pages != prime.pages:
                log(f"  note: this full crawl made {full.pages} fetches, the priming one {prime.pages}")
    finally:
        sim.stop()

    def summary(ms: list[Measure], extra: tuple[Measure, ...] = ()) -> dict:
        return {
            "pages": int(med([m.pages for m in ms])),
            "pps_wall": med([m.pps_wall for m in ms]),
            "pps_engine": med([m.pps_engine for m in ms]),
            "cpu_ms_per_page": med([m.cpu_ms_per_page for m in ms]),
            "wall_s": med([m.wall for m in ms]),
            "engine_s": med([m.engine for m in ms]),
            "peak_rss_mib": max(m.maxrss_kib for m in [*ms, *extra]) / 1024,
            "sim_cpu_share": med([m.sim_cpu / m.wall if m.sim_cpu is not None else None for m in ms]),
            "runs": [asdict(m) | {"pps_wall": m.pps_wall, "pps_engine": m.pps_engine} for m in ms],
        }

    f, b = summary(fulls, (prime,)), summary(bares)
    f["priming_run"] = asdict(prime) | {"pps_wall": prime.pps_wall, "pps_engine": prime.pps_engine}
    out = {
        "target_pages": target,
        "agencies": agencies,
        "repeat": repeat,
        "methods": methods,
        "full": f,
        "bare": b,
        "ratio_wall": f["pps_wall"] / b["pps_wall"],
        "ratio_engine": (f["pps_engine"] / b["pps_engine"]) if f["pps_engine"] and b["pps_engine"] else None,
        "ratio_cpu": (b["cpu_ms_per_page"] / f["cpu_ms_per_page"]),
        "pair_ratios_wall": [fm.pps_wall / bm.pps_wall for fm, bm in zip(fulls, bares, strict=True)],
    }
    if recrawl:
        first = prime
        out["recrawl"] = [
            {
                "now": m.extra["now"],
                "pages": m.pages,
                "bytes": m.bytes,
                "fraction": m.bytes / first.bytes,
                "not_modified": m.extra["not_modified"],
                "by_kind": m.extra["by_kind"],
                "wall_s": m.wall,
            }
            for m in [first, *recrawls]
        ]
    return out


# -- report ------------------------------------------------------------------------------------
def git_commit() -> str:
    """Short commit of the checkout being measured (``+dirty`` with local changes), or ``?``."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def pct(x: float | None) -> str:
    return "   -" if x is None else f"{100 * x:3.0f}%"


def render(result: dict) -> str:
    sizes = result["sizes"]
    lines = [
        f"nianbao bench/crawl.py: seed {result['seed']}, simulator as of {TODAY} (troubles off), "
        f"--profile sim (16 concurrent), {result['cpus']} CPUs, commit {result['commit']}, "
        f"total {result['total_s']:.0f} s",
        *(
            [f"extra settings of the full crawl: {' '.join(result['full_settings'])}"]
            if result["full_settings"]
            else []
        ),
        "",
        "Throughput: full pipeline (crawl + WARC + SQLite) vs bare Scrapy spider on the same requests",
        "(medians of the runs after a priming crawl; wall = whole subprocess incl. start-up,",
        " engine = Scrapy elapsed_time_seconds; sim CPU = simulator CPU time / crawl wall time)",
        f"{'size':>6} {'agcy':>5} {'runs':>4} {'pages':>6} | {'full p/s':>14} {'bare p/s':>14} |"
        f" {'ratio':>11} | {'CPU ms/page':>12} | {'sim CPU':>9}",
        f"{'':>6} {'':>5} {'':>4} {'':>6} | {'wall  engine':>14} {'wall  engine':>14} |"
        f" {'wall engine':>11} | {'full   bare':>12} | {'full bare':>9}",
    ]
    for s in sizes:
        f, b = s["full"], s["bare"]
        lines.append(
            f"{s['target_pages']:>6} {s['agencies']:>5} {s['repeat']:>4} {f['pages']:>6} |"
            f" {fmt(f['pps_wall'], '6.0f')} {fmt(f['pps_engine'], '7.0f')} {fmt(b['pps_wall'], '6.0f')}"
            f" {fmt(b['pps_engine'], '7.0f')} | {fmt(s['ratio_wall'], '5.2f')} {fmt(s['ratio_engine'], '5.2f')} |"
            f" {fmt(f['cpu_ms_per_page'], '5.1f')} {fmt(b['cpu_ms_per_page'], '6.1f')} |"
            f" {pct(f['sim_cpu_share'])} {pct(b['sim_cpu_share'])}"
        )
    for s in sizes:
        if s["repeat"] > 1:
            lines.append(
                f"  size {s['target_pages']}: per-pair wall ratios "
                + ", ".join(f"{r:.2f}" for r in s["pair_ratios_wall"])
            )
    goal = sizes[-1]
    lines.append(
        f"  goal ratio >= 0.50 (largest size, wall): {goal['ratio_wall']:.2f} -> "
        f"{'MET' if goal['ratio_wall'] >= 0.5 else 'NOT MET'}"
    )
    rec = next((s for s in sizes if "recrawl" in s), None)
    if rec:
        lines += [
            "",
            f"Re-crawl of an unchanged world (size {rec['target_pages']}, {rec['agencies']} agencies, "
            "same data directory; bytes = response bodies)",
            f"{'run':>3} {'NIANBAO_NOW':>11} {'pages':>6} {'bytes':>11} {'fraction':>8} {'304s':>5}"
            f" {'listing pages/bytes':>20} {'other pages/bytes':>20}",
        ]
        for i, r in enumerate(rec["recrawl"], 1):
            lst = r["by_kind"].get("listing", {"pages": 0, "bytes": 0})
            other_p = r["pages"] - lst["pages"]
            other_b = r["bytes"] - lst["bytes"]
            lines.append(
                f"{i:>3} {r['now']:>11} {r['pages']:>6} {r['bytes']:>11,} {r['fraction']:>8.3f}"
                f" {r['not_modified']:>5} {lst['pages']:>7} / {lst['bytes']:>10,}"
                f" {other_p:>7} / {other_b:>10,}"
            )
        routine = rec["recrawl"][1]["fraction"]
        lines.append(
            f"  goal routine re-crawl <= 0.10: {routine:.3f} -> {'MET' if routine <= 0.10 else 'NOT MET'}"
        )
    lines += [
        "",
        "Peak RSS (ru_maxrss of the crawl subprocess, max over the runs of the size)",
        f"{'size':>6} {'pages':>6} {'full MiB':>9} {'bare MiB':>9}",
    ]
    for s in sizes:
        lines.append(
            f"{s['target_pages']:>6} {s['full']['pages']:>6} {s['full']['peak_rss_mib']:>9.0f}"
            f" {s['bare']['peak_rss_mib']:>9.0f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="only the first size, one run (smoke test)")
    ap.add_argument(
        "--sizes", default="1000,10000", help="target page counts, comma-separated (default: %(default)s)"
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help=f"(full, bare) pairs per size up to {LARGE} pages (default: %(default)s)",
    )
    ap.add_argument(
        "--repeat-large",
        type=int,
        default=2,
        help=f"(full, bare) pairs per size above {LARGE} pages (default: %(default)s)",
    )
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--no-recrawl", action="store_true", help="skip the re-crawl runs")
    ap.add_argument(
        "--json", action="store_true", help="print a JSON object of the figures (the table goes to stderr)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, archives)")
    ap.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra setting for the full crawl (repeatable), e.g. to try a tuning",
    )
    args = ap.parse_args(argv)
    FULL_SETTINGS[:] = args.settings

    if not hasattr(os, "wait4"):
        ap.error("needs os.wait4 (Linux or another Unix)")
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    if args.quick:
        sizes, args.repeat, args.repeat_large = sizes[:1], 1, 1
    commit = git_commit()  # before the run: others may commit while it runs
    work = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    log(f"work dir {work}")
    t0 = time.perf_counter()
    results = []
    rate = PAGES_PER_AGENCY_GUESS
    try:
        for n, target in enumerate(sizes):
            agencies = max(1, round(target / rate))
            repeat = args.repeat if target <= LARGE else args.repeat_large
            res = bench_size(
                target, agencies, max(1, repeat), args.seed, work, recrawl=n == 0 and not args.no_recrawl
            )
            results.append(res)
            if n == 0:
                rate = res["full"]["pages"] / agencies  # measured, for the larger worlds
    except ChildFailed as exc:
        log(f"FAILED: {exc}")
        log(f"logs kept in {work}")
        return 1
    except BaseException:
        log(f"interrupted; logs kept in {work}")
        raise
    result = {
        "seed": args.seed,
        "today": TODAY,
        "commit": commit,
        "full_settings": args.settings,
        "cpus": os.cpu_count(),
        "total_s": time.perf_counter() - t0,
        "pages_per_agency": rate,
        "sizes": results,
    }
    table = render(result)
    if args.json:
        print(table, file=sys.stderr)
        print(json.dumps(result, indent=1, default=str))
    else:
        print(table)
    if args.keep:
        log(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
