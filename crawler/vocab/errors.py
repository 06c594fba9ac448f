"""One exception root for nianbao; Scrapy's own exceptions still drive crawl control flow."""

from __future__ import annotations


class NianbaoError(Exception):
    """Base class of every error nianbao raises on purpose."""


class ConfigError(NianbaoError):
    """A configuration or registry problem; the CLI exits with status 2."""

    def __init__(
        self, message: str, *, file: str | None = None, source: str | None = None, field: str | None = None
    ) -> None:
        self.file, self.source, self.field = file, source, field
        where = ": ".join(
            p
            for p in (file, f"source {source!r}" if source else None, f"field {field!r}" if field else None)
            if p
        )
        super().__init__(f"{where}: {message}" if where else message)


class UsageError(NianbaoError):
    """A command's argument cannot be used (a malformed query, a bad option value); exit status 2."""


class ArchiveError(NianbaoError):
    """The raw archive or its index is unreadable or inconsistent."""


class ArchiveMissing(ArchiveError, FileNotFoundError):
    """A command that only reads found no archive in the data directory (exit status 2)."""


class DiskFull(ArchiveError):
    """No space left for the archive (ENOSPC, SQLite's "database or disk is full"): the crawl
    stops; what was committed before is kept."""
