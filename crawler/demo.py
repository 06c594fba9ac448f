"""``nianbao demo``: simulator in a subprocess, a crawl of it as of a fixed date, a summary."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from storage.db import DB_NAME, WARC_DIR

if TYPE_CHECKING:
    from crawler.stages.check import CheckResult

MARKER = ".nianbao-demo"  # only a directory the demo made itself is ever emptied


def start_sim_process(seed: int, agencies: int, today: date) -> tuple[subprocess.Popen, str]:
    """Start ``nianbao sim serve`` in a subprocess; returns it and its base URL."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "sim",
            "serve",
            "--seed",
            str(seed),
            "--agencies",
            str(agencies),
            "--today",
            today.isoformat(),
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    base = next((w for w in line.split() if w.startswith("http://")), "")
    if not base:
        proc.kill()
        raise RuntimeError(f"simulator did not start (said {line!r})")
    return proc, base.rstrip("/")


def fresh_dir(path: Path) -> Path:
    """Empty a previous demo directory (only one the demo made: it carries a marker file)."""
    if path.exists() and any(path.iterdir()):
        if not (path / MARKER).exists():
            raise click.ClickException(
                f"{path} exists and was not made by 'nianbao demo'; pass --data with a new directory"
            )
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    (path / MARKER).write_text("made by nianbao demo; emptied by the next demo run\n", encoding="utf-8")
    return path


def run_demo(*, data: str | None, agencies: int, seed: int, today: date) -> int:
    """Run the demo end to end (the same stages as ``nianbao run``); returns the exit code."""
    from crawler.stages.run import run
    from portalsim import render_sources_toml

    root = fresh_dir(Path(data or "nianbao-demo"))
    click.echo(f"Starting the portal simulator: {agencies} agencies, seed {seed}, as of {today} …")
    proc, base = start_sim_process(seed, agencies, today)
    sources = root / "sources.toml"
    started = time.monotonic()

    def report(stage: str, outcome: Any) -> None:  # each stage's own result
        if stage == "crawl":
            _stop(proc)  # the crawl is over: extraction and the check read the archive only
            click.echo(summary(root, time.monotonic() - started, outcome))
            click.echo(score_line(root, seed, agencies, today))
            click.echo("\nExtracting text from the archived pages and attachments …")
        elif stage == "extract":
            click.echo(f"  {outcome.line()}")
            click.echo(f"  try: nianbao search 复议 --data {root}    nianbao show <report id> --data {root}")
            click.echo("\nChecking compliance (deadlines, missing, late, edited, copied) …")
        elif stage == "check":
            click.echo(check_demo(root, sources, seed, agencies, today, outcome.result))

    try:
        sources.write_text(render_sources_toml(seed, agencies, base), encoding="utf-8")
        click.echo(f"Simulator at {base}; crawling into {root}/ (clock pinned to {today}) …")
        os.environ["NIANBAO_NOW"] = today.isoformat()
        result = run(
            str(root),
            sources=str(sources),
            profile="sim",
            notify=False,
            as_of=today,
            on_stage=report,
            command="demo",
        )
    finally:
        _stop(proc)
    return 1 if result.stopped or result.stats.get("finish_reason") != "finished" else 0


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=10)


def check_demo(root: Path, sources: Path, seed: int, agencies: int, today: date, result: CheckResult) -> str:
    """Write the HTML grid and score the check's verdicts (a ``CheckResult``) against the truth."""
    from crawler.outputs.report_html import render_html
    from crawler.vocab import clock
    from portalsim import truth_records
    from storage.compliance import stored_verdicts
    from storage.db import open_db

    db = open_db(root)
    verdicts = list(stored_verdicts(db))
    (root / "report.html").write_text(
        render_html(verdicts, generated_at=clock.now_iso(), as_of=today.isoformat()), encoding="utf-8"
    )
    truth = {(t["source"], t["year"]): t for t in truth_records(seed, agencies, today)}
    kinds = ("late", "missing", "not_online")
    claims = [v for v in result.verdicts if v["status"] in kinds]
    right = sum(1 for v in claims if truth[v["source"], v["year"]]["status"] == v["status"])
    positives = [t for t in truth.values() if t["reachable"] and t["status"] in kinds]
    counts = result.counts
    opened = Counter(e["kind"] for e in result.events if e["event"] == "opened")
    example = next((v for v in claims if v["status"] == "late"), claims[0] if claims else None)
    lines = [
        f"  verdicts          {len(result.verdicts)}: "
        + ", ".join(
            f"{counts.get(k, 0)} {k}"
            for k in ("on_time", "late", "missing", "not_online", "unknown", "pending")
        ),
        f"  flags opened      {sum(opened.values())}: "
        + ", ".join(f"{n} {k}" for k, n in sorted(opened.items()))
        + f" (feed: {root / 'flags.atom'})",
        f"  statistics        {stats_line(db)}",
        f"  scored vs truth   {right}/{len(claims)} late/missing/not-online claims correct; found "
        f"{right}/{len(positives)} such reports on reachable sources",
        f"  compliance grid   {root / 'report.html'} (open it in a browser)",
        "",
        "Try next:",
        f"  nianbao flags --data {root}",
        f"  nianbao schedule --list --data {root} --sources {sources}   # when the scheduler would look again",
    ]
    if example:
        lines.append(
            f"  nianbao evidence {example['source']} {example['year']} --data {root} --sources {sources} "
            "--out evidence.zip"
        )
    year = today.year - 2
    lines += [
        f"  nianbao similar --data {root}                      # reports that repeat another's (雷同)",
        f"  nianbao score --data {root} --sources {sources} --year {year}   # scorecards, ranked within each level",
        f"  nianbao review list --data {root}                  # confirm or dismiss findings before publishing",
    ]
    if example:
        lines.append(
            f"  nianbao audit {example['source']} --data {root} --sources {sources} --out audit.pdf"
            "   # findings, evidence, capture images"
        )
    lines += [
        "",
        "Browse the archive (grid, verdicts with evidence, reports, search, flags), then open http://127.0.0.1:8000/:",
        f"  nianbao serve --data {root} --sources {sources}",
    ]
    return "\n".join(lines)


def stats_line(db) -> str:
    """How many reports were analysed, and how their consistency checks came out."""
    from storage.summary import analysis_summary

    analysed, results = analysis_summary(db)
    failed_errors = results[("error", "fail")]
    failed_warnings = results[("warning", "fail")]
    passed = sum(n for (_, res), n in results.items() if res == "pass")
    return (
        f"{analysed} reports analysed; checks: {passed} pass, {failed_errors} failed errors, "
        f"{failed_warnings} failed warnings (soft rules)"
    )


def score_line(root: Path, seed: int, agencies: int, today: date) -> str:
    """How the archive compares with the simulator's ground truth."""
    from portalsim import truth_records
    from storage.db import open_db
    from storage.summary import own_report_keys

    truth = truth_records(seed, agencies, today)
    want = {(t["source"], t["year"]) for t in truth if t["reachable"] and t["status"] in ("on_time", "late")}
    got = own_report_keys(open_db(root))
    blocked = len({t["source"] for t in truth if not t["reachable"]})
    return (
        f"Scored against the simulator's truth: {len(want & got)}/{len(want)} published reports found on "
        f"reachable sources, {len(got - want)} false, {blocked} blocked sources in the world."
    )


def summary(root: Path, elapsed: float, stats: dict) -> str:
    """The demo's closing summary, read back from the archive."""
    from storage.db import open_db
    from storage.summary import crawl_summary

    facts = crawl_summary(open_db(root))
    n_sources, statuses, pages = facts["sources"], facts["statuses"], facts["fetches"]
    by_year, other, agency_years = facts["reports_by_year"], facts["other_bodies"], facts["agency_years"]
    versions, sample = facts["versions"], facts["sample_sha256"]
    size = sum(p.stat().st_size for p in (root / WARC_DIR).glob("*.warc.gz"))
    blocked = [f"{source_id} ({status})" for source_id, status in facts["not_read"]]
    years = "  ".join(f"{y}:{n}" for y, n in by_year.items())
    lines = [
        "",
        f"Done in {elapsed:.1f} s.",
        f"  sources crawled   {n_sources}  ({', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))})",
        f"  pages fetched     {pages}  ({stats.get('nianbao/fetch_errors', 0)} network errors, "
        f"{sum(v for k, v in stats.items() if k.startswith('nianbao/blocked/'))} block pages)",
        f"  reports found     {agency_years} agency-years in {sum(by_year.values())} report documents"
        f"  (+{other} other bodies' reports seen in columns)",
        f"  by report year    {years}",
        f"  documents/versions {versions} versions archived",
        f"  blocked/unreachable {len(blocked)}: {', '.join(blocked[:6])}{' …' if len(blocked) > 6 else ''}",
        f"  raw archive       {size / 1e6:.1f} MB of WARC in {root / WARC_DIR}",
        "",
        "Try next:",
        f"  nianbao status --data {root}",
        f"  nianbao verify --data {root}",
        f"  sqlite3 {root / DB_NAME} 'select report_year, title, published_at, published_at_source from reports limit 10'",
        f"  nianbao raw {sample[:16] if sample else '<sha256>'} --data {root} > report.html"
        "   # a report page, byte for byte as served",
    ]
    return "\n".join(lines)
