"""Table grids: one span-aware expander for HTML/XML tables and the text rendering of rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

MAX_SPAN = 1000  # a rowspan="65535" must not build a 65535-row grid
Cell = tuple[str, int, int]  # (text, rowspan, colspan)


def expand_grid(rows: Iterable[Sequence[Cell]]) -> tuple[list[list[str]], list[list[bool]]]:
    """Place cells with their row/col spans on a rectangular grid.

    Returns ``(grid, origin)``: ``grid[r][c]`` is the text covering that slot (a spanned cell's
    text is repeated in every slot it covers, empty where nothing is), ``origin[r][c]`` is True
    only in the top-left slot of each cell. Rowspans reaching past the last row are cut off.
    """
    placed: dict[tuple[int, int], tuple[str, bool]] = {}
    n_rows = 0
    width = 0
    for r, row in enumerate(rows):
        n_rows = r + 1
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in placed:
                c += 1
            rowspan = max(1, min(rowspan or 1, MAX_SPAN))
            colspan = max(1, min(colspan or 1, MAX_SPAN))
            for dr in range(rowspan):
                for dc in range(colspan):
                    placed.setdefault((r + dr, c + dc), (text, dr == 0 and dc == 0))
            c += colspan
            width = max(width, c)
    if placed:
        width = max(width, max(c for _, c in placed) + 1)
    grid = [["" for _ in range(width)] for _ in range(n_rows)]
    origin = [[False] * width for _ in range(n_rows)]
    for (r, c), (text, first) in placed.items():
        if r < n_rows:
            grid[r][c] = text
            origin[r][c] = first
    return grid, origin


def render_rows(grid: list[list[str]], origin: list[list[bool]] | None = None) -> list[str]:
    """One text line per row, cells joined by `` | ``.

    With ``origin`` each cell is written once (in its first row and column), as it reads in the
    document and as PDF text shows it; the repeated copies live only in the grid. Empty cells
    are left out so a row never reads ``a |  | b``.
    """
    lines = []
    for r, row in enumerate(grid):
        cells = [t for c, t in enumerate(row) if t and (origin is None or origin[r][c])]
        if cells:
            lines.append(" | ".join(cells))
    return lines


def trim_grid(grid: list[list[str]]) -> list[list[str]]:
    """Drop trailing empty rows and columns (spreadsheets report a huge used range)."""
    rows = [list(r) for r in grid]
    while rows and not any(rows[-1]):
        rows.pop()
    width = max((max((i + 1 for i, v in enumerate(r) if v), default=0) for r in rows), default=0)
    return [r[:width] + [""] * (width - len(r)) for r in rows]
