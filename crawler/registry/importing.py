"""``nianbao sources import``: new registry entries from a CSV file, appended to a registry.

The CSV has a header row; ``agency`` and ``url`` are required, ``region``, ``level``, ``kind``,
``id`` and ``first_year`` optional (any other column is an error, like an unknown key in the
registry).  It may be UTF-8 (with or without a BOM) or GBK/GB18030 as Excel saves it; the
encoding is detected.  ``url`` may hold several column URLs separated by spaces or semicolons.

Every row is checked by the registry's own field checks; an empty optional cell is filled in:
``level`` from the name (:func:`crawler.recognize.level.level_of`), ``kind`` from the level,
``region`` from the name (:func:`crawler.registry.regions.region_of`), ``id`` as the region code
and a hash of the agency name (``430102-1a2b3c4d``, stable: the same body gets the same id on
every import).  A row whose id or any URL the target registry (or an earlier row) already has is
skipped and reported.  Nothing is written when any row is bad.

The entries are appended as ``[[source]]`` tables, each with a comment naming its CSV line and
what was read from the name; the file's existing bytes stay as they were, and the whole result
is validated before it replaces the file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from crawler.recognize.level import level_of
from crawler.registry.regions import describe, level_of_code, region_of
from crawler.registry.sources import (
    FIELDS,
    LEVELS,
    Source,
    _parse_source,
    default_sources_path,
    load_sources,
    validate_sources,
)
from crawler.vocab import clock
from crawler.vocab.errors import ConfigError
from crawler.vocab.words import KIND_OF_LEVEL

__all__ = [
    "COLUMNS",
    "Entry",
    "ImportPlan",
    "Skipped",
    "plan_import",
    "plan_rows",
    "read_table",
    "refuse_shipped",
    "write_import",
]

REQUIRED = ("agency", "url")
COLUMNS = (*REQUIRED, "region", "level", "kind", "id", "first_year")
_URL_SEPARATORS = re.compile(r"[\s;；]+")


@dataclass(frozen=True, slots=True)
class Entry:
    """One row to append: its CSV line, the source it makes, and its TOML text."""

    line: int
    source: Source
    inferred: dict[str, str]  # field → what it was read from ("the name", "the level", …)
    toml: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row left out because the registry (or an earlier row) already has it."""

    line: int
    agency: str
    reason: str


@dataclass(slots=True)
class ImportPlan:
    """What importing a CSV file into a registry would do."""

    csv: str
    encoding: str
    target: str
    entries: list[Entry] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[ConfigError] = field(default_factory=list)
    rows: int = 0

    def appended_text(self) -> str:
        """The TOML appended to the target (empty when there is nothing to add)."""
        if not self.entries:
            return ""
        head = (
            f"# imported from {Path(self.csv).name} by nianbao sources import, {clock.today().isoformat()}\n"
        )
        return "\n" + head + "".join("\n" + e.toml for e in self.entries)

    def summary(self, *, dry_run: bool = False) -> str:
        verb = "would import" if dry_run else "imported"
        text = f"{verb} {len(self.entries)} of {self.rows} rows of {self.csv} ({self.encoding}) into {self.target}"
        return text + (f"; skipped {len(self.skipped)} already registered" if self.skipped else "")


# --- reading the CSV ----------------------------------------------------------------------------


def _decode(data: bytes, file: str) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read in (UTF-8, with a BOM or not, or GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8 (BOM)"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"neither UTF-8 nor GBK (byte {exc.start}); save the file as CSV UTF-8", file=file
        ) from None


def read_table(path: str | os.PathLike[str]) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    """The encoding and the rows (CSV line of the row's start, column → cell) of a CSV file.

    Raises :class:`ConfigError` for an unreadable file, a missing or unknown column and a row
    with more cells than the header; blank rows are left out."""
    file = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the CSV file: {exc.strerror or exc}", file=file) from None
    try:
        text, encoding = _decode(data, file)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not valid UTF-8 after its BOM (byte {exc.start})", file=file) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    line = 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip().lstrip("\ufeff").lower() for c in cells]
            _check_header(header, file, start)
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            raise ConfigError(
                f"{len(cells)} cells, but the header names {len(header)} columns",
                file=f"{file}, line {start}",
            )
        rows.append(
            (start, {name: cells[i].strip() if i < len(cells) else "" for i, name in enumerate(header)})
        )
    if header is None:
        raise ConfigError("no header row (agency,url,…)", file=file)
    return encoding, rows


def _check_header(header: list[str], file: str, line: int) -> None:
    import difflib

    where = f"{file}, line {line}"
    for name in header:
        if name and name not in COLUMNS:
            close = difflib.get_close_matches(name, COLUMNS, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else f" (columns: {', '.join(COLUMNS)})"
            raise ConfigError(f"unknown column{hint}", file=where, field=name)
    for name in REQUIRED:
        if name not in header:
            raise ConfigError("required column is missing", file=where, field=name)
    twice = sorted({n for n in header if n and header.count(n) > 1})
    if twice:
        raise ConfigError("column named twice", file=where, field=twice[0])


# --- one row ------------------------------------------------------------------------------------


def stable_id(agency: str, region: str | None) -> str:
    """The id an imported body gets when the CSV gives none: its region code (``nb`` without
    one) and 8 hex digits of a hash of its name."""
    digest = hashlib.sha256(agency.encode("utf-8")).hexdigest()[:8]
    return f"{region or 'nb'}-{digest}"


def _year(value: str) -> int | str:
    """A year cell as an integer ("2010", or "2010.0" as a spreadsheet may write it)."""
    if re.fullmatch(r"[0-9]{1,4}(?:\.0+)?", value):
        return int(value.split(".")[0])
    return value  # the registry's check says what is wrong with it


def _region(value: str) -> str:
    """A region cell: a 12-digit statistical code (430102000000) is cut to its 6-digit 行政区划代码."""
    value = value.split(".")[0] if re.fullmatch(r"[0-9]+\.0+", value) else value
    return value[:6] if re.fullmatch(r"[0-9]{6}0{6}", value) else value


def _check_row(cells: dict[str, str], line: int, file: str) -> tuple[dict, dict[str, str], list[ConfigError]]:
    """The registry entry (raw TOML values) of one CSV row, what was inferred, and its errors."""
    where = f"{file}, line {line}"
    errors: list[ConfigError] = []
    raw: dict = {}
    inferred: dict[str, str] = {}

    def check(key: str, column: str, value: object) -> object | None:
        try:
            return FIELDS[key](value)
        except ValueError as exc:  # the registry's _Invalid
            errors.append(ConfigError(str(exc), file=where, field=column))
            return None

    agency = check("agency", "agency", cells.get("agency", ""))
    urls_cell = cells.get("url", "")
    urls = [u for u in _URL_SEPARATORS.split(urls_cell) if u]
    if not urls:
        errors.append(ConfigError("must not be empty", file=where, field="url"))
    elif check("urls", "url", urls) is not None:
        raw["urls"] = urls
    if agency is None:
        return raw, inferred, errors
    raw["agency"] = agency
    if cells.get("level"):
        level = check("level", "level", cells["level"])
    else:
        level = level_of(agency)
        inferred["level"] = "the name"
        if level is None:
            errors.append(
                ConfigError(
                    f"cannot tell the level from the name; give one of {', '.join(LEVELS)}",
                    file=where,
                    field="level",
                )
            )
    if cells.get("kind"):
        kind = check("kind", "kind", cells["kind"])
    else:
        kind = KIND_OF_LEVEL.get(level) if level else None
        inferred["kind"] = "the level"
        if level and kind is None:
            errors.append(
                ConfigError(
                    f"cannot tell the kind of a body of level {level!r}; give region, dept or township",
                    file=where,
                    field="kind",
                )
            )
    region = None
    if cells.get("region"):
        region = check("region", "region", _region(cells["region"]))
    elif (found := region_of(agency)) is not None:
        region = found.code
        inferred["region"] = "the agency name"
    if (
        inferred.get("level")
        and region
        and level in ("city", "city_dept")
        and level_of_code(region) == "county"
    ):
        level = level.replace("city", "county")  # 浏阳市: a county-level city, as its code says
        inferred["level"] = "the name and the region code"
    if cells.get("first_year"):
        first_year = check("first_year", "first_year", _year(cells["first_year"]))
        if first_year is not None:
            raw["first_year"] = first_year
    if cells.get("id"):
        source_id = check("id", "id", cells["id"])
    else:
        source_id = stable_id(agency, region)
        inferred["id"] = "the region and a hash of the name"
    raw.update(
        {
            k: v
            for k, v in (("id", source_id), ("level", level), ("kind", kind), ("region", region))
            if v is not None
        }
    )
    return raw, inferred, errors


def _toml_value(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


def _render(raw: dict, line: int, inferred: dict[str, str]) -> str:
    out = [f"# CSV line {line}", "[[source]]"]
    for key in ("id", "agency", "level", "kind", "urls", "region", "first_year"):
        if key not in raw:
            continue
        text = f"{key} = {_toml_value(raw[key])}"
        if key in inferred:
            note = f"read from {inferred[key]}"
            division = describe(raw[key]) if key == "region" else None
            text += f"  # {note}{': ' + division.name if division else ''}"
        out.append(text)
    return "\n".join(out) + "\n"


# --- the whole file -----------------------------------------------------------------------------


def refuse_shipped(target: str | os.PathLike[str]) -> None:
    """Raise :class:`ConfigError` if ``target`` is the registry shipped with nianbao."""
    if Path(target).resolve() == default_sources_path().resolve():
        raise ConfigError(
            "is the registry shipped with nianbao, which an upgrade replaces; import into your own "
            "file with --to FILE (it is created if missing)",
            file=str(target),
        )


def plan_import(csv_path: str | os.PathLike[str], target: str | os.PathLike[str]) -> ImportPlan:
    """What importing ``csv_path`` into the registry ``target`` would append, skip, or find wrong.

    ``target`` need not exist (it would be created); if it does, it must be a valid registry
    (:class:`ConfigError` otherwise).  Errors in rows are collected in the plan, each naming the
    CSV line and column."""
    encoding, rows = read_table(csv_path)
    return plan_rows(str(csv_path), encoding, rows, target)


def plan_rows(
    file: str, encoding: str, rows: list[tuple[int, dict[str, str]]], target: str | os.PathLike[str]
) -> ImportPlan:
    """:func:`plan_import` of rows already read (numbered like CSV lines): what appending them to
    ``target`` would add, skip or find wrong — ``nianbao sources add`` plans discovery's rows so."""
    refuse_shipped(target)
    existing = load_sources(target) if Path(target).exists() else []
    plan = ImportPlan(csv=file, encoding=encoding, target=str(target), rows=len(rows))
    ids = {s.id: "the registry" for s in existing}
    urls = {u: f"the registry (source {s.id})" for s in existing for u in s.urls}
    for line, cells in rows:
        raw, inferred, errors = _check_row(cells, line, file)
        if errors:
            plan.errors.extend(errors)
            continue
        source, source_errors = _parse_source(raw, line, f"{file}, line {line}")
        if source is None:
            plan.errors.extend(source_errors)
            continue
        if source.id in ids:
            plan.skipped.append(
                Skipped(line, source.agency, f"id {source.id!r} is already in {ids[source.id]}")
            )
            continue
        known = next((u for u in source.urls if u in urls), None)
        if known:
            plan.skipped.append(Skipped(line, source.agency, f"URL {known} is already in {urls[known]}"))
            continue
        ids[source.id] = f"CSV line {line}"
        urls.update({u: f"CSV line {line}" for u in source.urls})
        plan.entries.append(Entry(line, source, inferred, _render(raw, line, inferred)))
    return plan


def write_import(plan: ImportPlan) -> None:
    """Append the plan's entries to its target: the file's bytes so far are kept as they are,
    and the result must validate before it replaces the file (an error leaves it untouched)."""
    if plan.errors:
        raise plan.errors[0]
    if not plan.entries:
        return
    target = Path(plan.target).resolve()
    refuse_shipped(target)
    old = target.read_bytes() if target.exists() else b""
    if not old:
        head = "# nianbao sources registry (created by nianbao sources import)\n"
        new = head.encode("utf-8") + plan.appended_text().encode("utf-8")
    else:
        new = old + (b"" if old.endswith(b"\n") else b"\n") + plan.appended_text().encode("utf-8")
    tmp = target.with_name(f".{target.name}.import.tmp")
    try:
        tmp.write_bytes(new)
        if target.exists():
            shutil.copymode(target, tmp)
        errors = validate_sources(tmp)
        if errors:
            raise ConfigError(
                f"the registry would not validate ({errors[0]}); nothing written", file=str(target)
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
