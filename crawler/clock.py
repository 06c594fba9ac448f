"""The one clock of nianbao.

Everything that reads the time (fetch timestamps, first_seen, WARC-Date, verdicts, the
scheduler's season logic) calls :func:`now`.  Setting ``NIANBAO_NOW`` to an ISO date or
datetime pins it, so a crawl of the simulator "as of" 2025-02-05 records 2025-02-05 and a
re-run is reproducible.  A bare date pins to noon China time on that day (portals publish in
China time, and noon keeps the day unambiguous in UTC as well).
"""

from __future__ import annotations

import os
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

CHINA_TZ = ZoneInfo("Asia/Shanghai")
ENV_VAR = "NIANBAO_NOW"


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


def now() -> datetime:
    """Current time as an aware datetime in China time, pinned by ``NIANBAO_NOW`` when set."""
    pinned = os.environ.get(ENV_VAR)
    if pinned:
        return parse_now(pinned).astimezone(CHINA_TZ)
    return datetime.now(CHINA_TZ)


def now_iso() -> str:
    """:func:`now` as an ISO 8601 string with offset, to the second (what the archive stores)."""
    return now().isoformat(timespec="seconds")


def today() -> date:
    """Today's date in China time."""
    return now().date()
