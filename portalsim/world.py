"""The simulated world: agencies and the plan of each of their annual reports.

Agency ``i`` (1-based) and its report for year ``Y`` are pure functions of ``(seed, i)`` and
``(seed, i, Y)``, cached in bounded LRU caches, so a world of any size is derived lazily and
nothing is built for agencies nobody asks about.  Nothing here depends on the simulated
"today": the server filters by date when it serves, and the truth compares with today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from portalsim.names import agency_identity
from portalsim.rng import EPOCH, clamp, days, deadline, rng

FAMILIES = ("trs", "trs6", "hanweb", "plain")
TOWNSHIP_DEADLINE = "02-20"
HOSTILE_RATE = 0.005
HOSTILE_TITLE_SUFFIX = "<script>alert(1)</script><img src=x onerror=alert(1)>"
HOSTILE_FILE_PREFIX = "../../"
TOWNSHIP_NOTE = "乡镇：按县政府通知于次年2月20日前公开上一年度报告（地方规定）"
SERVER_HEADERS = {"trs": "TRS WCM", "trs6": "nginx", "hanweb": "Hanweb JCMS", "plain": "Apache"}


@dataclass(frozen=True, slots=True)
class Agency:
    """One agency of the world with its own site ``/{slug}/`` in one CMS family."""

    seed: int
    index: int
    slug: str
    source_id: str
    name: str
    kind: str
    level: str
    region: str
    place: str
    superior: str
    sibling: str | None
    family: str
    registry_cms: str
    first_year: int
    block: str | None
    year_columns: bool
    page_size: int
    encoding: str
    column_id: int
    web_id: int
    unit_id: int
    untrusted_pubdate: bool
    gbk_disposition: bool
    doc_base: int

    @property
    def township_deadline(self) -> str | None:
        """The local-rule deadline ("MM-DD") of townships, else None."""
        return TOWNSHIP_DEADLINE if self.kind == "township" else None

    def deadline(self, year: int) -> date:
        """The publication deadline of this agency's ``year`` report."""
        return deadline(self.kind, year, TOWNSHIP_DEADLINE)

    def doc_id(self, d: date, slot: int) -> int:
        """The CMS document id of the item posted on ``d`` in ``slot`` (0–19): unique per site."""
        return self.doc_base + (d - EPOCH).days * 20 + slot


@lru_cache(maxsize=8192)
def agency(seed: int, i: int) -> Agency:
    """Agency ``i`` (1-based) of the world ``seed``."""
    ident = agency_identity(seed, i)
    r = rng(seed, "agency", i)
    family = r.choices(FAMILIES, weights=(35, 20, 25, 20))[0]
    registry_cms = "auto" if r.random() < 1 / 3 else family
    first_year = r.choices((2008, 2012, 2016, 2019), weights=(75, 10, 8, 7))[0]
    block = None
    if r.random() < 0.04:
        block = r.choices(("ruishu", "waf", "jiasule"), weights=(50, 25, 25))[0]
    year_columns = family == "trs" and r.random() < 0.2
    encoding = "gbk" if family == "trs" or (family == "plain" and r.random() < 0.4) else "utf-8"
    return Agency(
        seed=seed,
        index=i,
        slug=f"a{i:05d}",
        source_id=f"sim-{i:05d}",
        name=ident["name"],
        kind=ident["kind"],
        level=ident["level"],
        region=ident["region"],
        place=ident["place"],
        superior=ident["superior"],
        sibling=ident["sibling"],
        family=family,
        registry_cms=registry_cms,
        first_year=first_year,
        block=block,
        year_columns=year_columns,
        page_size=15 if family == "hanweb" else r.randint(15, 20),
        encoding=encoding,
        column_id=(100000 + r.randrange(900000)) if family != "hanweb" else r.randrange(10000, 99999),
        web_id=10000 + i,
        unit_id=r.randrange(100000, 999999),
        untrusted_pubdate=(family == "trs6" and r.random() < 1 / 6),
        gbk_disposition=r.random() < 0.5,
        doc_base=1_000_000 + r.randrange(3_000_000),
    )


@dataclass(frozen=True, slots=True)
class ReportPlan:
    """How and when agency ``index`` publishes its report for ``year`` (None dates = never)."""

    index: int
    year: int
    deadline: date
    fate: str  # on_time | late | missing (the report's eventual fate)
    published: date | None
    doc_id: int | None
    url_date: date | None  # date in the URL (t-date): usually published, sometimes epoch/later
    title: str
    h1_break: bool
    delivery: str  # html | split | pdf | pdf_docx | doc | direct
    split_parts: int
    template: str  # freeform | template2019 | template2021
    meta_table: bool
    opaque: bool  # attachments behind {site}/download?id=N
    broken_duplicate: bool  # the DOCX duplicate of a pdf_docx report answers 404
    edit_date: date | None
    repost_date: date | None
    repost_id: int | None
    move_date: date | None
    moved_id: int | None
    hostile: bool = False  # title carries markup, attachment names climb directories (portals.md §5 hijacks)


def _publication(r, dl: date, year: int) -> tuple[str, date | None]:
    """Draw the fate and publication date of a report due on ``dl``."""
    x = r.random()
    earliest = date(year + 1, 1, 2)
    if x < 0.88:
        y = r.random()
        if y < 0.80:
            pub = dl - days(r.randint(5, 30))
        elif y < 0.95:
            pub = dl - days(r.randint(0, 4))
        else:
            pub = dl - days(r.randint(31, 80))
        if pub < earliest:
            pub = earliest + days(r.randint(0, 6))
        return "on_time", clamp(pub, earliest, dl)
    if x < 0.95:
        late = r.randint(1, 30) if r.random() < 0.6 else r.randint(31, 120)
        return "late", dl + days(late)
    return "missing", None


def _title(r, ag: Agency, year: int, allow_guanyu: bool) -> tuple[str, str]:
    """A title variant (domain.md §5) and its style name."""
    styles = ["std", "nian_du", "year_first", "no_gongzuo", "no_zhengfu", "zhengwu", "guanyu"]
    weights = [50, 12, 10, 8, 6, 4, 7 if allow_guanyu else 0]
    style = r.choices(styles, weights=weights)[0]
    a, y = ag.name, year
    title = {
        "std": f"{a}{y}年政府信息公开工作年度报告",
        "nian_du": f"{a}{y}年度政府信息公开工作年度报告",
        "year_first": f"{y}年{a}政府信息公开工作年度报告",
        "no_gongzuo": f"{a}{y}年政府信息公开年度报告",
        "no_zhengfu": f"{a}{y}年度信息公开工作年度报告",
        "zhengwu": f"{a}{y}年度政务信息公开年度报告",
        "guanyu": f"关于{y}年度政府信息公开情况的报告",
    }[style]
    return title, style


def template_for(seed: int, i: int, year: int) -> str:
    """The table format of the ``year`` report (with 2021–2023 template drift)."""
    if year <= 2018:
        return "freeform"
    if year <= 2020:
        return "template2019"
    if year <= 2023 and rng(seed, "drift", i, year).random() < 0.12:
        return "template2019"
    return "template2021"


@lru_cache(maxsize=32768)
def report_plan(seed: int, i: int, year: int) -> ReportPlan:
    """The plan of agency ``i``'s report for ``year`` (deterministic, independent of today)."""
    ag = agency(seed, i)
    r = rng(seed, "report", i, year)
    dl = ag.deadline(year)
    fate, pub = _publication(r, dl, year)
    x = r.random()
    if x < 0.50:
        delivery = "html"
    elif x < 0.75:
        delivery = "pdf"
    elif x < 0.85:
        delivery = "pdf_docx"
    elif x < 0.90:
        delivery = "doc"
    else:
        delivery = "direct" if ag.family == "plain" else "html"
    template = template_for(seed, i, year)
    split_parts = 0
    if delivery == "html" and ag.family == "trs" and year >= 2019 and r.random() < 0.3:
        delivery, split_parts = "split", r.choice((2, 3))
    title, style = _title(r, ag, year, allow_guanyu=delivery != "direct")
    url_date = pub
    if pub is not None and ag.family == "trs":
        y = r.random()
        if y < 0.02:
            url_date = date(1970, 1, 1)
        elif y < 0.07:
            url_date = pub + days(r.randint(1, 3))
    edit_date = repost_date = move_date = None
    repost_id = moved_id = None
    if pub is not None:
        if r.random() < 0.05:
            edit_date = pub + days(r.randint(10, 120))
        if r.random() < 0.03:
            repost_date = pub + days(r.randint(20, 300))
            repost_id = ag.doc_id(repost_date, 5 if year % 2 else 15)
        if delivery not in ("direct", "split") and r.random() < 0.02:
            move_date = pub + days(r.randint(30, 200))
            moved_id = ag.doc_id(move_date, 6 if year % 2 else 16)
    # a hijacked page (0.5 %): drawn from its own stream so every other plan stays as it was
    hostile = rng(seed, "hostile", i, year).random() < HOSTILE_RATE
    if hostile:
        title += HOSTILE_TITLE_SUFFIX
    return ReportPlan(
        index=i,
        year=year,
        deadline=dl,
        fate=fate,
        published=pub,
        doc_id=ag.doc_id(pub, 4) if pub else None,
        url_date=url_date,
        title=title,
        h1_break=r.random() < 0.2,
        delivery=delivery,
        split_parts=split_parts,
        template=template,
        meta_table=style == "guanyu" or r.random() < 0.35,
        opaque=ag.family == "plain" or (ag.family == "hanweb" and r.random() < 0.3),
        broken_duplicate=delivery == "pdf_docx" and r.random() < 0.25,
        edit_date=edit_date,
        repost_date=repost_date,
        repost_id=repost_id,
        move_date=move_date,
        moved_id=moved_id,
        hostile=hostile,
    )


# What a careful watchdog crawling "today" may claim of a report never published: ``missing``
# while today lies within the window after deadline + grace, ``not_online`` after it (the report
# could have been published and removed since).  The crawler's defaults (NIANBAO_GRACE_DAYS,
# NIANBAO_MISSING_WINDOW_DAYS) restated here: the simulator shares no code with what it scores.
CLAIM_GRACE_DAYS = 3
CLAIM_WINDOW_DAYS = 183


def report_status(plan: ReportPlan, today: date) -> tuple[str, date | None]:
    """(status, published_on) of a report as of ``today`` (the truth's definition), for a world
    crawled around ``today``."""
    if plan.published is not None and plan.published <= today:
        return ("on_time" if plan.published <= plan.deadline else "late"), plan.published
    if today <= plan.deadline:
        return "pending", None
    window_end = plan.deadline + timedelta(days=CLAIM_GRACE_DAYS + 1 + CLAIM_WINDOW_DAYS)
    return ("missing" if today < window_end else "not_online"), None


# Copied reports (originality, issue 16): drawn from their own streams, so every other plan and
# every report not chosen stays as it was.  Only standard-format years copy (the free-form
# simulated reports are all stock wording and numbers); the copier keeps its own Table B (and
# the request counts it states) so the carried-over chain still holds, and takes the rest —
# wording, phone, proactive counts, Tables A and C — from the original.
COPY_PREVIOUS_RATE = 0.04
COPY_OTHER_RATE = 0.03


@dataclass(frozen=True, slots=True)
class CopyPlan:
    """Agency ``index``'s ``year`` report copies ``source_index``'s ``source_year`` report;
    ``kind``: previous_year | other_body; ``name_changed``: the copier put its own name in."""

    index: int
    year: int
    kind: str
    source_index: int
    source_year: int
    name_changed: bool


@lru_cache(maxsize=32768)
def copy_plan(seed: int, i: int, year: int) -> CopyPlan | None:
    """Whether agency ``i``'s ``year`` report is a copy, and of what (None: its own text)."""
    plan = report_plan(seed, i, year)
    if plan.published is None or year < 2019 or plan.edit_date is not None:  # copies are never corrected
        return None
    r = rng(seed, "copy", i, year)
    x = r.random()
    template = template_for(seed, i, year)
    if x < COPY_PREVIOUS_RATE:
        if year - 1 < max(2019, agency(seed, i).first_year) or template_for(seed, i, year - 1) != template:
            return None
        prev = report_plan(seed, i, year - 1)
        if prev.published is None or prev.published >= plan.published or copy_plan(seed, i, year - 1):
            return None
        return CopyPlan(i, year, "previous_year", i, year - 1, True)
    if x < COPY_PREVIOUS_RATE + COPY_OTHER_RATE and i > 1:
        kind = agency(seed, i).kind
        for _ in range(8):
            j = r.randrange(1, i)
            other = report_plan(seed, j, year)
            if (
                agency(seed, j).kind == kind
                and agency(seed, j).name != agency(seed, i).name
                and other.published is not None
                and other.published < plan.published
                and template_for(seed, j, year) == template
                and copy_plan(seed, j, year) is None
            ):
                return CopyPlan(i, year, "other_body", j, year, r.random() < 0.5)
    return None


# Quality defects (issue 16 part 2): a small share of standard-format reports is written badly —
# an empty, 「无」 or boilerplate problems section, "/" or blank cells, tables given only as
# images, a fee contradiction, misnumbered sections, a statement the tables contradict.  Drawn
# from their own stream (every other plan stays as it was); never on copies or corrected
# reports, at most one defect per report.  ``portalsim.stats.quality_defect`` drops the ones
# whose precondition the report's numbers do not meet (均已办结 needs requests carried forward).
QUALITY_RATE = 0.12
QUALITY_DEFECTS = (
    "problems_empty",
    "problems_none",
    "problems_boilerplate",
    "slash_cells",
    "blank_cells",
    "image_tables",
    "fee_contradiction",
    "misnumbered_duplicate",
    "misnumbered_gap",
    "claim_all_closed",
    "claim_no_cases",
    "claim_no_requests",
)


@lru_cache(maxsize=32768)
def quality_plan(seed: int, i: int, year: int) -> str | None:
    """The quality defect drawn for agency ``i``'s ``year`` report (None: none drawn)."""
    plan = report_plan(seed, i, year)
    if plan.published is None or year < 2019 or plan.edit_date is not None or copy_plan(seed, i, year):
        return None
    r = rng(seed, "quality", i, year)
    if r.random() >= QUALITY_RATE:
        return None
    return r.choice(QUALITY_DEFECTS)
