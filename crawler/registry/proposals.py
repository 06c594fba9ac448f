"""Registry entries proposed by discovery: one per column found, deduplicated, with the evidence
(the pages followed, the report years seen, where the body's name came from) and a confidence.
A column discovery is not sure of — few reports, or a body it cannot name or place — is
proposed commented out, with the reason, never as a live source."""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.registry.importing import stable_id
from crawler.registry.regions import region_of
from crawler.vocab.records import FoundColumn
from crawler.vocab.words import CMS_FAMILIES


@dataclass(slots=True)
class Proposal:
    """A proposed ``[[source]]`` entry and why (``doubt`` empty: safe to add as is)."""

    id: str
    agency: str | None
    level: str | None
    kind: str | None
    region: str | None
    urls: list[str]
    cms: str
    confidence: str
    evidence: dict = field(default_factory=dict)
    doubt: str = ""

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "agency": self.agency,
            "level": self.level,
            "kind": self.kind,
            "region": self.region,
            "urls": self.urls,
            "cms": self.cms,
            "confidence": self.confidence,
            "evidence": self.evidence,
            "doubt": self.doubt or None,
        }


def propose(found: list[FoundColumn]) -> list[Proposal]:
    """Proposals from discovered columns (:class:`~crawler.vocab.records.FoundColumn`): one per column URL
    (the surest finding wins when two portals reach it), in the order found."""
    best: dict[str, FoundColumn] = {}
    rank = {"high": 2, "medium": 1, "low": 0}
    for col in found:
        kept = best.get(col.url)
        if kept is None or rank[col.confidence] > rank[kept.confidence]:
            best[col.url] = col
    out = []
    used: set[str] = set()
    for c in best.values():
        region = region_of(c.agency) if c.agency else None
        source_id = base = stable_id(c.agency or c.url, region.code if region else None)
        n = 1
        while source_id in used:  # two columns of one body: both proposed, ids kept apart
            n += 1
            source_id = f"{base}-{n}"
        used.add(source_id)
        doubt = []
        if c.confidence == "low":
            doubt.append(f"not clearly a column: {c.reason}")
        if not c.agency:
            doubt.append("the body could not be named")
        elif not c.level or not c.kind:
            doubt.append(f"level/kind of {c.agency} unknown")
        out.append(
            Proposal(
                id=source_id,
                region=region.code if region else None,
                agency=c.agency,
                level=c.level,
                kind=c.kind,
                urls=[c.url],
                cms=c.cms if c.cms in CMS_FAMILIES else "auto",
                confidence=c.confidence,
                evidence={
                    "start": c.start,
                    "path": c.path,
                    "depth": c.depth,
                    "years": c.years,
                    "reports": c.reports,
                    "entries": c.items,
                    "agency_from": c.agency_from,
                    "anchor": c.anchor,
                    "fetch": c.fetch_id,
                    "why": c.reason,
                    "paging": c.paging,
                },
                doubt="; ".join(doubt),
            )
        )
    return out


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def render_toml(proposals: list[Proposal]) -> str:
    """The proposals as registry TOML: sure ones as ``[[source]]`` tables, doubtful ones
    commented out with the reason; each with its evidence in comments."""
    out = []
    for p in proposals:
        ev = p.evidence
        lines = [
            f"# found from {ev.get('start')} in {ev.get('depth')} click(s): {' > '.join(ev.get('path') or [])}",
            f"# {ev.get('reports')} report(s) of {', '.join(map(str, ev.get('years') or [])) or 'no year'} on its "
            f"first page ({ev.get('paging') or '?'}, {p.cms}); name from {ev.get('agency_from')}; confidence {p.confidence}",
        ]
        table = [
            "[[source]]",
            f"id = {_toml_str(p.id)}",
            f"agency = {_toml_str(p.agency or '?')}",
            f"level = {_toml_str(p.level or 'other')}",
            f"kind = {_toml_str(p.kind or 'dept')}",
            f"urls = [{', '.join(_toml_str(u) for u in p.urls)}]",
            *([f"region = {_toml_str(p.region)}"] if p.region else []),
            f"cms = {_toml_str(p.cms)}",
        ]
        if p.doubt:
            lines.append(f"# NOT SURE — {p.doubt}; check it, then uncomment")
            table = ["# " + line for line in table]
        out.append("\n".join(lines + table))
    return "\n\n".join(out) + ("\n" if out else "")
