"""How much of an area nianbao watches: bodies registered, working and reported, per area.

Areas are region codes (:mod:`crawler.registry.regions`): the country's children are the
provinces, a province's its cities (and the county-level units directly under it: a
municipality's districts, 省直辖 cities), a city's its counties; a province or city also has an
"own level" row for the bodies of its own level (湖南省教育厅 under 湖南省).  Every child the
code table knows is listed, those without a registered body too: the gaps are the point.

A body counts where its region (given, or read from its name: :mod:`crawler.registry.placed`)
puts it; bodies without a region count only in the country's total and its "no region" row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from crawler.registry.placed import PlacedSource
from crawler.registry.regions import describe, level_of_code, name_of, names

__all__ = ["COUNTRY", "CoverageRow", "area_code", "coverage"]

COUNTRY = "全国"
OWN_LEVEL = "本级"
NO_REGION = "(no region)"


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """One area: its code (None for the country and for bodies without a region), name, what it
    is (country, province, city, county, own, none) and its counts; ``working`` and ``reported``
    are None without an archive."""

    code: str | None
    name: str
    level: str
    registered: int
    working: int | None
    reported: int | None

    @property
    def share(self) -> float | None:
        """Reported of registered (None when nothing is registered or nothing is known)."""
        if self.reported is None or not self.registered:
            return None
        return self.reported / self.registered

    def as_dict(self) -> dict:
        share = self.share
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "registered": self.registered,
            "working": self.working,
            "reported": self.reported,
            "share": round(share, 4) if share is not None else None,
        }


def area_code(prefix: str) -> str:
    """The 6-digit code of a region prefix: ``43`` → 430000, ``4301`` → 430100, a 6-digit code as
    it is.  Raises ValueError for anything else."""
    prefix = (prefix or "").strip()
    if not re.fullmatch(r"[0-9]{2}|[0-9]{4}|[0-9]{6}", prefix):
        raise ValueError(f"{prefix!r} is not a region code or prefix (2, 4 or 6 digits: 43, 4301, 430102)")
    return prefix.ljust(6, "0")


def _child(area: str | None, region: str) -> str | None:
    """The child of ``area`` (None: the country) that ``region`` lies in; ``area`` itself for
    its own level; None when ``region`` is outside ``area``."""
    if area is None:
        return region[:2] + "0000"
    level = level_of_code(area)
    if region == area:
        return area
    if level == "county" or not region.startswith(area[:2] if level == "province" else area[:4]):
        return None
    if level == "city" or level_of_code(region) == "city":
        return region
    city = region[:4] + "00"
    return city if city in names() else region


def _children_in_table(area: str | None) -> list[str]:
    table = names()
    if area is None:
        return [c for c in table if level_of_code(c) == "province"]
    level = level_of_code(area)
    if level == "province":
        return [
            c
            for c in table
            if c[:2] == area[:2] and c != area and (level_of_code(c) == "city" or (c[:4] + "00") not in table)
        ]
    if level == "city":
        return [c for c in table if c[:4] == area[:4] and c != area]
    return []


def _name(code: str, *, full: bool = False) -> str:
    division = describe(code)
    if division is None:
        return f"({code}: not in the code table)"
    if full:
        return division.name
    return name_of(code) or f"{division.name} ({code}: not in the code table)"


def coverage(
    sources: Iterable[PlacedSource],
    area: str | None = None,
    *,
    working: set[str] | None = None,
    reported: set[str] | None = None,
) -> list[CoverageRow]:
    """The area's row, then (for the country, a province or a city) its own level and its
    children, by code; then, for the country, the bodies without a region.

    ``area`` is a 6-digit code (:func:`area_code`) or None for the whole country; ``working``
    and ``reported`` are the ids of the sources with a working column and with a report this
    season (None: not known, no archive)."""
    groups: dict[str | None, list[str]] = {}
    inside: list[str] = []
    unplaced: list[str] = []
    for source in sources:
        if not source.region:
            if area is None:
                inside.append(source.id)
                unplaced.append(source.id)
            continue
        child = _child(area, source.region)
        if child is None:
            continue
        inside.append(source.id)
        groups.setdefault(child, []).append(source.id)

    def row(code: str | None, name: str, level: str, ids: list[str]) -> CoverageRow:
        return CoverageRow(
            code,
            name,
            level,
            len(ids),
            None if working is None else sum(i in working for i in ids),
            None if reported is None else sum(i in reported for i in ids),
        )

    if area is None:
        rows = [row(None, COUNTRY, "country", inside)]
    else:
        rows = [row(area, _name(area, full=True), level_of_code(area), inside)]
        if level_of_code(area) == "county":
            return rows
        rows.append(row(area, f"{_name(area)} ({OWN_LEVEL})", "own", groups.pop(area, [])))
    for code in sorted(set(_children_in_table(area)) | set(groups)):
        rows.append(row(code, _name(code), level_of_code(code), groups.get(code, [])))
    if area is None:
        rows.append(row(None, NO_REGION, "none", unplaced))
    return rows
