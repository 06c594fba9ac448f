"""The one clock of nianbao.

Everything that reads the time (fetch timestamps, first_seen, WARC-Date, verdicts, the
scheduler's season logic) calls :func:`now`.  Setting ``NIANBAO_NOW`` to an ISO date or
datetime pins it, so a crawl of the simulator "as of" 2025-02-05 records 2025-02-05 and a
re-run is reproducible.  A bare date pins to noon China time on that day (portals publish in
China time, and noon keeps the day unambiguous in UTC as well).

``NIANBAO_CLOCK_RATE`` makes the pinned clock run: it reads ``NIANBAO_NOW`` at the real instant
``NIANBAO_CLOCK_EPOCH`` (Unix seconds; default: when this process first read the clock) and
advances ``rate`` simulated seconds per real second.  Only simulations use it: the scheduler
under test lives through a report season in a minute, and pins each run it starts to the
simulated instant the run began.
"""

from __future__ import annotations

import os
import time as _time
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CHINA_TZ = ZoneInfo("Asia/Shanghai")
ENV_VAR = "NIANBAO_NOW"
RATE_VAR = "NIANBAO_CLOCK_RATE"
EPOCH_VAR = "NIANBAO_CLOCK_EPOCH"
_FIRST_READ = _time.time()


def parse_now(value: str) -> datetime:
    """Parse a ``NIANBAO_NOW`` value (ISO date or datetime) into an aware datetime."""
    value = value.strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(12, 0), tzinfo=CHINA_TZ)
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{ENV_VAR}={value!r} is not an ISO date or datetime") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=CHINA_TZ)


def rate() -> float | None:
    """Simulated seconds per real second when the clock is warped (``NIANBAO_CLOCK_RATE``), else None."""
    value = os.environ.get(RATE_VAR)
    if not value or not os.environ.get(ENV_VAR):
        return None
    try:
        speed = float(value)
    except ValueError as exc:
        raise ValueError(f"{RATE_VAR}={value!r} is not a number") from exc
    if speed <= 0:
        raise ValueError(f"{RATE_VAR} must be > 0, got {value}")
    return speed


def epoch() -> float:
    """The real Unix time at which a warped clock read ``NIANBAO_NOW``."""
    value = os.environ.get(EPOCH_VAR)
    return float(value) if value else _FIRST_READ


def to_real(at: datetime) -> datetime:
    """The real instant at which the clock reads ``at`` (identity unless the clock is warped)."""
    speed = rate()
    if speed is None:
        return at
    start = parse_now(os.environ[ENV_VAR])
    seconds = epoch() + (at - start).total_seconds() / speed
    return datetime.fromtimestamp(seconds, CHINA_TZ)


def from_real(real: datetime) -> datetime:
    """What the clock reads at the real instant ``real`` (identity unless warped)."""
    speed = rate()
    if speed is None:
        return real
    start = parse_now(os.environ[ENV_VAR])
    return (start + timedelta(seconds=(real.timestamp() - epoch()) * speed)).astimezone(CHINA_TZ)


def is_real() -> bool:
    """Does the clock read the real time (no ``NIANBAO_NOW``)?"""
    return not os.environ.get(ENV_VAR)


def now() -> datetime:
    """Current time as an aware datetime in China time, pinned by ``NIANBAO_NOW`` when set."""
    pinned = os.environ.get(ENV_VAR)
    if pinned:
        if rate() is not None:
            return from_real(datetime.now(CHINA_TZ))
        return parse_now(pinned).astimezone(CHINA_TZ)
    return datetime.now(CHINA_TZ)


def now_iso() -> str:
    """:func:`now` as an ISO 8601 string with offset, to the second (what the archive stores)."""
    return now().isoformat(timespec="seconds")


def today() -> date:
    """Today's date in China time."""
    return now().date()
