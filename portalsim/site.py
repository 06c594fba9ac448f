"""The items of an agency's 年报 column and the URL of everything its site serves.

:func:`site` builds, once per agency (bounded LRU cache), every item ever posted in the column
up to a horizon year (the agency's reports, their re-posts, and the pollution of domain.md §6:
news, 解读, 一图读懂, 图解, 法治政府建设 reports, half-year statistics, format notices, reports of
the superior government and of a sibling body) and a route table from URL path to what it
serves.  Whether an item is visible is decided when serving, by comparing its date with today.
URL shapes follow docs/families.md for each CMS family.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import quote

from portalsim.names import role_index
from portalsim.rng import days, h64, hexname, rng
from portalsim.world import HOSTILE_FILE_PREFIX, Agency, ReportPlan, agency, report_plan


@dataclass(frozen=True, slots=True)
class Item:
    """One entry of a column listing."""

    kind: str  # report | repost | news | notice | halfyear | rule_of_law | interp | graphic |
    #                  tujie | superior | sibling
    title: str
    posted: date  # list date: the item is visible from this date on
    doc_id: int
    year: int  # the report year the item is about (news: its calendar year)
    column: str  # "" = the column itself, "gknb2023" = a TRS year sub-column
    url_date: date
    broken: bool  # the listed link answers 404
    href: str  # the href written in the listing
    path: str  # the absolute path of the detail page (or of the PDF it links to)


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment link of a stub page."""

    ext: str
    key: str  # route key: a path, "dl:<filename>" or "id:<n>"
    href: str
    text: str
    filename: str
    broken: bool


@dataclass(frozen=True, slots=True)
class Route:
    """What a URL serves: ``what`` is page, part, attachment, direct, moved_from or moved_to."""

    what: str
    item: Item
    part: int = 0
    attachment: Attachment | None = None


@dataclass(frozen=True, slots=True)
class Site:
    """An agency's column items (all of them, newest first) and its route table."""

    agency: Agency
    items: tuple[Item, ...]
    routes: dict


def column_dir(ag: Agency) -> str:
    """The column's directory path (``/{slug}/…/``) for families with a directory column."""
    if ag.family == "trs":
        return f"/{ag.slug}/zfxxgknb/"
    if ag.family == "trs6":
        return f"/{ag.slug}/c{ag.column_id}/"
    if ag.family == "hanweb":
        return f"/{ag.slug}/col/col{ag.column_id}/"
    return f"/{ag.slug}/gknb/"


def column_url_path(ag: Agency) -> str:
    """The column URL path that goes into the sources registry."""
    return {
        "trs": column_dir(ag),
        "trs6": column_dir(ag) + "xlist.shtml",
        "hanweb": column_dir(ag) + "index.html",
        "plain": column_dir(ag) + "list.html",
    }[ag.family]


def unicode_names(ag: Agency) -> bool:
    """Does this portal name files in Chinese, with spaces (about one in three)?  Their links
    reach the crawler raw (``./2023年…报告 全文.pdf``) or percent-encoded, and the server
    answers the percent-encoded request either way."""
    return h64(ag.seed, ag.index, "unicode-names") % 3 == 0


def detail_path(ag: Agency, doc_id: int, url_date: date, column: str = "", direct: bool = False) -> str:
    """The absolute path of a detail page (family URL scheme)."""
    if ag.family == "trs":
        sub = f"{column}/" if column else ""
        return f"{column_dir(ag)}{sub}{url_date:%Y%m}/t{url_date:%Y%m%d}_{doc_id}.html"
    if ag.family == "trs6":
        return f"{column_dir(ag)}{url_date:%Y%m}/{doc_id}.shtml"
    if ag.family == "hanweb":
        d = url_date
        return f"/{ag.slug}/art/{d.year}/{d.month}/{d.day}/art_{ag.column_id}_{doc_id}.html"
    if direct and unicode_names(ag):
        return f"/{ag.slug}/uploads/{url_date:%Y}年 政府信息公开年报 {doc_id}.pdf"
    return f"/{ag.slug}/uploads/{doc_id}.pdf" if direct else f"/{ag.slug}/info/{doc_id}.html"


def part_path(path: str, part: int) -> str:
    """The path of continuation part ``part`` of a split TRS page (part 0 = the bare name)."""
    return path if part == 0 else path[: -len(".html")] + f"_{part}.html"


def _href(ag: Agency, path: str, column: str) -> str:
    if ag.family != "trs":
        return path
    base = column_dir(ag) + (f"{column}/" if column else "")
    return "./" + path[len(base) :]


def report_path(ag: Agency, plan: ReportPlan) -> str | None:
    """The path of the report's first posting (what the column lists), None if never posted."""
    if plan.doc_id is None or plan.url_date is None:
        return None
    column = f"gknb{plan.year}" if ag.year_columns else ""
    return detail_path(ag, plan.doc_id, plan.url_date, column, direct=plan.delivery == "direct")


def attachments(ag: Agency, item: Item, plan: ReportPlan, page_path: str) -> list[Attachment]:
    """The attachment links of a report stub page at ``page_path``."""
    exts = {"pdf": ["pdf"], "pdf_docx": ["pdf", "docx"], "doc": ["doc"]}.get(plan.delivery, [])
    out = []
    for k, ext in enumerate(exts, 1):
        filename = (HOSTILE_FILE_PREFIX if plan.hostile else "") + f"{plan.title}.{ext}"
        broken = ext == "docx" and plan.broken_duplicate
        if plan.opaque:
            n = item.doc_id * 10 + k
            prefix = f"附件{k}：" if len(exts) > 1 else "附件："
            out.append(
                Attachment(ext, f"id:{n}", f"/{ag.slug}/download?id={n}", prefix + filename, filename, broken)
            )
        elif ag.family == "trs":
            folder = page_path.rsplit("/", 1)[0] + "/"
            if unicode_names(ag):
                # named after the report, a space inside; the second file's link percent-encoded
                name = f"{plan.title} 全文.{ext}" if k == 1 else f"{plan.title}（附表） {k}.{ext}"
                href = "./" + (name if k == 1 else quote(name))
            else:
                name = f"P0{item.url_date:%Y%m%d}{h64(ag.seed, item.doc_id, ext) % 10**12:012d}.{ext}"
                href = "./" + name
            out.append(Attachment(ext, folder + name, href, plan.title, filename, broken))
        elif ag.family == "trs6":
            path = f"{column_dir(ag)}{item.url_date:%Y%m}/files/{hexname(ag.seed, item.doc_id, ext)}.{ext}"
            out.append(Attachment(ext, path, path, plan.title, filename, broken))
        else:
            fname = f"{hexname(ag.seed, item.doc_id, ext)}.{ext}"
            href = (
                f"/{ag.slug}/module/download/downfile.jsp?classid=0&filename={fname}"
                f"&showname={quote(filename)}"
            )
            out.append(Attachment(ext, f"dl:{fname}", href, plan.title, filename, broken))
    return out


def _report_items(ag: Agency, plan: ReportPlan) -> list[Item]:
    if plan.published is None or plan.doc_id is None or plan.url_date is None:
        return []
    column = f"gknb{plan.year}" if ag.year_columns else ""
    path = report_path(ag, plan)
    assert path is not None
    items = [
        Item(
            "report",
            plan.title,
            plan.published,
            plan.doc_id,
            plan.year,
            column,
            plan.url_date,
            False,
            _href(ag, path, column),
            path,
        )
    ]
    if plan.repost_date and plan.repost_id:
        rpath = detail_path(ag, plan.repost_id, plan.repost_date, column, direct=plan.delivery == "direct")
        items.append(
            Item(
                "repost",
                plan.title,
                plan.repost_date,
                plan.repost_id,
                plan.year,
                column,
                plan.repost_date,
                False,
                _href(ag, rpath, column),
                rpath,
            )
        )
    return items


def _pollution(ag: Agency, year: int, plan: ReportPlan) -> list[tuple[str, str, date, int, str]]:
    """(kind, title, date, slot, column) of the non-report items related to ``year``."""
    r = rng(ag.seed, "pollution", ag.index, year)
    a, y = ag.name, year
    sub = f"gknb{year}" if ag.year_columns else ""
    out = []
    news = [
        "{a}召开政务公开工作会议",
        "{a}开展政府信息公开业务培训",
        "{a}调整政务公开工作领导小组成员",
        "{a}部署推进基层政务公开标准化规范化工作",
        "{a}政府信息公开指南（{y}年修订）",
        "{y}年{a}政务公开工作要点",
    ]
    for slot, template in enumerate(r.sample(news, r.randint(1, 3))):
        when = date(y, 1, 1) + days(r.randint(0, 360))
        out.append(("news", template.format(a=a, y=y), when, slot, ""))
    if r.random() < 0.15:
        out.append(
            (
                "notice",
                f"关于做好{y}年度政府信息公开工作年度报告编制发布工作的通知",
                date(y, 12, 10) + days(r.randint(0, 18)),
                14,
                "",
            )
        )
    if y >= 2019 and r.random() < 0.15:
        out.append(
            (
                "halfyear",
                f"{a}{y}年上半年政府信息公开数据统计",
                date(y, 7, 5) + days(r.randint(0, 45)),
                11,
                "",
            )
        )
    if y >= 2015 and r.random() < 0.25:
        out.append(
            (
                "rule_of_law",
                f"{a}{y}年法治政府建设年度报告",
                date(y + 1, 1, 20) + days(r.randint(0, 69)),
                10,
                "",
            )
        )
    for kind, chance, slot in (("superior", 0.25, 12), ("sibling", 0.15, 13)):
        if r.random() >= chance or (kind == "sibling" and not ag.sibling):
            continue
        other = other_body_index(ag, kind)
        if other is None:  # a body outside the world (prefecture/province): its own plan
            out.append(
                (
                    kind,
                    f"{ag.superior}{y}年政府信息公开工作年度报告",
                    date(y + 1, 3, 5) + days(r.randint(0, 26)),
                    slot,
                    "",
                )
            )
            continue
        other_plan = report_plan(ag.seed, other, y)
        if other_plan.published is not None and y >= agency(ag.seed, other).first_year:
            out.append((kind, other_plan.title, other_plan.published + days(r.randint(0, 10)), slot, ""))
    if plan.published is not None:
        pub = plan.published
        if r.random() < 0.30:
            out.append(
                ("interp", f"{a}{y}年政府信息公开工作年度报告解读", pub + days(r.randint(0, 5)), 7, sub)
            )
        if r.random() < 0.12:
            out.append(
                ("graphic", f"一图读懂{a}{y}年政府信息公开工作年度报告", pub + days(r.randint(1, 7)), 8, sub)
            )
        if r.random() < 0.08:
            paren = "(图解)" if r.random() < 0.5 else "（图解）"
            out.append(
                ("tujie", f"{a}{y}年政府信息公开工作年度报告{paren}", pub + days(r.randint(0, 3)), 9, sub)
            )
    return out


def other_body_index(ag: Agency, kind: str) -> int | None:
    """The world index of the other body whose report a ``superior``/``sibling`` item re-posts.

    A county government's column re-posts its own 办公室's report (a sibling); a township's
    column re-posts its county government's report.  Prefecture and province governments are
    not agencies of the world: None.
    """
    if kind == "sibling":
        return role_index(ag.seed, ag.index, "office")
    if kind == "superior" and ag.kind == "township":
        return role_index(ag.seed, ag.index, "gov")
    return None


def _register(routes: dict, ag: Agency, item: Item, plan: ReportPlan | None) -> None:
    if item.broken:
        return
    if plan is not None and plan.delivery == "direct":
        routes[item.path] = Route("direct", item)
        return
    routes[item.path] = Route("page", item)
    if plan is None:
        return
    paths = [item.path]
    if item.kind == "report" and plan.move_date and plan.moved_id:
        new = detail_path(ag, plan.moved_id, plan.move_date, item.column)
        routes[item.path] = Route("moved_from", item)
        routes[new] = Route("moved_to", item)
        paths.append(new)
    for k in range(1, plan.split_parts):
        routes[part_path(item.path, k)] = Route("part", item, part=k)
    for page in paths:
        for att in attachments(ag, item, plan, page):
            if not att.broken:
                routes[att.key] = Route("attachment", item, attachment=att)


@lru_cache(maxsize=512)
def site(seed: int, i: int, horizon: int) -> Site:
    """Every item and route of agency ``i``'s site for report years up to ``horizon``."""
    ag = agency(seed, i)
    items: list[Item] = []
    routes: dict = {}
    for year in range(ag.first_year, horizon + 1):
        plan = report_plan(seed, i, year)
        for item in _report_items(ag, plan):
            items.append(item)
            _register(routes, ag, item, plan)
        for kind, title, when, slot, column in _pollution(ag, year, plan):
            doc_id = ag.doc_id(when, slot)
            broken = kind == "news" and rng(seed, "broken", i, doc_id).random() < 0.1
            path = detail_path(ag, doc_id, when, column)
            item = Item(kind, title, when, doc_id, year, column, when, broken, _href(ag, path, column), path)
            items.append(item)
            _register(routes, ag, item, None)
    items.sort(key=lambda it: (it.posted, it.doc_id), reverse=True)
    return Site(ag, tuple(items), routes)


def horizon_for(today: date) -> int:
    """The last report year a site must contain to be served as of ``today``."""
    return max(2026, today.year)
