"""CSV cells that a spreadsheet will show, never run: one rule for every CSV nianbao writes.

Crawled text (agency names, titles, URLs, summaries) may start with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return, which Excel and LibreOffice read as a formula (OWASP "CSV
injection"); such a text cell gets a leading ``'``.  Numbers and dates are left alone.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: object) -> object:
    """``value`` for a CSV cell: None → "", formula-like text quoted with ``'``, the rest as is."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
