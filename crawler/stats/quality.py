"""Completeness and content quality (issue 16): rules Q1–Q6, each a :class:`~crawler.stats.checks.Check`.

:func:`quality_checks` runs after :func:`~crawler.stats.checks.run_checks` and returns one Check
per rule in :data:`QUALITY_RULES` order.  The rules are conservative: a rule fails only on text
it can quote (``operands`` carry the quoted text and its character offset in the report text),
and is ``uncertain`` with a reason whenever it cannot tell.

- **Q1 tables as text** (Y ≥ 2019): Tables A/B/C are given as text.  A table counts as missing
  only when it was not parsed *and* none of its own header words (:data:`TABLE_WORDS`) appear
  anywhere in the text; it fails when the section heading that should carry it is there and the
  text goes on to a later section (the table is an image, or left out; a text that ends inside
  the section is an excerpt → uncertain).  Header words without a parsed table → uncertain.
- **Q2 blank or "/" cells**: blank and "/" cells where a number belongs — every cell of Tables B
  and C and Table A's count cells (not its money columns, and not a "/" in the 规章 row, which
  bodies that cannot make 规章 rightly write).  Fails with the count and the cells.  A blank
  counts only in tables read from real cells (HTML/DOCX grids): in flattened text (PDF) an
  empty cell and a cell the reader lost look alike, so a blank there is ``uncertain``; an
  explicit "/" counts everywhere.
- **Q3 problems section** (五、存在的主要问题及改进情况): fails when the section is missing (the
  复议/诉讼 section is followed directly by 其他需要报告的事项), empty, only 无/暂无/没有, or
  boilerplate: fewer than :data:`MIN_OWN_CHARS` Chinese characters remain after removing the
  heading words, years, self-references and the generic stock phrases of :data:`GENERIC`.
- **Q4 fees**: the 信息处理费 (information-processing fee) statements of the text agree: a
  statement that none was collected against one stating an amount > 0 fails, and so does a text
  saying no fee notice was sent (未发出收费通知) against Table B row (六)2 > 0 (2021 form).  Table
  A's 行政事业性收费 is administrative fee revenue, never an FOI fee, and is never compared.
- **Q5 section numbering**: the statutory headings are numbered in order without a duplicate
  or a gap (a skipped number with no heading of that number between them).
- **Q6 statements against the tables**: 均已办结/全部办结 (about requests) while Table B row 四
  (结转下年度继续办理) 总计 > 0; 未发生/未被申请…行政复议/行政诉讼 while Table C's totals are > 0;
  未收到…政府信息公开申请 while Table B row 一 总计 > 0.

Severity: ``warning`` for all six (``inconsistent`` flags raised from them are hints, not
arithmetic errors).
"""

from __future__ import annotations

import re

from crawler.stats.checks import Check
from crawler.stats.prose import fee_statements
from crawler.stats.sections import Heading, headings, section_text, statutory_headings
from crawler.stats.tables import B_COLUMNS, C_KEYS, Cell, Tables, a_keys, b_rows
from crawler.vocab.text import fold_width_aligned

QUALITY_RULES = {
    "Q1": "warning",
    "Q2": "warning",
    "Q3": "warning",
    "Q4": "warning",
    "Q5": "warning",
    "Q6": "warning",
}
QUOTE = 160  # characters of quoted text kept in operands

# Header words only the tables print (a sentence of the narrative does not use them).
TABLE_WORDS = {
    "A": re.compile(
        r"信息内容|本年制发件数|本年废止件数|现行有效件数|本年新制作数量|本年新公开数量|对外公开总数量"
        r"|上一年项目数量|处理决定数量|采购项目数量"
    ),
    "B": re.compile(r"勾稽|申请人情况|法人或其他组织|商业企业|科研机构|社会公益组织|法律服务机构"),
    "C": re.compile(r"尚未审结|结果维持|结果纠正|其他结果|未经复议直接起诉|复议后起诉"),
}
TABLE_SECTION = {"A": "proactive", "B": "requests", "C": "review"}

# Q3: a section this short once the generic wording is gone says nothing concrete.
MIN_OWN_CHARS = 20
NONE_ANSWERS = frozenset(
    {"无", "暂无", "没有", "无此项", "本年度无", "本年无", "无相关情况", "无相关内容", "略"}
)
_ORG = r"(?:我|本)(?:局|办|委|县|市|区|镇|乡|街道|厅|署|院|部|中心|单位|机关|部门)"
_WORK = r"(?:政府信息公开|政务公开|信息公开)(?:和政务服务|与政务服务)?(?:工作)?"
_PUBLIC = r"(?:上级(?:的)?要求|(?:社会)?公众(?:的)?(?:期待|期盼|需求|要求)|(?:人民)?群众(?:的)?(?:期待|期盼|需求|要求))"
# Generic stock phrases of a problems section: they name no problem and no measure.
GENERIC = tuple(
    re.compile(p)
    for p in (
        r"(?:19|20)\d{2}年度?",
        _ORG,
        r"[一二三四五六七八九十\d]+是",  # 一是/二是 list markers
        rf"{_WORK}?(?:虽然|虽)?取得(?:了)?(?:一定|明显|较好|积极|显著)?(?:的)?(?:成效|成绩|进展)",
        r"(?:但|但是)?(?:仍然|仍|也|还)?(?:然)?存在(?:着)?(?:一些|一定|部分|诸多|少许)?(?:的)?"
        r"(?:问题|不足|差距|短板|薄弱环节)(?:和|与|及)?(?:问题|不足|差距)?",
        rf"与{_PUBLIC}(?:(?:和|及|、){_PUBLIC})?(?:相比)?(?:还|仍)?(?:有|存在)(?:一定|一些)?(?:的)?差距",
        r"下一步(?:工作中)?",
        r"(?:今后)?(?:我们)?将(?:继续|进一步|持续)?(?:认真)?(?:做好|加强|推进|抓好|提升|提高|规范|改进|完善)"
        rf"{_WORK}",
        rf"(?:不断|持续|全面|切实)?(?:提升|提高|推动|推进)?{_WORK}(?:的)?(?:水平|质量|实效|成效|提质增效)?",
        r"(?:认真)?(?:贯彻(?:落实)?|落实)《(?:中华人民共和国)?政府信息公开条例》",
        r"(?:及|和)?(?:上级|有关|相关)(?:部门)?(?:的)?(?:要求|规定|部署)",
        r"进一步|继续|持续|不断|切实|努力|认真|扎实|全力|着力|积极|加大力度|力度",
        r"存在的?主要问题(?:及|和)改进(?:情况|措施)|存在问题(?:及|和)改进(?:情况|措施)",
    )
)
_CJK = re.compile(r"[\u3400-\u9fff]")

# Q6 claims.  A clause about the requests that says all were closed; the sentence must be about
# disclosure requests and not about the carried-in ones or other matters (proposals, petitions).
_ALL_CLOSED = re.compile(
    r"(?:均|全部|全都|都)(?:已经|已)?(?:经)?(?:按时|按期|依法|及时|在法定期限内)?(?:予以)?"
    r"(?:办结|办理完毕|处理完毕|办理完成)|(?:无|没有)(?:申请)?结转(?:至|到)?下一?年度?"
)
_NOT_REQUESTS = re.compile(
    r"建议|提案|信访|投诉|举报|留言|来信|诉求|热线|咨询|复议|诉讼|案件|上一?年度?结转|结转上"
)
_NO_CASES = re.compile(
    r"(?<!尚)(?:未被|未(?!经)|没有|无(?!论|法|正当|需|须))(?:发生|出现|收到|接到|产生|有)?(?:过)?(?:任何)?"
    r"(?:因|涉及|关于|有关)?[^，,。；;：:\n\d]{0,30}?(?:行政复议|行政诉讼)"
)
_FOI = re.compile(r"信息公开|公开申请|依申请")
_NO_REQUESTS = re.compile(
    r"(?:未|没有)(?:收到|接到|受理|接收)(?:过|到)?(?:任何)?(?:公民、法人(?:和|或|或者)其他组织(?:的|提出的)?)?"
    r"(?:政府)?(?:信息公开|依申请公开(?:政府信息)?)?(?:的)?申请(?!人)"
)
_NO_NOTICE = re.compile(r"未(?:向申请人)?(?:发出|下发|出具|送达|发送)(?:过)?(?:任何)?(?:信息处理费)?收费通知")
_FEE_CONTEXT = re.compile(r"信息处理费|处理费|信息公开|依申请|申请人")
_PARTIAL = re.compile(r"部分|其中|减免|对\S{0,12}?申请")
_CLAUSE_END = "，,。；;\n"


def _check(rule: str, result: str, message: str, **operands: object) -> Check:
    return Check(rule, result, QUALITY_RULES[rule], operands, message)


class _Doc:
    """A report text as the rules read it: width-folded (``text``, same offsets as ``orig``)
    and its headings; quotes come from the original text."""

    def __init__(self, orig: str) -> None:
        self.orig = orig
        self.text = fold_width_aligned(orig)
        self.found = headings(self.text)

    def quote(self, start: int, end: int | None = None) -> dict:
        end = start + QUOTE if end is None else end
        return {"quote": self.orig[start:end][:QUOTE], "offset": start}


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    i = max(text.rfind("。", 0, start), text.rfind("\n", 0, start)) + 1
    stops = [k for k in (text.find("。", end), text.find("\n", end)) if k != -1]
    return i, min(stops, default=len(text))


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    i = max(text.rfind(c, 0, start) for c in _CLAUSE_END) + 1
    stops = [k for k in (text.find(c, end) for c in _CLAUSE_END) if k != -1]
    return i, min(stops, default=len(text))


def _v(cell: Cell | None) -> int | float | None:
    return cell.value if cell is not None and cell.status == "number" else None


# -- Q1 -----------------------------------------------------------------------------------------
def _q1(t: Tables, doc: _Doc, year: int | None) -> Check:
    text, found = doc.text, doc.found
    if year is None or year < 2019:
        return _check("Q1", "uncertain", "Q1 applies to standard-format reports (from 2019).", year=year)
    parsed = {"A": t.a, "B": t.b, "C": t.c}
    missing = [name for name, part in parsed.items() if not part]
    if not missing:
        return _check(
            "Q1", "pass", "Tables A, B and C are given as text.", tables=["A", "B", "C"], source=t.source
        )
    failing, unsure = [], []
    for name in missing:
        words = TABLE_WORDS[name].search(text)
        heading = next((h for h in found if h.statutory == TABLE_SECTION[name]), None)
        if words is not None:
            unsure.append(
                {
                    "table": name,
                    "reason": "header words present, table unreadable",
                    **doc.quote(words.start(), words.end()),
                }
            )
        elif heading is None:
            unsure.append({"table": name, "reason": "neither the table nor its section heading found"})
        elif not any(h.start > heading.start and h.statutory not in (None, heading.statutory) for h in found):
            unsure.append({"table": name, "reason": "the text ends in the table's section (an excerpt?)"})
        else:
            failing.append({"table": name, **doc.quote(heading.start, heading.end)})
    if failing:
        names = ", ".join(f["table"] for f in failing)
        return _check(
            "Q1",
            "fail",
            f"Table(s) {names} not given as text: the section heading is there but no table cells "
            "or table headers follow (an image, or left out).",
            failing=failing,
            uncertain=unsure,
        )
    return _check(
        "Q1",
        "uncertain",
        f"Table(s) {', '.join(missing)} not parsed, but their text may be there.",
        failing=[],
        uncertain=unsure,
    )


# -- Q2 -----------------------------------------------------------------------------------------
def _a_count_keys(t: Tables) -> list[str]:
    return [k for k in a_keys(t.format) if not k.endswith(("本年收费金额", "采购总金额"))]


def _q2(t: Tables) -> Check:
    if not t.found():
        return _check("Q2", "uncertain", "No table was parsed.")
    empty: list[dict] = []
    unread: list[str] = []
    grid = t.source == "grid"

    def look(name: str, cell: Cell | None, allow_na: bool = False) -> None:
        if cell is None or cell.status == "text" or (cell.status == "blank" and not grid):
            unread.append(name)  # a blank in flattened text may be a cell the reader lost
        elif cell.status == "blank" or (cell.status == "na" and not allow_na):
            empty.append({"cell": name, "raw": cell.raw, "status": cell.status})

    if t.b:
        layout = b_rows(
            "template2021" if any(k.startswith("三.六.") for k in t.b) else t.format or "template2019"
        )
        for row in layout:
            for col in B_COLUMNS:
                look(f"B {row}/{col}", t.b.get(row, {}).get(col))
    if t.c:
        for key in C_KEYS:
            look(f"C {key}", t.c.get(key))
    if t.a:
        for key in _a_count_keys(t):
            look(f"A {key}", t.a.get(key), allow_na=key.startswith("规章."))
    tables = [name for name, part in (("A", t.a), ("B", t.b), ("C", t.c)) if part]
    if empty:
        blanks = sum(e["status"] == "blank" for e in empty)
        return _check(
            "Q2",
            "fail",
            f"{len(empty)} cell(s) where a number belongs are blank ({blanks}) or '/' ({len(empty) - blanks}).",
            count=len(empty),
            blank=blanks,
            slash=len(empty) - blanks,
            cells=empty[:40],
            tables=tables,
        )
    if unread:
        return _check(
            "Q2",
            "uncertain",
            f"No blank or '/' cell among those read; {len(unread)} cell(s) could not be read.",
            count=0,
            unread=unread[:40],
            tables=tables,
        )
    return _check("Q2", "pass", "Every cell where a number belongs holds one.", count=0, tables=tables)


# -- Q3 -----------------------------------------------------------------------------------------
def own_chars(body: str) -> int:
    """Chinese characters of a problems section left once :data:`GENERIC` wording is removed."""
    rest = fold_width_aligned(body)
    for rx in GENERIC:
        rest = rx.sub(" ", rest)
    return len(_CJK.findall(rest))


def _q3(doc: _Doc) -> Check:
    text, found = doc.text, doc.found
    stat = statutory_headings(found)
    if len(stat) < 3:
        return _check("Q3", "uncertain", "The report's sections were not recognised.", sections=sorted(stat))
    span = section_text(text, found, "problems")
    if span is None:
        review, other = stat.get("review"), stat.get("other")
        if review and other:
            between = [h for h in found if review[0].start < h.start < other[0].start]
            if not between:
                return _check(
                    "Q3",
                    "fail",
                    "No 存在的主要问题及改进情况 section: the 复议/诉讼 section is followed by 其他需要报告的事项.",
                    state="missing",
                    headings=[doc.quote(h.start, h.end) for h in (review[0], other[0])],
                )
        return _check("Q3", "uncertain", "No 存在的主要问题 heading was recognised.", sections=sorted(stat))
    heading, start, end = span
    body = text[start:end]
    bare = re.sub(r"[\s\W_]+", "", fold_width_aligned(body))
    evidence = {"heading": doc.quote(heading.start, heading.end), **doc.quote(start, end)}
    if not bare:
        return _check(
            "Q3", "fail", "The 存在的主要问题及改进情况 section is empty.", state="empty", **evidence
        )
    if bare in NONE_ANSWERS:
        return _check(
            "Q3",
            "fail",
            f"The 存在的主要问题及改进情况 section only says 「{bare}」.",
            state="none",
            **evidence,
        )
    own = own_chars(body)
    if own < MIN_OWN_CHARS:
        return _check(
            "Q3",
            "fail",
            f"The 存在的主要问题及改进情况 section is boilerplate: {own} own characters after the generic "
            f"wording (fewer than {MIN_OWN_CHARS}).",
            state="boilerplate",
            own_chars=own,
            **evidence,
        )
    return _check(
        "Q3",
        "pass",
        f"The 存在的主要问题及改进情况 section has {own} characters of its own wording.",
        state="concrete",
        own_chars=own,
        **evidence,
    )


# -- Q4 -----------------------------------------------------------------------------------------
def _fee_claims(doc: _Doc) -> list[dict]:
    """Statements of the information-processing fee collected, with context checks."""
    text, found = doc.text, doc.found
    fees_section = section_text(text, found, "fees")
    out = []
    for q, start, end in fee_statements(text):
        s0, s1 = _sentence(text, start, end)
        c0, _ = _clause(text, start, end)
        in_fees = fees_section is not None and fees_section[1] <= start < fees_section[2]
        if not (_FEE_CONTEXT.search(text[s0:s1]) or in_fees):
            continue  # 未收取任何费用 about another service
        if q.value == 0 and (re.search(r"\d", text[c0:start]) or _PARTIAL.search(text[c0:end])):
            continue  # 对3件申请未收取信息处理费: a waiver for some, not a statement about all
        out.append({"value": q.value, **doc.quote(start, end)})
    return out


def _q4(t: Tables, doc: _Doc) -> Check:
    text = doc.text
    claims = _fee_claims(doc)
    notice_row = _v(t.b.get("三.六.2", {}).get("总计"))
    no_notice = [doc.quote(m.start(), m.end()) for m in _NO_NOTICE.finditer(text)]
    if no_notice and notice_row:
        return _check(
            "Q4",
            "fail",
            f"The text says no fee notice was sent, but Table B row (六)2 (逾期未按收费通知要求缴纳费用) "
            f"counts {notice_row}.",
            statements=no_notice,
            table_b_six_2=notice_row,
        )
    if not claims:
        return _check(
            "Q4", "uncertain", "The text states no information-processing fee.", table_b_six_2=notice_row
        )
    none = [c for c in claims if c["value"] == 0]
    amounts = [c for c in claims if c["value"] > 0]
    if none and amounts:
        return _check(
            "Q4",
            "fail",
            "The text says no information-processing fee was collected and also states "
            f"{amounts[0]['value']} 元.",
            none=none,
            amounts=amounts,
            table_b_six_2=notice_row,
        )
    if len({c["value"] for c in amounts}) > 1:
        return _check(
            "Q4",
            "uncertain",
            "Different fee amounts are stated (parts and a total?).",
            amounts=amounts,
            table_b_six_2=notice_row,
        )
    what = f"{amounts[0]['value']} 元 collected" if amounts else "no fee collected"
    return _check(
        "Q4", "pass", f"The fee statements agree: {what}.", statements=claims, table_b_six_2=notice_row
    )


# -- Q5 -----------------------------------------------------------------------------------------
def _runs(found: list[Heading]) -> list[list[Heading]]:
    """The statutory headings split where the document starts again (a report text made of a
    PDF and its DOCX twin holds the headings twice): a run restarts at its first key."""
    runs: list[list[Heading]] = []
    for h in found:
        if h.statutory is None:
            continue
        if not runs or h.statutory == runs[-1][0].statutory:
            runs.append([])
        runs[-1].append(h)
    return runs


def _numbering(doc: _Doc, ordered: list[Heading]) -> list[dict]:
    """Duplicates, inversions and gaps in one run of statutory headings."""
    problems: list[dict] = []
    for a, b in zip(ordered, ordered[1:], strict=False):
        where = {"after": doc.quote(a.start, a.end), "at": doc.quote(b.start, b.end)}
        if b.number <= a.number:
            problems.append({"kind": "duplicate" if b.number == a.number else "out_of_order", **where})
        elif b.number > a.number + 1:
            between = {h.number for h in doc.found if a.start < h.start < b.start}
            gap = [n for n in range(a.number + 1, b.number) if n not in between]
            if gap:
                problems.append({"kind": "gap", "missing": gap, **where})
    return problems


def _q5(doc: _Doc) -> Check:
    runs = [run for run in _runs(doc.found) if len(run) >= 3]
    sequence = [f"{h.numeral}、{h.statutory}" for h in doc.found if h.statutory]
    if not runs:
        return _check(
            "Q5", "uncertain", "Fewer than 3 statutory section headings were found.", sequence=sequence
        )
    if any(len({h.statutory for h in run}) < len(run) for run in runs):
        return _check(
            "Q5",
            "uncertain",
            "A statutory heading appears twice (nested or repeated headings): the numbering cannot be read.",
            sequence=sequence,
        )
    for run in runs:
        problems = _numbering(doc, run)
        shown = "、".join(h.numeral for h in run)
        if problems:
            return _check(
                "Q5",
                "fail",
                f"The sections are misnumbered: {shown} ({', '.join(p['kind'] for p in problems)}).",
                sequence=[h.quote() for h in run],
                problems=problems,
            )
    shown = "、".join(h.numeral for h in runs[0])
    return _check(
        "Q5",
        "pass",
        f"The sections are numbered in order: {shown}.",
        sequence=[h.quote() for h in runs[0]],
        copies=len(runs),
    )


# -- Q6 -----------------------------------------------------------------------------------------
def _claims(doc: _Doc) -> list[dict]:
    text, found = doc.text, doc.found
    review = section_text(text, found, "review")
    out = []
    for m in _ALL_CLOSED.finditer(text):
        s0, s1 = _sentence(text, m.start(), m.end())
        sentence = text[s0:s1]
        if "申请" not in sentence or _NOT_REQUESTS.search(sentence):
            continue
        out.append({"claim": "all_closed", **doc.quote(s0, s1), "match": m.group(0)})
    for m in _NO_CASES.finditer(text):
        c0, c1 = _clause(text, m.start(), m.end())
        s0, s1 = _sentence(text, m.start(), m.end())
        clause = text[m.start() : c1]
        in_review = review is not None and review[1] <= m.start() < review[2]
        if re.search(r"\d", text[c0:c1]) or not (_FOI.search(text[s0:s1]) or in_review):
            continue
        covers = [w for w in ("复议", "诉讼") if w in clause]
        out.append({"claim": "no_cases", "covers": covers, **doc.quote(s0, s1), "match": m.group(0)})
    for m in _NO_REQUESTS.finditer(text):
        s0, s1 = _sentence(text, m.start(), m.end())
        c0, c1 = _clause(text, m.start(), m.end())
        if re.search(r"上一?年|结转|复议|诉讼|\d", text[c0:c1]):
            continue
        out.append({"claim": "no_requests", **doc.quote(s0, s1), "match": m.group(0)})
    return sorted(out, key=lambda c: c["offset"])


def _q6(t: Tables, doc: _Doc) -> Check:
    if not (t.b or t.c):
        return _check("Q6", "uncertain", "No Table B or C to compare statements with.")
    carried = _v(t.b.get("四", {}).get("总计"))
    received = _v(t.b.get("一", {}).get("总计"))
    recon = _v(t.c.get("复议.总计"))
    direct, after = _v(t.c.get("诉讼直接.总计")), _v(t.c.get("诉讼复议后.总计"))
    suits = None if direct is None or after is None else direct + after
    cells = {"B 四 总计": carried, "B 一 总计": received, "C 复议 总计": recon, "C 诉讼 总计": suits}
    failing, unsure, held = [], [], []
    for c in _claims(doc):
        if c["claim"] == "all_closed":
            against = {"B 四 总计": carried}
        elif c["claim"] == "no_requests":
            against = {"B 一 总计": received}
        else:
            against = {
                k: v
                for w, k, v in (("复议", "C 复议 总计", recon), ("诉讼", "C 诉讼 总计", suits))
                if w in c["covers"]
            }
        if any(v is None for v in against.values()) or not against:
            unsure.append({**c, "cells": against})
        elif any((v or 0) > 0 for v in against.values()):
            failing.append({**c, "cells": against})
        else:
            held.append({**c, "cells": against})
    if failing:
        first = failing[0]
        return _check(
            "Q6",
            "fail",
            f"The text says 「{first['match']}」 but the table shows "
            + ", ".join(f"{k} = {v}" for k, v in first["cells"].items())
            + ".",
            failing=failing,
            uncertain=unsure,
            held=held,
        )
    if unsure:
        return _check(
            "Q6",
            "uncertain",
            "A statement could not be compared (table cells missing).",
            failing=[],
            uncertain=unsure,
            held=held,
        )
    return _check(
        "Q6",
        "pass",
        f"No statement contradicts the tables ({len(held)} checked).",
        failing=[],
        uncertain=[],
        held=held,
        cells=cells,
    )


def quality_checks(t: Tables, text: str, *, year: int | None) -> list[Check]:
    """Rules Q1–Q6 on one report's text and parsed tables (see the module docs)."""
    doc = _Doc(text or "")
    return [_q1(t, doc, year), _q2(t), _q3(doc), _q4(t, doc), _q5(doc), _q6(t, doc)]
