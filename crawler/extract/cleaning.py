"""Clean extracted report text into a searchable simplified copy and a readable original.

:func:`clean_text` runs, in order:

1. :func:`repair_mojibake` (GBK read as latin-1/cp1252, UTF-8 read as GBK, and the lossy
   "大?。?span" fragments of GBK pages decoded one byte out of step);
2. HTML fragments: ``<br>``/block tags become line breaks, table cells ``" | "``, other tags
   go, entities are unescaped;
3. :func:`crawler.recognize.text.normalize_text`: full-width ASCII/digits → half-width
   (Chinese ，；：？！（） and 。、 kept), inline pinyin 國(guó) → 國, whitespace per line;
4. spaces inside CJK runs (PDF letter-spacing/wrap debris "一 概 述", "2008 年") removed,
   an ASCII comma between two CJK characters becomes ，;
5. hard-wrapped lines rejoined (:func:`rejoin_lines`);
6. traditional → simplified (:func:`to_simplified`) for ``text`` only; ``original`` keeps
   the source script.

Everything here is a pure function of its input.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache

from crawler.recognize.text import _PINYIN, normalize_text
from crawler.vocab.text import CJK_CHAR, to_simplified, to_simplified_chars

_CJK_RE = re.compile(f"[{CJK_CHAR}]")
_CJK_PUNCT = "，。、；：？！（）《》〈〉“”‘’「」『』【】…—"

# --- mojibake -------------------------------------------------------------------------------

# Runs of latin-1/cp1252 letters a GBK page shows when decoded as a single-byte charset.
_LATIN_RUN = re.compile(
    "[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{2,}"
)
# GBK text decoded one byte out of step (doc-sharing mirrors): the lead byte of 小 is lost,
# "：<" fuse into one undecodable pair. Lossy, so only known fragments are restored.
_LOSSY_FRAGMENTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"大\?。\?(?=span\b)"), "大小：<"),
    (re.compile(r"大\?。\?"), "大小："),
    # A lost character whose "(" went with it, leaving "?jī)?nèi)" / "?cè)": mark it □.
    (re.compile(r"\?(?:[a-zü]{0,5}[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]{0,5}\)\??)+"), "□"),
)


@lru_cache(maxsize=1)
def _gb2312_level1() -> frozenset[str]:
    """The 3,755 GB2312 level-1 (most common) hanzi: a cheap 'is this a normal character' test."""
    chars = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


def _plausibility(s: str) -> float:
    """Mean per-character plausibility: common hanzi and ASCII score high, rare hanzi,
    latin-1 letters, private-use and replacement characters score low."""
    if not s:
        return 0.0
    common = _gb2312_level1()
    total = 0.0
    for ch in s:
        if ch in common or ch in _CJK_PUNCT or ch.isascii():
            total += 1.0
        elif _CJK_RE.match(ch):
            total += 0.3 if to_simplified_chars(ch) in common else -0.5
        elif ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff" or "\u0080" <= ch <= "\u024f":
            total -= 1.0
    return total / len(s)


def _better(candidate: str, current: str) -> bool:
    """Is ``candidate`` clearly better text than ``current``?"""
    return (
        "\ufffd" not in candidate
        and len(_CJK_RE.findall(candidate)) >= 1
        and _plausibility(candidate) > _plausibility(current) + 0.3
    )


def _fix_latin_runs(s: str) -> tuple[str, bool]:
    def fix(m: re.Match[str]) -> str:
        run = m.group(0)
        for single in ("latin-1", "cp1252"):
            try:
                cand = run.encode(single).decode("gb18030")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if _better(cand, run):
                return cand
        return run

    fixed = _LATIN_RUN.sub(fix, s)
    return fixed, fixed != s


def repair_mojibake(s: str) -> tuple[str, str | None]:
    """Undo a wrong decoding when the repair is clearly better text; return (text, note).

    Repairs (note in brackets): GBK bytes shown as latin-1/cp1252 (``mojibake:gbk-as-latin1``),
    UTF-8 bytes shown as GBK, e.g. 鏀垮簻淇℃伅 (``mojibake:utf8-as-gbk``), GBK text decoded
    out of step with replacement ("大?。?span", ``mojibake:gbk-lossy``, known fragments only).
    The whole string is tried first, then line by line. Text that is fine is returned as is
    with note None.
    """
    if not s:
        return s, None
    notes: list[str] = []
    # UTF-8 read as GBK: the mis-decoded string re-encodes to valid UTF-8.
    lines = s.split("\n")
    changed = False
    for i, line in enumerate(lines):
        if not _CJK_RE.search(line):
            continue
        try:
            cand = line.encode("gb18030").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if _better(cand, line):
            lines[i] = cand
            changed = True
    if changed:
        s = "\n".join(lines)
        notes.append("mojibake:utf8-as-gbk")
    s, latin = _fix_latin_runs(s)
    if latin:
        notes.append("mojibake:gbk-as-latin1")
    lossy = s
    for pattern, repl in _LOSSY_FRAGMENTS:
        lossy = pattern.sub(repl, lossy)
    if lossy != s:
        s = lossy
        notes.append("mojibake:gbk-lossy")
    return s, ",".join(notes) or None


# --- markup, spacing, line joins ------------------------------------------------------------

_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_BLOCK_TAG = re.compile(r"<br\s*/?>|</?(?:p|div|tr|li|h[1-6]|table|ul|ol|section|article)\b[^<>]*>", re.I)
_CELL_TAG = re.compile(r"</t[dh]\s*>", re.I)
_ANY_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,400}>|<!--.*?-->", re.S)
_ENTITY = re.compile(r"&(?:#\d{2,6}|#x[0-9a-fA-F]{2,5}|[a-zA-Z]{2,8});")
_CELL_SEP = re.compile(r"[ \t]*\|[ \t]*(?:\|[ \t]*)*\n")

_C = f"{CJK_CHAR}{_CJK_PUNCT}"
_SPACE_IN_CJK = re.compile(rf"(?<=[{_C}])[ \t]+(?=[{_C}\d])|(?<=[{_C}\d])[ \t]+(?=[{_C}])")
_COMMA_IN_CJK = re.compile(rf"(?<=[{CJK_CHAR}》）”)]),(?=[{CJK_CHAR}《“])")

_TERMINAL = frozenset("。！？；：!?;…")
_MID_SENTENCE = frozenset("，、《“（")
_MARKER = re.compile(
    r"^(?:[一二三四五六七八九十]+[、是]|[(（][一二三四五六七八九十\d]+[)）]|\d{1,2}[.、．](?!\d)|"
    r"第[一二三四五六七八九十\d]{1,3}[章节条部]|附件|附表|[-—•●]\s)"
)


def strip_html(s: str) -> tuple[str, bool]:
    """Remove HTML fragments and entities; block tags become line breaks, cells ``" | "``."""
    if not (_ANY_TAG.search(s) or _ENTITY.search(s)):
        return s, False
    s = _SCRIPT.sub("", s)
    s = _CELL_TAG.sub(" | ", s)
    s = _BLOCK_TAG.sub("\n", s)
    s = _ANY_TAG.sub("", s)
    s = html.unescape(s)
    s = _CELL_SEP.sub("\n", s)  # a row's trailing " | "
    return s, True


def _is_cjk(ch: str) -> bool:
    return bool(_CJK_RE.match(ch))


def _wrap_width(lines: list[str]) -> int | None:
    """The width a hard-wrapped text was broken at, or None when lines are paragraphs.

    Lines of one wrap width vary by a few characters (half-width digits and punctuation take
    less room), so a width is supported by the lines within 10 % below it.
    """
    lengths = [len(line) for line in lines if len(line) >= 8 and " | " not in line]
    if len(lengths) < 3:
        return None
    best, support = None, 0
    for width in set(lengths):
        n = sum(1 for n_ in lengths if _full(n_, width))
        if n > support or (n == support and best is not None and width > best):
            best, support = width, n
    if best is None or support < 3 or support < 0.4 * len(lengths):
        return None
    return best


def _full(length: int, width: int) -> bool:
    """Is a line of ``length`` characters a full line of a wrap at ``width``? (Half-width
    digits let a full line hold up to about a quarter more characters.)"""
    return 0.9 * width <= length <= 1.25 * width + 1


def _joins(prev: str, prev_len: int, nxt: str, width: int | None) -> bool:
    """Does ``nxt`` continue the sentence ``prev`` (whose last source line had ``prev_len`` chars)?"""
    if not prev or not nxt or " | " in prev or " | " in nxt or _MARKER.match(nxt):
        return False
    last, first = prev[-1], nxt[0]
    if last in _TERMINAL:
        return False
    if width is not None and _full(prev_len, width):
        # a full line of a fixed-width wrap: the break is the layout's, whatever the characters
        # around it (a number split "202|4年", a closing mark "通知|》")
        return True
    if not (_is_cjk(first) or first in "“《（"):
        return False
    if prev_len <= 2 and len(nxt) <= 2 and _is_cjk(last):  # one character per line
        return True
    return last in _MID_SENTENCE


def rejoin_lines(s: str) -> tuple[str, bool]:
    """Remove line breaks inside sentences of hard-wrapped text.

    A break is removed when the next line continues a sentence (it starts with a CJK character
    or an opening mark and is not a list/heading marker such as 一、 (二) 3. 第四条), and the
    line before is unfinished: it ends with ，、 (clearly mid-sentence), or the text is wrapped
    at a fixed width and this line is that long, or both lines hold one or two characters
    (narrow PDF headers). Blank lines (paragraphs) and table rows " | " are never joined.
    """
    lines = s.split("\n")
    width = _wrap_width(lines)
    out: list[str] = []
    joined = False
    last_len = 0
    for line in lines:
        if out and _joins(out[-1], last_len, line, width):
            out[-1] += line
            joined = True
        else:
            out.append(line)
        last_len = len(line)
    return "\n".join(out), joined


@dataclass(frozen=True, slots=True)
class Cleaned:
    """A cleaned text: ``text`` is the searchable simplified copy, ``original`` keeps the script."""

    text: str
    original: str
    notes: list[str] = field(default_factory=list)


def clean_text(raw: str) -> Cleaned:
    """Run every cleaning step (see the module docstring) and say which ones changed something."""
    notes: list[str] = []
    s, note = repair_mojibake(raw or "")
    if note:
        notes.extend(note.split(","))
    s, had_html = strip_html(s)
    if had_html:
        notes.append("html")
    if _PINYIN.search(s):
        notes.append("pinyin")
    s = normalize_text(s)
    spaced = _COMMA_IN_CJK.sub("，", _SPACE_IN_CJK.sub("", s))
    if spaced != s:
        notes.append("cjk-spacing")
    s, joined = rejoin_lines(spaced)
    if joined:
        notes.append("rejoined-lines")
    simplified = to_simplified(s)
    if simplified != s:
        notes.append("t2s")
    return Cleaned(text=simplified, original=s, notes=notes)
