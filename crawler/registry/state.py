"""The operator's switches laid over the registry (pure): which sources are on, and why not.

``nianbao sources disable|enable`` records a switch in the data directory
(:mod:`storage.source_state`); :func:`apply_state` turns the registry's sources into the ones
operations must see.
"""

from __future__ import annotations

from dataclasses import replace

from crawler.registry.sources import Source

OPERATOR_NOTE = "disabled by operator"  # how a note written by apply_state begins


def operator_note(row: dict, registry_note: str) -> str:
    """The note of a source the operator disabled: when and why, then the registry's own note."""
    note = f"{OPERATOR_NOTE} at {row['changed_at']}: {row['reason']}"
    return f"{note} — {registry_note}" if registry_note else note


def disabled_by_operator(source: Source) -> bool:
    """Was this source (as returned by :func:`apply_state`) switched off by the operator?"""
    return not source.enabled and source.note.startswith(OPERATOR_NOTE)


def apply_state(sources: list[Source], state: dict[str, dict]) -> list[Source]:
    """The registry with the operator's switches applied (pure; untouched sources are the same objects).

    A disabled state turns the source off with a note saying when and why; an enabled state turns
    a registry-disabled source on.  State of ids not in the registry is ignored.
    """
    out = []
    for source in sources:
        row = state.get(source.id)
        if row is None or (row["enabled"] and source.enabled):
            out.append(source)
        elif row["enabled"]:
            out.append(replace(source, enabled=True))
        else:
            out.append(replace(source, enabled=False, note=operator_note(row, source.note)))
    return out
