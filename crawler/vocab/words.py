"""Vocabulary shared by the crawler, storage and (later) compliance: one place for each word."""

from __future__ import annotations

# Document kinds (documents.kind, request meta "nianbao_kind").
LISTING = "listing"
DETAIL = "detail"
ATTACHMENT = "attachment"
ROBOTS = "robots"
DOCUMENT_KINDS = (LISTING, DETAIL, ATTACHMENT, ROBOTS)

# CMS families understood by the column spider (sources.cms); "auto" detects per page.
CMS_FAMILIES = ("auto", "trs", "trs6", "hanweb", "plain")

# Source levels and deadline kinds (sources registry, DESIGN §5).
LEVELS = (
    "state_council_dept",
    "province",
    "province_dept",
    "city",
    "city_dept",
    "county",
    "county_dept",
    "township",
    "other",
)
SOURCE_KINDS = ("region", "dept", "township")

# Block kinds recorded as fetches.block / source status "blocked:<kind>".
BLOCK_KINDS = ("ruishu", "jiasule", "edgeone", "wzws", "waf", "tiny", "captcha", "login")

# Publish-date provenance (DESIGN §6), in order of precedence.
DATE_SOURCES = ("meta", "page", "list", "url")
DATE_NONE = "none"

# Per-source outcome of a crawl run (source_runs.status).
SOURCE_OK = "ok"
SOURCE_BLOCKED = "blocked"  # stored as "blocked:<kind>"
SOURCE_UNREACHABLE = "unreachable"
SOURCE_EMPTY = "empty"  # column fetched fine but listed no report
SOURCE_PARTIAL = "partial"  # some listing pages failed: the walk cannot prove an absence
SOURCE_INTERRUPTED = "interrupted"  # the run was stopped before its walks ended: proves nothing
HEALTH_WINDOW_DAYS = 14
# Source health states (crawler.health): the two that raise source_broken / source_blocked flags.
HEALTH_BROKEN = "broken"
HEALTH_BLOCKED = "blocked"  # source health judges the runs of this many days (and the streak before)
# Attachment rows that are pages of the report itself (TRS continuation pages).
PART_PAGE = "page"
OTHER_BODY = "other body"  # reports.exclusion of another body's report seen in a column

# Compliance status words (DESIGN §6).  ``not_online``: no report seen, but the only captures
# proving its absence came long after the deadline (it may have been published and removed since),
# a weaker claim than ``missing``, which needs an absence seen within the window after the deadline.
STATUSES = ("on_time", "late", "missing", "not_online", "pending", "unknown")

# Flag kinds (flags.kind); the compliance ones come from verdicts, one per source and year.
FLAG_KINDS = (
    "missing",
    "not_online",
    "late",
    "edited",
    "inconsistent",
    "copied",
    "source_broken",
    "source_blocked",
)
COMPLIANCE_KINDS = ("missing", "not_online", "late")  # flags raised from verdicts, one key per source-year

# Headline numbers of a report (columns of ``reports``, DESIGN §2.5): what exports and searches show.
HEADLINE = (
    "proactive_disclosures",
    "requests_received",
    "requests_carried_over",
    "reconsideration_total",
    "litigation_total",
)

# What each check rule (``checks.rule``) is, in Chinese and English: the consistency rules of
# domain.md §2.5 (crawler.stats.checks) and the completeness / content-quality rules of issue 16
# (crawler.stats.quality).  The web UI, ``nianbao show`` and the export describe rules by these.
RULE_NAMES: dict[str, tuple[str, str]] = {
    "B1": ("表三勾稽关系：一+二=三(七)+四", "Table B balance: 一 + 二 = 三(七) + 四"),
    "B2": ("表三各行总计等于各列之和", "Table B row totals"),
    "B3": ("表三办理结果之和等于总计", "Table B outcomes sum to 三(七)"),
    "B4": ("表三各项为非负整数", "Table B cells are integers ≥ 0"),
    "B5": ("上年结转等于上一年度结转下年", "carried over = last year's carried forward"),
    "C1": ("行政复议各项之和等于总计", "reconsideration results sum to the total"),
    "C2": ("未经复议直接起诉各项之和等于总计", "direct lawsuits sum to the total"),
    "C3": ("复议后起诉各项之和等于总计", "lawsuits after reconsideration sum to the total"),
    "C4": ("复议后起诉不多于行政复议", "lawsuits after reconsideration ≤ reconsiderations"),
    "A1": ("表二各项数值有效", "Table A cells are valid numbers"),
    "A2": ("现行有效件数跨年衔接", "in-force documents chain across years"),
    "A3": ("乡镇街道及部门不制定规章", "bodies below 设区的市 make no 规章"),
    "T1": ("正文申请数与表三一致", "narrative request count = Table B"),
    "T2": ("正文复议诉讼数与表四一致", "narrative review/lawsuit counts = Table C"),
    "T3": ("正文分项之和等于总数", "stated sub-counts sum to the stated total"),
    "T4": ("正文结转及办理结果数与表三一致", "stated carried-over and outcome counts equal Table B"),
    "S1": ("统计期限为报告年度", "statistics period is the report year"),
    "S2": ("六部分标题及三张表格齐全", "all six headings and Tables A/B/C present"),
    "S3": ("表格格式与年度相符", "table format matches the year"),
    "Q1": ("表格以文字形式提供（非图片）", "tables given as text, not only as images"),
    "Q2": ("表格无空白或“/”单元格", "no blank or “/” cells where a number belongs"),
    "Q3": ("“存在的主要问题及改进情况”内容具体", "problems section states concrete problems and measures"),
    "Q4": ("信息处理费表述前后一致", "information-processing fee statements agree"),
    "Q5": ("各部分序号连续无重复", "sections numbered in order, no gap or duplicate"),
    "Q6": ("正文表述与表格不矛盾", "statements do not contradict the tables"),
}

# Request meta keys shared by the spider, the archive middleware and the store pipeline.
META_SOURCE = "nianbao_source"  # the source id a request belongs to
META_KIND = "nianbao_kind"  # one of DOCUMENT_KINDS
META_FETCH_ID = "nianbao_fetch_id"  # set by the archive middleware: the ``fetches`` row of the exchange
META_SHA256 = "nianbao_sha256"  # set by the archive middleware: the payload's SHA-256

# Status of one listing page capture (listing_snapshots.status): it showed content, or why not
# ("blocked:<kind>", "http:<code>", "error:<exception>", "robots").
PAGE_OK = "ok"
PAGE_ROBOTS = "robots"
PAGE_HTTP = "http"
PAGE_ERROR = "error"


# Why a source could not be read, from the failure of its listing pages (``unreachable:<cause>``).
UNREACHABLE_CAUSES = {
    "refused": "connection refused",
    "dns": "DNS lookup failed",
    "tls": "TLS handshake or certificate failed",
    "timeout": "timed out",
    "lost": "connection lost",
    "robots": "robots.txt forbids or could not be read",
    "redirect": "redirected off the source's hosts (refused)",
    "too-large": "response larger than the size limit",
    "http": "HTTP error",
    "error": "download failed",
}
_CAUSE_WORDS = (  # exception class names (Scrapy, Twisted, OpenSSL) → cause
    ("refused", ("ConnectionRefused",)),
    ("dns", ("DNSLookup", "DNS", "NoAddress", "gaierror")),
    ("tls", ("SSL", "TLS", "Certificate")),
    ("timeout", ("Timeout", "TimedOut")),
    ("lost", ("ConnectionLost", "ConnectionDone", "ConnectionAborted", "ConnectionReset", "NeverReceived")),
    ("redirect", ("RedirectRefused",)),
    ("too-large", ("TooLarge",)),
)


def unreachable_cause(page_status: str) -> str:
    """The cause slug of a failed listing page's status (``error:DownloadConnectionRefusedError``
    → ``refused``, ``http:503`` → ``http-503``, ``robots`` → ``robots``)."""
    word, _, detail = page_status.partition(":")
    if word == "http":
        return f"http-{detail}" if detail else "http"
    if word == "robots":
        return "robots"
    for cause, needles in _CAUSE_WORDS:
        if any(n.lower() in detail.lower() for n in needles):
            return cause
    return "error"


def describe_cause(cause: str) -> str:
    """``refused`` → "connection refused", ``http-503`` → "HTTP 503"."""
    if cause.startswith("http-"):
        return f"HTTP {cause[5:]}"
    return UNREACHABLE_CAUSES.get(cause, cause)


def with_detail(word: str, detail: object) -> str:
    """A status word with its detail: ``blocked:ruishu``, ``http:404``, ``error:TimeoutError``."""
    return f"{word}:{detail}"


# The deadline kind of a body of each level (DESIGN §5): a people's government is ``region``, a
# township ``township``, any other body ``dept``; "other" (a development zone) has none to infer.
KIND_OF_LEVEL = {
    "state_council_dept": "dept",
    "province": "region",
    "province_dept": "dept",
    "city": "region",
    "city_dept": "dept",
    "county": "region",
    "county_dept": "dept",
    "township": "township",
}
