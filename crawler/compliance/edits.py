"""Edits after publication: a report whose clean text changed after its first capture.

Pure functions.  Versions in the archive are content changes of a page or file; many are noise
(a visit counter, the page-generation time, re-flowed whitespace, a re-encoded PDF with the same
words).  So an edit is judged on the *normalised extracted text*: full-width forms folded (NFKC),
all whitespace removed, lines that only carry page-regeneration noise dropped, then hashed.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from crawler.vocab.records import VersionText

MAX_DIFF_LINES = 400
# Lines that change whenever a CMS regenerates a page, not when the agency edits its report.
NOISE_LINE = re.compile(
    r"^\s*(?:页面生成时间|生成时间|浏览次数|浏览量|访问量|访问次数|点击数|点击量|阅读次数|阅读量|"
    r"发布时间|更新时间|打印本页|关闭窗口|【?字体[:：]?|分享到)"
)
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The text an edit is judged on: NFKC-folded, noise lines dropped, whitespace removed."""
    lines = unicodedata.normalize("NFKC", text or "").splitlines()
    return "".join(_SPACE.sub("", line) for line in lines if not NOISE_LINE.match(line))


def text_hash(text: str) -> str:
    """SHA-256 of :func:`normalise` (what ``edited`` compares across versions)."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Edit:
    """The text of ``document_url`` changed between ``before`` and ``after``."""

    document_url: str
    before: VersionText
    after: VersionText
    diff: str
    added: int
    removed: int


def unified_diff(
    before: str, after: str, *, label_a: str, label_b: str, max_lines: int = MAX_DIFF_LINES
) -> str:
    """A unified diff of two texts line by line (whitespace-only lines ignored), capped in length."""
    a = [line.strip() for line in (before or "").splitlines() if line.strip()]
    b = [line.strip() for line in (after or "").splitlines() if line.strip()]
    lines = list(difflib.unified_diff(a, b, fromfile=label_a, tofile=label_b, lineterm="", n=2))
    if len(lines) > max_lines:
        lines = lines[:max_lines] + [f"… {len(lines) - max_lines} more diff lines"]
    return "\n".join(lines)


def find_edits(versions: Sequence[VersionText]) -> list[Edit]:
    """Text changes between consecutive extracted versions of one document (oldest first).

    Versions without text are skipped (nothing to compare), so an edit is only claimed between
    two versions whose texts we have read.
    """
    out: list[Edit] = []
    previous: VersionText | None = None
    previous_hash = None
    for version in sorted(versions, key=lambda v: v.seq):
        if version.text is None:
            continue
        h = text_hash(version.text)
        if previous is not None and h != previous_hash:
            diff = unified_diff(
                previous.text or "",
                version.text,
                label_a=f"{version.document_url} (seen {previous.first_seen_at} – {previous.last_seen_at})",
                label_b=f"{version.document_url} (seen from {version.first_seen_at})",
            )
            body = diff.splitlines()[2:]
            out.append(
                Edit(
                    version.document_url,
                    previous,
                    version,
                    diff,
                    added=sum(1 for d in body if d.startswith("+")),
                    removed=sum(1 for d in body if d.startswith("-")),
                )
            )
        previous, previous_hash = version, h
    return out
