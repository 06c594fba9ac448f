"""The one title recogniser: is this an annual disclosure report, for which year and body?

Regexes follow domain.md §5 (YEAR, CORE, TITLE_A/B/C, PERIOD, NEGATIVE); companion pages
(解读, 图解, 一图读懂, 图示, 问答) and news items are excluded before the report phrase is sought.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.recognize.text import normalize_text, normalize_title

YEAR = r"(?P<year>(?:19|20)\d{2})\s*年度?"
CORE = (
    r"(?:(?:政府|政务)?信息公开(?:工作|年度){0,2}(?:报告|年报|情况的?报告)"
    r"|政务公开(?:工作)?(?:年度报告|年报)"
    # the year inside the phrase: XX政府信息公开工作2011年度报告
    r"|(?:政府|政务)?信息公开工作(?=\s*(?:19|20)\d{2}\s*年度?\s*(?:报告|年报)))"
)
TITLE_A = re.compile(rf"^(?P<agency>[^\d\n]{{2,40}}?)\s*{YEAR}\s*{CORE}")  # agency first
TITLE_B = re.compile(rf"^{YEAR}\s*(?P<agency>[^\d\n]{{2,40}}?)\s*{CORE}")  # year first
TITLE_C = re.compile(rf"关于\s*{YEAR}\s*(?:政府)?信息公开(?:工作)?情况的报告")  # agency from metadata
_PERIOD_KEY = (
    r"(?:统计(?:数据)?(?:期限|时限|时间段|时间范围|时间|期间|期)|数据(?:统计)?(?:期限|时限|时间段|时间范围)"
    r"|时间范围|所列数据(?:为|是)?)"
)
PERIOD = re.compile(rf"{_PERIOD_KEY}[^\d]{{0,12}}(?P<y>(?:19|20)\d{{2}})\s*年?\s*0?[15]\s*月?\s*0?1\s*日")
_PERIOD_RANGE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*年?\s*0?1\s*月?\s*0?1\s*日?\s*起?\s*(?:至|到|-|—|–|~|～)\s*"
    r"(?:(?P<y2>(?:19|20)\d{2})\s*年?\s*)?12\s*月?\s*31\s*日"
)
_HALF_YEAR_END = re.compile(
    r"\s*起?\s*(?:至|到|-|—|–|~|～)\s*(?:(?:19|20)\d{2}\s*年?\s*)?0?6\s*月?\s*30\s*日"
)
NEGATIVE = re.compile(
    r"年度报告格式|报告制度|编制发布工作的通知|有关事项的通知|工作要点|第三方评估|"
    r"法治政府建设|上半年|季度|统计公报|预算|决算|年度报告(?:发布情况)?评估|展示平台|集中展示"
)
ORG_END = re.compile(
    r"(?:府|局|委|办|室|厅|院|署|会|部|处|中心|所|站|队|街道|办事处|镇|乡|苏木|区|县|市|省|州|盟|旗|馆|社|行|团|组"
    r"|机关)$"
)
COMPANION = re.compile(r"解读|图解|一图读懂|图示|问答")
NEWS = re.compile(r"召开|举办|举行|培训|座谈|部署|推进会|调研|督查|通报|排名|获评|荣获|专栏|栏目")
# A notice that only wraps the report (关于公布/印发…年度报告的通知) is still the report;
# any other 通知 (做好…编制工作的通知) is about the report.
_NOTICE = re.compile(r"通知$|的通知")
_WRAPPING_NOTICE = re.compile(r"关于(?:公布|印发|发布|公开)")
_PREVIOUS_YEAR = re.compile(r"上一?年度|本年度")
_YEAR_RE = re.compile(YEAR)
_SUFFIX_YEAR = re.compile(r"^\W*(?P<year>(?:19|20)\d{2})\s*年?")
# The verbs of a document that wraps or forwards a report (…关于公布/报送2020年度…报告的通知/函).
WRAPPING_VERBS = "公布|印发|发布|公开|报送|上报|提交"
_LEAD = re.compile(rf"^(?:关于(?:{WRAPPING_VERBS})?)")
_TRAIL = re.compile(rf"(?:关于(?:{WRAPPING_VERBS})?|的|[:：\-—_|,，、.。])+$")
_PAREN_TAIL = re.compile(r"[(（][^()（）]{1,12}[)）]$")
_SELF_REFERENCE = re.compile(r"^(?:我|本)(?:局|办|委|厅|镇|乡|街道|单位|机关|部门|中心|院|署|会|区|县|市)?$")
_LEVEL_CHARS = "省市县区州盟旗"
PLACE_CHARS = (
    _LEVEL_CHARS + "镇乡木"
)  # the last character of a place name (木: 苏木, Inner Mongolia's township)
_ELLIPSIS_END = re.compile(r"(?:\.{2,}|…+)\s*$")
# A few traditional characters so mirrors in 繁體 still match the report phrase.
_TRAD = str.maketrans("開報務關於況讀圖問區縣鎮辦廳", "开报务关于况读图问区县镇办厅")


@dataclass(frozen=True, slots=True)
class TitleInfo:
    """What a title says: ``reason`` is "" for a report, else why it is not one."""

    is_report: bool
    year: int | None
    agency: str | None
    reason: str


# Words of a site's navigation (a menu or breadcrumb line read as a title): never in a report's title.
_NAVIGATION = re.compile(r"首页|主页|当前位置|您的位置|您现在的位置|站内搜索|网站地图|无障碍")


def _not_report(reason: str) -> TitleInfo:
    return TitleInfo(False, None, None, reason)


def _clean_agency(raw: str) -> str | None:
    """The issuing body named in a title fragment, or None for 我局-style or empty text."""
    agency = _TRAIL.sub("", _LEAD.sub("", raw))
    if "关于" in agency:  # 贺州市人民政府办公室关于公布贺州市… → the report's own subject
        head, _, tail = agency.rpartition("关于")
        tail = _LEAD.sub("", "关于" + tail)
        agency = tail if len(tail) >= 2 else head
    agency = _PAREN_TAIL.sub("", agency).strip()
    if len(agency) < 2 or len(agency) > 40 or re.search(r"\d", agency):
        return None
    if _SELF_REFERENCE.match(agency):
        return None
    return agency


def recognize_title(title: str) -> TitleInfo:
    """Recognise an annual-report title and pull out its year and issuing body.

    Handles agency-first and year-first titles, titles split by newlines or ``<br>``,
    政务信息公开, 信息公开工作年度报告 without 政府, ``关于{Y}年度政府信息公开情况的报告``
    (agency None) and 上一年度 (year None); a few traditional characters (開 報 區 …) are read
    as simplified, so the agency comes back simplified. Companion pages, notices, half-year statistics,
    法治政府建设 reports and news items are rejected with ``reason="excluded:<word>"``; a title
    without the report phrase gives ``reason="no report phrase"``, or ``"truncated"`` when it
    ends in an ellipsis after 信息公开 (follow the link to read the full title).
    """
    t = normalize_title(title or "").translate(_TRAD)
    if not t:
        return _not_report("empty title")
    for pattern in (COMPANION, NEGATIVE):
        m = pattern.search(t)
        if m:
            return _not_report(f"excluded:{m.group(0)}")
    if _NAVIGATION.search(t):
        return _not_report("navigation")  # 首页 | 政府信息公开年报 | 站内搜索: a menu line, no title
    if _NOTICE.search(t) and not _WRAPPING_NOTICE.search(t):
        return _not_report("excluded:通知")
    core = re.search(CORE, t)
    if core is None:
        m = NEWS.search(t)
        if m:
            return _not_report(f"excluded:{m.group(0)}")
        if _ELLIPSIS_END.search(title) and "信息公开" in t:
            return _not_report("truncated")
        return _not_report("no report phrase")
    info = _report_info(t, core)
    # News words inside a body's name (…培训中心, …督查室) do not make the title news.
    scope = t.replace(info.agency, "", 1) if info.agency and ORG_END.search(info.agency) else t
    m = NEWS.search(scope)
    return _not_report(f"excluded:{m.group(0)}") if m else info


def _report_info(t: str, core: re.Match[str]) -> TitleInfo:
    """Year and agency around the report phrase ``core`` of the normalised title ``t``."""
    prefix, suffix = t[: core.start()], t[core.end() :]
    years = list(_YEAR_RE.finditer(prefix))
    year: int | None = None
    if years:
        last = years[-1]
        year = int(last["year"])
        before, after = prefix[: last.start()], prefix[last.end() :]
        agency = _clean_agency(before) or _clean_agency(after)
    else:
        m = _SUFFIX_YEAR.match(suffix)
        year = int(m["year"]) if m else None
        agency = _clean_agency(_PREVIOUS_YEAR.sub("", prefix))
    if year is None and not _PREVIOUS_YEAR.search(prefix) and agency is None:
        return _not_report("no year or agency")
    return TitleInfo(True, year, agency, "")


def _canonical_body(name: str) -> str:
    s = normalize_title(name).translate(_TRAD)
    s = _PAREN_TAIL.sub("", s)
    s = s.replace("人民政府", "政府")
    # State Council bodies title their reports without the country (人力资源社会保障部) and
    # often without the 和 of their full name (人力资源和社会保障部).
    s = s.removeprefix("中华人民共和国").replace("和", "")
    return re.sub(r"政府办$", "政府办公室", s)


def _is_place(name: str) -> bool:
    return len(name) >= 2 and name[-1] in PLACE_CHARS


def _suffix_of(short: str, long: str) -> bool:
    """``long`` is ``short`` with a higher-level place prefix (…省/市/县/区/州/盟/旗) in front."""
    if len(short) < 2 or not long.endswith(short) or len(long) == len(short):
        return False
    dropped = long[: -len(short)]
    if dropped[-1] in _LEVEL_CHARS:
        return True  # 天门市 + 人民政府办公室
    return short[0] in _LEVEL_CHARS and len(dropped) >= 2  # 天门 + 市人民政府办公室


def agency_matches(found: str, expected: str) -> bool:
    """Whether ``found`` (a name from a title or page) names the body ``expected``.

    人民政府 and 政府 are the same word; a bare place (开远市) is its people's government; a
    name lacking the higher-level place prefix (区统计局, 市人民政府办公室) matches when it is
    a suffix of the other name and the dropped part ends a place name. A government office
    (县人民政府办公室) never matches the government (县人民政府), and 我局/我办/我镇 match nothing.
    """
    if not found or not expected:
        return False
    a, b = _canonical_body(found), _canonical_body(expected)
    if not a or not b or _SELF_REFERENCE.match(a) or _SELF_REFERENCE.match(b):
        return False
    if a == b:
        return True
    if _is_place(a) and b == a + "政府" or _is_place(b) and a == b + "政府":
        return True
    # a bare place lacking its higher-level prefix (东城区 for 北京市东城区人民政府)
    if _is_place(a) and _suffix_of(a + "政府", b) or _is_place(b) and _suffix_of(b + "政府", a):
        return True
    return _suffix_of(a, b) or _suffix_of(b, a)


def period_year(text: str) -> int | None:
    """The report year stated by the 统计期限 sentence (or a 1月1日…12月31日 range), or None.

    Tolerates dropped 年/月 (``自202111日起至20211230日止``). A period that ends on 6月30日
    (half-year statistics) states no report year.
    """
    if not text:
        return None
    s = normalize_text(text)
    for m in PERIOD.finditer(s):
        if not _HALF_YEAR_END.match(s, m.end()):
            return int(m["y"])
    for m in _PERIOD_RANGE.finditer(s):
        if m["y2"] is None or m["y2"] == m["y"]:
            return int(m["y"])
    return None
