"""The sources registry: which annual-report columns nianbao watches (DESIGN §5).

A registry is a UTF-8 TOML file holding an array of ``[[source]]`` tables; the default one ships
as ``crawler/data/sources.toml`` and users pass their own with ``--sources``.  Validation is
strict: unknown keys, wrong types (a string where a list is expected, ``true`` where a year is
expected) and bad values are errors, and every error names the file, the source (by id, or
``#N`` counting ``[[source]]`` tables from 1 when the id is missing or invalid) and the field.
"""

from __future__ import annotations

import codecs
import difflib
import ipaddress
import os
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.vocab.errors import ConfigError
from crawler.vocab.urls import canonical_url
from crawler.vocab.words import CMS_FAMILIES, LEVELS, SOURCE_KINDS

ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
REGION_RE = re.compile(r"^[0-9]{6}$")
DEADLINE_RE = re.compile(r"^([0-9]{2})-([0-9]{2})$")
_LABEL_RE = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
HOST_RE = re.compile(rf"^(?=.{{1,253}}$){_LABEL_RE}(?:\.{_LABEL_RE})*$")
URL_SCHEMES = ("http", "https")
FIRST_YEAR_RANGE = (2008, 2100)
MAX_PAGES_RANGE = (1, 200)
REQUIRED_KEYS = ("id", "agency", "level", "kind", "urls")
DEFAULTS: dict[str, Any] = {
    "region": None,
    "cms": "auto",
    "encoding": "auto",
    "first_year": None,  # not set: no claim before the oldest report the column ever listed
    "deadline": None,
    "enabled": True,
    "note": "",
    "allowed_hosts": None,
    "max_pages": 50,
    "other_names": (),
}


@dataclass(frozen=True, slots=True)
class Source:
    """One watched agency and its annual-report column URLs."""

    id: str
    agency: str
    level: str
    kind: str
    urls: tuple[str, ...]
    region: str | None
    cms: str
    encoding: str
    first_year: int | None
    deadline: str | None
    enabled: bool
    note: str
    allowed_hosts: tuple[str, ...]
    max_pages: int
    other_names: tuple[str, ...] = ()  # a name before a reorganisation (机构改革), a short form

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the body has published under: its own, then its other names."""
        return (self.agency, *self.other_names)

    def allows_host(self, host: str) -> bool:
        """True if ``host`` is one of ``allowed_hosts`` or a subdomain of one (Scrapy semantics)."""
        host = normalize_host(host) or ""
        return any(host == h or host.endswith("." + h) for h in self.allowed_hosts)


class _Invalid(ValueError):
    """A field value failed validation; the message says why (without file/source/field)."""


# --- field validators: each returns the normalised value or raises _Invalid ---------------------


def _toml_type(value: Any) -> str:
    for kind, name in (
        (bool, "boolean"),
        (int, "integer"),
        (float, "float"),
        (str, "string"),
        (list, "array"),
        (dict, "table"),
        (datetime, "datetime"),
        (date, "date"),
        (time, "time"),
    ):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _expect(value: Any, kind: type, name: str) -> Any:
    # bool is a subclass of int: a boolean is never accepted where an integer is expected.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        shown = str(value).lower() if isinstance(value, bool) else repr(value)
        raise _Invalid(f"expected {name}, got {_toml_type(value)} {shown}")
    return value


def suggest(value: str, choices: Iterable[str]) -> str:
    """'; did you mean …?' for a mistyped choice (empty when nothing is close)."""
    close = difflib.get_close_matches(value, list(choices), n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _choice(choices: tuple[str, ...], hints: dict[str, str] | None = None) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        _expect(value, str, "a string")
        if value not in choices:
            hint = f"; use {hints[value]}" if hints and value in hints else suggest(value, choices)
            raise _Invalid(f"{value!r} is not one of {', '.join(choices)}{hint}")
        return value

    return check


# Words from portals.md §8's older schema, mapped to this registry's vocabulary.
LEVEL_HINTS = {
    "district": "'county' (区 and 县 are county level)",
    "town": "'township'",
    "department": "'state_council_dept', 'province_dept', 'city_dept' or 'county_dept'",
    "prefecture": "'city'",
    "national": "'state_council_dept'",
}
KIND_HINTS = {"government": "'region'", "department": "'dept'", "town": "'township'"}


def _int_range(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        _expect(value, int, "an integer")
        if not low <= value <= high:
            raise _Invalid(f"{value} is outside {low}..{high}")
        return value

    return check


def _check_id(value: Any) -> str:
    _expect(value, str, "a string")
    if not ID_RE.match(value):
        raise _Invalid(
            f"{value!r} is not a slug (lowercase letters, digits, '.', '_', '-'; 2-64 "
            "characters, starting with a letter or digit)"
        )
    return value


def _check_text(value: Any) -> str:
    _expect(value, str, "a string")
    if not value.strip():
        raise _Invalid("must not be empty")
    return value.strip()


def _check_note(value: Any) -> str:
    return _expect(value, str, "a string").strip()


def _check_bool(value: Any) -> bool:
    return _expect(value, bool, "a boolean (true or false)")


def _check_region(value: Any) -> str:
    _expect(value, str, 'a string of 6 digits (quote it: region = "110118")')
    if not REGION_RE.match(value):
        raise _Invalid(f"{value!r} is not a 6-digit 行政区划代码")
    return value


def _check_encoding(value: Any) -> str:
    _expect(value, str, "a string")
    if value == "auto":
        return value
    try:
        info = codecs.lookup(value)
    except LookupError:
        raise _Invalid(
            f"{value!r} is not an encoding Python knows (use 'auto', 'utf-8', 'gb18030', …)"
        ) from None
    if not getattr(info, "_is_text_encoding", True):
        raise _Invalid(f"{value!r} is not a text encoding")
    return value


def valid_month_day(value: str) -> bool:
    """Is ``value`` a real "MM-DD" (02-29 allowed: the rule of a leap year)?"""
    match = DEADLINE_RE.match(value or "")
    try:
        return bool(match) and bool(date(2024, int(match[1]), int(match[2])))
    except ValueError:
        return False


def _check_deadline(value: Any) -> str:
    _expect(value, str, 'a string "MM-DD"')
    if not valid_month_day(value):
        raise _Invalid(f'{value!r} is not a valid month-day "MM-DD"')
    return value


def normalize_host(host: str) -> str | None:
    """Lowercase ``host``, drop a trailing dot, IDNA-encode non-ASCII; None if it is not a hostname."""
    host = host.strip().lower().rstrip(".")
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host.strip("[]")
    except ValueError:
        pass
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return host if HOST_RE.match(host) else None


def _check_url(value: Any) -> str:
    _expect(value, str, "a URL string")
    if not value or any(c.isspace() or ord(c) < 32 for c in value):
        raise _Invalid(f"{value!r} contains whitespace or control characters")
    parts = urlsplit(value)
    if parts.scheme.lower() not in URL_SCHEMES:
        raise _Invalid(f"{value!r} is not an absolute http(s) URL")
    try:
        parts.port  # noqa: B018 -- raises ValueError on a bad port
    except ValueError:
        raise _Invalid(f"{value!r} has an invalid port") from None
    if not parts.hostname or not normalize_host(parts.hostname):
        raise _Invalid(f"{value!r} has no valid host")
    return canonical_url(value)  # the form the crawl stores and fetches (a Chinese path encoded)


def _check_urls(value: Any) -> tuple[str, ...]:
    _expect(value, list, "an array of URL strings")
    if not value:
        raise _Invalid("must list at least one URL")
    urls: list[str] = []
    for i, item in enumerate(value):
        try:
            url = _check_url(item)
        except _Invalid as exc:
            raise _Invalid(f"[{i}]: {exc}") from None
        if url in urls:
            raise _Invalid(f"[{i}]: {url!r} is listed twice")
        urls.append(url)
    return tuple(urls)


def _check_hosts(value: Any) -> tuple[str, ...]:
    _expect(value, list, "an array of hostname strings")
    if not value:
        raise _Invalid("must list at least one host (or leave the key out)")
    hosts: list[str] = []
    for i, item in enumerate(value):
        _expect(item, str, f"a hostname string at [{i}]")
        host = normalize_host(item)
        if host is None:
            raise _Invalid(f"[{i}]: {item!r} is not a hostname (no scheme, path or port)")
        hosts.append(host)
    return tuple(dict.fromkeys(hosts))


def _check_names(value: Any) -> tuple[str, ...]:
    _expect(value, list, "an array of names")
    return tuple(dict.fromkeys(_check_text(item) for item in value))


FIELDS: dict[str, Callable[[Any], Any]] = {
    "id": _check_id,
    "agency": _check_text,
    "level": _choice(LEVELS, LEVEL_HINTS),
    "kind": _choice(SOURCE_KINDS, KIND_HINTS),
    "urls": _check_urls,
    "region": _check_region,
    "cms": _choice(CMS_FAMILIES),
    "encoding": _check_encoding,
    "first_year": _int_range(*FIRST_YEAR_RANGE),
    "deadline": _check_deadline,
    "enabled": _check_bool,
    "note": _check_note,
    "allowed_hosts": _check_hosts,
    "max_pages": _int_range(*MAX_PAGES_RANGE),
    "other_names": _check_names,
}


# --- whole-file checking ------------------------------------------------------------------------


def _source_label(raw: dict[str, Any], number: int) -> str:
    raw_id = raw.get("id")
    return raw_id if isinstance(raw_id, str) and ID_RE.match(raw_id) else f"#{number}"


def _parse_source(raw: dict[str, Any], number: int, file: str) -> tuple[Source | None, list[ConfigError]]:
    label = _source_label(raw, number)
    errors: list[ConfigError] = []
    values = dict(DEFAULTS)
    for key in raw:
        if key not in FIELDS:
            errors.append(
                ConfigError(f"unknown key{suggest(key, FIELDS)}", file=file, source=label, field=key)
            )
    for key in REQUIRED_KEYS:
        if key not in raw:
            errors.append(ConfigError("required key is missing", file=file, source=label, field=key))
    for key, check in FIELDS.items():
        if key in raw:
            try:
                values[key] = check(raw[key])
            except _Invalid as exc:
                errors.append(ConfigError(str(exc), file=file, source=label, field=key))
    if errors:
        return None, errors
    url_hosts = tuple(dict.fromkeys(normalize_host(urlsplit(u).hostname or "") or "" for u in values["urls"]))
    if values["allowed_hosts"] is None:
        values["allowed_hosts"] = url_hosts
    source = Source(**values)
    for host in url_hosts:
        if not source.allows_host(host):
            errors.append(
                ConfigError(
                    f"does not allow {host!r}, the host of one of the urls",
                    file=file,
                    source=label,
                    field="allowed_hosts",
                )
            )
    return (None, errors) if errors else (source, [])


def _syntax_error(exc: tomllib.TOMLDecodeError, text: str, file: str) -> ConfigError:
    """Turn a TOML syntax error into a ConfigError naming the enclosing source and key if possible."""
    lines = text.splitlines()
    match = re.search(r"at line (\d+)", str(exc))
    lineno = int(match[1]) if match else len(lines)
    number, raw_id, key = 0, None, None
    for line in lines[:lineno]:
        if re.match(r"\s*\[\[\s*source\s*\]\]", line):
            number, raw_id, key = number + 1, None, None
        elif found := re.match(r"\s*([A-Za-z0-9_-]+)\s*=\s*(.*)", line):
            key = found[1]  # the last key assigned before the error is the one being parsed
            if key == "id" and (value := re.match(r"""["']([^"']*)["']""", found[2])):
                raw_id = value[1]
    source = (raw_id if raw_id and ID_RE.match(raw_id) else f"#{number}") if number else None
    where = "" if match else f" (line {lineno})"
    return ConfigError(f"TOML syntax error: {exc}{where}", file=file, source=source, field=key)


def _check_file(path: str | os.PathLike[str] | None) -> tuple[list[Source], list[ConfigError]]:
    file_path = Path(path) if path is not None else default_sources_path()
    file = str(file_path)
    try:
        data = file_path.read_bytes()
    except OSError as exc:
        return [], [ConfigError(f"cannot read the sources file: {exc.strerror or exc}", file=file)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [
            ConfigError(f"not valid UTF-8 at byte {exc.start}; save the file as UTF-8 (not GBK)", file=file)
        ]
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [], [_syntax_error(exc, text, file)]
    errors = [
        ConfigError(
            f"unknown top-level key{suggest(key, ['source'])}; sources go in [[source]] tables",
            file=file,
            field=key,
        )
        for key in document
        if key != "source"
    ]
    raw_sources = document.get("source")
    if raw_sources is None:
        return [], [*errors, ConfigError("defines no [[source]] tables", file=file)]
    if not isinstance(raw_sources, list) or not all(isinstance(r, dict) for r in raw_sources):
        return [], [
            *errors,
            ConfigError(
                "'source' must be an array of tables: write [[source]], not [source]",
                file=file,
                field="source",
            ),
        ]
    sources: list[Source] = []
    first_use: dict[str, int] = {}
    for number, raw in enumerate(raw_sources, start=1):
        source, source_errors = _parse_source(raw, number, file)
        errors.extend(source_errors)
        raw_id = raw.get("id")
        if isinstance(raw_id, str) and ID_RE.match(raw_id):
            if raw_id in first_use:
                errors.append(
                    ConfigError(
                        f"duplicate id: sources #{first_use[raw_id]} and #{number} both use it",
                        file=file,
                        source=raw_id,
                        field="id",
                    )
                )
                continue
            first_use[raw_id] = number
        if source is not None:
            sources.append(source)
    return sources, errors


# --- public API ---------------------------------------------------------------------------------


def default_sources_path() -> Path:
    """Path of the registry shipped with the package (``crawler/data/sources.toml``)."""
    # files() returns a real directory for a normal (non-zipped) install, which is all we support.
    return Path(str(resources.files("crawler").joinpath("data", "sources.toml")))


def load_sources(path: str | os.PathLike[str] | None = None) -> list[Source]:
    """Load and validate a registry (the default one when ``path`` is None).

    Raises :class:`ConfigError` for the first error found; use :func:`validate_sources` to see
    them all.  Disabled sources are included; filter with :func:`select_sources`.
    """
    sources, errors = _check_file(path)
    if errors:
        raise errors[0]
    return sources


def validate_sources(path: str | os.PathLike[str] | None = None) -> list[ConfigError]:
    """Every error in a registry (an empty list when it is valid), in file order."""
    return _check_file(path)[1]


def select_sources(
    sources: list[Source], ids: Iterable[str] | None, include_disabled: bool = False
) -> list[Source]:
    """Pick sources by id, in the order asked (duplicates dropped).

    ``ids`` None or empty selects every source (the enabled ones unless ``include_disabled``).
    An unknown id raises :class:`ConfigError` suggesting close matches; naming a disabled source
    raises too (with its note) unless ``include_disabled``, so a broken source is never crawled
    by accident.
    """
    wanted = list(dict.fromkeys([ids] if isinstance(ids, str) else (ids or ())))
    if not wanted:
        return [s for s in sources if s.enabled or include_disabled]
    by_id = {s.id: s for s in sources}
    for source_id in wanted:
        if source_id not in by_id:
            close = difflib.get_close_matches(source_id, list(by_id), n=5, cutoff=0.5)
            hint = f"close matches: {', '.join(close)}" if close else f"{len(by_id)} sources are known"
            raise ConfigError(f"unknown source id ({hint})", source=source_id)
    if not include_disabled:
        for source_id in wanted:
            if not by_id[source_id].enabled:
                note = by_id[source_id].note
                raise ConfigError(
                    f"source is disabled{f' ({note})' if note else ''}; set enabled = true "
                    "in the registry (or select with include_disabled) to crawl it",
                    source=source_id,
                )
    return [by_id[i] for i in wanted]
