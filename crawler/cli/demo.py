"""``nianbao demo``: the simulator crawled, extracted and checked end to end, offline."""

from __future__ import annotations

import sys
from datetime import date

import click


@click.command()
@click.option("--data", type=click.Path(file_okay=False), help="Data directory (default: a fresh temp dir).")
@click.option("--agencies", type=int, default=50, show_default=True)
@click.option("--seed", type=int, default=11, show_default=True)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default="2025-04-10", show_default=True)
def demo(data: str | None, agencies: int, seed: int, today) -> None:
    """Start the simulator, crawl it into a fresh data directory, print a summary. Offline."""
    from crawler.demo import run_demo

    sys.exit(run_demo(data=data, agencies=agencies, seed=seed, today=date.fromordinal(today.toordinal())))


COMMANDS = [demo]
