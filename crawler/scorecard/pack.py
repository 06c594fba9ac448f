"""Rule packs: a TOML file mapping catalogue rules (:data:`crawler.scorecard.rules.CATALOGUE`) to
points, validated like the sources registry (every problem named with its item and field).

::

    [pack]
    name = "default"
    title = "…"            # and title_zh
    mode = "conservative"  # conservative: an uncertain rule leaves the denominator;
                           # strict: it earns nothing
    min_coverage = 0.5     # share of the points that must be decided for a score (else none)
    small_tier = 5         # a ranking among fewer cards than this is marked small
    source = "…"           # where the criteria come from (shown on the methodology page)

    [[item]]
    rule = "published"
    points = 20
    per_defect = 1         # optional: deduct this per counted defect (blank cells, days late …)
                           # instead of all the points
    params = { max_reuse = 0.5 }   # optional: the rule's parameters
    note = "…"             # optional: why, for the methodology page
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from crawler.registry.sources import suggest
from crawler.scorecard.rules import CATALOGUE
from crawler.vocab.errors import ConfigError

MODES = ("conservative", "strict")
PACK_KEYS = ("name", "title", "title_zh", "mode", "min_coverage", "small_tier", "source", "description")
ITEM_KEYS = ("rule", "points", "per_defect", "params", "note")


@dataclass(frozen=True, slots=True)
class Item:
    """One scored rule: its points, an optional deduction per defect, its parameters."""

    rule: str
    points: float
    per_defect: float | None = None
    params: dict[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True, slots=True)
class Pack:
    """A validated rule pack (``file``: where it was read from)."""

    name: str
    title: str
    title_zh: str
    mode: str
    items: tuple[Item, ...]
    min_coverage: float = 0.5
    small_tier: int = 5
    source: str = ""
    description: str = ""
    file: str = ""

    @property
    def max_points(self) -> float:
        return sum(i.points for i in self.items)


def shipped_packs() -> dict[str, Path]:
    """The packs shipped with nianbao, by name (``default``, ``local-example``)."""
    folder = resources.files("crawler").joinpath("data", "packs")
    return {p.name.removesuffix(".toml"): Path(str(p)) for p in folder.iterdir() if p.name.endswith(".toml")}


def _number(value: Any, where: str, file: str, *, minimum: float = 0, integer: bool = False) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= minimum
    if integer:
        ok = ok and isinstance(value, int)
    if not ok:
        kind = "an integer" if integer else "a number"
        raise ConfigError(f"must be {kind} ≥ {minimum}, got {value!r}", file=file, field=where)
    return value


def parse_pack(document: dict, file: str) -> Pack:
    """A :class:`Pack` from a parsed TOML document; a :class:`ConfigError` names the first problem."""
    for key in document:
        if key not in ("pack", "item"):
            raise ConfigError(f"unknown top-level key{suggest(key, ['pack', 'item'])}", file=file, field=key)
    head = document.get("pack")
    if not isinstance(head, dict):
        raise ConfigError("needs a [pack] table (name, title, mode)", file=file, field="pack")
    for key in head:
        if key not in PACK_KEYS:
            raise ConfigError(f"unknown key{suggest(key, PACK_KEYS)}", file=file, field=f"pack.{key}")
    for key in ("name", "title"):
        if not isinstance(head.get(key), str) or not head[key].strip():
            raise ConfigError("must be a non-empty string", file=file, field=f"pack.{key}")
    mode = head.get("mode", "conservative")
    if mode not in MODES:
        raise ConfigError(
            f"must be one of {', '.join(MODES)}{suggest(str(mode), MODES)}", file=file, field="pack.mode"
        )
    coverage = _number(head.get("min_coverage", 0.5), "pack.min_coverage", file)
    if coverage > 1:
        raise ConfigError(f"must be a share ≤ 1, got {coverage}", file=file, field="pack.min_coverage")
    small = int(_number(head.get("small_tier", 5), "pack.small_tier", file, minimum=1, integer=True))
    raw_items = document.get("item")
    if not isinstance(raw_items, list) or not raw_items or not all(isinstance(i, dict) for i in raw_items):
        raise ConfigError("needs at least one [[item]] table", file=file, field="item")
    items, seen = [], set()
    for number, raw in enumerate(raw_items, start=1):
        where = f"item #{number}"
        for key in raw:
            if key not in ITEM_KEYS:
                raise ConfigError(f"unknown key{suggest(key, ITEM_KEYS)}", file=file, field=f"{where}.{key}")
        rule = raw.get("rule")
        if rule not in CATALOGUE:
            raise ConfigError(
                f"unknown rule {rule!r}{suggest(str(rule), CATALOGUE)} (see nianbao score --rules)",
                file=file,
                field=f"{where}.rule",
            )
        if rule in seen:
            raise ConfigError(f"rule {rule!r} is scored twice", file=file, field=f"{where}.rule")
        seen.add(rule)
        points = _number(raw.get("points"), f"{where}.points", file)
        per_defect = raw.get("per_defect")
        if per_defect is not None:
            per_defect = _number(per_defect, f"{where}.per_defect", file)
        params = raw.get("params", {})
        if not isinstance(params, dict):
            raise ConfigError("must be a table, e.g. { max_reuse = 0.5 }", file=file, field=f"{where}.params")
        known = CATALOGUE[rule].params
        for key, value in params.items():
            if key not in known:
                raise ConfigError(
                    f"rule {rule!r} takes no parameter {key!r}{suggest(key, known)}",
                    file=file,
                    field=f"{where}.params",
                )
            _number(value, f"{where}.params.{key}", file)
        note = raw.get("note", "")
        if not isinstance(note, str):
            raise ConfigError("must be a string", file=file, field=f"{where}.note")
        items.append(
            Item(rule, float(points), None if per_defect is None else float(per_defect), dict(params), note)
        )
    if sum(i.points for i in items) <= 0:
        raise ConfigError("the items' points add up to 0", file=file, field="item")
    return Pack(
        name=head["name"],
        title=head["title"],
        title_zh=str(head.get("title_zh") or head["title"]),
        mode=mode,
        items=tuple(items),
        min_coverage=float(coverage),
        small_tier=small,
        source=str(head.get("source", "")),
        description=str(head.get("description", "")),
        file=file,
    )


def load_pack(path: str | os.PathLike | None = None) -> Pack:
    """A pack from a file, or a shipped pack by name (``default`` when ``path`` is None)."""
    shipped = shipped_packs()
    if path is None or str(path) in shipped:
        file_path = shipped[str(path or "default")]
    else:
        file_path = Path(path)
    file = str(file_path)
    try:
        text = file_path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"cannot read the rule pack: {exc.strerror or exc}", file=file) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not valid UTF-8 at byte {exc.start}; save the file as UTF-8", file=file) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"TOML syntax error: {exc}", file=file) from None
    return parse_pack(document, file)
