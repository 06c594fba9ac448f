"""Scheduled crawls (a thin seam for now; the daemon and season-aware cadence come later).

The scheduler only builds an APScheduler instance and registers jobs that call one function,
:func:`run_crawl_subprocess`, which runs ``nianbao crawl`` in a real subprocess (a Twisted
reactor runs once per process, and a crashed crawl must not take the scheduler down).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger


def crawl_command(data: str | None = None, sources: str | None = None,
                  source_ids: Sequence[str] = ()) -> list[str]:
    """The argv of one scheduled crawl."""
    argv = [sys.executable, "-m", "crawler.cli", "crawl", *source_ids]
    if data:
        argv += ["--data", data]
    if sources:
        argv += ["--sources", sources]
    return argv


def run_crawl_subprocess(data: str | None = None, sources: str | None = None,
                         source_ids: Sequence[str] = (), timeout: float | None = None) -> int:
    """Run one crawl in a subprocess and return its exit code."""
    return subprocess.run(crawl_command(data, sources, source_ids), timeout=timeout, check=False).returncode


def build_scheduler(*, hour: int = 3, data: str | None = None, sources: str | None = None) -> BlockingScheduler:
    """A scheduler with one daily crawl of every enabled source at ``hour`` China time."""
    scheduler = BlockingScheduler(timezone="Asia/Shanghai")
    scheduler.add_job(run_crawl_subprocess, CronTrigger(hour=hour, minute=0, timezone="Asia/Shanghai"),
                      kwargs={"data": data, "sources": sources}, id="daily-crawl", coalesce=True,
                      max_instances=1, misfire_grace_time=3600)
    return scheduler
