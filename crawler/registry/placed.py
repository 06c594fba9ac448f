"""Sources with their region filled in, and where it came from.

A registry entry may leave ``region`` out; :func:`place_sources` then reads it from the body's
name (:func:`crawler.registry.regions.region_of`: its agency, else one of its other names) and
says so in ``region_source``: ``"registry"`` when the file gave it, ``"agency name"`` when it was
read from the name, None when neither tells it.  The registry file itself stays strict (a
``region_source`` key in it is still an unknown key): this is what is known about a source, not
what its file says.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields

from crawler.registry.regions import describe, region_of
from crawler.registry.sources import Source

__all__ = ["FROM_NAME", "FROM_REGISTRY", "PlacedSource", "place", "place_sources"]

FROM_REGISTRY = "registry"
FROM_NAME = "agency name"


@dataclass(frozen=True, slots=True)
class PlacedSource(Source):
    """A :class:`Source` whose ``region`` may come from its name; ``region_source`` says which."""

    region_source: str | None = None

    @property
    def region_name(self) -> str | None:
        """The region's full name (湖南省长沙市芙蓉区), None without a region or a known code."""
        division = describe(self.region) if self.region else None
        return division.name if division else None

    def as_dict(self) -> dict:
        return {**asdict(self), "region_name": self.region_name}


def place(source: Source) -> PlacedSource:
    """``source`` with its region and where it came from (see the module docstring)."""
    if isinstance(source, PlacedSource):
        return source
    values = {f.name: getattr(source, f.name) for f in fields(Source)}
    if source.region:
        return PlacedSource(**values, region_source=FROM_REGISTRY)
    for name in source.names:
        found = region_of(name)
        if found:
            return PlacedSource(**{**values, "region": found.code}, region_source=FROM_NAME)
    return PlacedSource(**values)


def place_sources(sources: Iterable[Source]) -> list[PlacedSource]:
    """Every source placed (:func:`place`), in order."""
    return [place(s) for s in sources]
