"""``nianbao demo``: the simulator crawled, extracted and checked end to end, offline."""

from __future__ import annotations

import sys
from datetime import date

import click


@click.command()
@click.option("--data", type=click.Path(file_okay=False), help="Data directory (default: ./nianbao-demo).")
@click.option("--agencies", type=int, default=50, show_default=True)
@click.option("--seed", type=int, default=11, show_default=True)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default="2025-04-10", show_default=True)
def demo(data: str | None, agencies: int, seed: int, today) -> None:
    """Start the simulator, crawl it into a fresh data directory, print a summary. Offline.

    Starts the bundled portal simulator (nianbao sim serve) with --agencies agencies of world
    --seed as of --today, crawls it into --data with the clock pinned to --today, extracts the
    text, checks compliance, writes DATA/report.html (the compliance grid) and DATA/flags.atom, and
    scores the crawl and the verdicts against the simulator's truth. About a minute for 50
    agencies; nothing leaves 127.0.0.1.

    The data directory is emptied first if an earlier demo made it; any other non-empty directory
    is refused. Exit 1 if the crawl did not finish.
    """
    from crawler.demo import run_demo

    sys.exit(run_demo(data=data, agencies=agencies, seed=seed, today=date.fromordinal(today.toordinal())))


COMMANDS = [demo]
