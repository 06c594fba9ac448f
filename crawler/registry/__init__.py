"""Which sources are on: the registry file with the data directory's operator state laid over it.

:func:`load_registry` is the one function operations (crawl, status, check, the spider) use to
know which sources are enabled; ``nianbao sources disable|enable`` writes the state it reads.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from crawler.registry.memory import resolve_sources
from crawler.registry.placed import place_sources
from crawler.registry.sources import Source, load_sources, select_sources
from crawler.registry.state import apply_state, disabled_by_operator
from crawler.vocab.errors import ConfigError
from storage.db import open_readonly
from storage.source_state import load_state


def read_state(data: str | os.PathLike | None) -> dict[str, dict]:
    """The operator state of a data directory; empty when it has no archive yet (none is created)."""
    # Read-only: knowing which sources are on must not create or migrate an archive.
    with open_readonly(data) as db:
        return load_state(db) if db is not None else {}


def load_registry(sources_path: str | os.PathLike | None, data: str | os.PathLike | None) -> list[Source]:
    """The registry at ``sources_path`` (None: ``$NIANBAO_SOURCES``, else the file the data directory
    remembers, else the shipped one: :func:`~crawler.registry.memory.resolve_sources`) with the
    operator state of the data directory ``data`` applied: the sources as operations must see them.  This is the one function
    operations (crawl, the spider, check, status, sources list) use to know which sources are on.

    Raises :class:`ConfigError` for an invalid registry, like :func:`~crawler.registry.sources.load_sources`.
    """
    return place_sources(
        apply_state(load_sources(resolve_sources(sources_path, data).path), read_state(data))
    )


def select_enabled(sources: list[Source], ids: Iterable[str] | None) -> list[Source]:
    """:func:`~crawler.registry.sources.select_sources` for operations: naming a disabled source fails with
    why it is off (the operator's reason, or the registry's note) and how to switch it back on."""
    wanted = [ids] if isinstance(ids, str) else list(ids or ())
    by_id = {
        s.id: s for s in select_sources(sources, wanted, include_disabled=True)
    }  # unknown ids: close matches
    for source_id in wanted:
        source = by_id[source_id]
        if disabled_by_operator(source):
            raise ConfigError(
                f"source is {source.note}; run 'nianbao sources enable {source_id}' to crawl it again",
                source=source_id,
            )
        if not source.enabled:
            note = f" ({source.note})" if source.note else ""
            raise ConfigError(
                f"source is disabled in the registry{note}; set enabled = true there, or run "
                f"'nianbao sources enable {source_id}' for this data directory",
                source=source_id,
            )
    return select_sources(sources, ids)
