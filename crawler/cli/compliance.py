"""``nianbao check``, ``flags``, ``evidence``, ``report`` and ``export``: judging the archive and its datasets."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crawler.cli.errors import fail
from crawler.cli.options import (
    archive_sources_option,
    command_line,
    data_option,
    output_options,
    parse_settings,
    say_waiting,
    settings_option,
    sources_option,
)
from crawler.vocab.words import FLAG_KINDS

if TYPE_CHECKING:
    from crawler.compliance.verdicts import Policy
    from crawler.stages.check import CheckResult

STATUS_ORDER = ("missing", "not_online", "late", "unknown", "pending", "on_time")
LARGE_PAGE = 3000  # agencies per HTML page that a browser still opens in seconds


def _open(data: str | None):
    from storage.db import open_db

    return open_db(data, create=False)


def _policy(settings: tuple[str, ...]) -> Policy:
    """The compliance policy of nianbao's settings with the ``-s`` overrides applied."""
    from crawler.stages.check import policy_from_settings
    from crawler.stages.crawl import build_settings

    return policy_from_settings(build_settings(parse_settings(settings)))


def check_line(result: CheckResult) -> str:
    """The one-line summary of a check: verdicts by status, and the flags it changed."""
    counts = result.counts
    line = ", ".join(f"{counts.get(s, 0)} {s}" for s in STATUS_ORDER)
    opened = sum(1 for e in result.events if e["event"] in ("opened", "reopened"))
    closed = sum(1 for e in result.events if e["event"] == "closed")
    updated = sum(1 for e in result.events if e["event"] == "updated")
    written = (
        f"; flags: {opened} opened, {updated} updated, {closed} closed"
        if result.written
        else "; historical check: nothing written"
    )
    return f"check as of {result.as_of}: {len(result.verdicts)} verdicts: {line}{written}"


@click.command()
@click.argument("source_ids", nargs=-1)
@data_option
@sources_option
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Judge as of this date (default: today). A past date is a what-if: nothing is written.",
)
@output_options("Print every verdict as JSON (DESIGN §7).")
@click.option(
    "--notify/--no-notify",
    default=True,
    show_default=True,
    help="Deliver new flag events to NIANBAO_NOTIFY_URLS.",
)
@settings_option
def check(source_ids, data, sources, as_of, as_json, notify, settings) -> None:
    """Verdicts (on_time, late, missing, pending, unknown) with evidence; open and close flags.

    Judges every selected source (default: every enabled source) for each report year from its
    first_year on: on_time, late, missing, pending or unknown, with the deadline and its legal
    basis, the publication date and where it came from, a confidence, a reason (English and 中文)
    and the evidence (fetch ids, URLs, what each capture shows). --json prints every verdict as
    JSON; the summary line then goes to stderr.

    Stores the verdicts in archive.db (table compliance); opens, updates and closes flags (missing,
    late, edited, inconsistent, copied, source_broken, source_blocked: see nianbao flags); writes the
    Atom feed DATA/flags.atom; and sends new flag events to NIANBAO_NOTIFY_URLS (with
    --no-notify they stay pending). --as-of a past date is a what-if: the verdicts are printed
    and nothing is written.

    Sources the archive has never crawled get no verdict (one stderr line names them); when it
    holds no crawl of any selected source — the wrong --data, or a registry it was not crawled
    with — the check writes nothing and exits 2, instead of recording unknowns.

    Waits while another process holds the extract or check stage lock of the data directory.
    """
    from crawler.stages.crawl import build_settings
    from crawler.stages.run import check_stage

    outcome = check_stage(
        data,
        sources=sources,
        source_ids=source_ids,
        as_of=date.fromordinal(as_of.toordinal()) if as_of else None,
        settings=build_settings(parse_settings(settings)),
        notify=notify,
        on_wait=say_waiting,
        command=command_line() or "check",
    )
    if as_json:
        json.dump(outcome.result.verdicts, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    click.echo(check_line(outcome.result), err=as_json)
    if outcome.result.skipped:
        skipped = outcome.result.skipped
        click.echo(
            f"nianbao: {len(skipped)} source(s) never crawled into this archive have no verdict (crawl them "
            f"first): {', '.join(skipped[:5])}{', …' if len(skipped) > 5 else ''}",
            err=True,
        )
    for problem in outcome.problems:
        click.echo(f"nianbao: {problem}", err=True)


def data_dir_of(data: str | None) -> Path:
    from storage.db import data_dir

    return data_dir(data)


FLAG_CSV = (
    "id",
    "kind",
    "state",
    "source",
    "agency",
    "year",
    "report",
    "summary",
    "summary_zh",
    "url",
    "opened_at",
    "updated_at",
    "closed_at",
    "review",
)


@click.command()
@data_option
@archive_sources_option
@click.option(
    "--kind",
    type=click.Choice(list(FLAG_KINDS)),
)
@click.option("--year", type=int)
@click.option("--agency", help="Agency name contains this.")
@click.option("--source", help="Source id.")
@click.option("--open/--all", "only_open", default=True, show_default=True, help="Open flags only, or all.")
@click.option("--history", is_flag=True, help="With --json: include each flag's events.")
@output_options("A JSON list of flags.", csv=True)
def flags(data, kind, year, agency, source, only_open, history, as_json, as_csv) -> None:
    """Flags raised by checks: missing, late, edited, … (open ones by default).

    Prints one line per flag (id, kind, state, source, year, summary), latest change first, and the
    count on stderr. --json and --csv add the agency, report, URL, the 中文 summary, when the
    flag was opened, updated and closed and its standing review decision (nianbao review; --json
    also its evidence); --history with --json adds each flag's events (opened, updated, closed,
    reopened).
    """
    from crawler.vocab.text import cell_text, one_line
    from storage import compliance as store
    from storage.review import latest, open_review

    db = _open(data)
    rows = store.query_flags(
        db, kind=kind, year=year, agency=agency, source=source, state="open" if only_open else None
    )
    decisions = latest(open_review(data, readonly=True))
    for row in rows:
        row["review"] = decisions.get(row["key"])
    if as_json:
        if history:
            for row in rows:
                row["history"] = store.flag_history(db, row["id"])
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(FLAG_CSV)
        for row in rows:
            decision = row["review"]
            row = {**row, "review": f"{decision['decision']}: {decision['note']}" if decision else ""}
            writer.writerow([cell_text(row.get(k)) for k in FLAG_CSV])
        return
    for row in rows:
        year_s = row["year"] if row["year"] is not None else "-"
        click.echo(
            f"#{row['id']:<5} {row['kind']:<14} {row['state']:<6} {row['source']:<22} {year_s}  "
            f"{one_line(row['summary'])}"
        )
    click.echo(f"{len(rows)} flag(s)", err=True)


@click.command()
@data_option
@archive_sources_option
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(),
    help="A directory (one page per province, for publishing), a .html file (one self-contained page) or a .csv file (UTF-8 with BOM).",
)
@click.option("--year", type=int, help="Only this report year.")
@click.option("--level", help="Only sources of this level (county, city_dept, …).")
@click.option("--region", help="Only sources whose region code (行政区划代码) starts with this.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["site", "html", "csv"]),
    help="Default: from --out (.html, .csv, else site).",
)
def report(data, out, year, level, region, fmt) -> None:
    """The compliance grid (agency × year, coloured by status) from the latest check.

    Writes --out from the verdicts stored by the latest nianbao check. A directory (the default
    for a path without .html/.csv) gets a static site for publishing: index.html (roll-ups by
    province and level) and, per province, a page with its grid and the evidence of its late,
    missing and not-online verdicts inline, plus a page with the evidence of the others (the web
    UI's templates and stylesheet; no script; works offline from any static host). A .html file
    gets one self-contained page (filters by level, region and name; for a few thousand agencies:
    a browser cannot open 100,000 agencies × 17 years in one page), a .csv file one row per
    verdict (UTF-8 with BOM). Exit 2 when no stored verdict matches (run nianbao check first, or
    widen --year/--level/--region).
    """
    from crawler.outputs.report_html import render_csv, render_html
    from crawler.vocab import clock
    from storage import compliance as store

    db = _open(data)
    verdicts = list(store.stored_verdicts(db, year=year, level=level, region=region))
    if not verdicts:
        fail("no stored verdicts match: run 'nianbao check' first (or widen --year/--level/--region)", 2)
    fmt = fmt or (
        "csv" if out.lower().endswith(".csv") else "html" if out.lower().endswith(".html") else "site"
    )
    as_of = max(v["as_of"] for v in verdicts)
    path = Path(out)
    if fmt == "site":
        from crawler.web.site import render_site, write_site

        if path.exists() and not path.is_dir():
            fail(f"{path} is a file; --out for a site is a directory", 2)
        pages = render_site(verdicts, generated_at=clock.now_iso(), as_of=as_of)
        size = write_site(path, pages)
        click.echo(f"{path}/index.html: {len(pages)} pages, {size / 1e6:.1f} MB", err=True)
    elif fmt == "csv":
        path.write_text(render_csv(verdicts), encoding="utf-8-sig", newline="")
    else:
        sources = len({v["source"] for v in verdicts})
        if sources > LARGE_PAGE:
            click.echo(
                f"nianbao: {sources} agencies in one page may be too big for a browser; "
                "consider --level or --region",
                err=True,
            )
        path.write_text(render_html(verdicts, generated_at=clock.now_iso(), as_of=as_of), encoding="utf-8")
    counts = ", ".join(f"{sum(1 for v in verdicts if v['status'] == s)} {s}" for s in STATUS_ORDER)
    click.echo(f"{path}: {len(verdicts)} verdicts as of {as_of} ({counts})", err=True)


@click.command()
@click.argument("source_id")
@click.argument("year", type=int)
@data_option
@sources_option
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="The .zip to write.")
@click.option(
    "--images/--no-images",
    default=False,
    show_default=True,
    help="Add images/: each evidence capture rendered from its archived copy offline (HTML pages need Chromium).",
)
@settings_option
def evidence(source_id, year, data, sources, out, images, settings) -> None:
    """An evidence bundle: verdict, deadline basis, WARC records, summary (中文 + English).

      Writes --out, a zip of one verdict (SOURCE_ID, report YEAR) and everything it rests on,
      under one folder evidence-<source>-<year>/:

      \b
      - verdict.json, flags.json: the verdict and the flags of that source and year
      - deadline.json: the deadline, its basis, the grace days and its legal text
      - records.warc.gz: the WARC records of every fetch the evidence names
      - files/: the archived files themselves (report pages, attachments)
      - summary.en.txt, summary.zh.txt: a timeline in English and 中文
      - chain.json, manifests/: where each record sits in the tamper-evident
      manifest chain, and the chain headers up to the head (nianbao verify
      prints the head to publish)
      - images/ (with --images): each evidence capture rendered from its archived
      copy offline, and a README naming them
    - MANIFEST.txt: sha256sum -c lines for every other member

      Uses the verdict stored by the latest nianbao check; a year never checked is judged now
      (nothing is written). Exit 2 when the source has no verdict for YEAR (before its first_year,
      or not yet due).
    """
    from crawler.outputs.evidence import write_bundle
    from crawler.stages.check import compute_verdicts
    from storage import compliance as store

    db = _open(data)
    stored = list(store.stored_verdicts(db, year=year, source_ids=[source_id]))
    if stored:
        verdict = stored[0]
    else:  # never checked: judge it now (nothing is written)
        from crawler.registry import load_registry, select_enabled
        from crawler.vocab import clock

        selected = select_enabled(load_registry(sources, data), [source_id])
        found = [
            v for v in compute_verdicts(db, selected, clock.today(), _policy(settings)) if v["year"] == year
        ]
        if not found:
            fail(f"{source_id} has no verdict for {year} (before its first_year, or not yet due)", 2)
        verdict = found[0]
    flags_ = [f for f in store.query_flags(db, source=source_id, state=None) if f["year"] == year]
    browser = None
    if images:
        from crawler.outputs.snapshots import find_chromium
        from crawler.vocab.errors import ConfigError

        try:
            browser = find_chromium()
        except ConfigError:
            click.echo("nianbao: no Chromium: HTML captures get no image (PDF pages still do)", err=True)
    info = write_bundle(db, data_dir_of(data), verdict, flags_, Path(out), images=images, chromium=browser)
    click.echo(
        f"{info.path}: {verdict['status']} ({verdict['deadline_basis']}), {info.records} WARC record(s), "
        f"{info.members} file(s)",
        err=True,
    )


@click.command("export")
@data_option
@sources_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help="csv: UTF-8 with BOM; json: JSON Lines.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False),
    default="nianbao-export",
    show_default=True,
    help="Directory for reports.* and cells.*.",
)
def export_command(data, sources, fmt, out) -> None:
    """The statistics dataset: one row per report (headline numbers, checks) and every cell.

    \b
    Writes two files into --out:
    - reports.csv: one row per report: identity, dates, format, headline
      numbers, compliance status, checks_failed, one check_<rule> column per rule
    - cells.csv: every parsed table cell and labelled narrative quantity,
      in long form

    CSV is UTF-8 with BOM; --format json writes JSON Lines instead (reports.jsonl, cells.jsonl).
    Every source's reports are included, switched off or not.
    """
    from crawler.outputs.export import export
    from crawler.registry import load_registry

    db = _open(data)
    # every source, switched off or not: their reports are in the archive too
    registry = {
        s.id: {"level": s.level, "region": s.region, "kind": s.kind} for s in load_registry(sources, data)
    }
    written = export(db, Path(out), fmt, registry)
    for name, n in written.items():
        click.echo(f"{Path(out) / name}: {n} rows", err=True)


COMMANDS = [check, flags, report, evidence, export_command]
