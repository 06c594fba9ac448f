"""The ``nianbao`` command line (DESIGN §7).  One function per command; logic lives elsewhere.

Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crawler import __version__
from crawler.cli.options import data_option, fail, parse_settings, settings_option, sources_option
from crawler.vocab.errors import ConfigError, NianbaoError

if TYPE_CHECKING:
    from crawler.registry.sources import Source

_fail = fail


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nianbao")
def cli() -> None:
    """nianbao (年报): collect, archive and check government information-disclosure annual reports."""


# -- crawl ----------------------------------------------------------------------------------
group_option = click.option("--group", help="Only the sources of this scheduler group: dept, region, township or "
                            "override-MMDD (see nianbao schedule --list).")


def select_for_crawl(source_ids: tuple[str, ...], data: str | None, sources: str | None, group: str | None,
                     overrides: dict[str, str]) -> list[str]:
    """The source ids a crawl asks for (explicit ids, a group, or [] for every enabled source);
    exits 2 on an unknown or disabled id, or an empty group."""
    from crawler.registry import load_registry, select_enabled, select_group
    from crawler.stages.crawl import build_settings
    from crawler.vocab import clock

    try:
        registry = load_registry(sources, data)
        selected = select_enabled(registry, list(source_ids) or None)
        if not group:
            return list(source_ids)
        township = build_settings(overrides).get("NIANBAO_TOWNSHIP_DEADLINE")
        members = {s.id for s in select_group(registry, group, year=clock.today().year - 1,
                                               township_default=township)}
    except ConfigError as exc:
        _fail(str(exc), 2)
    chosen = [s.id for s in selected if s.id in members]
    if not chosen:
        _fail(f"none of the named sources is in group {group!r}", 2)
    return chosen


def crawl_problem(stats: dict) -> str | None:
    """Why a finished crawl should exit 1 (None: it went fine)."""
    reason = stats.get("finish_reason")
    if reason != "finished":
        return f"crawl ended: {reason or 'did not start'}"
    if stats.get("nianbao/sources_busy") and not stats.get("nianbao/sources_claimed"):
        return "every selected source is being crawled by another process (see the warnings above)"
    bugs = sum(v for k, v in stats.items() if k.startswith("spider_exceptions/")) + \
        stats.get("nianbao/parse_errors", 0) + stats.get("nianbao/store_errors", 0)
    if bugs:
        return f"crawl finished with {bugs} processing error(s); see the log above"
    return None


def crawl_selected(ids: list[str], data: str | None, sources: str | None, years: str | None, profile: str,
                   overrides: dict[str, str]) -> dict:
    """Crawl in this process; returns Scrapy's final stats."""
    from crawler.stages.crawl import run_crawl

    return run_crawl(data=data, sources=sources, source_ids=ids, years=years, profile=profile, overrides=overrides)


@cli.command()
@click.argument("source_ids", nargs=-1)
@data_option
@sources_option
@group_option
@click.option("--years", help="Only these report years, e.g. 2019-2025 or 2024 (backfill).")
@click.option("--profile", type=click.Choice(["polite", "sim"]), default="polite", show_default=True,
              help="Pacing: 'polite' for real portals; 'sim' for the local simulator only.")
@settings_option
def crawl(source_ids: tuple[str, ...], data: str | None, sources: str | None, group: str | None,
          years: str | None, profile: str, settings: tuple[str, ...]) -> None:
    """Crawl the annual-report columns of SOURCE_IDS (default: every enabled source).

    Sources another process is crawling in the same data directory are skipped with a warning.
    """
    from crawler.vocab.years import parse_years

    try:
        parse_years(years)
    except ValueError as exc:
        _fail(str(exc), 2)
    overrides = parse_settings(settings)
    ids = select_for_crawl(source_ids, data, sources, group, overrides)
    problem = crawl_problem(crawl_selected(ids, data, sources, years, profile, overrides))
    if problem:
        _fail(problem, 1)


# -- sources --------------------------------------------------------------------------------
@cli.group()
def sources() -> None:
    """The sources registry (which columns are crawled)."""


@sources.command("list")
@data_option
@sources_option
@click.option("--all", "show_all", is_flag=True, help="Include disabled sources.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
def sources_list(data: str | None, sources: str | None, show_all: bool, as_json: bool) -> None:
    """List sources: id, level, kind, CMS, agency and column URL (operator state of --data applied)."""
    from dataclasses import asdict

    from crawler.registry import load_registry

    try:
        rows = [s for s in load_registry(sources, data) if show_all or s.enabled]
    except ConfigError as exc:
        _fail(str(exc), 2)
    for s in rows:
        if as_json:
            click.echo(json.dumps(asdict(s), ensure_ascii=False))
        else:
            flag = "" if s.enabled else f" (disabled{': ' + s.note if s.note else ''})"
            click.echo(f"{s.id:<22} {s.level:<18} {s.kind:<8} {s.cms:<6} {s.agency}{flag}\n{'':<22} {s.urls[0]}")


@sources.command("validate")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
def sources_validate(files: tuple[str, ...]) -> None:
    """Check registry FILES (default: the shipped registry); every error names file, source, field."""
    from crawler.registry.sources import load_sources, validate_sources

    errors = []
    for path in files or (None,):
        errors.extend(validate_sources(path))
    for err in errors:
        click.echo(str(err), err=True)
    if errors:
        sys.exit(2)
    n = sum(len(load_sources(p)) for p in files or (None,))
    click.echo(f"ok: {n} sources")


def _registry_source(sources: str | None, source_id: str) -> Source:
    """The registry's own entry for ``source_id`` (exit 2 with close matches if there is none)."""
    from crawler.registry.sources import load_sources, select_sources

    try:
        return select_sources(load_sources(sources), [source_id], include_disabled=True)[0]
    except ConfigError as exc:
        _fail(str(exc), 2)


def _changed_by(action: str) -> str:
    """Who switched a source: the command, and the user when the system can tell."""
    import getpass

    try:
        return f"nianbao sources {action} ({getpass.getuser()})"
    except (OSError, KeyError, ImportError):  # no user name in this environment
        return f"nianbao sources {action}"


@sources.command("disable")
@click.argument("source_id")
@click.option("--reason", default="no reason given", show_default=True, help="Why (shown wherever it is off).")
@data_option
@sources_option
def sources_disable(source_id: str, reason: str, data: str | None, sources: str | None) -> None:
    """Switch SOURCE_ID off in this data directory (kept in archive.db; the registry file is unchanged)."""
    from crawler.vocab import clock
    from storage.db import open_db
    from storage.source_state import set_state

    _registry_source(sources, source_id)
    reason = reason.strip() or "no reason given"
    set_state(open_db(data), source_id, enabled=False, reason=reason, at=clock.now_iso(), by=_changed_by("disable"))
    click.echo(f"disabled {source_id}: {reason}")


@sources.command("enable")
@click.argument("source_id")
@data_option
@sources_option
def sources_enable(source_id: str, data: str | None, sources: str | None) -> None:
    """Switch SOURCE_ID back on in this data directory (undoes 'sources disable')."""
    from crawler.vocab import clock
    from storage.db import open_db
    from storage.source_state import clear_state, set_state

    source = _registry_source(sources, source_id)
    db = open_db(data)
    if source.enabled:  # no state needed: the registry already has it on
        clear_state(db, source_id)
    else:
        set_state(db, source_id, enabled=True, reason="enabled by operator", at=clock.now_iso(),
                  by=_changed_by("enable"))
        note = f" ({source.note})" if source.note else ""
        click.echo(f"note: the registry says {source_id} is disabled{note}; operator state now overrides it",
                   err=True)
    click.echo(f"enabled {source_id}")


@sources.command("state")
@data_option
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
def sources_state(data: str | None, as_json: bool) -> None:
    """The operator switches of this data directory: source, on/off, when, by whom and why."""
    from crawler.registry import read_state

    for source_id, row in sorted(read_state(data).items()):
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            click.echo(f"{source_id:<22} {'enabled' if row['enabled'] else 'disabled':<8} {row['changed_at']}  "
                       f"{row['changed_by']}  {row['reason']}")


# -- simulator ------------------------------------------------------------------------------
@cli.group()
def sim() -> None:
    """The portal simulator: a deterministic world of agencies served on 127.0.0.1."""


seed_option = click.option("--seed", type=int, default=7, show_default=True)
agencies_option = click.option("--agencies", type=click.IntRange(1, 200_000), default=50, show_default=True)
today_option = click.option("--today", type=click.DateTime(["%Y-%m-%d"]), required=True,
                            help="Serve the world as of this date.")


@sim.command("serve")
@seed_option
@agencies_option
@today_option
@click.option("--port", type=int, default=0, help="Port on 127.0.0.1 (0: any free port).")
@click.option("--no-troubles", is_flag=True, help="No 5xx bursts or slow responses (blocked sites stay).")
def sim_serve(seed: int, agencies: int, today, port: int, no_troubles: bool) -> None:
    """Serve the world; prints its base URL, runs until interrupted."""
    from portalsim import serve_forever

    serve_forever(seed, agencies, today.date(), port=port, troubles=not no_troubles)


@sim.command("sources")
@seed_option
@agencies_option
@click.option("--base-url", required=True, help="Base URL printed by 'nianbao sim serve'.")
def sim_sources(seed: int, agencies: int, base_url: str) -> None:
    """Print the sources registry (TOML) of the world."""
    from portalsim import render_sources_toml

    click.echo(render_sources_toml(seed, agencies, base_url.rstrip("/")), nl=False)


@sim.command("truth")
@seed_option
@agencies_option
@today_option
def sim_truth(seed: int, agencies: int, today) -> None:
    """Print the world's truth as of --today (JSON list, DESIGN §7)."""
    from portalsim import truth_records

    click.echo(json.dumps(list(truth_records(seed, agencies, today.date())), ensure_ascii=False, indent=1))


# -- single files ---------------------------------------------------------------------------
@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--url", help="The URL the page was fetched from (resolves links, URL dates).")
@click.option("--cms", default="auto", show_default=True, help="CMS family hint.")
@click.option("--json", "as_json", is_flag=True, help="Print the full JSON object.")
def parse(file: str, url: str | None, cms: str, as_json: bool) -> None:
    """Recognise one saved file (HTML, PDF, DOCX, DOC, WPS, RTF, XLS(X), TXT): listing links and
    paging, or report title, year, agency, dates, attachments and clean text."""
    from crawler.parse_file import parse_file

    result = parse_file(Path(file).read_bytes(), url=url or Path(file).resolve().as_uri(), cms=cms)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"kind: {result['kind']}  annual report: {result['is_annual_report']}")
    for key in ("title", "agency", "report_year", "published_at", "published_at_source"):
        click.echo(f"{key}: {result.get(key)}")
    for link in result.get("links", []):
        click.echo(f"  report {link.get('report_year')}: {link['text']}  {link['url']}")
    for page in result.get("next_pages", []):
        click.echo(f"  next page: {page}")
    for att in result.get("attachments", []):
        click.echo(f"  attachment: {att['text']}  {att['url']}")


# -- archive --------------------------------------------------------------------------------
@cli.command()
@click.argument("sha256")
@data_option
def raw(sha256: str, data: str | None) -> None:
    """Write the raw archived bytes with this SHA-256 (or unique prefix) to stdout."""
    from storage import fetches
    from storage.db import WARC_DIR, data_dir, open_db
    from storage.warc import read_record

    try:
        db = open_db(data, create=False)
    except FileNotFoundError as exc:
        _fail(str(exc), 2)
    matches = fetches.find_by_prefix(db, sha256) if len(sha256) >= 6 else []
    if len(matches) != 1:
        _fail(f"{sha256}: {'no archived payload' if not matches else 'ambiguous prefix'}", 1)
    row = fetches.first_response(db, matches[0])
    try:
        payload = read_record(data_dir(data) / WARC_DIR, fetches.ref_of(row)).payload
    except NianbaoError as exc:
        _fail(str(exc), 1)
    sys.stdout.buffer.write(payload)
    sys.stdout.buffer.flush()


@cli.command()
@data_option
def verify(data: str | None) -> None:
    """Re-read every archived WARC record and check its digest against the index."""
    from storage.db import WARC_DIR, data_dir, open_db
    from storage.verify import verify_archive

    try:
        db = open_db(data, create=False)
    except FileNotFoundError as exc:
        _fail(str(exc), 2)
    report = verify_archive(db, data_dir(data) / WARC_DIR)
    for line in report.errors:
        click.echo(f"ERROR {line}", err=True)
    for line in report.warnings:
        click.echo(f"warning {line}", err=True)
    click.echo(f"{'ok' if report.ok else 'FAILED'}: {report.records} records in {report.files} WARC files, "
               f"{len(report.errors)} errors, {len(report.warnings)} warnings")
    sys.exit(0 if report.ok else 1)


@cli.command()
@data_option
@sources_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source.")
def status(data: str | None, sources: str | None, as_json: bool) -> None:
    """Per-source health: last success, failures in a row, items last run, latest outcome.

    When a scheduler runs (or ran) on the data directory, a first line on stderr says whether it
    is alive, what runs next and what needs attention.
    """
    from crawler.health import health_rows
    from crawler.opstatus import describe_scheduler
    from crawler.registry import load_registry
    from crawler.vocab import clock
    from storage.db import data_dir, open_db

    try:
        db = open_db(data, create=False)
        registry = load_registry(sources, data)
    except FileNotFoundError as exc:
        _fail(str(exc), 2)
    except ConfigError as exc:
        _fail(str(exc), 2)
    scheduler = describe_scheduler(data_dir(data))
    if scheduler:
        click.echo(scheduler, err=True)
    for row in health_rows(db, registry, clock.now()):
        source_id = row["source"]
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
            continue
        last = (row["last_success"] or "never")[:16]
        click.echo(f"{source_id:<22} {row['health']:<9} last success {last:<16}  failures in a row "
                   f"{row['consecutive_failures']}  items last run {row['items_last_run'] if row['latest_run'] else '-'}  "
                   f"latest {row['latest_status'] or '-'}{'  ' + row['reason'] if row['reason'] else ''}")


@cli.command()
@click.option("--data", type=click.Path(file_okay=False), help="Data directory (default: a fresh temp dir).")
@click.option("--agencies", type=int, default=50, show_default=True)
@click.option("--seed", type=int, default=11, show_default=True)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default="2025-04-10", show_default=True)
def demo(data: str | None, agencies: int, seed: int, today) -> None:
    """Start the simulator, crawl it into a fresh data directory, print a summary. Offline."""
    from crawler.demo import run_demo

    sys.exit(run_demo(data=data, agencies=agencies, seed=seed, today=date.fromordinal(today.toordinal())))


def main() -> None:
    """Console-script entry point."""
    cli()


def _register() -> None:
    from crawler.cli import compliance as cli_compliance
    from crawler.cli import schedule as cli_schedule
    from crawler.cli import text as cli_text

    for command in cli_text.COMMANDS + cli_compliance.COMMANDS + cli_schedule.COMMANDS:
        cli.add_command(command)


_register()


if __name__ == "__main__":
    main()
