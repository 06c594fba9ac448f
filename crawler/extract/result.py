"""The result of one extraction and small helpers shared by the extractors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache

EXTRACTOR_VERSION = "2"
"""Bump when any extractor's output changes, so ``nianbao extract --all`` knows to redo."""

STATUSES = ("ok", "empty", "needs_ocr", "needs_tool", "error", "timeout", "too_large", "unsupported")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class ExtractResult:
    """What an extractor made of one file (see the module docs of :mod:`crawler.extract`)."""

    status: str
    text: str = ""
    tables: list[list[list[str]]] = field(default_factory=list)
    extractor: str = ""
    version: str = ""
    ocr: bool = False
    pages: int | None = None
    file_type: str | None = None
    error: str | None = None

    def with_(self, **changes: object) -> ExtractResult:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


def failed(status: str, error: str, **fields: object) -> ExtractResult:
    """A non-ok result with its human-readable reason."""
    return ExtractResult(status=status, error=error, **fields)  # type: ignore[arg-type]


def finish(text: str, **fields: object) -> ExtractResult:
    """An ``ok`` result, or ``empty`` when the text has nothing but whitespace."""
    text = tidy(text)
    if not text.strip():
        return ExtractResult(status="empty", text="", error="no text found", **fields)  # type: ignore[arg-type]
    return ExtractResult(status="ok", text=text, **fields)  # type: ignore[arg-type]


def tidy(text: str) -> str:
    r"""Unify line ends, drop control characters (keeping ``\t``, ``\n`` and the page break
    ``\f``), strip trailing spaces, squeeze runs of blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    lines = [line.rstrip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.strip("\n ")


@cache
def lib_version(dist: str) -> str:
    """``"<dist> <version>"`` of an installed distribution (``"<dist> ?"`` when unknown)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{dist} {version(dist)}"
    except PackageNotFoundError:
        return f"{dist} ?"
