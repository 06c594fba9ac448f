"""The text of simulated reports and of the other articles found in 年报 columns.

A document is ``{"title": str, "agency": str, "blocks": [...]}``; a block is ``("h", text)``,
``("p", text)``, ``("table", rows)`` (see :mod:`portalsim.tables`), ``("img", file)`` (a table given
only as a picture: a quality defect) or ``("sign", text)``.
Pre-2019 reports are free-form prose with the Art. 32 sections of the 2008 Regulations and
numbers written in prose (``主动公开信息1.53万条``); 2019+ reports follow the six headings of
the standard format with Tables A/B/C (domain.md §2).  The numbers come from
:mod:`portalsim.stats`, so narrative and tables agree.
"""

from __future__ import annotations

from datetime import date

from portalsim.rng import days, rng
from portalsim.stats import blankable_rows, body_stats, quality_defect, report_stats
from portalsim.tables import table_a, table_b, table_c
from portalsim.world import agency, copy_plan, report_plan

NOTICE_2019 = (
    "《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》"
    "（国办公开办函〔2019〕60号）"
)
NOTICE_2021 = (
    "《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉"
    "的通知》（国办公开办函〔2021〕30号）"
)
PROBLEMS = (
    "一是政府信息公开的深度和广度还需进一步拓展；二是政策解读形式较为单一，解读质量有待提高；"
    "三是工作人员业务能力还需加强。",
    "一是部分栏目信息更新不够及时；二是依申请公开办理流程还需进一步规范；三是公开平台的检索功能有待完善。",
)
IMPROVEMENTS = (
    "下一步，将加强业务培训，完善信息发布审核机制，丰富政策解读形式，不断提升政府信息公开工作水平。",
    "下一步，将健全工作制度，规范依申请公开办理，加强平台建设和监督检查，推动政府信息公开工作提质增效。",
)


def cn_date(d: date) -> str:
    """A date as 2024年1月15日."""
    return f"{d.year}年{d.month}月{d.day}日"


def self_ref(name: str) -> str:
    """How a body refers to itself in its report (我局, 我办, 我县, 我镇…)."""
    if name.endswith("办公室"):
        return "我办"
    if name.endswith("镇人民政府"):
        return "我镇"
    if name.endswith("人民政府"):
        return "我" + name[-5]
    if name.endswith("委员会"):
        return "我委"
    return "我局"


def _wan(n: int) -> str:
    """Prose count: 1.53万 for large round numbers, else the integer."""
    if n >= 10000 and n % 100 == 0:
        return f"{n / 10000:.2f}".rstrip("0").rstrip(".") + "万"
    return str(n)


def _intro(name: str, year: int, template: str, r) -> list:
    period = f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
    contact = (
        f"如对本报告有疑问，请与{name}政务公开办公室联系（电话：0{r.randint(310, 939)}-"
        f"{r.randint(2000000, 8999999)}）。"
    )
    notice = NOTICE_2021 if year >= 2021 else NOTICE_2019
    text = (
        f"本报告依据《中华人民共和国政府信息公开条例》（以下简称《条例》）第五十条和{notice}要求，"
        f"由{name}编制。全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        f"政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
    )
    return [("p", text + period + contact)]


BOILERPLATE_PROBLEMS = (
    "{year}年，{me}政府信息公开工作取得了一定成效，但仍存在一些不足，与公众的期待还有一定差距。"
    "下一步，{me}将继续做好政府信息公开工作，不断提升政府信息公开工作水平。",
    "{me}政府信息公开工作虽取得一定成效，但也存在一些问题和不足。下一步，将认真贯彻落实《中华人民共和国"
    "政府信息公开条例》，进一步加强政府信息公开工作。",
)


def _standard(name: str, year: int, stats: dict, r, defect: str | None = None) -> list:
    """Blocks of a 2019/2021-format report (``defect``: a quality defect, see
    :func:`portalsim.stats.quality_defect`)."""
    me = self_ref(name)
    n = stats["proactive_disclosures"]
    a = r.randint(0, n // 3)
    b = r.randint(0, n - a)
    tb = stats["table_b"]
    blocks = _intro(name, year, stats["template"], r)
    blocks += [
        ("h", "一、总体情况"),
        (
            "p",
            f"（一）主动公开。{year}年，{me}主动公开政府信息{n}条，其中政策文件{a}条、工作动态{b}条、"
            f"其他信息{n - a - b}条。",
        ),
        ("p", _requests_paragraph(year, me, tb, stats, defect)),
        (
            "p",
            "（三）政府信息管理。严格落实信息发布保密审查制度，动态调整主动公开基本目录，"
            "及时清理过期失效信息。",
        ),
        ("p", "（四）政府信息公开平台建设。以政府网站为第一平台，同步通过政务新媒体发布信息。"),
        (
            "p",
            "（五）监督保障。将政务公开工作纳入年度绩效考核，组织业务培训"
            f"{r.randint(1, 6)}次，本年度未发生责任追究情况。",
        ),
        ("h", "二、主动公开政府信息情况"),
        ("table", table_a(stats)),
        ("h", "三、收到和处理政府信息公开申请情况"),
        ("table", table_b(stats)),
        ("h", "四、政府信息公开行政复议、行政诉讼情况"),
        (
            "p",
            f"{year}年，{me}未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。"
            if defect == "claim_no_cases"
            else f"{year}年，{me}因政府信息公开工作被申请行政复议{stats['reconsideration_total']}件，"
            f"被提起行政诉讼{stats['litigation_total']}件。",
        ),
        ("table", table_c(stats)),
        ("h", "五、存在的主要问题及改进情况"),
    ]
    problems = [
        ("p", f"{year}年，{me}政府信息公开工作取得了一定成效，但仍存在一些不足：{r.choice(PROBLEMS)}"),
        ("p", r.choice(IMPROVEMENTS)),
    ]
    if defect == "problems_none":
        problems = [("p", r.choice(("无。", "暂无。", "无")))]
    elif defect == "problems_empty":
        problems = []
    elif defect == "problems_boilerplate":
        problems = [("p", r.choice(BOILERPLATE_PROBLEMS).format(year=year, me=me))]
    blocks += [*problems, ("h", "六、其他需要报告的事项")]
    fee = stats["fee_collected_yuan"]
    blocks.append(("p", f"本年度{me}收取信息处理费{fee}元。" if fee else f"本年度{me}未收取信息处理费。"))
    return _with_defect(blocks, stats, defect)


def _requests_paragraph(year: int, me: str, tb: dict, stats: dict, defect: str | None) -> str:
    head = f"（二）依申请公开。{year}年，{me}"
    if defect == "claim_all_closed":
        return f"{head}共收到政府信息公开申请{tb['一'][6]}件，均已按时办结。"
    if defect == "claim_no_requests":
        return f"{head}未收到政府信息公开申请。"
    text = (
        f"{head}共收到政府信息公开申请{tb['一'][6]}件，上年结转{tb['二'][6]}件，"
        f"已办结{tb['三.七'][6]}件，结转下年度继续办理{tb['四'][6]}件。"
    )
    if defect == "fee_contradiction":  # the opposite of what section 六 says
        fee = stats["fee_collected_yuan"]
        text += "未收取信息处理费。" if fee else f"共收取信息处理费{(tb['一'][6] % 7 + 1) * 10}元。"
    return text


def _with_defect(blocks: list, stats: dict, defect: str | None) -> list:
    """The table and numbering defects (the text defects are written in place)."""
    if defect in ("slash_cells", "blank_cells"):
        mark = "/" if defect == "slash_cells" else ""
        rows = blankable_rows(stats["table_b"])
        return [
            ("table", table_b(stats, blank=(rows, mark)))
            if kind == "table" and value and "勾稽" in value[0][0][0]
            else (kind, value)
            for kind, value in blocks
        ]
    if defect == "image_tables":
        out, k = [], 0
        for kind, value in blocks:
            if kind == "table":
                k += 1
                value = f"nb-table-{k}.png"
                kind = "img"
            out.append((kind, value))
        return out
    if defect in ("misnumbered_duplicate", "misnumbered_gap"):
        # 五 written as 四 (two 四、), or 五/六 written as 六/七 (no 五)
        shift = {"五、": "四、"} if defect == "misnumbered_duplicate" else {"五、": "六、", "六、": "七、"}
        return [
            ("h", shift[value[:2]] + value[2:]) if kind == "h" and value[:2] in shift else (kind, value)
            for kind, value in blocks
        ]
    return blocks


def _freeform(name: str, year: int, stats: dict, r) -> list:
    """Blocks of a free-form report under the 2008 Regulations (Art. 32 sections)."""
    me = self_ref(name)
    ff = stats["freeform"]
    start = "5月1日" if ff["first_period_may"] else "1月1日"
    n = stats["requests_received"]
    channels = "、".join(f"{k}{v}件" for k, v in ff["channels"].items() if v)
    replies = "，".join(f"{k}{v}件" for k, v in ff["replies"].items())
    blocks = [
        (
            "p",
            f"本报告是根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，由{name}编制的{year}"
            f"年度政府信息公开工作年度报告。全文包括概述，主动公开政府信息情况，依申请公开政府信息和不予公开"
            f"政府信息情况，政府信息公开的收费及减免情况，因政府信息公开申请行政复议、提起行政诉讼的情况，"
            f"政府信息公开工作存在的主要问题和改进措施，其他需要报告的事项。本报告中所列数据的统计期限自"
            f"{year}年{start}起至{year}年12月31日止。",
        ),
        ("h", "一、概述"),
        (
            "p",
            f"{year}年，{me}认真贯彻落实《条例》，健全政府信息公开工作机制，明确专人负责，"
            f"政府信息公开工作运行正常。",
        ),
        ("h", "二、主动公开政府信息情况"),
        (
            "p",
            f"{year}年，{me}共主动公开政府信息{_wan(stats['proactive_disclosures'])}条，"
            f"主要通过政府网站、政务公开栏和政府公报等形式公开。",
        ),
        ("h", "三、依申请公开政府信息和不予公开政府信息情况"),
        (
            "p",
            f"{year}年，{me}共受理政府信息公开申请{n}件，其中{channels}。已全部按期答复，其中{replies}。"
            if n
            else f"{year}年，{me}未收到政府信息公开申请（受理申请0件）。",
        ),
        ("h", "四、政府信息公开的收费及减免情况"),
        ("p", f"{year}年，{me}在政府信息公开工作中未收取任何费用，也无减免情况。"),
        ("h", "五、因政府信息公开申请行政复议、提起行政诉讼的情况"),
        (
            "p",
            f"{year}年，{me}因政府信息公开申请行政复议{stats['reconsideration_total']}件，"
            f"提起行政诉讼{stats['litigation_total']}件。",
        ),
        ("h", "六、政府信息公开工作存在的主要问题和改进措施"),
        ("p", f"{r.choice(PROBLEMS)}{r.choice(IMPROVEMENTS)}"),
        ("h", "七、其他需要报告的事项"),
        ("p", "无。"),
    ]
    return blocks


def _document(
    name: str, year: int, stats: dict, signed: date, text_key: tuple, title: str, defect: str | None = None
) -> dict:
    r = rng(*text_key)
    body = (
        _freeform(name, year, stats, r)
        if stats["template"] == "freeform"
        else (_standard(name, year, stats, r, defect))
    )
    body += [("sign", name), ("sign", cn_date(signed))]
    return {"title": title, "agency": name, "year": year, "blocks": body}


def report_document(seed: int, index: int, year: int, version: int) -> dict:
    """The document of agency ``index``'s ``year`` report; ``version`` 1 = the edited one."""
    plan = report_plan(seed, index, year)
    ag = agency(seed, index)
    assert plan.published is not None, "unpublished reports have no document"
    stats = report_stats(seed, index, year, edited=version == 1)
    signed = max(date(year + 1, 1, 1), plan.published - days(rng(seed, "sign", index, year).randint(1, 8)))
    text_key, name = (seed, "text", ag.slug, year), ag.name
    copied = copy_plan(seed, index, year)
    if copied is not None:  # the original's wording and draws; its name unless the copier changed it
        src = agency(seed, copied.source_index)
        text_key = (seed, "text", src.slug, copied.source_year)
        name = ag.name if copied.name_changed else src.name
    doc = _document(name, year, stats, signed, text_key, plan.title, quality_defect(seed, index, year))
    doc["agency"] = ag.name
    if version == 1 and plan.edit_date is not None:
        note = (
            f"（更正说明：本报告原文中主动公开政府信息数量有误，原为{stats['original_proactive_disclosures']}条，"
            f"已于{cn_date(plan.edit_date)}更正为{stats['proactive_disclosures']}条。）"
        )
        doc["blocks"].insert(0, ("p", note))
    return doc


def body_document(seed: int, name: str, kind: str, level: str, year: int, published: date) -> dict:
    """A report of another body (superior or sibling) re-posted in a column."""
    template = "freeform" if year <= 2018 else ("template2019" if year <= 2020 else "template2021")
    stats = body_stats(seed, name, year, kind, level, 2008, template)
    return _document(
        name,
        year,
        stats,
        published - days(2),
        (seed, "text", name, year),
        f"{name}{year}年政府信息公开工作年度报告",
    )


def article_document(seed: int, kind: str, title: str, name: str, year: int, posted: date) -> dict:
    """The short article behind a non-report item of a column (news, 解读, 图解, notices…)."""
    r = rng(seed, "article", name, kind, year, posted.isoformat())
    me = self_ref(name)
    stats_line = (
        f"{year}年，{me}主动公开政府信息{r.randint(30, 900)}条，收到政府信息公开申请{r.randint(0, 30)}件。"
    )
    paragraphs = {
        "news": [
            f"{cn_date(posted)}，{name}召开会议，传达学习上级政务公开工作部署，研究推进本单位政府信息公开工作。",
            "会议要求，要压实工作责任，规范信息发布，提升公开质量。",
        ],
        "interp": [
            f"为便于公众理解《{name}{year}年政府信息公开工作年度报告》，现就有关情况解读如下。",
            "一、报告编制依据。依据《中华人民共和国政府信息公开条例》第五十条编制。",
            "二、主要内容。报告分为总体情况、主动公开、依申请公开、行政复议和行政诉讼、存在问题及改进、"
            "其他事项六部分。",
        ],
        "graphic": [f"一图读懂{name}{year}年政府信息公开工作年度报告。", "（图片）"],
        "tujie": [f"本图解根据{name}{year}年政府信息公开工作年度报告制作。", "（图片）"],
        "rule_of_law": [
            f"{year}年，{me}深入学习贯彻习近平法治思想，扎实推进法治政府建设，现将有关情况报告如下。",
            "一、主要举措和成效。二、存在的不足。三、下一步工作安排。",
        ],
        "halfyear": [
            f"{year}年上半年，{me}主动公开政府信息{r.randint(10, 400)}条，收到政府信息公开申请"
            f"{r.randint(0, 15)}件。",
            "以上数据统计时间为1月1日至6月30日。",
        ],
        "notice": [
            f"各有关单位：为做好{year}年度政府信息公开工作年度报告编制发布工作，现将有关事项通知如下。",
            f"请严格按照国务院办公厅统一格式编制，于{year + 1}年1月20日前报送。",
        ],
    }.get(kind, [stats_line])
    return {
        "title": title,
        "agency": name,
        "year": year,
        "blocks": [("p", p) for p in paragraphs] + [("sign", name), ("sign", cn_date(posted))],
    }
