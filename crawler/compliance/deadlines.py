"""When each annual report is due, and on what legal basis (domain.md §1.4).

Pure functions, no I/O.  Every deadline carries its ``basis`` so a verdict can say which rule it
applied:

* report years ≤ 2018: 31 March of the next year for every body (国务院令第492号 Art. 31);
* report years ≥ 2019 (国务院令第711号 Art. 49): departments and government offices 31 January
  (¶1); people's governments' region-wide reports 31 March (¶2); townships, streets and
  派出机构 are not named in Art. 49, so a local rule applies (a source's ``deadline`` override,
  else the configured township default, 31 January unless set otherwise);
* a source's ``deadline = "MM-DD"`` override replaces the statutory date for years ≥ 2019
  (local rules cannot move the 492号 date, which bound every body).

"前" is read as inclusive: a report published on the deadline day is on time (CASS counted
anything by 3-31 24:00).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

FIRST_REPORT_YEAR = 2008  # the 2008 Regulations took effect on 2008-05-01
NEW_REGULATIONS_FROM = 2019  # first report year due under 711号 Art. 49

BASIS_492 = "492号 Art.31"
BASIS_711_DEPT = "711号 Art.49¶1"
BASIS_711_REGION = "711号 Art.49¶2"
BASIS_OVERRIDE = "source override"
BASIS_LOCAL_DEFAULT = "local/default"
DEFAULT_TOWNSHIP_DEADLINE = "01-31"


@dataclass(frozen=True, slots=True)
class Deadline:
    """The due date of one report and the rule it comes from."""

    due: date
    basis: str
    note: str = ""


def month_day(spec: str, year: int) -> date:
    """``"MM-DD"`` in ``year`` (a 02-29 rule falls back to 02-28 in common years)."""
    month, day = (int(x) for x in spec.split("-"))
    try:
        return date(year, month, day)
    except ValueError:
        if (month, day) == (2, 29):
            return date(year, 2, 28)
        raise


def expected_deadline(
    kind: str, year: int, *, override: str | None = None, township_default: str = DEFAULT_TOWNSHIP_DEADLINE
) -> Deadline:
    """The deadline of a ``kind`` body's report for ``year`` (``kind``: region | dept | township)."""
    following = year + 1
    if year < NEW_REGULATIONS_FROM:
        note = "2008 report: the Regulations took effect on 2008-05-01" if year == FIRST_REPORT_YEAR else ""
        return Deadline(date(following, 3, 31), BASIS_492, note)
    if override:
        return Deadline(month_day(override, following), BASIS_OVERRIDE, f"local rule {override}")
    if kind == "region":
        return Deadline(date(following, 3, 31), BASIS_711_REGION)
    if kind == "dept":
        return Deadline(date(following, 1, 31), BASIS_711_DEPT)
    return Deadline(
        month_day(township_default, following),
        BASIS_LOCAL_DEFAULT,
        f"not named in 711号 Art.49; default {township_default}",
    )
