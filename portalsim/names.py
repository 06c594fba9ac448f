"""Deterministic, unique place and agency names for the simulated world.

Names are built from one-character syllables.  Each pool maps an index to a name through a
seeded affine permutation of all two-syllable combinations, then of all three-syllable ones, so
index → name is a bijection: names are unique without keeping a set of names in memory.  The
first-syllable pools of places, prefectures, provinces and towns are disjoint, so a superior
government's name can never be the name of an agency of the world.  Some syllables (镕 堃 喆 昇
珺) exist in GBK but not in GB2312, so pages declared ``gb2312`` exercise GBK decoding.
"""

from __future__ import annotations

from functools import lru_cache
from math import gcd

from portalsim.rng import rng

# First syllables: pairwise disjoint pools (see module docstring).
PLACE_FIRST = "安平宁和长永新丰兴福泰清华明东广嘉临江云德昌武文宝金"
PREFECTURE_FIRST = "洛汉襄荆衡岳湘柳桂赣婺徽泗沂淮"
PROVINCE_FIRST = "辽冀豫鄂晋黔滇陇"
TOWN_FIRST = "石桥沙柏枫梅桃杏竹松花龙凤马牛白黄青"
# Second syllables (shared; the first syllable alone keeps pools apart).
SECOND = "阳川城源州水林丘原陵溪泉乡口湖坪堡镕堃喆昇珺台盛化远"

BUREAUS = (
    "财政局",
    "生态环境局",
    "教育局",
    "民政局",
    "自然资源局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "卫生健康局",
    "市场监督管理局",
    "统计局",
    "审计局",
    "人力资源和社会保障局",
    "司法局",
    "水利局",
    "商务局",
    "文化和旅游局",
    "应急管理局",
    "医疗保障局",
    "退役军人事务局",
    "发展和改革局",
    "林业局",
    "科学技术局",
    "公安局",
)

SLOTS_PER_PLACE = 8


def _coprime_multiplier(size: int, seed: int, pool: str) -> tuple[int, int]:
    """A seeded (multiplier, offset) pair defining a permutation of range(size)."""
    r = rng(seed, "perm", pool, size)
    mult = r.randrange(1, size) if size > 1 else 1
    while gcd(mult, size) != 1:
        mult += 1
    return mult, r.randrange(size)


def pooled_name(seed: int, pool: str, index: int) -> str:
    """The ``index``-th name (0-based) of ``pool``: unique per (seed, pool, index)."""
    first = {
        "place": PLACE_FIRST,
        "prefecture": PREFECTURE_FIRST,
        "province": PROVINCE_FIRST,
        "town": TOWN_FIRST,
    }[pool]
    tiers = [(first, SECOND), (first, SECOND, SECOND), (first, SECOND, SECOND, SECOND)]
    for tier in tiers:
        size = 1
        for chars in tier:
            size *= len(chars)
        if index < size:
            mult, off = _coprime_multiplier(size, seed, pool)
            q = (index * mult + off) % size
            out = []
            for chars in reversed(tier):
                q, digit = divmod(q, len(chars))
                out.append(chars[digit])
            return "".join(reversed(out))
        index -= size
    raise ValueError("world too large for the name pools")


@lru_cache(maxsize=4096)
def place(seed: int, p: int) -> dict:
    """Place ``p`` (0-based): its name, suffix (县/区/市), slot roles, town and superiors."""
    r = rng(seed, "place", p)
    name = pooled_name(seed, "place", p)
    suffix = r.choices("县区市", weights=(50, 25, 25))[0]
    bureaus = r.sample(BUREAUS, 6)
    roles = ["gov", "office", *bureaus[:5]]
    has_town = suffix == "县" and r.random() < 0.6
    roles.append("town" if has_town else bureaus[5])
    r.shuffle(roles)
    province = pooled_name(seed, "province", p // 60)
    prefecture = pooled_name(seed, "prefecture", p // 6)
    region = f"{11 + (p // 400) % 54:02d}{(p // 20) % 20 + 1:02d}"
    region += "00" if suffix == "市" else f"{p % 20 + 1:02d}"
    return {
        "name": name,
        "suffix": suffix,
        "roles": roles,
        "town": pooled_name(seed, "town", p) if has_town else None,
        "gov": f"{name}{suffix}人民政府",
        "superior": f"{province}省人民政府" if suffix == "市" else f"{prefecture}市人民政府",
        "region": region,
    }


def agency_identity(seed: int, i: int) -> dict:
    """Name, level, kind, region code, superior and sibling of agency ``i`` (1-based)."""
    p, slot = divmod(i - 1, SLOTS_PER_PLACE)
    pl = place(seed, p)
    role = pl["roles"][slot]
    city = pl["suffix"] == "市"
    base = f"{pl['name']}{pl['suffix']}"
    if role == "gov":
        name, kind, level = pl["gov"], "region", "city" if city else "county"
        sibling: str | None = f"{pl['gov']}办公室"
    elif role == "office":
        name, kind, level = f"{pl['gov']}办公室", "dept", "city_dept" if city else "county_dept"
        sibling = None
    elif role == "town":
        name, kind, level = f"{pl['town']}镇人民政府", "township", "township"
        sibling = None
    else:
        name, kind, level = f"{base}{role}", "dept", "city_dept" if city else "county_dept"
        sibling = None
    superior = pl["gov"] if role == "town" else pl["superior"]
    return {
        "name": name,
        "kind": kind,
        "level": level,
        "region": pl["region"],
        "superior": superior,
        "sibling": sibling,
        "place": base,
    }


def role_index(seed: int, i: int, role: str) -> int:
    """The index of the agency holding ``role`` (gov, office…) in agency ``i``'s place."""
    p = (i - 1) // SLOTS_PER_PLACE
    return p * SLOTS_PER_PLACE + place(seed, p)["roles"].index(role) + 1
