"""The top-level sections of a report: its numbered headings (一、总体情况 …) and what each is.

One place for section headings (domain.md §2.1 and the 2008 free forms): :mod:`crawler.stats.
originality` aligns sections by :data:`SECTION_KEYS`, :mod:`crawler.stats.checks` (S2) looks for
the six statutory headings by :data:`STATUTORY`, :mod:`crawler.stats.quality` checks their
numbering and reads a section's text.  Pure functions of the text.

A heading is a line that starts with a Chinese numeral and 、 (or ``.``/``．``, or 第X部分/第X章)
and either holds at most :data:`MAX_TITLE` characters of title, or starts with a statutory
heading phrase run into its paragraph (``五、存在的主要问题及改进情况：一是…``), where the title
ends at the first stop after the phrase.  Parenthesised numerals (（一）主动公开) are
sub-headings and never top-level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMERALS = "一二三四五六七八九十"
MAX_TITLE = 40
HEADING = re.compile(
    rf"^[ \t\u3000]*(?:第(?P<part>[{_NUMERALS}]{{1,3}})(?:部分|章)|(?P<num>[{_NUMERALS}]{{1,3}})[ \t]*[、.．])"
    r"[ \t\u3000]*(?P<title>[^\n]*)$",
    re.M,
)
# Heading keys for aligning sections (the 2021, 2019 and 2008 forms); first match wins.
SECTION_KEYS = (
    ("overview", ("总体情况", "概述", "基本情况", "工作情况")),
    ("proactive", ("主动公开",)),
    ("requests", ("依申请", "收到和处理", "申请情况")),
    ("fees", ("收费", "减免")),
    ("review", ("复议", "诉讼", "申诉")),
    ("problems", ("问题", "改进", "不足")),
    ("other", ("其他需要报告", "其他事项", "其他")),
)
# The statutory sections and the phrase each heading must hold (stricter than SECTION_KEYS:
# a sub-heading such as 一、主动公开 inside 总体情况 is not section 二).  ``fees`` is the 2008
# form's 收费及减免 section.
STATUTORY = {
    "overview": r"总体情况|概述",
    "proactive": r"主动公开政府信息",
    "requests": r"收到和处理政府信息公开申请|依申请公开",
    "fees": r"收费(?:及|和)减免",
    "review": r"行政复议.{0,6}行政诉讼",
    "problems": r"存在.{0,6}问题",
    "other": r"其他需要报告",
}
_STATUTORY_RX = {key: re.compile(rx) for key, rx in STATUTORY.items()}
_INLINE_STOP = re.compile(r"[。：:；;，,\s]")
_INLINE_COLON = re.compile(r"[。：:]")


@dataclass(frozen=True, slots=True)
class Heading:
    """A top-level numbered heading: its number (1…), the line's offsets, its title and the
    statutory section it names (None for another heading)."""

    number: int
    numeral: str
    title: str
    start: int  # where the heading line starts (after indentation)
    end: int  # where its title ends (the section's text starts here)
    statutory: str | None

    def quote(self) -> str:
        return f"{self.numeral}、{self.title}"


def numeral_value(s: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20 (1–99); None for anything else."""
    digits = {ch: i for i, ch in enumerate(_NUMERALS, 1)}
    if not s or any(ch not in digits for ch in s):
        return None
    if len(s) == 1:
        return digits[s]
    if s[0] == "十":
        return 10 + digits[s[1]] if len(s) == 2 and s[1] != "十" else None
    if len(s) == 2 and s[1] == "十":
        return digits[s[0]] * 10
    if len(s) == 3 and s[1] == "十" and s[2] != "十":
        return digits[s[0]] * 10 + digits[s[2]]
    return None


def section_key(title: str) -> str | None:
    """The :data:`SECTION_KEYS` key a heading title names (None: none)."""
    for key, words in SECTION_KEYS:
        if any(w in title for w in words):
            return key
    return None


def statutory_key(title: str) -> str | None:
    """The statutory section (:data:`STATUTORY`) a heading title names, else None."""
    for key, rx in _STATUTORY_RX.items():
        if rx.search(title):
            return key
    return None


def headings(text: str) -> list[Heading]:
    """The top-level numbered headings of ``text``, in order (see the module docs)."""
    out = []
    for m in HEADING.finditer(text or ""):
        numeral = m.group("num") or m.group("part")
        number = numeral_value(numeral)
        title = m.group("title").rstrip()
        if number is None or len(title.strip()) < 2:
            continue
        end = m.start("title") + len(title)
        key = statutory_key(title[:30])
        phrase = _STATUTORY_RX[key].search(title[:30]) if key else None
        stops = _INLINE_STOP if len(title) > MAX_TITLE else _INLINE_COLON  # a short line: only ：。
        stop = stops.search(title, phrase.end()) if phrase else None
        if stop is not None and stop.start() - phrase.end() <= 12 and title[stop.end() :].strip():  # type: ignore[union-attr]
            title = title[: stop.start()]  # a statutory heading run into its paragraph
            end = m.start("title") + stop.start()
        elif len(title) > MAX_TITLE:
            continue
        start = m.start() + len(m.group(0)) - len(m.group(0).lstrip(" \t\u3000"))
        out.append(Heading(number, numeral, title.strip(), start, end, statutory_key(title)))
    return out


def statutory_headings(found: list[Heading]) -> dict[str, list[Heading]]:
    """The headings naming each statutory section, by key (a key may be named twice: a nested
    or a repeated heading)."""
    out: dict[str, list[Heading]] = {}
    for h in found:
        if h.statutory is not None:
            out.setdefault(h.statutory, []).append(h)
    return out


def section_text(text: str, found: list[Heading], key: str) -> tuple[Heading, int, int] | None:
    """(heading, start, end) of the statutory section ``key``: from the end of its first heading
    to the next heading naming another statutory section or numbered as the next section (or the
    end of the text); a nested heading (一、 inside 五、) does not end it."""
    first = next((h for h in found if h.statutory == key), None)
    if first is None:
        return None
    nxt = next(
        (
            h
            for h in found
            if h.start > first.start and (h.statutory not in (None, key) or h.number == first.number + 1)
        ),
        None,
    )
    return first, first.end, nxt.start if nxt is not None else len(text)
