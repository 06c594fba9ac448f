"""Spreadsheets: XLSX via openpyxl, XLS via xlrd. Every sheet is a table (merged cells expanded)
and its rows are written to the text under a ``[sheet name]`` line."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

from crawler.extract.office import UnsafeArchive, open_zip
from crawler.extract.result import ExtractResult, failed, finish, lib_version
from crawler.extract.tables import render_rows, trim_grid

MAX_CELLS = 2_000_000
FULL_MODE_BYTES = 5_000_000  # below this, open XLSX fully to see merged cells


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ").removesuffix(" 00:00:00")
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


_Sheet = tuple[str, list[list[str]], list[list[bool]] | None]
"""One sheet: its name, its grid of cell texts and which cells are the origin of their merge range."""


def _assemble(sheets: list[_Sheet], **base: object) -> ExtractResult:
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    for name, grid, origin in sheets:
        trimmed = trim_grid(grid)
        if not trimmed:
            continue
        tables.append(trimmed)
        if origin is not None:
            origin = [r[: len(trimmed[0])] for r in origin[: len(trimmed)]]
        lines.append(f"[{name}]")
        lines.extend(render_rows(trimmed, origin))
        lines.append("")
    return finish("\n".join(lines), tables=tables, pages=len(sheets), **base)


def extract_xlsx(data: bytes) -> ExtractResult:
    """Every sheet of an .xlsx as a table (cached values, not formulas)."""
    import openpyxl

    base = {"extractor": "xlsx", "version": lib_version("openpyxl"), "file_type": "xlsx"}
    try:
        open_zip(data).close()
        full = len(data) < FULL_MODE_BYTES
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=not full, data_only=True)
    except UnsafeArchive as exc:
        return failed("error", str(exc), **base)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        return failed("error", f"damaged XLSX: {exc}", **base)
    sheets: list[_Sheet] = []
    cells = 0
    try:
        for ws in wb.worksheets:
            grid = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
            cells += sum(len(r) for r in grid)
            if cells > MAX_CELLS:
                return failed("too_large", f"more than {MAX_CELLS} cells", **base)
            origin = None
            if full and getattr(ws, "merged_cells", None):
                origin = [[True] * len(r) for r in grid]
                for rng in ws.merged_cells.ranges:
                    top = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row <= len(grid) else ""
                    for r in range(rng.min_row - 1, min(rng.max_row, len(grid))):
                        for c in range(rng.min_col - 1, min(rng.max_col, len(grid[r]))):
                            grid[r][c] = top
                            origin[r][c] = (r, c) == (rng.min_row - 1, rng.min_col - 1)
            sheets.append((ws.title, grid, origin))
    finally:
        wb.close()
    return _assemble(sheets, **base)


def extract_xls(data: bytes) -> ExtractResult:
    """Every sheet of a legacy .xls (BIFF) as a table, merged cells expanded."""
    import xlrd

    base = {"extractor": "xls", "version": lib_version("xlrd"), "file_type": "xls"}
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises many types (XLRDError, CompDocError, AssertionError …)
        return failed("error", f"damaged XLS: {type(exc).__name__}: {exc}", **base)
    sheets: list[_Sheet] = []
    try:
        for i in range(book.nsheets):
            sh = book.sheet_by_index(i)
            if sh.nrows * sh.ncols > MAX_CELLS:
                return failed("too_large", f"sheet {sh.name} has more than {MAX_CELLS} cells", **base)
            grid = [
                [_xls_cell(sh.cell(r, c), book.datemode) for c in range(sh.ncols)] for r in range(sh.nrows)
            ]
            origin = [[True] * sh.ncols for _ in range(sh.nrows)]
            for rlo, rhi, clo, chi in sh.merged_cells:
                for r in range(rlo, min(rhi, sh.nrows)):
                    for c in range(clo, min(chi, sh.ncols)):
                        grid[r][c] = grid[rlo][clo]
                        origin[r][c] = (r, c) == (rlo, clo)
            sheets.append((sh.name, grid, origin))
    finally:
        book.release_resources()
    return _assemble(sheets, **base)


def _xls_cell(cell, datemode: int) -> str:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return _cell(xlrd.xldate_as_datetime(cell.value, datemode))
        except (ValueError, OverflowError):
            return _cell(cell.value)
    if cell.ctype in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    return _cell(cell.value)
