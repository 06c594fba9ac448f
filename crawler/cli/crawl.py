"""``nianbao crawl`` and ``nianbao run`` (crawl → extract → check → notify: what the scheduler calls)."""

from __future__ import annotations

import click

from crawler.cli.errors import fail
from crawler.cli.options import (
    command_line,
    crawl_options,
    extract_options,
    extract_settings,
    live_progress,
    parse_settings,
    say_waiting,
    settings_option,
)


@click.command()
@crawl_options
@settings_option
def crawl(
    source_ids: tuple[str, ...],
    data: str | None,
    sources: str | None,
    group: str | None,
    years: str | None,
    profile: str,
    settings: tuple[str, ...],
) -> None:
    """Crawl the annual-report columns of SOURCE_IDS (default: every enabled source).

    Reads each source's column (every listing page) and the detail pages and attachments it links
    to into the data directory: every HTTP exchange as raw evidence in DATA/warc/*.warc.gz, the
    index (fetches, documents, versions, reports, listing snapshots, runs) in DATA/archive.db.
    "Enabled" is the registry's enabled with the operator switches of nianbao sources
    disable/enable applied. --group keeps only the sources of one scheduler group (see nianbao
    schedule --list); --years keeps only those report years (backfill).

    Every crawl claims its sources in the data directory (DATA/locks/): sources another process
    is crawling in the same data directory are skipped with a warning naming that process.

    A source that cannot be read gets one line on stderr: its id, unreachable with the cause
    (connection refused, DNS lookup failed, TLS, timed out …) or blocked, and its column URL. So
    does a column read fine that gave no report, with the likely cause: its pages list no entries
    at all (the URL is not the column: a home page, an article, a menu) or none of its entries is
    an annual report. Scrapy's own log, tracebacks included, goes to DATA/logs/crawl.log.

    The first crawl given --sources (or $NIANBAO_SOURCES) records that registry in the data
    directory (DATA/registry.json); every later command on it reads that registry by default.

    \b
    Exit codes:
      0  the crawl finished
      1  the crawl did not finish, every selected source was busy, no
         selected source could be read (all unreachable or blocked), or
         every source read came back empty (no report found in any)
      2  an unknown source id (the message lists close matches), a source
         switched off (the message gives the reason), a group none of the
         named sources is in, or a bad --years or -s value
    """
    from crawler.stages.crawl import crawl_problem, empty_lines, run_crawl, select_for_crawl, unread_lines
    from crawler.vocab.errors import ConfigError
    from crawler.vocab.years import parse_years

    try:
        parse_years(years)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    overrides = parse_settings(settings)
    ids = select_for_crawl(source_ids, data, sources, group, overrides)
    stats = run_crawl(
        data=data, sources=sources, source_ids=ids, years=years, profile=profile, overrides=overrides
    )
    for line in unread_lines(stats) + empty_lines(stats):
        click.echo(f"nianbao: {line}", err=True)
    problem = crawl_problem(stats)
    if problem:
        fail(problem)


@click.command()
@crawl_options
@extract_options
@settings_option
def run(
    source_ids, data, sources, group, years, profile, workers, timeout, memory_mb, no_ocr, settings
) -> None:
    """Crawl, extract, check and notify: what the scheduler calls.

    Crawls like nianbao crawl (SOURCE_IDS, --group, --years, --profile, -s), then extracts every
    archived file without text like nianbao extract (--workers, --timeout, --memory-mb, --no-ocr),
    then checks the crawled sources and notifies like nianbao check. Extraction and the check also
    run after a crawl that ended with errors (the pages it did archive are processed); the run then
    returns that crawl's exit code (1). The check's summary line goes to stdout, the extraction
    summary and any problem to stderr.

    A source that cannot be read gets one line on stderr (its id, unreachable with the cause —
    connection refused, DNS, TLS, timeout … — or blocked, and its column URL); a run in which no
    source could be read exits 1. A column read fine that gave no report gets one line too, with
    the likely cause (its pages list no entries: not the column; or none of its entries is a
    report), and a run in which every source came back empty exits 1. Scrapy's own log,
    tracebacks included, goes to DATA/logs/crawl.log.

    A crawl stopped by SIGTERM/SIGINT (Ctrl-C) ends the run there (exit 1): extract and check are
    skipped, its sources are recorded interrupted and the next run crawls them again. A crawl that
    found every source busy (another process crawling them) ends the run too (exit 1).

    Exit 2 for the same usage and configuration errors as nianbao crawl.
    """
    from crawler.cli.compliance import check_line
    from crawler.stages.crawl import empty_lines, unread_lines
    from crawler.stages.run import run as run_stages

    progress, clear = live_progress("extract")

    def report(stage: str, outcome) -> None:
        if stage == "crawl":
            for line in unread_lines(outcome) + empty_lines(outcome):
                click.echo(f"nianbao: {line}", err=True)
        elif stage == "extract":
            click.echo(clear + outcome.line(), err=True)
        elif stage == "check":
            click.echo(check_line(outcome.result))
            for problem in outcome.problems:
                click.echo(f"nianbao: {problem}", err=True)

    result = run_stages(
        data,
        sources=sources,
        source_ids=source_ids,
        group=group,
        years=years,
        profile=profile,
        overrides=parse_settings(settings),
        extract=extract_settings(workers, timeout, memory_mb, no_ocr),
        on_wait=say_waiting,
        on_stage=report,
        progress=progress,
        command=command_line() or "run",
    )
    if result.stopped:
        fail(result.stopped)
    if result.problem:
        fail(result.problem)


COMMANDS = [crawl, run]
