"""The rotating log file of unattended runs: ``DATA/logs/nianbao.log``.

``nianbao schedule`` logs its own decisions (jobs fired, skipped, missed, timed out) and every
line its ``nianbao run`` children print, so one file tells an operator what happened overnight
and never outgrows the disk (``NIANBAO_LOG_MAX_BYTES`` × ``NIANBAO_LOG_BACKUPS``).
"""

from __future__ import annotations

import logging
import os
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_DIR = "logs"
LOG_NAME = "nianbao.log"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_path(data: str | os.PathLike) -> Path:
    """Where the rotating log of a data directory lives."""
    return Path(data) / LOG_DIR / LOG_NAME


def setup_file_logging(
    data: str | os.PathLike, *, max_bytes: int, backups: int, console: bool = True, level: int = logging.INFO
) -> Path:
    """Send the ``nianbao`` and ``apscheduler`` loggers to the rotating file (and stderr)."""
    path = log_path(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    handlers: list[logging.Handler] = [
        RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
    ]
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    formatter = logging.Formatter(FORMAT)
    # APScheduler's own INFO lines repeat what nianbao.schedule says, in real (not simulated) time
    for name, lvl in (("nianbao", level), ("apscheduler", max(level, logging.WARNING))):
        logger = logging.getLogger(name)
        logger.setLevel(lvl)
        logger.propagate = False
        for old in list(logger.handlers):
            logger.removeHandler(old)
            old.close()
        for handler in handlers:
            handler.setFormatter(formatter)
            logger.addHandler(handler)
    return path
