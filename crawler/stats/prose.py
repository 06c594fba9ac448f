"""Labelled quantities in a report's narrative (domain.md §2 free-form indicators, §6.8).

:func:`narrative_numbers` reads only numbers tied to a label that names the FOI quantity:
主动公开政府信息 N 条, 收到/受理/新收…申请 N 件, 上年结转 N 件, 予以公开/部分公开/不予公开 N 件,
(政府信息公开…)行政复议/行政诉讼 N 件, 收取/减免 N 元, and the 统计期限 year. Website posts
(发布信息 N 条), mailbox letters, 12345 hotline, 人大建议, 诉求 and Article-20 counts carry no such
label and are never read. "未收到…申请", "无/未发生…行政复议" give 0. 1.53万 → 15300; 余/多/约/近/
逾/超过/以上/左右 make a quantity approximate, never exact. Table cells (lines with ``|``) are left
to :mod:`crawler.stats.tables`. Pure functions of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.recognize.text import normalize_text
from crawler.recognize.titles import period_year

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN = "零〇一二两三四五六七八九十百千"
NUM = (
    rf"(?P<pre>约|近|逾|超过|超|大约|将近)?(?P<num>\d+(?:\.\d+)?|[{_CN}]+)\s*(?P<wan>万|亿)?"
    r"\s*(?P<post>余|多)?"
)
_POST2 = r"(?P<post2>以上|左右)?"
_COUNT = rf"{NUM}\s*(?P<unit>件|宗|起|个|次)"
_ITEMS = rf"{NUM}\s*(?P<unit>条|件|篇|项)"
_REQUESTS = rf"{NUM}\s*(?P<unit>件|宗|起|个|次|条|份)"  # requests: 收到申请2条, 共收到9份
_MONEY = rf"{NUM}\s*(?P<unit>元)"  # 万 is read by NUM: money is in 元
_GAP = r"[^，,。；;：:\n|\d]"  # label text between a keyword and its number: one clause, no digits

# Words that make a nearby number something else: comparisons, other channels, other matters.
_NOT_THIS = re.compile(
    r"比|较|同比|环比|增加|减少|增长|下降|去年|上一?年度?(?!结转)|来信|信箱|热线|12345|建议|提案"
    r"|咨询|投诉|举报|信访|诉求|留言|历年|截至目前|截止目前"
)
_SUBSET = re.compile(r"法人|自然人|公民")
_FOI = re.compile(r"信息公开|公开申请|依申请")
_SECTION = re.compile(r"^(?:[一二三四五六七八九十]+\s*[、.．]|[(（][一二三四五六七八九十]+[)）])")
_CARRIED_IN = re.compile(r"含上一?年度?结转|包括上一?年度?结转|含结转")
_CLAUSE_END = "，,。；;\n"
_CASE_WORDS = re.compile(r"复议|诉讼")


@dataclass(frozen=True, slots=True)
class Quantity:
    """A labelled number: ``approximate`` for 余/多/约/近/逾… (never to be reported as exact).

    ``raw`` is the matched phrase (label and number); ``unit`` 条/件/篇/项/宗…, or 元 for money
    (1.2万元 → 12000 元).
    """

    value: int | float
    approximate: bool
    raw: str
    unit: str = ""


def cn_number(s: str) -> int | None:
    """零 一 两 十二 一百零五 三千 → int; None when ``s`` is not a Chinese numeral."""
    if not s or any(c not in _CN_DIGITS and c not in _CN_UNITS for c in s):
        return None
    total, digit = 0, None
    for c in s:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        else:
            total += (digit if digit is not None else 1) * _CN_UNITS[c]
            digit = None
    return total + (digit or 0)


def _quantity(m: re.Match[str]) -> Quantity | None:
    num = m["num"]
    value: int | float | None = cn_number(num) if num[0] in _CN else float(num)
    if value is None:
        return None
    approximate = bool(m["pre"] or m["post"] or m.groupdict().get("post2"))
    if m["wan"]:
        # "173769万条": a count with a stray 万 (domain.md §6.8) is kept, but only as approximate
        if m["wan"] == "万" and "." not in num and len(num) >= 4:
            approximate = True
        value *= 10_000 if m["wan"] == "万" else 100_000_000
    if isinstance(value, float):
        value = int(value) if value.is_integer() else round(value, 4)
    unit = m.groupdict().get("unit") or ""
    if unit == "个" and num[0] in _CN:
        return None  # 三个一 (a slogan), 两个方面: never a count
    return Quantity(value, approximate, m.group(0), unit)


def _clause(text: str, start: int, end: int) -> str:
    """The clause around text[start:end] (between ，。；/line breaks)."""
    i = max(text.rfind(c, 0, start) for c in _CLAUSE_END)
    j = min((k for k in (text.find(c, end) for c in _CLAUSE_END) if k != -1), default=len(text))
    return text[i + 1 : j]


def _sentence(text: str, start: int) -> str:
    i = max(text.rfind("。", 0, start), text.rfind("\n", 0, start))
    j = min((k for k in (text.find("。", start), text.find("\n", start)) if k != -1), default=len(text))
    return text[i + 1 : j]


def _heading(text: str, start: int) -> str:
    """The nearest section heading line above ``start``."""
    for line in reversed(text[:start].split("\n")[:-1]):
        if _SECTION.match(line.strip()) and len(line) <= 40:
            return line
    return ""


def _prose(text: str) -> str:
    """The narrative: normalised text without table rows (lines holding ``|``)."""
    lines = normalize_text(text or "").split("\n")
    return "\n".join("" if "|" in line else line for line in lines)


# -- patterns ---------------------------------------------------------------------------------
_COUNT_LEAD = r"(?:数量|总数|数)?\s*(?:有|共计|总计|合计|累计|共)?(?:为|达到|达|是)?\s*"
_PROACTIVE = re.compile(
    # 主动公开(各类财政|我区各级单位…)(政府)信息 N 条, 主动公开(各类)文件 N 件, 主动发布政府信息 N 条
    r"(?:主动公开(?:了)?(?:(?:各类|各项)[^\W\d_]{0,4}?|[^\W\d_类的]{1,10}?(?=政府信息))?(?:政府|政务)?信息"
    r"|主动公开(?:了)?(?:各类|各项)?文件|主动发布(?:了)?(?:各类)?政府信息)"
    rf"{_COUNT_LEAD}{_ITEMS}{_POST2}"
)
# 主动公开机构职能、政策文件、常务会议等(在内的)信息 N 条: an enumeration closed by 等
_PROACTIVE_LIST = re.compile(
    rf"主动公开(?:了)?[^，,。；;：:\n\d]{{1,80}}?等(?:在内)?的?(?:各类|各项)?(?:政府|政务)?信息{_COUNT_LEAD}{_ITEMS}{_POST2}"
)
_PROACTIVE_WEAK = re.compile(
    # 公开(公安)政府信息184条 / 公布信息202条 / 公开356条政务信息
    rf"(?<!主动)(?<!申请)(?<!不予)(?:公开|公布)(?:了)?(?:(?:各类|各项)?(?:[^\W\d_]{{1,4}}?(?=政府信息|政务信息))?"
    rf"(?:政府信息|政务信息|信息)(?:共计|共)?{_ITEMS}{_POST2})"
)
_PROACTIVE_WEAK_FIRST = re.compile(
    rf"(?<!申请)(?<!不予)(?:主动)?(?:公开|公布)(?:了)?{NUM}\s*(?P<unit>条)(?:各类)?(?:政府|政务)信息"
)
_PARTS_LEAD = re.compile(r"其中[，,：:]?")
_PART = re.compile(rf"[^，,、；;。\d]{{1,24}}?{NUM}\s*(?P<unit>条|件|篇|项|期|份|个)")
_RECEIVED = (
    re.compile(
        rf"(?:新收到|新收|收到|受理|接收|接到)(?P<gap>{_GAP}{{0,25}}?)(?:共计|共|合计)?{_REQUESTS}{_POST2}"
    ),
    re.compile(
        rf"(?:新收到|新收|收到|受理|接到)(?:了)?{_REQUESTS}(?P<gap>(?:政府信息公开|依申请公开(?:政府信息)?)?申请"
        r"|依申请公开|(?:政府信息)?依申请公开事项|申请公开政府信息)"
    ),
    # 依申请公开申请数为21件, 政府信息公开申请总数12件 (not after 结转/办结: other rows)
    re.compile(
        rf"(?<!结转)(?<!转结)(?<!办结)(?P<gap>(?:政府信息公开|依申请公开(?:政府信息)?)申请)(?:总)?(?:件数|数量|数)"
        rf"(?:共计|共|为|是)?{_REQUESTS}"
    ),
)
_RECEIVED_NONE = (
    re.compile(
        r"(?:未|没有|无)(?:收到|接到|接收到|接收|受理)(?:过|到)?(?:任何)?(?P<gap>[^，,。；;\n\d]{0,30}?)申请"
    ),
    re.compile(
        r"(?:^|[，,。；\n])[^，,。；\n\d]{0,12}?(?:无|没有)(?:任何)?(?P<gap>)(?:依申请公开|政府信息公开申请)"
    ),
)
_HANDLED = re.compile(rf"办理(?P<gap>{_GAP}{{0,20}}?申请{_GAP}{{0,6}}?){_COUNT}")
_CARRIED = re.compile(
    rf"(?:上一?年度?(?:结转|转结)|结转上一?年度?)(?:的)?(?:政府信息公开)?(?:申请)?(?:件数|数量)?(?:为)?{_COUNT}"
)
_REPLIES = {
    "replies_granted": re.compile(rf"(?<!部分)(?<!不予)(?:予以公开|同意公开|全部公开)(?:的)?(?:共)?{_COUNT}"),
    "replies_partial": re.compile(rf"(?:同意)?部分公开(?:的)?(?:共)?{_COUNT}"),
    "replies_refused": re.compile(rf"不予公开(?:的)?(?:共)?{_COUNT}"),
}
_CASES = {
    "reconsideration_total": "行政复议",
    "litigation_total": "行政诉讼",
}
_CASE_OUTCOMES = {  # number-first and label-first forms
    "upheld": (rf"{_COUNT}(?:结果)?维持", rf"维持(?:原(?:答复|决定|具体行政行为))?{_COUNT}"),
    "corrected": (rf"{_COUNT}(?:结果)?纠正", rf"(?:结果)?纠正{_COUNT}"),
    "other": (rf"{_COUNT}其他结果", rf"其他结果{_COUNT}"),
}
_FEES_COLLECTED = re.compile(rf"收取(?:了)?(?:信息处理费|费用|处理费)(?:共计|共|合计)?{_MONEY}")
_FEES_WAIVED = re.compile(rf"减免(?:了)?(?:信息处理费|费用|处理费)?(?:共计|共)?{_MONEY}")
_FEES_NONE = (
    re.compile(r"(?:未|没有|无)(?:发生|涉及|出现|产生)?(?:任何)?[^，,。；\n\d]{0,20}?收费(?:及|和|与)减免"),
    re.compile(r"(?:未|没有|无)(?:收取|收缴)(?:任何)?(?:费用|信息处理费|处理费)"),
)


# An appendix row of the 2008–2012 statistics table, read as text: label, unit, then the value
# ("主动公开信息数 条 69", "行政复议数件0"). Cells run together ("数条00") are ambiguous unless
# the value is one digit, so a longer run-on value is not read.
_UNIT_FIRST = r"(?:\s*(?P<unit>[件条])\s+(?P<num>\d+)|\s*(?P<unit2>[件条])(?P<num2>\d))(?![\d件条])"
_APPENDIX_PROACTIVE = re.compile(rf"主动公开(?:政府)?信息(?:总)?数{_UNIT_FIRST}")
_APPENDIX_RECEIVED = re.compile(rf"受理(?:依申请公开|政府信息公开申请)(?:信息)?(?:总)?数{_UNIT_FIRST}")


def _row_value(m: re.Match[str]) -> Quantity:
    num, unit = (m["num"], m["unit"]) if m["num"] is not None else (m["num2"], m["unit2"])
    return Quantity(int(num), False, m.group(0), unit)


def _with_appendix(prose: str, row: re.Pattern[str], said: Quantity | None) -> Quantity | None:
    """The appendix table's row when there is one (it is the figure), else what the prose said;
    nothing when rows disagree with each other or with a count in the prose. A zero the prose
    only inferred from 未收到… is weaker than a row and gives way to it."""
    rows = {q.value: q for q in map(_row_value, row.finditer(prose))}
    if not rows:
        return said
    if len(rows) > 1:
        return None
    ((value, q),) = rows.items()
    if said is None or said.value == value or (said.value == 0 and said.raw.startswith(("未", "没有", "无"))):
        return q
    return None


def _case_patterns(word: str) -> tuple[re.Pattern[str], ...]:
    count = re.compile(rf"{word}(?:案件|申请)?(?:共计|共|数量为|数为|为)?{_COUNT}")
    # the 2008–2012 appendix row "行政复议数 件 0": label, unit, then the value
    unit_first = re.compile(rf"{word}(?:案件)?数{_UNIT_FIRST}")
    count_first = re.compile(
        rf"(?:发生|收到|涉及|引起)?{_COUNT}(?:(?:关于|有关|涉及)?(?:政府信息公开)(?:的)?)?{word}"
    )
    # 未发生…复议、诉讼: the bare words (行政 left out) in a sentence about disclosure
    none = re.compile(
        rf"(?<!尚)(?:未(?!经)|没有|无)(?:发生|出现|收到|接到|产生)?(?:过|到)?(?:任何)?[^，,。；;\n\d]{{0,40}}?"
        rf"(?:{word}|(?<!经){word[2:]}(?!机关|决定|机构){'|行政起诉' if word == '行政诉讼' else ''})"  # not 未经复议直接起诉
    )
    return count, count_first, unit_first, none


_CASE_RE = {key: _case_patterns(word) for key, word in _CASES.items()}
# 被申请行政复议和提起行政诉讼均为0件: one number for both
_BOTH_CASES = re.compile(
    rf"行政复议[^，,。；;\n\d]{{0,20}}?行政诉讼(?:案件)?(?:的)?(?:均|都|各)(?:为|是)?{_COUNT}"
)


# -- reading ----------------------------------------------------------------------------------
def _first(found: list[Quantity]) -> Quantity | None:
    return found[0] if found else None


_RUNNING = re.compile(r"截至目前|截止目前|截至今|截止到目前|历年")


def _sentence_head(text: str, start: int) -> str:
    """The sentence up to ``start``."""
    return text[max(text.rfind("。", 0, start), text.rfind("\n", 0, start)) + 1 : start]


def _clause_start(text: str, start: int) -> int:
    return max(text.rfind(c, 0, start) for c in _CLAUSE_END) + 1


def _part_of(text: str, m: re.Match[str]) -> bool | None:
    """Whether a match sits in a breakdown (其中…) of an earlier total in its sentence: True
    for a part (其中政务动态846篇、法定主动公开信息665篇), None for the proactive share of a total
    split by how it was disclosed (共制作政府信息405条，其中主动公开政府信息140条), False otherwise."""
    begin = max(text.rfind("。", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
    before = text[begin : m.start()]
    k = before.rfind("其中")
    if k == -1:
        return False
    between = before[k + 2 :]
    if m.group(0).startswith("主动") and re.fullmatch(r"[，,：:\s]*", between):
        return None
    return True


def _later_part(text: str, m: re.Match[str]) -> bool:
    """A part after other parts (其中政务动态信息846篇、法定主动公开信息665篇) or a category
    (其他应主动公开…, 法定主动公开…): never the total."""
    begin = max(text.rfind("。", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
    before = text[begin : m.start()]
    between = before[before.rfind("其中") + 2 :]
    return bool(re.search(rf"{NUM}\s*(?:条|件|篇|项|个)", between) or re.search(r"(?:应|法定|类)$", between))


def _proactive(text: str) -> tuple[Quantity | None, re.Match[str] | None]:
    """The year's proactive-disclosure total: explicit 主动公开 first, else a bare 公开政府信息,
    else an explicit 主动公开 count inside a breakdown (其中…); a count inside a breakdown is a
    part, not the total. Conflicting counts say nothing (网站 2017 条, 新媒体 1039 条), unless
    the first is the sum of the others (全县 21597 条 = 政府网 7055 条 + 部门 14542 条)."""
    tiers: list[list[tuple[Quantity, re.Match[str]]]] = [[], [], []]
    for patterns, weak in (
        ((_PROACTIVE, _PROACTIVE_LIST), False),
        ((_PROACTIVE_WEAK, _PROACTIVE_WEAK_FIRST), True),
    ):
        seen: set[int] = set()
        for pattern in patterns:
            for m in pattern.finditer(text):
                if m.end() in seen:
                    continue
                head = text[_clause_start(text, m.start()) : m.end()]
                if _NOT_THIS.search(head) or "依申请" in head or "不予公开" in head:
                    continue
                running = list(_RUNNING.finditer(head := _sentence_head(text, m.start())))
                if running and not re.search(rf"{NUM}\s*(?:条|件|篇|项)", head[running[-1].end() :]):
                    continue  # 截至目前，…累计主动公开…1770条: a running total, not the year's
                q = _quantity(m)
                if q is None:
                    continue
                seen.add(m.end())
                part = _part_of(text, m)
                if part and (weak or _later_part(text, m)):
                    continue
                tiers[2 if part else 1 if weak else 0].append((q, m))
    for i, found in enumerate(tiers):
        if not found:
            continue
        found.sort(key=lambda qm: qm[1].start())
        values = {q.value for q, _ in found}
        first = found[0]
        others = [q.value for q, _ in found[1:]]
        if len(values) == 1 or i != 1 and first[0].value == max(values):
            return first
        if len(others) >= 2 and not first[0].approximate and sum(others) == first[0].value:
            return first
        return None, None
    return None, None


def proactive_parts(text: str) -> list[Quantity]:
    """The sub-counts after the proactive total: "主动公开政府信息63条，其中，组织机构类信息16条，
    动态类信息36条…" → [16, 36, …] (for the T3 check: parts should sum to the total)."""
    prose = _prose(text)
    total, m = _proactive(prose)
    if total is None or m is None:
        return []
    rest = prose[m.end() : m.end() + 400]
    # the sentence ends at 。 — a PDF line break inside it ("工作动态16条、\n其他信息20条") does not
    end = rest.find("。")
    rest = rest[:end] if end != -1 else rest.split("\n", 1)[0]
    rest = rest.replace("\n", "")
    lead = _PARTS_LEAD.search(rest)
    if lead is None or lead.start() > 4:
        return []
    again = rest.find("其中", lead.end())  # a second 其中 starts another breakdown
    rest = rest[:again] if again != -1 else rest
    parts = []
    for p in _PART.finditer(rest, lead.end()):
        q = _quantity(p)
        if q is not None:
            parts.append(q)
    return parts


def _received(text: str) -> tuple[Quantity | None, Quantity | None]:
    """(requests received, requests handled incl. carried over)."""
    handled: list[Quantity] = []
    found: list[Quantity] = []
    for pattern in _RECEIVED:
        for m in pattern.finditer(text):
            gap = m["gap"] or ""
            clause = _clause(text, m.start(), m.end())
            if "申请" not in gap or _NOT_THIS.search(gap) or "结转" in gap or _CASE_WORDS.search(gap):
                continue  # 收到…行政复议申请4件: a review, not a request
            q = _quantity(m)
            if q is None:
                continue
            tail = text[m.end() : m.end() + 20]
            (handled if _CARRIED_IN.search(clause + tail) else found).append(q)
    if not found:
        for pattern in _RECEIVED_NONE:
            for m in pattern.finditer(text):
                clause = _clause(text, m.start(), m.end())
                gap = m["gap"] or ""
                if _NOT_THIS.search(clause) or "结转" in clause:
                    continue
                subset = set(_SUBSET.findall(gap))
                if subset and not ("法人" in subset and subset & {"自然人", "公民"}):
                    continue  # 未收到法人或者其他组织…的申请: one kind of applicant only
                found.append(Quantity(0, False, m.group(0), "件"))
    for m in _HANDLED.finditer(text):
        if not _NOT_THIS.search(m["gap"]):
            q = _quantity(m)
            if q is not None:
                handled.append(q)
    return _first(found), _first(handled)


def _cases(text: str, key: str) -> tuple[Quantity | None, dict[str, Quantity]]:
    count, count_first, unit_first, none = _CASE_RE[key]
    word = _CASES[key]
    outcomes: dict[str, Quantity] = {}
    if row := unit_first.search(text):  # the appendix table's row is the figure
        return _row_value(row), {}
    for pattern in (count, count_first):
        for m in pattern.finditer(text):
            sentence = _sentence(text, m.start())
            if not (_FOI.search(sentence) or _about_cases(_heading(text, m.start()), word)):
                continue
            q = _quantity(m)
            if q is None:
                continue
            if key == "reconsideration_total":
                outcomes = _outcomes(text, m.end())
            return q, outcomes
    for m in none.finditer(text):
        sentence = _sentence(text, m.start())
        inline = _INLINE_CASE_HEADING.search(_sentence_head(text, m.start()))
        if _FOI.search(sentence) or inline or _about_cases(_heading(text, m.start()), word):
            return Quantity(0, False, m.group(0), "件"), {}
    return None, {}


# 四、行政复议和诉讼情况 我局…未收到…: a heading run into its paragraph on one line
_INLINE_CASE_HEADING = re.compile(r"[一二三四五六七八九十]+\s*[、.．][^。，,]{0,20}?(?:复议|诉讼)")


def _about_cases(heading: str, word: str) -> bool:
    """A section heading that puts a count in the disclosure context: it names the cases
    (四、行政复议、行政诉讼情况) or disclosure on request ((二)依申请公开情况)."""
    return word in heading or bool(_FOI.search(heading))


def _outcomes(text: str, start: int) -> dict[str, Quantity]:
    """维持/纠正/其他结果 counts in the sentence after a 行政复议 count, when no lawsuit
    count (other than 0) comes between them (they would be the lawsuits' outcomes)."""
    end = text.find("。", start)
    rest = text[start : end if end != -1 else len(text)]
    lawsuit = re.search(rf"行政诉讼(?:案件)?{_COUNT}", rest)
    if lawsuit is not None and (_quantity(lawsuit) or Quantity(1, False, "")).value != 0:
        return {}
    out = {}
    for name, patterns in _CASE_OUTCOMES.items():
        for pattern in patterns:
            m = re.search(pattern, rest)
            q = _quantity(m) if m else None
            if q is not None:
                out[f"reconsideration_{name}"] = q
                break
    return out


def _fees(text: str) -> dict[str, Quantity]:
    out: dict[str, Quantity] = {}
    for key, pattern in (("fees_collected", _FEES_COLLECTED), ("fees_waived", _FEES_WAIVED)):
        m = pattern.search(text)
        q = _quantity(m) if m else None
        if q is not None:
            out[key] = q
    for pattern in _FEES_NONE:
        m = pattern.search(text)
        if m:
            out.setdefault("fees_collected", Quantity(0, False, m.group(0), "元"))
            if "减免" in m.group(0):
                out.setdefault("fees_waived", Quantity(0, False, m.group(0), "元"))
    return out


def fee_statements(text: str) -> list[tuple[Quantity, int, int]]:
    """Every statement of the fees collected, in order: ``(quantity, start, end)`` with offsets
    into ``text`` as given (no normalisation: pass width-folded text to keep offsets); a
    statement that none were collected (未收取任何费用) is a quantity of 0."""
    found = [(m, _quantity(m)) for m in _FEES_COLLECTED.finditer(text)]
    out = [(q, m.start(), m.end()) for m, q in found if q is not None]
    for pattern in _FEES_NONE:
        out += [(Quantity(0, False, m.group(0), "元"), m.start(), m.end()) for m in pattern.finditer(text)]
    return sorted(out, key=lambda s: s[1])


def narrative_numbers(text: str) -> dict[str, Quantity]:
    """Every labelled quantity the narrative states, by key.

    Keys: proactive_disclosures, requests_received, requests_handled (办理 N 件, may include
    carried-over requests), requests_carried_over, replies_granted, replies_partial,
    replies_refused, reconsideration_total (+ _upheld, _corrected, _other), litigation_total,
    fees_collected, fees_waived, period_year. A key is absent when the text does not state it.
    """
    prose = _prose(text)
    out: dict[str, Quantity] = {}
    proactive, _ = _proactive(prose)
    received, handled = _received(prose)
    for key, row, said in (
        ("proactive_disclosures", _APPENDIX_PROACTIVE, proactive),
        ("requests_received", _APPENDIX_RECEIVED, received),
    ):
        q = _with_appendix(prose, row, said)
        if q is not None:
            out[key] = q
    if handled is not None:
        out["requests_handled"] = handled
    carried = next((q for m in _CARRIED.finditer(prose) if (q := _quantity(m)) is not None), None)
    if carried is not None:
        out["requests_carried_over"] = carried
    for key, pattern in _REPLIES.items():
        m = pattern.search(prose)
        q = _quantity(m) if m else None
        if q is not None:
            out[key] = q
    both = _BOTH_CASES.search(prose)
    if both and _FOI.search(_sentence(prose, both.start())) and (q := _quantity(both)) is not None:
        out["reconsideration_total"] = out["litigation_total"] = q
    for key in _CASES:
        if key in out:
            continue
        total, outcomes = _cases(prose, key)
        if total is not None:
            out[key] = total
            out.update(outcomes)
    out.update(_fees(prose))
    year = period_year(text or "")
    if year is not None:
        out["period_year"] = Quantity(year, False, f"{year}年", "年")
    return out
