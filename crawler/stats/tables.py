"""Tables A/B/C of the standard report formats (domain.md §2.2–§2.4) read into numbers.

:func:`parse_tables` reads the span-expanded grids of HTML/DOCX first and falls back to the
text (PDF text layers, TXT excerpts) for any table the grids lack. Both go through one reader:
each grid is written as ``|``-separated lines, so a grid row and a ``|`` row of an excerpt read
alike and a blank cell keeps its place. The reader finds the row labels in the order the format
prints them (spaces and line breaks inside labels tolerated, sub-items found by their ``k.``
number or a key phrase, so typos such as 三类内容事务信息 still match) and takes the cells after
each label:

- ``|`` text: the cells between bars, blanks kept; leading label cells (repeated spans) skipped;
- plain text: the run of numbers after the label. Empty cells have vanished there, so a run of
  the row's width fills it, a run of 2 in Table B is the sparse 自然人 + 总计 form (also in
  ``|`` text), and any other count leaves the row unreadable (``text`` cells).

Cell text is read after Unicode NFKC normalisation (full-width digits and brackets folded), so
``Cell.raw`` is the normalised text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

FORMATS = ("template2021", "template2019")
B_COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
C_GROUPS = ("复议", "诉讼直接", "诉讼复议后")
C_RESULTS = ("维持", "纠正", "其他", "未审结", "总计")
C_KEYS = tuple(f"{g}.{r}" for g in C_GROUPS for r in C_RESULTS)
_DOC = ("本年制发件数", "本年废止件数", "现行有效件数")
_ITEMS = ("上一年项目数量", "本年增/减", "处理决定数量")
A_LAYOUT: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "template2021": (
        ("规章", _DOC),
        ("行政规范性文件", _DOC),
        ("行政许可", ("本年处理决定数量",)),
        ("行政处罚", ("本年处理决定数量",)),
        ("行政强制", ("本年处理决定数量",)),
        ("行政事业性收费", ("本年收费金额",)),
    ),
    "template2019": (
        ("规章", ("本年新制作数量", "本年新公开数量", "对外公开总数量")),
        ("规范性文件", ("本年新制作数量", "本年新公开数量", "对外公开总数量")),
        ("行政许可", _ITEMS),
        ("其他对外管理服务事项", _ITEMS),
        ("行政处罚", _ITEMS),
        ("行政强制", _ITEMS),
        ("行政事业性收费", _ITEMS[:2]),
        ("政府集中采购", ("采购项目数量", "采购总金额")),
    ),
}
# Table B: top-level rows with their label phrases; groups (三.三–三.六) have numbered sub-items
# found by "k." or a key phrase of the label.
_B_TOP = (
    ("一", ("本年新收",)),
    ("二", ("上年结转", "上年度结转")),
    ("三.一", ("予以公开",)),
    ("三.二", ("部分公开",)),
    ("三.三", ("不予公开",)),
    ("三.四", ("无法提供",)),
    ("三.五", ("不予处理",)),
    ("三.六", ("其他处理",)),
    ("三.七", ("总计", "合计")),
    ("四", ("结转下年",)),
)
_B_SUBS = {
    "三.三": ("国家秘密", "禁止公开", "三安全一稳定", "第三方", "事务信息", "过程性", "执法案卷", "查询事项"),
    "三.四": ("不掌握", "另行制作", "仍不明确"),
    "三.五": ("信访", "重复申请", "出版物", "反复申请", "重新出具"),
    "三.六": ("不补正", "收费通知", "其他"),
}

_A_ALIASES = {
    "规范性文件": ("行政规范性文件", "规范性文件"),
    "行政规范性文件": ("行政规范性文件", "规范性文件"),
    "其他对外管理服务事项": ("其他对外管理服务",),
}
_UNIT = r"(?:万元|元|件|个|项|条|次)"
_TOKEN = re.compile(
    r"(?<![\d.,A-Za-z])(?:(?:--|[+\-增减])?\d+(?:,\d{3})*(?:\.\d+)?"
    + _UNIT
    + r"?|[/\\]|[-—–―]{1,2}(?!\d))(?![\d.,])"
)
_NUMBER = re.compile(r"(--|[+\-增减])?(\d+(?:,\d{3})*)(\.\d+)?" + _UNIT + "?")
_NA = re.compile(r"[/\\]|[-—–―]{1,3}")
_GAP = re.compile(r"\s*")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PAGE_NO = re.compile(
    r"(?m)^[ \t]*(?:[-—–][ \t]*\d+[ \t]*[-—–]|第[ \t]*\d+[ \t]*页(?:[ \t]*[,/]?[ \t]*共[ \t]*\d+[ \t]*页)?)[ \t]*$"
)
_HEAD = r"(?:(?<=[\s|])|^|(?<=信息内容))"  # a table header stands alone, never inside a sentence
_TAIL = r"(?=[\s|(]|$)"
_SKIP = 50  # non-space label characters allowed between a label and its first number


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell: its value, its text and what it is (number, blank, "/" or unreadable)."""

    value: int | float | None
    raw: str
    status: str  # number | blank (missing) | na ("/", not applicable) | text (unreadable)
    signed: bool = False  # written as a change: "+3", "减4", "--253"


BLANK = Cell(None, "", "blank")


@dataclass(slots=True)
class Tables:
    """Tables A, B and C of one report (only the rows found; see the module docs)."""

    format: str | None
    a: dict[str, Cell]
    b: dict[str, dict[str, Cell]]
    c: dict[str, Cell]
    source: str  # grid | text

    def found(self) -> bool:
        """True when any of the three tables was found."""
        return bool(self.a or self.b or self.c)


def b_rows(fmt: str | None) -> tuple[str, ...]:
    """Table B row keys in print order (三.六 is one row in 2019, three in 2021)."""
    six = ("三.六.1", "三.六.2", "三.六.3") if fmt == "template2021" else ("三.六",)
    subs = tuple(f"{g}.{k}" for g in ("三.三", "三.四", "三.五") for k in range(1, len(_B_SUBS[g]) + 1))
    return ("一", "二", "三.一", "三.二", *subs, *six, "三.七", "四")


def a_keys(fmt: str | None) -> tuple[str, ...]:
    """Table A cell keys (``row.column``) of the format."""
    return tuple(f"{row}.{col}" for row, cols in A_LAYOUT.get(fmt or "", ()) for col in cols)


def parse_number(raw: str) -> Cell:
    """One cell's text as a :class:`Cell` (blank, "/", integer, decimal, signed change, text)."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw or ""))
    if not text:
        return Cell(None, raw or "", "blank")
    if _NA.fullmatch(text):
        return Cell(None, raw, "na")
    m = _NUMBER.fullmatch(text)
    if not m:
        return Cell(None, raw, "text")
    sign, digits, frac = m.groups()
    value: int | float = float(digits.replace(",", "") + frac) if frac else int(digits.replace(",", ""))
    if sign in ("-", "--", "减"):
        value = -value
    return Cell(value, raw, "number", signed=sign is not None)


@cache
def _rx(*phrases: str, head: bool = False) -> re.Pattern[str]:
    """Any of the phrases, with whitespace allowed between characters (PDF headers split one
    character per line); ``head``: only where a table header can stand."""
    alts = "|".join(r"\s*".join(map(re.escape, p)) for p in phrases)
    return re.compile(f"{_HEAD}(?:{alts}){_TAIL}" if head else f"(?:{alts})")


@cache
def _sub_rx(group: str, k: int) -> re.Pattern[str]:
    phrase = _rx(_B_SUBS[group][k - 1]).pattern + (r"(?!\s*处\s*理)" if group == "三.六" else "")
    return re.compile(rf"(?<![\d.]){k}\s*[.、](?!\d)|{phrase}")


_F2021 = _rx("本年制发件数", "本年废止件数", "现行有效件数", "现行有效件", head=True)
_F2019 = re.compile(
    _rx(
        "本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量", head=True
    ).pattern
    + r"|本年新[\s|]+本年新|第二十条第\s*\(\s*九\s*\)\s*项(?=[\s|]*(?:信息内容|采购))"
)
_F2021_B = re.compile(_rx("其他处理").pattern + r"[\s|]*1\s*[.、]\s*申\s*请\s*人")
_F2019_B = re.compile(_rx("其他处理").pattern + r"[\s|]*(?:\d+(?![.、\d])|/)")


def _norm(text: str) -> str:
    return _PAGE_NO.sub("", unicodedata.normalize("NFKC", text or ""))


def _grid_text(grids: list[list[list[str]]] | None) -> str:
    """Grids as ``|`` lines: one line per row, spanned cells repeated as in the grid."""
    lines = []
    for grid in grids or []:
        for row in grid:
            if any(cell.strip() for cell in row):
                lines.append(" | ".join(re.sub(r"[\s|]+", " ", c).strip() for c in row) + " |")
        lines.append("")
    return _norm("\n".join(lines))


def detect_format(text: str, grids: list[list[list[str]]] | None = None) -> str | None:
    """``template2021`` / ``template2019`` from table headers (Table A's column headers, else
    the shape of Table B's (六) row), never from citations such as 国办公开办函〔2021〕30号."""
    texts = (_grid_text(grids), _norm(text))
    for s in texts:
        m21, m19 = _F2021.search(s), _F2019.search(s)
        if m21 or m19:
            return "template2021" if m21 and (not m19 or m21.start() < m19.start()) else "template2019"
    for s in texts:
        if _F2021_B.search(s):
            return "template2021"
        if _F2019_B.search(s):
            return "template2019"
    return None


def _piece(p: str) -> list[str] | None:
    """The cells of one ``|`` piece, or None when it is a label (two or more CJK characters)."""
    p = p.strip()
    if not p:
        return [""]
    parts = p.split()
    if all(_TOKEN.fullmatch(x) for x in parts):
        return parts
    return None if len(_CJK.findall(p)) >= 2 else [p]


def _row_cells(s: str, start: int, end: int, skip: int = _SKIP) -> tuple[list[str], bool]:
    """(cells after the label ending at ``start``, piped?) read no further than ``end``."""
    seg = s[start:end]
    if "|" in seg:
        return _piped(seg), True
    return _run(seg, 0, len(seg), skip), False


def _piped(seg: str) -> list[str]:
    """Cells of ``|`` text: a row per line, or one cell per line when the label's line holds
    none. Blank cells count only between bars on one line; a label ends the row."""
    pieces = seg.split("|")
    cells = _tail_run(pieces[0])
    by_line = "\n" in pieces[0]
    for piece in pieces[1:]:
        parts = piece.split("\n")
        for j, part in enumerate(parts):
            if j:  # a line break
                if cells and not by_line:
                    return cells
                by_line = by_line or not cells
            if not part.strip():
                if len(parts) == 1:
                    cells.append("")
                continue
            got = _piece(part)
            if got is None:
                if cells:
                    return cells
                continue  # a label cell before the data (spans repeat labels)
            cells.extend(got)
    return cells


def _tail_run(s: str) -> list[str]:
    """The numbers ending a piece of text ("规章 0" → ["0"])."""
    parts = s.split()
    k = len(parts)
    while k and _TOKEN.fullmatch(parts[k - 1]):
        k -= 1
    return parts[k:]


def _run(s: str, start: int, end: int, skip: int) -> list[str]:
    """The run of numbers (separated by whitespace only) after at most ``skip`` label characters."""
    m = _TOKEN.search(s, start, end)
    if not m or len(re.sub(r"\s", "", s[start : m.start()])) > skip:
        return []
    out, pos = [m.group()], m.end()
    while True:
        gap = _GAP.match(s, pos, end)
        nxt = _TOKEN.match(s, gap.end(), end) if gap and gap.end() > pos else None
        if not nxt:
            return out
        out.append(nxt.group())
        pos = nxt.end()


# The sums a row must satisfy (cell positions → the position of their total): Table B's 总计 is
# the sum of the six applicant columns, each of Table C's three groups ends in its 总计.
_SUMS: dict[tuple[str, ...], tuple[tuple[tuple[int, ...], int], ...]] = {
    B_COLUMNS: (((0, 1, 2, 3, 4, 5), 6),),
    C_KEYS: (((0, 1, 2, 3), 4), ((5, 6, 7, 8), 9), ((10, 11, 12, 13), 14)),
}
_MAX_DIGITS = 6  # a cell of a flattened row holds at most this many digits


def _splits(digits: str, width: int, sums) -> list[list[int]]:
    """Every way to cut ``digits`` into ``width`` numbers (no leading zeros) that satisfies the
    row's sums; at most 50 (more: ambiguous anyway)."""
    checks = {total: parts for parts, total in sums}
    out: list[list[int]] = []

    def walk(pos: int, acc: list[int]) -> None:
        if len(out) > 50:
            return
        i = len(acc)
        if i == width:
            if pos == len(digits):
                out.append(list(acc))
            return
        left = width - i
        for size in range(1, _MAX_DIGITS + 1):
            rest = len(digits) - pos - size
            if rest < left - 1 or rest > (left - 1) * _MAX_DIGITS:
                continue
            piece = digits[pos : pos + size]
            if len(piece) > 1 and piece[0] == "0":
                break
            value = int(piece)
            if i in checks and sum(acc[k] for k in checks[i]) != value:
                continue
            acc.append(value)
            walk(pos + size, acc)
            acc.pop()

    walk(0, [])
    return out


def _flattened(cells: list[str], columns: tuple[str, ...], sparse: bool) -> dict[str, Cell] | None:
    """A row whose cells ran together in the text ("640020470": 64 0 0 2 0 4 | 70, or spaced
    irregularly: "230 000023", "1 0 0 0 0 01") read by its sums: a cell is kept only when every
    cut of the digits that satisfies the sums gives it the same value; with one digit per cell
    a group whose sum fails is left unread (the others stand). None when the row is not one."""
    sums = _SUMS.get(columns)
    width = len(columns)
    if not sums or not cells or not all(c.isdigit() for c in cells):
        return None
    leading = any(len(c) > 1 and c[0] == "0" for c in cells)
    if not leading and (len(cells) >= width or sparse and len(cells) == 2):
        return None
    digits = "".join(cells)
    raw = " ".join(cells)
    if not width <= len(digits) <= width * _MAX_DIGITS:
        return None
    unread = Cell(None, raw, "text")
    if len(digits) == width:
        values: list[int | None] = [int(d) for d in digits]
        for parts, total in sums:
            if sum(values[k] for k in parts) != values[total]:  # type: ignore[misc]
                for k in (*parts, total):
                    values[k] = None
    else:
        found = _splits(digits, width, sums)
        if not found or len(found) > 50:
            return dict.fromkeys(columns, unread)
        values = [v if all(f[k] == v for f in found) else None for k, v in enumerate(found[0])]
    return {
        col: unread if v is None else Cell(v, raw, "number") for col, v in zip(columns, values, strict=True)
    }


def _assign(cells: list[str], columns: tuple[str, ...], piped: bool, sparse: bool = False) -> dict[str, Cell]:
    """Cells to columns by position (see the module docs for the sparse, flattened and
    unreadable cases)."""
    width = len(columns)
    if not piped and (flat := _flattened(cells, columns, sparse)) is not None:
        return flat
    core = list(cells)
    while core and not core[-1].strip():
        core.pop()
    if sparse and len(core) == 2:
        return {
            col: parse_number(core[0])
            if col == columns[0]
            else parse_number(core[1])
            if col == columns[-1]
            else BLANK
            for col in columns
        }
    if piped:
        cells = (core if len(cells) > width else cells)[:width]
        cells += [""] * (width - len(cells))
    elif 0 < len(cells) < width:
        bad = Cell(None, " ".join(cells), "text")
        return dict.fromkeys(columns, bad)
    cells = cells[:width] + [""] * (width - len(cells))
    return {col: parse_number(v) for col, v in zip(columns, cells, strict=True)}


def _marks(
    s: str, items: Iterable[tuple[str, re.Pattern[str]]], lo: int, hi: int
) -> list[tuple[str, int, int]]:
    """(key, start, end) of each label found in order within [lo, hi)."""
    out: list[tuple[str, int, int]] = []
    cursor = lo
    for key, rx in items:
        m = rx.search(s, cursor, hi)
        if m:
            out.append((key, m.start(), m.end()))
            cursor = m.end()
    return out


def _read_b(s: str) -> tuple[dict[str, dict[str, Cell]], int, int]:
    """(Table B rows, region start, region end); empty rows and (-1, -1) when absent."""
    starts = list(_rx("本年新收").finditer(s))
    if not starts:
        return {}, -1, -1
    mark = _rx("勾稽", "申请人情况", "法人或其他组织").search(s)
    # the table's row, not a sentence ("本年新收申请12件"): after the header, with cells
    ranked = sorted(starts, key=lambda m: not (mark and m.start() > mark.end()))
    first = next((m for m in ranked if len(_row_cells(s, m.end(), m.end() + 300)[0]) >= 2), ranked[0])
    last = _rx("结转下年").search(s, first.end())
    hi = last.start() if last else len(s)
    top = [(key, _rx(*phrases)) for key, phrases in _B_TOP[1:-1]]
    marks = [("一", first.start(), first.end()), *_marks(s, top, first.end(), hi)]
    if last:
        marks.append(("四", last.start(), last.end()))
    rows: list[tuple[str | None, int, int]] = []
    for i, (key, a, z) in enumerate(marks):
        if key not in _B_SUBS:
            rows.append((key, a, z))
            continue
        span_end = marks[i + 1][1] if i + 1 < len(marks) else hi
        subs = _marks(
            s, [(f"{key}.{k}", _sub_rx(key, k)) for k in range(1, len(_B_SUBS[key]) + 1)], z, span_end
        )
        rows.append((key if key == "三.六" and not subs else None, a, z))
        rows.extend(subs)
    c_head = _rx("尚未审结", "未审结").search(s, rows[-1][2])
    bound = c_head.start() if c_head else len(s)
    table: dict[str, dict[str, Cell]] = {}
    for i, (row_key, _a, z) in enumerate(rows):
        if row_key is None:
            continue
        end = rows[i + 1][1] if i + 1 < len(rows) else bound
        cells, piped = _row_cells(s, z, end)
        table[row_key] = _assign(cells, B_COLUMNS, piped, sparse=True)
    header = _rx("勾稽", "申请人情况").search(s, max(0, first.start() - 600), first.start())
    region_start = header.start() if header else first.start()
    return table, region_start, rows[-1][2]


def _read_a(s: str, fmt: str | None, hi: int) -> dict[str, Cell]:
    layout = A_LAYOUT.get(fmt or "")
    head = _rx("第二十条", "信息内容").search(s, 0, hi)
    if not layout or not head:
        return {}
    items = [(label, _rx(*_A_ALIASES.get(label, (label,)))) for label, _ in layout]
    marks = _marks(s, items, head.start(), hi)
    out: dict[str, Cell] = {}
    for i, (label, _a, z) in enumerate(marks):
        cols = dict(layout)[label]
        cells, piped = _row_cells(s, z, marks[i + 1][1] if i + 1 < len(marks) else hi)
        out.update({f"{label}.{col}": cell for col, cell in _assign(cells, cols, piped).items()})
    return out


def _read_c(s: str, lo: int) -> dict[str, Cell]:
    head = _rx("尚未审结", "未审结").search(s, max(lo, 0))
    if not head:
        return {}
    cells, piped = _row_cells(s, head.end(), min(len(s), head.end() + 3000), skip=400)
    if not cells:
        return {}
    return _assign(cells, C_KEYS, piped)


def _read(s: str, fmt: str | None) -> tuple[dict, dict, dict, str | None]:
    b, b_start, b_end = _read_b(s)
    if fmt is None and b:
        fmt = "template2021" if "三.六.1" in b else "template2019" if "三.六" in b else None
    c = _read_c(s, b_end)
    c_head = _rx("尚未审结").search(s)
    a_end = b_start if b else (c_head.start() if c_head else len(s))
    return _read_a(s, fmt, a_end), b, c, fmt


def parse_tables(text: str, grids: list[list[list[str]]] | None = None, fmt: str | None = None) -> Tables:
    """Tables A/B/C from a report's grids (first) and text; ``fmt`` overrides detection."""
    fmt = fmt or detect_format(text, grids)
    found: dict[str, dict] = {"a": {}, "b": {}, "c": {}}
    sources: set[str] = set()
    for source, s in (("grid", _grid_text(grids)), ("text", _norm(text))):
        if all(found.values()) or not s.strip():
            continue
        a, b, c, detected = _read(s, fmt)
        fmt = fmt or detected
        for name, value in (("a", a), ("b", b), ("c", c)):
            if value and not found[name]:
                found[name] = value
                sources.add(source)
    order = {key: i for i, key in enumerate((*b_rows("template2019")[:-2], *b_rows("template2021")[-5:]))}
    b_sorted = dict(sorted(found["b"].items(), key=lambda kv: order.get(kv[0], 99)))
    return Tables(
        format=fmt, a=found["a"], b=b_sorted, c=found["c"], source="grid" if sources == {"grid"} else "text"
    )


def _value(cell: Cell | None) -> int | float | None:
    return cell.value if cell is not None and cell.status == "number" else None


def headline(t: Tables) -> dict:
    """The headline numbers (DESIGN §7 ``stats``) stated by the tables; None when not stated."""
    direct = _value(t.c.get("诉讼直接.总计"))
    after = _value(t.c.get("诉讼复议后.总计"))
    return {
        "requests_received": _value(t.b.get("一", {}).get("总计")),
        "requests_carried_over": _value(t.b.get("二", {}).get("总计")),
        "requests_carried_forward": _value(t.b.get("四", {}).get("总计")),
        "reconsideration_total": _value(t.c.get("复议.总计")),
        "litigation_total": None if direct is None or after is None else direct + after,
    }


def cells_long(t: Tables) -> list[dict]:
    """Every cell as one row: table, row, column, value, raw, status."""

    def row(table: str, r: str, col: str, cell: Cell) -> dict:
        return {
            "table": table,
            "row": r,
            "column": col,
            "value": cell.value,
            "raw": cell.raw,
            "status": cell.status,
        }

    def keyed(table: str, key: str, cell: Cell) -> dict:
        r, col = key.split(".", 1)  # "row.column"
        return row(table, r, col, cell)

    out = [keyed("A", key, cell) for key, cell in t.a.items()]
    out += [row("B", r, col, cell) for r, cells in t.b.items() for col, cell in cells.items()]
    out += [keyed("C", key, cell) for key, cell in t.c.items()]
    return out
