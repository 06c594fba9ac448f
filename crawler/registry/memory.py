"""Which registry file a data directory uses: recorded by the first crawl (or ``sources add``)
that names one, and the default of every command on that data directory afterwards.

Resolution, first match wins: ``--sources FILE``; ``$NIANBAO_SOURCES``; the file the data
directory remembers (``DATA/registry.json``); the registry shipped with nianbao. A remembered
file that is gone is an error, not a silent fall-back to the shipped registry (which would judge
a different set of bodies).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from crawler.vocab import clock
from crawler.vocab.errors import ConfigError
from storage.db import data_dir

MEMORY_FILE = "registry.json"
ENV = "NIANBAO_SOURCES"


@dataclass(frozen=True, slots=True)
class Resolved:
    """The registry file to read (None: the shipped one) and where that choice came from."""

    path: str | None
    origin: str  # "--sources", "$NIANBAO_SOURCES", "remembered", "shipped"

    def describe(self) -> str:
        where = self.path or "the registry shipped with nianbao"
        return {
            "--sources": f"{where} (--sources)",
            "$NIANBAO_SOURCES": f"{where} ($NIANBAO_SOURCES)",
            "remembered": f"{where} (remembered by the data directory)",
        }.get(self.origin, where)


def memory_path(data: str | os.PathLike | None) -> Path:
    return data_dir(data) / MEMORY_FILE


def remembered(data: str | os.PathLike | None) -> str | None:
    """The registry file the data directory remembers, if any."""
    path = memory_path(data)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: unreadable ({exc}); delete it or pass --sources") from exc
    files = record.get("files") if isinstance(record, dict) else None
    if not files or not isinstance(files, list) or not isinstance(files[0], str):
        raise ConfigError(f"{path}: no registry file recorded; delete it or pass --sources")
    return files[0]


def resolve_sources(sources: str | os.PathLike | None, data: str | os.PathLike | None) -> Resolved:
    """The registry a command on ``data`` reads (see the module docstring for the order)."""
    if sources:
        return Resolved(str(sources), "--sources")
    env = os.environ.get(ENV)
    if env:
        return Resolved(env, "$NIANBAO_SOURCES")
    kept = remembered(data)
    if kept:
        if not Path(kept).exists():
            raise ConfigError(
                f"the data directory {data_dir(data)} uses the registry {kept}, which no longer exists; "
                "pass --sources FILE (it will be remembered instead)"
            )
        return Resolved(kept, "remembered")
    return Resolved(None, "shipped")


def remember(data: str | os.PathLike | None, sources: str | os.PathLike | None) -> str | None:
    """Record ``sources`` (an explicit registry file) as the data directory's registry; returns a
    line to tell the user when it replaced another file, else None. ``None`` records nothing."""
    if not sources:
        return None
    target = str(Path(sources).resolve())
    previous = remembered(data)
    if previous == target:
        return None
    path = memory_path(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({"files": [target], "recorded_at": clock.now_iso()}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    os.replace(tmp, path)
    if previous:
        return f"the data directory now uses the registry {target} (was {previous})"
    return None
