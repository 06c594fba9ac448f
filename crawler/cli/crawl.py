"""``nianbao crawl`` and ``nianbao run`` (crawl → extract → check → notify: what the scheduler calls)."""

from __future__ import annotations

import click

from crawler.cli.errors import fail
from crawler.cli.options import (
    crawl_options,
    extract_options,
    extract_settings,
    parse_settings,
    say_waiting,
    settings_option,
)


@click.command()
@crawl_options
@settings_option
def crawl(source_ids: tuple[str, ...], data: str | None, sources: str | None, group: str | None,
          years: str | None, profile: str, settings: tuple[str, ...]) -> None:
    """Crawl the annual-report columns of SOURCE_IDS (default: every enabled source).

    Sources another process is crawling in the same data directory are skipped with a warning.
    """
    from crawler.stages.crawl import crawl_problem, run_crawl, select_for_crawl
    from crawler.vocab.errors import ConfigError
    from crawler.vocab.years import parse_years

    try:
        parse_years(years)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    overrides = parse_settings(settings)
    ids = select_for_crawl(source_ids, data, sources, group, overrides)
    problem = crawl_problem(run_crawl(data=data, sources=sources, source_ids=ids, years=years, profile=profile,
                                      overrides=overrides))
    if problem:
        fail(problem)


@click.command()
@crawl_options
@extract_options
@settings_option
def run(source_ids, data, sources, group, years, profile, workers, timeout, memory_mb, no_ocr, settings) -> None:
    """Crawl, extract, check and notify: what the scheduler calls.

    A crawl stopped by SIGTERM/SIGINT ends the run there (exit 1): its sources are recorded
    interrupted and the next run crawls them again.
    """
    from crawler.cli.compliance import check_line
    from crawler.stages.run import run as run_stages

    def report(stage: str, outcome) -> None:
        if stage == "extract":
            click.echo(outcome.line(), err=True)
        elif stage == "check":
            click.echo(check_line(outcome.result))
            for problem in outcome.problems:
                click.echo(f"nianbao: {problem}", err=True)

    result = run_stages(data, sources=sources, source_ids=source_ids, group=group, years=years, profile=profile,
                        overrides=parse_settings(settings), extract=extract_settings(workers, timeout, memory_mb,
                                                                                      no_ocr),
                        on_wait=say_waiting, on_stage=report)
    if result.stopped:
        fail(result.stopped)
    if result.problem:
        fail(result.problem)


COMMANDS = [crawl, run]
