"""The administrative level of a publishing body (or of a region-wide report's place), from its name.

Pure and conservative: the deepest place the name carries (province or municipality → city,
prefecture, league → county, district, banner → township, street, sumu) and what follows it
(a people's government is the place's own level; any other body — an office, a bureau, a
committee — is a department of that level).  A body named without any place (教育部, 海关总署)
is a State Council department; a name it cannot read gives None, never a guess.

Known limits: a county-level city (浏阳市) reads as a city, and development zones (新区, 高新区,
经开区) as ``other``.
"""

from __future__ import annotations

import re

from crawler.vocab.words import LEVELS

__all__ = ["LEVELS", "level_of"]

MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")  # province-level cities
_PROVINCE = re.compile(r"^(?:[\u4e00-\u9fff]{2,3}省|[\u4e00-\u9fff]{2,6}自治区|北京市|天津市|上海市|重庆市)")
_CITY = re.compile(r"[\u4e00-\u9fff]{1,10}?(?:自治州|市|州|盟|地区)")
_COUNTY = re.compile(r"[\u4e00-\u9fff]{1,10}?(?:自治县|自治旗|县|区|旗)")
_TOWNSHIP = re.compile(r"(?:民族乡|乡|镇|街道|苏木)(?:人民政府|政府|办事处|党工委)?$")
_ZONE = re.compile(
    r"(?:新区|高新区|高新技术产业开发区|经济技术开发区|开发区|经开区|试验区|实验区|园区|管委会)"
)
_GOVERNMENT = re.compile(r"(?:人民政府|政府)$")
_BODY_END = re.compile(r"(?:部|署|总局|局|委员会|委|厅|办公室|办公厅|办|中心|院|处|会|站|所|队|馆|社)$")
# Words that look like a place but are not one: 城市管理局 is no city "城市", while 盐城市, 聊城市
# and 东城市 are cities and 东城区 a district; only the bare words are refused.
_NOT_A_PLACE = re.compile(r"(?:社区|小区|园区|校区|辖区|市场|市民)|^(?:城市|都市|城区)$")


def level_of(name: str | None) -> str | None:
    """The level of the body (or place) ``name``: one of :data:`LEVELS`, or None when unsure."""
    name = re.sub(r"[\s()（）]", "", name or "")
    if len(name) < 2 or name[0] in "我本该其各全":  # 我局, 本单位: a self-reference names no body
        return None
    if _TOWNSHIP.search(name) and not _BODY_END.search(name.removesuffix("办事处")):
        return "township"
    if _ZONE.search(name):
        return "other"
    place_end, depth = _deepest_place(name)
    government = bool(_GOVERNMENT.search(name))
    tail = name[place_end:]
    if depth is None:
        return "state_council_dept" if _BODY_END.search(name) and not government else None
    if government and tail in ("人民政府", "政府", ""):
        return depth
    if government or not tail:  # the place alone names a region-wide report
        return depth if not tail else None
    return (
        f"{depth}_dept"
        if _BODY_END.search(tail) or tail.endswith(("人民政府办公室", "人民政府办公厅"))
        else None
    )


def _deepest_place(name: str) -> tuple[int, str | None]:
    """(index where the deepest place ends, its level) — province, city or county — or (0, None)."""
    end, depth = 0, None
    m = _PROVINCE.match(name)
    if m:
        end, depth = m.end(), "province"
    rest = name[end:]
    city = _CITY.match(rest)
    if city and city.group(0).endswith("州") and rest[city.end() : city.end() + 1] in ("县", "区", "旗"):
        city = None  # 江州县, 通州区: the 州 belongs to a county's name, not to a 州
    if city and re.search(r"[县区旗]", city.group(0)[:-1]):
        city = None  # 宝盛县市场监督管理局: the county comes first, 市场 is no city
    if city and not _NOT_A_PLACE.search(city.group(0)):
        end, depth = end + city.end(), "city"
        rest = name[end:]
    county = _COUNTY.match(rest)
    if county and not _NOT_A_PLACE.search(county.group(0)):
        end, depth = end + county.end(), "county"
    return end, depth
