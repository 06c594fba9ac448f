"""Recognise a report from its text: is it an annual disclosure report, for which year and body?

:func:`recognize_report` works on the clean (simplified) text of a page or file, with the page
title and 发布机构 when the caller has them. It follows domain.md §5:

* **title**: the given title, else the first title-like line(s) of the text (lines before the
  first sentence; two lines are joined, since titles wrap). A title excluded by
  :func:`~crawler.recognize.titles.recognize_title` (法治政府建设, 上半年, 工作要点, 格式 notices,
  解读/图解, 评估…) makes the document a non-report.
* **no title**: body evidence decides: the six report headings, the 2021 总体情况 sub-headings,
  Table A/B header text, a self-reference (本报告…, 现将…报告如下) with a 统计期限 sentence.
  Notices (通知如下, 印发给你们, the 国办公开办函 number as a line of its own), half-year
  statistics, book listings and news copy are rejected first.
* **year**: the 统计期限 sentence, else the title, else "现将/编制的{Y}年度…信息公开…报告",
  else a year that opens (nearly) every dated sentence.
* **agency**: the title's body; a bare place (四川省) or a name lacking its place (市人民政府办公室)
  is replaced by a matching fuller name from metadata or sentences, or dropped. Without a title
  body: metadata (发布机构/发文机关/来源), then first sentences (由XX编制, 现公布XX{Y}年…,
  XX认真贯彻…, XX根据…编制本报告), then the contact line (请与XX联系), then the registry.
  我局/我办/本机关, spam-replaced and ``***``-masked names are never returned.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from crawler.recognize.detail import report_marker_count
from crawler.recognize.text import normalize_text, normalize_title
from crawler.recognize.titles import (
    COMPANION,
    CORE,
    NEGATIVE,
    ORG_END,
    PLACE_CHARS,
    WRAPPING_VERBS,
    TitleInfo,
    agency_matches,
    period_year,
    recognize_title,
)

_HEADER_LINES = 15  # a title is sought among the lines before the body starts, at most this many
_TITLE_MAX = 80
_SENTENCE_SPAN = 1500  # first-sentence patterns look this far into the flat text
_LOOKALIKE_SPAN = 600  # news / book-listing / half-year words are sought this far
_SENTENCE_END = ("。", "；", "！", "？", "：", ":", "”")
_HEADING_MAX = 30  # a line this short is a heading: its line break is kept when flattening

# -- title lines ------------------------------------------------------------------------------
_CORE_RE = re.compile(CORE)
_NOTICE_TITLE = re.compile(r"通知$")
# what may follow the report phrase in a title: 的通知 of a wrapping notice, a (doc number), a
# site-name suffix after a separator ("…年度报告-pa凯发国际登录")
_TITLE_SUFFIX = re.compile(
    r"(?:的通知)?(?:[(（〔\[][^()（）]{0,30}[)）〕\]])*(?:[-_|—–].*|\s*/\s*(?:全文|正文|附件|PDF|pdf|全部))?"
)
_META_PUNCT = re.compile(r"[:：|>/]")
# A metadata field at the start of a line (栏目: …, 相关解读:); ``title`` when it labels the title.
_LABEL = re.compile(r"^(?:(?P<title>标题|题名|名称|文件名称|信息名称)|[^\s:：，,。]{1,6})\s*[:：]\s*")
# A title running on into the body on one line: everything up to the first report suffix.
_LEADING_TITLE = re.compile(
    r"^(?!现将|现就|现公布|现发布|根据|依据|按照|结合|本|我|为|经|特|对|向|全)[^，,。；;:：]{4,70}?"
    r"(?:年度报告|年报|工作报告|情况报告)"
)
# What may follow a run-on title on its line: a field, a bracket, the body's first words.
_AFTER_TITLE = re.compile(
    r"\s|[(（【\[]|$|发布|来源|时间|日期|作者|根据|依据|按照|本(?:年度)?报告|现将|现就|一、"
)
_SECTION_START = re.compile(r"^(?:[一二三四五六七八九十]+\s*[、.．]|[(（][一二三四五六七八九十]+[)）])")

# -- body evidence ----------------------------------------------------------------------------
_SUB_MARKERS = tuple(
    re.compile(p)
    for p in (
        r"[(（]一[)）]\s*(?:政府信息)?主动公开",
        r"[(（]二[)）]\s*(?:政府信息)?依申请公开",
        r"[(（]三[)）]\s*政府信息管理",
        r"[(（]四[)）]\s*(?:政府信息(?:公开)?)?平台建设",
        r"[(（]五[)）]\s*监督保障",
    )
)
# A numbered heading line (一、… / 第三部分 …) and the statutory topics it may name.
_NUMBERED_HEADING = re.compile(
    r"^[ \t\u3000]*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|第[一二三四五六七八九十]{1,3}部分)\s*(?P<h>[^\n]{2,40})$",
    re.M,
)
_TOPICS = (
    ("fees", re.compile(r"收费(?:及|和|与|、)?(?:的)?减免|减免(?:及|和)?收费")),
    ("review", re.compile(r"因?政府信息公开[^。\n]{0,12}(?:行政复议|行政诉讼|申诉)")),
    ("requests", re.compile(r"依申请公开|收到和处理[^。\n]{0,6}申请")),
    ("proactive", re.compile(r"主动公开")),
    ("problems", re.compile(r"问题[^。\n]{0,6}(?:改进|措施)|改进(?:措施|情况)")),
    ("other", re.compile(r"其他需要报告")),
)
_TABLE_HEADER = re.compile(
    r"第二十条第\s*[(（]\s*一\s*[)）]\s*项|本列数据的勾稽关系|本年新收政府信息公开申请数量"
)
_SELF_REFERENCE = re.compile(
    r"本(?:年度)?报告|本年报|现将[^。]{0,40}(?:汇)?报(?:告)?如下|现将[^。]{0,40}(?:进行)?报告[。，]"
    r"|(?:特|编制并)向社会公布[^。]{0,40}报告"
    r"|现(?:予)?(?:公[布开]|发布)[^。]{0,40}信息公开[^。]{0,8}报告"
)
# The report's own table of contents (全文包括总体情况、主动公开政府信息情况…): the statutory parts.
_PARTS = tuple(
    re.compile(p)
    for p in (
        r"总体情况|概述",
        r"主动公开政府信息",
        r"(?:收到和处理|依申请公开)[^、，。]{0,6}(?:政府信息|申请)",
        r"行政复议[、和及]?\s*(?:提起)?行政诉讼",
        r"(?:存在的?)?主要问题[^、，。]{0,4}改进",
        r"其他需要报告的事项|收费|费用",
    )
)
_CONTENTS = re.compile(r"(?:全文|本报告|报告|年报)(?:内容)?(?:主要)?(?:包括|由|分为|共分)[^。]{10,160}")
_BODY_NEGATIVES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("notice", re.compile(r"通知如下|印发给你们|请认真贯彻执行|请结合(?:工作)?实际[^。]{0,6}贯彻")),
    ("format-notice", re.compile(r"^国办公开办函\s*〔\s*20\d{2}\s*〕\s*\d+\s*号$", re.M)),
    ("half-year", re.compile(r"上半年|1\s*月\s*1\s*日[^。\n]{0,8}(?:至|到|-|—)[^。\n]{0,8}6\s*月\s*30\s*日")),
    ("book-listing", re.compile(r"ISBN|出版社|购买积分|PDF下载")),
    ("news", re.compile(r"记者|人民网|新华社|新华网|据报道")),
)

_CITES_2021 = re.compile(r"国办公开办函[〔\[(（]2021[〕\])）]30号|政府信息公开工作年度报告格式(?![(（]试行)")
_CITES_2019 = re.compile(r"政府信息公开工作年度报告格式[(（]试行[)）]")

# -- year -------------------------------------------------------------------------------------
_TEXT_YEAR = re.compile(
    r"(?:现将|现就|现公布|现公开|特向社会公布|编制的?|公布)[^。《》\n]{0,30}?(?P<y>(?:19|20)\d{2})\s*年度?"
    r"[^。《》\n]{0,24}?信息公开[^。《》\n]{0,8}?(?:报告|年报|情况)"
)
_Y = r"(?P<y>(?:19|20)\d{2})\s*年度?"
_SELF_BODY = r"(?:我|全|本)(?:[省市县区州盟旗镇乡局委厅办署院]|街道|单位|部门|中心)"
# Years the body speaks of as its own: 2020年，我局… / 我镇2014年度… / 2021年，… (a sentence
# opener) / 高质量完成2021年度政府信息公开各项工作.  Votes, not one match: the report year is
# the one the text keeps coming back to.
_BODY_YEARS = tuple(
    re.compile(p)
    for p in (
        rf"(?:^|[。；\n，,])\s*{_Y}\s*[，,]?\s*{_SELF_BODY}",
        rf"{_SELF_BODY}\s*{_Y}(?!\d)",
        rf"(?:^|[。；\n])\s*{_Y}\s*[，,]",
        rf"(?:完成|做好|开展){_Y}[^《》。]{{0,6}}(?:政府|政务)?信息公开(?:各项)?工作",
    )
)
# The notice that asked for this report: 关于做好2021年政府信息公开工作年度报告发布…的通知.
_NOTICE_YEAR = re.compile(rf"做好{_Y}[^《》。]{{0,8}}信息公开[^《》。]{{0,6}}年度报告")
_QUOTED_NAME = re.compile(r"《[^《》]{0,80}》")  # 《南京绿道规划(2019-2035)》: another document's years
_PLANS = re.compile(r"将|计划|拟|下一步|明年")  # 2022年，我局将…: next year's plans, not this year's work
_BODY_YEAR_SHARE = 0.75

# -- agency -----------------------------------------------------------------------------------
_META = re.compile(r"(?:发布机构|发文机关|发布单位|信息来源|来源)\s*[:：]\s*(?:\|\s*)?(?P<v>[^\s|:：]{2,60})")
_META_CUT = re.compile(
    r"(?:发布|公开|成文|发文)?(?:日期|时间)|作者|浏览|点击|字号|阅读|索引号|文号|组配分类|公开方式|有效性|主题分类"
    r"|体裁分类|时效性|来源"
)
_NAME = r"[^，,。；;:：、\s《》“”\"()（）|]{2,40}?"
_NAME_LIST = r"[^，,。；;:：\s《》“”\"()（）|]{2,60}?"  # may hold 、 (北京市统计局、国家统计局北京调查总队)
_ALIAS = r"(?:[(（]以下简称[^()（）]{0,12}[)）])?"
_SENTENCES = (
    re.compile(rf"由(?P<a>{_NAME_LIST}){_ALIAS}(?:组织|负责|牵头|统一)?编制"),
    re.compile(
        rf"(?:现公布|现公开|现发布|现将|现就|特向社会公布|编制(?:了|并向社会公布)?)\s*《?(?P<a>{_NAME})\s*(?:19|20)\d{{2}}\s*年"
    ),
    re.compile(rf"(?:^|[。；\n，,])\s*(?P<a>{_NAME})根据[^。]{{0,60}}编制(?:了)?本(?:年度)?报告"),
    re.compile(
        rf"(?:^|[。；\n，,])\s*(?P<a>{_NAME})特?编制(?:了)?\s*(?:19|20)\d{{2}}\s*年度?[^。]{{0,20}}报告"
    ),
    re.compile(
        rf"(?:^|[。；\n])\s*(?:(?:19|20)\d{{2}}\s*年度?\s*[，,]?\s*)?(?:在[^，。\n]{{2,30}}[，,]\s*)?(?P<a>{_NAME})"
        r"(?:认真贯彻|严格贯彻|深入贯彻|全面贯彻|积极贯彻|认真落实|严格落实|严格对照|严格按照|认真履行|认真学习|以习近平"
        r"|坚持以|坚持|在(?:区|县|市|省|州|盟|旗)?(?:委|党工委)[^。，]{0,16}领导下)"
    ),
)
_CONTACT = (
    re.compile(rf"(?:请|可)与\s*(?P<a>{_NAME})\s*联系"),
    re.compile(rf"请联系\s*[:：]?\s*(?P<a>{_NAME_LIST})\s*[(（，,;；]"),
)
# An office inside the body that compiles or answers for the report, not the body itself.
_OFFICE_TAIL = re.compile(
    r"(?:政府信息公开(?:工作)?领导小组办公室|(?:政府)?信息公开(?:工作)?办公室|政务公开办公室|党政办公室|党政办"
    r"|综合办公室|办公室信息科|信息科|信息室|资料管理中心|及(?:其)?办公室|本级政府\s*[(（]机关[)）])$"
)
_SIGNATURE = re.compile(
    r"(?:^|[。！\s\d/])(?P<a>[^\s。，,；;：:\d/]{2,40}?)\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$"
)
_SIGNATURE_SPAN = 120
_DEPT_OFFICE = re.compile(r"(?<=[局委厅署])办公室$")
_ISSUER = re.compile(rf"^(?P<a>.{{2,40}}?)关于(?:{WRAPPING_VERBS})")
_GOV_OFFICE = re.compile(r"(?:政府办|办公室|办公厅|党政办)$")
_QUOTED = re.compile(r"《(?P<t>[^《》]{2,60}?(?:19|20)\d{2}\s*年度?[^《》]{0,24}?报告)》")
_SELF = re.compile(r"^(?:我|本|全|各|该|其|贵)")
_LEVEL_START = "省市县区州镇乡"
_NOT_BODY = re.compile(r"网站|门户|公众号|平台|栏目|专栏|领导小组|工作人员|干部|全体|^(?:人民)?政府|^办公室")
# Spam injected into place names by hijacked mirrors, masking, and anything non-Chinese.
_CORRUPT = re.compile(
    r"[A-Za-z0-9_|*•#@$%&=+\[\]【】<>]|娱乐|体育|官网|网址|彩票|博彩|投注|足球|篮球|比分|直播|澳门|金沙|赌|棋牌"
    r"|联赛|欧洲杯|世界杯|登录|注册|开户|真人|老虎机|游戏|首页|平台"
)


@dataclass(frozen=True, slots=True)
class ReportFacts:
    """What a report's text says about itself (``reason`` is "" for a report, else why not).

    ``year_source``: period | title | text | none; ``agency_source``: title | meta | sentence |
    registry | none.
    """

    is_report: bool
    reason: str
    year: int | None
    year_source: str
    agency: str | None
    agency_source: str  # title | meta | sentence | registry | none
    title: str | None
    place: str | None = None  # the place a region-wide report names when no body is named (四川省)


def _not_report(reason: str, title: str | None) -> ReportFacts:
    return ReportFacts(False, reason, None, "none", None, "none", title)


# -- title ------------------------------------------------------------------------------------
def _header_lines(text: str) -> list[str]:
    """Lines before the body starts (first sentence or section heading), at most 15 that are not
    navigation crumbs (a line of up to 4 characters: |, 首页, 手机版 …) and not metadata labels;
    a labelled title (标题: …) is kept without its label."""
    out: list[str] = []
    counted = 0
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if counted >= _HEADER_LINES or _SECTION_START.match(line):
            break
        labelled = _LABEL.match(line)
        if labelled:
            if not labelled["title"]:
                counted += 1
                continue  # 相关解读: / 栏目: 政府信息公开年报 — a field, never a title
            line = line[labelled.end() :].strip()
        out.append(line)
        counted += len(line) > 4
        if "。" in line:
            break
    return out


def _title_text(raw: str) -> str:
    """The matching form of a header line, breadcrumbs cut (首页>政务公开>年报>XX局2023年…)."""
    return normalize_title(raw).rpartition(">")[2]


def _title_candidate(raw: str) -> TitleInfo | None:
    """The title reading of a header line (or two joined), or None when it is not title-like.

    Decisive readings only: a report title, or a title excluded as a look-alike.
    """
    t = _title_text(raw)
    if not t or len(t) > _TITLE_MAX or "。" in t:
        return None
    if not (COMPANION.search(t) or NEGATIVE.search(t) or _NOTICE_TITLE.search(t)):
        cores = list(_CORE_RE.finditer(t))
        if not cores:
            return None
        core = cores[-1]
        if re.search(r"[，,]", t[: core.start()]) or not _TITLE_SUFFIX.fullmatch(t[core.end() :]):
            return None
    info = recognize_title(t)
    return info if info.is_report or info.reason.startswith("excluded:") else None


def _leading_title(line: str) -> str | None:
    """The title a line starts with when the body (or the title again) runs on after it."""
    m = _LEADING_TITLE.match(line)
    if m is None:
        return None
    rest = line[m.end() :]
    return m.group(0) if _AFTER_TITLE.match(rest) or rest.startswith(m.group(0)) else None


def _find_title(text: str, title: str | None) -> tuple[TitleInfo | None, str | None]:
    """The decisive title: the given one, else a header line (or its leading title when the
    body runs on after it on the same line), else two header lines joined (a title wrapped after
    政府 or 关于公布; never a metadata line such as 时效性: 有效).  A title naming its year wins
    over an earlier one without (a column name such as 政府信息公开年报 above the real title)."""
    if title:
        info = recognize_title(title)
        if info.is_report or info.reason.startswith("excluded:"):
            return info, normalize_title(title)
    found: list[tuple[TitleInfo, str]] = []
    lines = _header_lines(text)
    for i, line in enumerate(lines):
        candidate = _title_candidate(line)
        raw = line
        if candidate is None and (lead := _leading_title(line)):
            candidate, raw = _title_candidate(lead), lead
            if candidate is not None and candidate.year is None:
                candidate = None  # a run-on line is a title only when it names its year
        if candidate is not None:
            found.append((candidate, _title_text(raw)))
            if candidate.year is not None or not candidate.is_report:
                break
            continue
        if i + 1 == len(lines) or _CORE_RE.search(normalize_title(line)) or _META_PUNCT.search(line):
            continue
        following = _title_candidate(lines[i + 1])
        if following is not None and following.is_report:
            continue  # a breadcrumb or document number above a complete title
        candidate = _title_candidate(line + lines[i + 1])
        if candidate is not None:
            found.append((candidate, _title_text(line + lines[i + 1])))
            if candidate.year is not None or not candidate.is_report:
                break
    if not found:
        return None, None
    best = next((f for f in found if f[0].year is not None or not f[0].is_report), found[0])
    if (
        best[0].is_report
        and best[0].year is not None
        and (best[0].agency is None or _is_bare_place(best[0].agency))
    ):
        # a page headline naming only a place, above the document's own title naming its body
        # (广东省2013年…报告/全文, then 广东省人民政府办公厅2013年…报告): the body's title wins
        for line in lines:
            inner = _title_candidate(line)
            if (
                inner is not None
                and inner.is_report
                and inner.year == best[0].year
                and inner.agency
                and not _is_bare_place(inner.agency)
            ):
                return inner, _title_text(line)
    return best


# -- body evidence ----------------------------------------------------------------------------
def _body_negative(text: str, strong: bool) -> str | None:
    """Why an untitled text is a look-alike: a notice (always), or news, a book listing or
    half-year statistics near the top (unless the text has strong report evidence: headings
    and a 统计期限, since a report may well mention 人民网 or 上半年)."""
    head = text[:_LOOKALIKE_SPAN]
    for name, pattern in _BODY_NEGATIVES:
        if name in ("notice", "format-notice"):
            if pattern.search(text):
                return name
        elif not strong and pattern.search(head):
            return name
    return None


def _heading_topics(text: str) -> set[str]:
    """The statutory sections a text's numbered headings name, whatever their numbers (the
    2008 forms number them differently: 四、收费及减免, 五、因政府信息公开申请行政复议…)."""
    found: set[str] = set()
    for line in _NUMBERED_HEADING.finditer(text):
        for topic, pattern in _TOPICS:
            if pattern.search(line["h"]):
                found.add(topic)
                break
    return found


def _body_is_report(text: str, flat: str, period: int | None) -> bool:
    markers = report_marker_count(text)
    if markers >= 3:
        return True
    topics = _heading_topics(text)
    if len(topics) >= 3 and topics & {"fees", "review"}:
        return True  # the template's own sections: fees waived, reviews about disclosure
    subs = sum(1 for p in _SUB_MARKERS if p.search(text))
    self_ref = bool(_SELF_REFERENCE.search(flat[:_SENTENCE_SPAN]))
    if markers >= 1 and (subs >= 3 or _TABLE_HEADER.search(text) or self_ref):
        return True
    if _quoted_title(flat) is not None:
        return True  # 现发布《重庆市2021年政府信息公开工作年度报告》: the text introduces itself
    contents = _CONTENTS.search(flat[:_SENTENCE_SPAN])
    if self_ref and contents and sum(1 for p in _PARTS if p.search(contents.group(0))) >= 3:
        return True  # 本年度报告…全文包括概述、主动公开政府信息情况、依申请公开…: its own table of contents
    return self_ref and period is not None


# -- year -------------------------------------------------------------------------------------
def _text_year(flat: str) -> int | None:
    """The year an untitled text reports on: its own 现将…2021年…报告 sentence, else the year its
    sentences keep speaking of as the body's own (a share of at least 3 in 4 of such mentions,
    plans for next year and other documents' titles left out), else None."""
    m = _TEXT_YEAR.search(flat[:_SENTENCE_SPAN])
    if m:
        return int(m["y"])
    votes = Counter(int(m["y"]) for m in _NOTICE_YEAR.finditer(flat))
    unquoted = _QUOTED_NAME.sub("《》", flat)
    for pattern in _BODY_YEARS:
        for m in pattern.finditer(unquoted):
            end = unquoted.find("。", m.end())
            if not _PLANS.search(unquoted, m.start(), end if end >= 0 else len(unquoted)):
                votes[int(m["y"])] += 1
    if not votes:
        return None
    year, n = votes.most_common(1)[0]
    return year if n >= _BODY_YEAR_SHARE * sum(votes.values()) else None


# -- agency -----------------------------------------------------------------------------------
def _tidy(raw: str | None) -> str | None:
    """A body name cut to size: alias and compiling-office tails removed; None when unusable."""
    if not raw:
        return None
    name = normalize_title(raw)
    name = re.sub(r"[(（]以下简称[^()（）]*[)）]", "", name)
    for _ in range(2):
        name = _OFFICE_TAIL.sub("", name)
        name = _DEPT_OFFICE.sub("", name)
    name = name.strip("：:，,、 ")
    if len(name) < 2 or len(name) > 40 or _SELF.match(name) or _CORRUPT.search(name):
        return None
    if not ORG_END.search(name) or _NOT_BODY.search(name):
        return None
    return name


def _is_bare_place(name: str) -> bool:
    """四川省, 开远市, 胡市镇: a place, not the body that publishes its report."""
    return name[-1] in PLACE_CHARS


def _is_partial(name: str) -> bool:
    """市人民政府办公室, 县统计局: a body named without its place."""
    return name[0] in _LEVEL_START


def _full(name: str | None) -> bool:
    if not name:
        return False
    return not _is_bare_place(name) and not _is_partial(name)


def _meta_names(text: str, page_agency: str | None) -> list[str]:
    out = []
    for raw in [page_agency or "", *(m["v"] for m in _META.finditer(text[:_SENTENCE_SPAN]))]:
        name = _tidy(_META_CUT.split(raw)[0]) if raw else None
        if name:
            out.append(name)
    return out


def _sentence_names(flat: str) -> list[str]:
    head = flat[:_SENTENCE_SPAN]
    found: list[tuple[int, int, str]] = []
    for rank, pattern in enumerate(_SENTENCES):
        for m in pattern.finditer(head):
            name = _tidy(m["a"])
            if name:
                found.append((rank, m.start(), name))
    return [name for _, _, name in sorted(found)]


def _contact_names(flat: str) -> list[str]:
    out = []
    for pattern in _CONTACT:
        for m in pattern.finditer(flat):
            name = _tidy(m["a"])
            if name:
                out.append(name)
    return out


def _signature_names(text: str) -> list[str]:
    """The body signing the report at its end (…特此报告。 平潭综合实验区经济发展局 2023年1月5日)."""
    m = _SIGNATURE.search(text[-_SIGNATURE_SPAN:])
    name = _tidy(m["a"]) if m else None
    return [name] if name else []


def _issuer(title: str | None) -> str | None:
    """The body issuing a wrapping notice (XX关于公布…年度报告的通知)."""
    m = _ISSUER.match(title or "")
    return _tidy(m["a"]) if m else None


def _upgrade(
    short: str, sources: list[tuple[str, list[str]]], *, offices: bool = True
) -> tuple[str, str] | None:
    """A fuller name for ``short`` (a bare place or a place-less name) from ``sources``; with
    ``offices=False`` never a government office (a region-wide report is not its office's)."""
    for source, names in sources:
        for name in names:
            if _full(name) and name != short and agency_matches(short, name):
                if offices or not _GOV_OFFICE.search(name):
                    return name, source
    return None


def _fuller(name: str, sources: list[tuple[str, list[str]]]) -> tuple[str, str] | None:
    """The same body more fully named elsewhere in the text: the place before it (重庆市 +
    大足区人民政府外事办公室, 国家税务总局 + 珠海市税务局) or a sub-district's 办事处 after it
    (洪江区沅江路街道办事处 for 沅江路街道); never a different body that merely contains it."""
    best: tuple[str, str] | None = None
    for source, names in sources:
        for other in names:
            core = other.removesuffix("办事处") if name.endswith("街道") else other
            if len(other) > len(name) and core.endswith(name) and (best is None or len(other) > len(best[0])):
                best = (other, source)
    return best


def _region_body(place: str, sources: list[tuple[str, list[str]]]) -> tuple[str | None, str]:
    """The body of a region-wide report titled with a bare place (四川省2014年…): a matching
    fuller name that is not an office (the report is not its office's own), else unnamed — a
    place is not a body, and no line names the people's government."""
    return _upgrade(place, sources, offices=False) or (None, "none")


def _region_place(info: TitleInfo | None, flat: str) -> str | None:
    """The bare place a region-wide report is titled or introduced with (四川省, 合江县), if any."""
    named = _tidy(info.agency) if info and info.agency else None
    if named and _is_bare_place(named):
        return named
    return next((n for n in _sentence_names(flat) if _is_bare_place(n)), None)


def _quoted_title(flat: str) -> TitleInfo | None:
    """A report title quoted in the first sentences (现发布《重庆市2021年…年度报告》)."""
    for m in _QUOTED.finditer(flat[:_SENTENCE_SPAN]):
        info = recognize_title(m["t"])
        if info.is_report and info.agency:
            return info
    return None


def _agency(
    info: TitleInfo | None,
    title: str | None,
    text: str,
    flat: str,
    page_agency: str | None,
    registry_agency: str | None,
) -> tuple[str | None, str]:
    meta = ("meta", _meta_names(text, page_agency))
    sentences = ("sentence", _sentence_names(flat))
    contacts = ("sentence", _contact_names(flat))
    signature = ("signature", _signature_names(text))
    registry = ("registry", [n for n in [_tidy(registry_agency)] if n])
    named = _tidy(info.agency) if info and info.agency else None
    issuer = _issuer(title)
    if not _full(named) and _full(issuer):  # 贺州市人民政府办公室关于公布贺州市2009年度…的通知
        return issuer, "title"
    if named and _full(named):
        return _fuller(named, [meta, sentences, contacts, signature]) or (named, "title")
    if named and _is_bare_place(named):  # 合江县2022年…年度报告: the county's region-wide report
        return _region_body(named, [meta, sentences, signature, registry])
    if named:  # place-less (县统计局): only a matching fuller name will do
        up = _upgrade(named, [meta, sentences, contacts, signature, registry])
        return up if up else (None, "none")
    for name in meta[1]:
        if _full(name):
            return name, "meta"
    for name in sentences[1]:  # the first sentences name the body, or the place (现公布桐梓县2022年…)
        if _full(name):
            return name, "sentence"
        if _is_bare_place(name):
            return _region_body(name, [meta, signature, registry])
    for source, names in (contacts, signature, registry):
        for name in names:
            if _full(name):
                return name, source
    return None, "none"


def _flatten(text: str) -> str:
    """The text with hard wraps undone: a line break stays only after a finished sentence or a
    short line (a heading), so sentence patterns see wrapped sentences whole."""
    out: list[str] = []
    for line in text.split("\n"):
        if out and not (out[-1].endswith(_SENTENCE_END) or len(out[-1]) <= _HEADING_MAX):
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def cited_format(text: str) -> str | None:
    """The template a report says it follows by citing it: ``template2021`` for 国办公开办函〔2021〕30号
    or 《中华人民共和国政府信息公开工作年度报告格式》, ``template2019`` for the …格式(试行); else None.

    A fallback for texts without table headers only: headers decide when present (a report may
    cite 30号 and still use the 2019 table, domain.md §2.2). 国办公开办函〔2019〕60号 itself is a
    procedural notice, not a format citation.
    """
    s = normalize_title(text or "")
    if _CITES_2021.search(s):
        return "template2021"
    if _CITES_2019.search(s):
        return "template2019"
    return None


# -- entry point ------------------------------------------------------------------------------
# characters besides an undated title a text needs to be taken for a report (not a page naming its column)
MIN_UNDATED_BODY = 120


def recognize_report(
    text: str, *, title: str | None = None, page_agency: str | None = None, registry_agency: str | None = None
) -> ReportFacts:
    """Is ``text`` (clean, simplified) an annual disclosure report, for which year and body?

    ``title`` is the page title when known (else the first lines are read), ``page_agency`` the
    page's 发布机构, ``registry_agency`` the source's body (last resort). Non-reports come back
    with ``reason`` (``excluded:<word>`` from the title, or notice, format-notice, half-year,
    book-listing, news, no report evidence) and no year or agency.
    """
    text = normalize_text(text or "")
    flat = _flatten(text)
    info, found_title = _find_title(text, title)
    if info is not None and not info.is_report:
        return _not_report(info.reason, found_title)
    period = period_year(text)
    if info is None:
        negative = _body_negative(text, strong=report_marker_count(text) >= 3 and period is not None)
        if negative:
            return _not_report(negative, None)
        if not _body_is_report(text, flat, period):
            return _not_report("no report evidence", None)
    year: int | None
    if period is not None:
        year, year_source = period, "period"
    elif info is not None and info.year is not None:
        year, year_source = info.year, "title"
    else:
        year = _text_year(flat)
        year_source = "text" if year is not None else "none"
    quoted = _quoted_title(flat) if info is None else None
    if year is None and quoted is not None and quoted.year is not None:
        year, year_source = quoted.year, "text"
    if info is not None and year is None and len(flat) - len(found_title or "") < MIN_UNDATED_BODY:
        # a page that only names the column (a site's home page, a menu): no year, no body
        return _not_report("no report text", found_title)
    agency, agency_source = _agency(info or quoted, found_title, text, flat, page_agency, registry_agency)
    place = None if agency else _region_place(info or quoted, flat)
    return ReportFacts(True, "", year, year_source, agency, agency_source, found_title, place)
