"""Text helpers every layer may use: width folding, traditional → simplified, one-line display
text, and CSV cells a spreadsheet will show but never run.

CSV: crawled text (agency names, titles, URLs, summaries) may start with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return, which Excel and LibreOffice read as a formula (OWASP "CSV
injection"); :func:`cell_text` gives such a cell a leading ``'``.  Numbers and dates are left alone.
"""

from __future__ import annotations

import re
from functools import lru_cache

# The CJK ideographs (extension A, the unified block, compatibility ideographs).
CJK_CHAR = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# Full-width forms U+FF01..U+FF5E fold to ASCII, except the ones Chinese typesetting uses as
# its own punctuation (kept as they are, like 。、 which sit outside that block anyway).
_KEEP_FULLWIDTH = frozenset("，；：？！（）")
_WIDTH_TABLE: dict[int, int | None] = {
    cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP_FULLWIDTH
}
_WIDTH_TABLE[0x3000] = 0x20  # ideographic space
for _cp in (0x00A0, 0x2002, 0x2003, 0x2009, 0x202F):  # no-break and typographic spaces
    _WIDTH_TABLE[_cp] = 0x20
for _cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF):  # zero-width characters and BOM
    _WIDTH_TABLE[_cp] = None

_TO_FOLD = re.compile("[" + "".join(re.escape(chr(cp)) for cp in _WIDTH_TABLE) + "]")


def fold_width(s: str) -> str:
    """Fold full-width ASCII letters, digits, symbols and spaces to half-width.

    Chinese punctuation (，；：？！（） and everything outside the full-width block) is kept.
    """
    return s.translate(_WIDTH_TABLE) if _TO_FOLD.search(s) else s


_ALIGNED_TABLE = {cp: 0x20 if v is None else v for cp, v in _WIDTH_TABLE.items()}


def fold_width_aligned(s: str) -> str:
    """:func:`fold_width` that keeps every character's offset (zero-width characters become
    spaces), so a match in the result points into ``s``."""
    return s.translate(_ALIGNED_TABLE)


# C0/C1-style controls and Unicode line/paragraph separators: never shown inside one line.
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def one_line(value: object, limit: int | None = None) -> str:
    """Crawled text on one line: control characters (and so forged line breaks) and runs of
    whitespace become one space; cut to ``limit`` characters with "…" when given."""
    text = " ".join(CONTROL_CHARS.sub(" ", "" if value is None else str(value)).split())
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


# --- traditional → simplified ---------------------------------------------------------------

# Word swaps made by zh-TW conversion; their presence means the page went through one.
_TW_MARKERS = re.compile("資訊|入口網站|最佳化|軟體|網路|資料庫|程式|伺服器|數位")
# tw2sp also turns 檔案 back into 文件, which is wrong for 档案馆/档案局/人事档案…; restore those.
_DANGAN_FIXES = re.compile(
    "文件(?=馆|局|室|管理|工作|资料|学|部门|移交|归档|查阅)|(?<=人事|历史|城建|土地|会计|文书)文件"
)


@lru_cache(maxsize=2)
def _converter(config: str):  # noqa: ANN202 - opencc has no public type
    import opencc

    return opencc.OpenCC(config)


def to_simplified_chars(s: str) -> str:
    """Traditional → simplified, character by character (OpenCC ``t2s``)."""
    return _converter("t2s").convert(s)


def to_simplified(s: str) -> str:
    """Traditional → simplified Chinese.

    Choice: character-level OpenCC ``t2s`` by default, because most traditional copies are
    mechanical character conversions of mainland text (文件 stays 文件, 档案 is a real word in
    government reports). Only when the text shows zh-TW *word* swaps (資訊, 入口網站, 最佳化,
    軟體, 網路…) is OpenCC ``tw2sp`` used, which reverses them (資訊→信息, 入口網站→门户网站,
    最佳化→优化, 檔案→文件); 档案馆/档案局/档案管理… are then restored. Simplified input is
    returned unchanged.
    """
    if not s:
        return s
    if _TW_MARKERS.search(s):
        return _DANGAN_FIXES.sub("档案", _converter("tw2sp").convert(s))
    return to_simplified_chars(s)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: object) -> object:
    """``value`` for a CSV cell: None → "", formula-like text quoted with ``'``, the rest as is."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
