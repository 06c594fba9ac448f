"""Query-string parameters, validated: every value a page uses is an integer in a range, one of a
fixed set of words, digits, or bounded text. A bad value is a 400 naming the parameter."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException

SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
REPORT_ID = re.compile(r"^r-[0-9a-f]{16}$")
DIGITS = re.compile(r"^[0-9]{1,12}$")
MAX_TEXT = 200
PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_PAGE = 100_000


def bad(name: str, why: str) -> HTTPException:
    return HTTPException(400, f"{name}: {why}")


class Params:
    """The request's query parameters with typed, validated getters."""

    def __init__(self, query: QueryParams) -> None:
        self.query = query

    def text(self, name: str, limit: int = MAX_TEXT) -> str | None:
        value = (self.query.get(name) or "").strip()
        if not value:
            return None
        if len(value) > limit:
            raise bad(name, f"longer than {limit} characters")
        if any(ord(c) < 32 for c in value):
            raise bad(name, "control characters")
        return value

    def integer(self, name: str, lo: int, hi: int, default: int | None = None) -> int | None:
        value = (self.query.get(name) or "").strip()
        if not value:
            return default
        if not re.fullmatch(r"-?[0-9]{1,12}", value) or not lo <= int(value) <= hi:
            raise bad(name, f"an integer from {lo} to {hi}")
        return int(value)

    def number(self, name: str) -> float | None:
        value = (self.query.get(name) or "").strip()
        if not value:
            return None
        try:
            out = float(value)
        except ValueError:
            raise bad(name, "a number") from None
        if out != out or abs(out) > 1e12:
            raise bad(name, "a number")
        return out

    def choice(self, name: str, choices: Iterable[str], default: str | None = None) -> str | None:
        value = (self.query.get(name) or "").strip()
        if not value:
            return default
        allowed = tuple(choices)
        if value not in allowed:
            raise bad(name, "one of " + ", ".join(allowed))
        return value

    def choices(self, name: str, choices: Iterable[str]) -> list[str]:
        allowed = tuple(choices)
        out = []
        for value in self.query.getlist(name):
            for part in value.split(","):
                part = part.strip()
                if not part:
                    continue
                if part not in allowed:
                    raise bad(name, "each one of " + ", ".join(allowed))
                if part not in out:
                    out.append(part)
        return out

    def digits(self, name: str) -> str | None:
        value = (self.query.get(name) or "").strip()
        if not value:
            return None
        if not DIGITS.match(value):
            raise bad(name, "digits (a 行政区划代码 or its prefix)")
        return value

    def source(self, name: str = "source") -> str | None:
        value = (self.query.get(name) or "").strip()
        if not value:
            return None
        if not SOURCE_ID.match(value):
            raise bad(name, "a source id")
        return value

    def page(self) -> tuple[int, int, int]:
        """(page number from 1, per page, offset)."""
        page = self.integer("page", 1, MAX_PAGE, 1) or 1
        per = self.integer("per_page", 1, MAX_PER_PAGE, PER_PAGE) or PER_PAGE
        return page, per, (page - 1) * per

    def url(self, path: str, **changes: object) -> str:
        """``path`` with this query string, ``changes`` applied (None removes a key; a change of
        anything but the page goes back to page 1)."""
        items = [(k, v) for k, v in self.query.multi_items() if k not in changes]
        if "page" not in changes:
            items = [(k, v) for k, v in items if k != "page"]
        for key, value in changes.items():
            if value is not None and value != "":
                items.append((key, str(value)))
        return path + ("?" + urlencode(items) if items else "")


def check_source_id(value: str) -> str:
    if not SOURCE_ID.match(value):
        raise HTTPException(404, "no such source")
    return value


def check_report_id(value: str) -> str:
    if not REPORT_ID.match(value):
        raise HTTPException(404, "no such report")
    return value
