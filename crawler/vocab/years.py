"""Report-year ranges: the one parser of ``--years`` (crawl, run, and the runs recorded in the archive)."""

from __future__ import annotations

import re


def parse_years(spec: str | None) -> tuple[int, int] | None:
    """``"2019-2025"``, ``"2023"`` or ``"2019-"`` → inclusive (first, last); None keeps every year."""
    if not spec:
        return None
    m = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})?)?\s*", spec)
    if not m:
        raise ValueError(f"--years {spec!r}: expected YEAR or FIRST-LAST, e.g. 2019-2025")
    first = int(m.group(1))
    last = int(m.group(2)) if m.group(2) else (9999 if "-" in spec else first)
    if last < first:
        raise ValueError(f"--years {spec!r}: the range is empty")
    return first, last
