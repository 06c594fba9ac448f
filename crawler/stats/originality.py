"""Originality (雷同): how much of report A reappears in report B, by section, with the passages.

Evaluators deduct points when a report repeats most of the previous year's or copies another
body's (domain.md §3 item 6).  Pure: two clean texts in, a :class:`Reuse` out.

* :func:`normalise` keeps letters, digits and Chinese characters (width folded), turns years
  (``2023年``) into ``Y`` and the body's own name and self-references (我局, 我县…) into ``@``
  — what a copier changes first — and remembers every kept character's offset in the text.
* The fixed wording of the format (:mod:`crawler.stats.boilerplate`) and single-digit numbers
  are *template*: they may link a passage but never count as reused content.
* :func:`compare` shingles both texts into character ``K``-grams; the positions of A covered by
  a shingle of B form maximal shared runs; a run is a reused passage when it holds at least
  ``MIN_PASSAGE`` content characters.  Containment of A in B = content in passages / A's content
  (at least ``MIN_CONTENT``), overall and per section (sections aligned by heading key).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from crawler.stats.boilerplate import PATTERNS, PHRASES
from crawler.stats.sections import headings, section_key
from crawler.vocab.text import fold_width

ORIGINALITY_VERSION = "2"  # 2: customary titles are template; the containment search
K = 8  # shingle length in normalised characters
MIN_PASSAGE = 4  # content characters a shared run needs to count as a reused passage
MIN_CONTENT = 16  # denominator floor: a text with almost no own content cannot be judged reused

# a digit not preceded by a digit or "digit." nor followed by one or ".digit" (the \d first:
# the regex engine then skips to digits instead of trying the lookbehinds everywhere)
_LONE_DIGIT = re.compile(r"\d(?<!\d\d)(?<!\d\.\d)(?!\d)(?!\.\d)")
_LINE = re.compile(r"[^\n]+")
_DIGITS = re.compile(r"\d+")
_WEAK = re.compile("[Y@~]")
_NUMERAL = re.compile("[一二三四五六七八九十]")
_ALNUM = re.compile(r"[^\W_]+")  # str.isalnum, as the re module defines \w
_NOT_ALNUM = re.compile(r"[\W_]+")
_FLIP = bytes([1, 0] + [0] * 254)  # weak (1) → not content (0) and back
_YEAR = re.compile(r"(?:19|20)\d{2}(?=年)")
_SELF = re.compile(r"我(?:局|办|委|镇|乡|县|市|区|街道|厅|署|院|部|中心|公司)")


@dataclass(slots=True)
class Norm:
    """A normalised text: ``chars`` (the compared string), ``offsets`` (each char's position in
    the original text, plus its end), ``content`` (1 where a char counts as own content)."""

    chars: str
    offsets: list[int]
    content: bytearray
    sections: list[tuple[str, int, int]]  # (key, start, end) in chars


@dataclass(slots=True)
class Passage:
    """A reused passage: A's span (original offsets), B's matching span, its section key."""

    start: int
    end: int
    other_start: int
    other_end: int
    section: str
    content: int
    text: str = ""

    def as_dict(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "other_start": self.other_start,
            "other_end": self.other_end,
            "section": self.section,
            "content": self.content,
            "text": self.text,
        }


@dataclass(slots=True)
class Reuse:
    """Containment of A in B: ``overall`` in [0, 1], ``sections`` key → containment of A's
    section in B's section of the same key (or in all of B when B lacks it), the passages."""

    overall: float
    content: int  # A's own content characters
    reused: int  # of which in passages
    sections: dict[str, float] = field(default_factory=dict)
    passages: list[Passage] = field(default_factory=list)

    def sections_json(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in self.sections.items()}

    def passages_json(self) -> list[dict]:
        return [p.as_dict() for p in self.passages]


def _weak_spans(folded: str) -> list[tuple[int, int]]:
    """Spans of ``folded`` that compare but are no wording: a digit standing alone (``0``, ``3``)
    and the digits of a table row (a line whose letters and digits are at least 40 % digits)."""
    spans = [(m.start(), m.end()) for m in _LONE_DIGIT.finditer(folded)]
    for m in _LINE.finditer(folded):
        line = m.group()
        if _DIGITS.search(line) is None:  # no digit run to mark
            continue
        digits = sum(map(str.isdigit, line))
        if digits * 5 >= 2 * len(_NOT_ALNUM.sub("", line)):
            spans += [(m.start() + d.start(), m.start() + d.end()) for d in _DIGITS.finditer(line)]
    return spans


def _strip(text: str) -> tuple[str, list[int], bytearray]:
    """Letters, digits and CJK characters of ``text`` (width folded; a CJK numeral, a list
    marker, becomes ``~``), their offsets, and which of them are weak (see :func:`_weak_spans`)."""
    return _strip_folded(fold_width(text))


def compared_chars(text: str) -> str:
    """The characters of ``text`` that :func:`normalise` compares, before its placeholders (where
    a body's name is looked for)."""
    return _NUMERAL.sub("~", _NOT_ALNUM.sub("", fold_width(text or "")))


def _strip_folded(folded: str) -> tuple[str, list[int], bytearray]:
    weak_at = bytearray(len(folded) + 1)
    for s, e in _weak_spans(folded):
        weak_at[s:e] = b"\x01" * (e - s)
    offsets: list[int] = []
    weak = bytearray()
    for m in _ALNUM.finditer(folded):
        s, e = m.span()
        offsets += range(s, e)
        weak += weak_at[s:e]
    return _NUMERAL.sub("~", _NOT_ALNUM.sub("", folded)), offsets, weak


@lru_cache(maxsize=4096)  # a body's names, over its reports
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    stripped = {_strip(n)[0] for n in names if n}
    keep = sorted((n for n in stripped if len(n) >= 2), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, keep))) if keep else None


@lru_cache(maxsize=8)
def _template(extra: tuple[str, ...] = ()) -> re.Pattern[str]:
    phrases = {_YEAR.sub("Y", _strip(p)[0]) for p in PHRASES + extra}
    phrases = {_SELF.sub("@", p) for p in phrases if len(p) >= 2}
    alternatives = [re.escape(p) for p in sorted(phrases, key=len, reverse=True)] + list(PATTERNS)
    return re.compile("|".join(alternatives))


def _sections(text: str, offsets: list[int]) -> list[tuple[str, int, int]]:
    """Sections of the normalised text by the headings of ``text``; unknown structure → one."""
    import bisect

    marks: list[tuple[str, int]] = []
    seen: set[str] = set()
    for h in headings(text):
        key = section_key(h.title)
        if key is None or key in seen:
            continue
        seen.add(key)
        marks.append((key, bisect.bisect_left(offsets, h.start)))
    n = len(offsets)
    if len(marks) < 2:
        return [("all", 0, n)]
    out = [("preamble", 0, marks[0][1])] if marks[0][1] > 0 else []
    for j, (key, start) in enumerate(marks):
        out.append((key, start, marks[j + 1][1] if j + 1 < len(marks) else n))
    return out


def normalise(text: str, names: Iterable[str] = (), template: tuple[str, ...] = ()) -> Norm:
    """Normalise ``text`` for comparison; ``names``: the body's own name(s) and place → ``@``;
    ``template``: stock phrases to mask besides :mod:`crawler.stats.boilerplate`'s."""
    folded = fold_width(text or "")
    stripped, offsets, weak = _strip_folded(folded)
    sections = _sections(folded, offsets)
    # placeholders: years → Y, own names and self-references → @ (kept at their first offset)
    subs: list[tuple[int, int, str]] = [(m.start(), m.end(), "Y") for m in _YEAR.finditer(stripped)]
    pattern = _names_pattern(tuple(names))
    if pattern is not None:
        subs += [(m.start(), m.end(), "@") for m in pattern.finditer(stripped)]
    subs += [(m.start(), m.end(), "@") for m in _SELF.finditer(stripped)]
    subs.sort()
    if subs:
        parts: list[str] = []
        new_offsets: list[int] = []
        new_weak = bytearray()
        replaced: list[tuple[int, int, int]] = []  # (old start, old end, new start) of each replaced span
        pos = 0
        for start, end, ch in subs:
            if start < pos:
                continue
            parts.append(stripped[pos:start])
            new_offsets += offsets[pos:start]
            new_weak += weak[pos:start]
            replaced.append((start, end, len(new_offsets)))
            parts.append(ch)
            new_offsets.append(offsets[start])
            new_weak.append(1)
            pos = end
        parts.append(stripped[pos:])
        new_offsets += offsets[pos:]
        new_weak += weak[pos:]

        def remap(i: int) -> int:  # an old position's new one (inside a replaced span: its placeholder)
            shift = 0
            for start, end, at in replaced:
                if i < start:
                    break
                if i < end:
                    return at
                shift = at + 1 - end
            return i + shift

        sections = [(k, remap(s), remap(e)) for k, s, e in sections]
        stripped, offsets, weak = "".join(parts), new_offsets, new_weak
    content = weak.translate(_FLIP)
    for m in _template(template).finditer(stripped):
        content[m.start() : m.end()] = bytes(m.end() - m.start())
    for m in _WEAK.finditer(stripped):
        content[m.start()] = 0
    end = (offsets[-1] + 1) if offsets else 0
    return Norm(stripped, [*offsets, end], content, sections)


def _grams(s: str) -> list[str]:
    """The shingle starting at each position of ``s`` (those that fit)."""
    return [s[i : i + K] for i in range(len(s) - K + 1)]


def _first(grams: list[str], start: int, end: int) -> dict[str, int]:
    """Shingle → first position, over the shingles lying in [start, end) (``grams`` of the text)."""
    stop = max(start, end - K + 1)
    return dict(zip(reversed(grams[start:stop]), range(stop - 1, start - 1, -1), strict=True))


def shingles(norm: Norm, start: int = 0, end: int | None = None) -> dict[str, int]:
    """Shingle → first position, over ``norm.chars[start:end]``."""
    end = len(norm.chars) if end is None else end
    return _first(_grams(norm.chars), start, end)


def content_shingles(norm: Norm) -> set[str]:
    """Shingles holding at least one content character (what near-duplicate search hashes)."""
    s, c = norm.chars, norm.content
    return {s[i : i + K] for i in range(len(s) - K + 1) if c.find(1, i, i + K) >= 0}


def _runs(grams: list[str], start: int, end: int, other: dict[str, int]) -> list[tuple[int, int, int]]:
    """Maximal runs [s, e) of A's positions covered by a shingle of ``other`` (``grams``: A's),
    with the position in the other text of the run's first shingle."""
    runs: list[tuple[int, int, int]] = []
    run_start = run_end = -1
    first_other = 0
    for i, j in enumerate(map(other.get, grams[start : max(start, end - K + 1)]), start):
        if j is None:
            continue
        if i <= run_end:
            run_end = i + K
        else:
            if run_start >= 0:
                runs.append((run_start, run_end, first_other))
            run_start, run_end, first_other = i, i + K, j
    if run_start >= 0:
        runs.append((run_start, run_end, first_other))
    return runs


def _contained(
    a: Norm,
    grams: list[str],
    b: Norm,
    start: int,
    end: int,
    other: dict[str, int],
    key: str,
    passages: list[Passage] | None,
) -> tuple[int, int]:
    """(content of A[start:end], content of it in reused passages); appends the passages."""
    total = a.content.count(1, start, end)
    reused = 0
    for s, e, j in _runs(grams, start, end, other):
        n = a.content.count(1, s, e)
        if n < MIN_PASSAGE:
            continue
        reused += n
        if passages is not None:
            jb = min(j + (e - s), len(b.chars))
            passages.append(
                Passage(a.offsets[s], a.offsets[e - 1] + 1, b.offsets[j], b.offsets[jb - 1] + 1, key, n)
            )
    return total, reused


def compare(
    a: str | Norm,
    b: str | Norm,
    *,
    names_a: Iterable[str] = (),
    names_b: Iterable[str] = (),
    template: tuple[str, ...] = (),
) -> Reuse:
    """Containment of text ``a`` in text ``b`` (see the module docstring), with passages.

    ``names_a``/``names_b``: each body's own name (and place), so two bodies that fill the same
    wording with their own names still match (both sets are masked in both texts); ``template``: stock phrases to mask besides the
    boilerplate list.  Passages carry A's text when ``a`` is a string.
    """
    both = (*names_a, *names_b)  # a copy that kept the other body's name still matches it
    na = a if isinstance(a, Norm) else normalise(a, both, template)
    nb = b if isinstance(b, Norm) else normalise(b, both, template)
    grams_a, grams_b = _grams(na.chars), _grams(nb.chars)
    whole = _first(grams_b, 0, len(nb.chars))
    passages: list[Passage] = []
    b_sections = {k: (s, e) for k, s, e in nb.sections}
    sections: dict[str, float] = {}
    total = reused = 0
    for key, s, e in na.sections:
        other = whole
        if key in b_sections and key != "all" and len(na.sections) > 1:
            other = _first(grams_b, *b_sections[key])
        n, r = _contained(na, grams_a, nb, s, e, whole, key, passages)
        total, reused = total + n, reused + r
        if other is not whole:
            n, r = _contained(na, grams_a, nb, s, e, other, key, None)
        sections[key] = r / max(n, MIN_CONTENT) if n else 0.0
    if isinstance(a, str):
        for p in passages:
            p.text = a[p.start : p.end]
    return Reuse(reused / max(total, MIN_CONTENT) if total else 0.0, total, reused, sections, passages)


def leaked_names(text: str, names: Iterable[str], own: Iterable[str] = ()) -> list[str]:
    """The other bodies' ``names`` (or places) written in ``text`` — a copy that forgot to change
    them — leaving out those that are part of the body's ``own`` names."""
    folded = _strip(text or "")[0]
    owns = [_strip(o)[0] for o in own if o]
    found = []
    for name in names:
        n = _strip(name or "")[0]
        if len(n) >= 3 and n in folded and not any(n in o for o in owns):
            found.append(name)
    return found
