"""Templates (Jinja2, autoescaped) and the small formatting helpers they use, shared by the
server and the static export (``nianbao report``)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from crawler.outputs.report_html import STATUS_COLOURS, STATUS_LABELS, STATUS_MARKS, STATUS_TEXT_COLOURS
from crawler.vocab.text import cell_text
from crawler.vocab.words import FLAG_KINDS, HEADLINE, LEVELS, STATUSES

LEVEL_LABELS = {
    "state_council_dept": "国务院部门",
    "province": "省级政府",
    "province_dept": "省级部门",
    "city": "市级政府",
    "city_dept": "市级部门",
    "county": "县级政府",
    "county_dept": "县级部门",
    "township": "乡镇街道",
    "other": "其他",
}
FLAG_LABELS = {
    "missing": "未发布",
    "not_online": "未见在线",
    "late": "逾期发布",
    "edited": "发布后修改",
    "inconsistent": "数据不一致",
    "copied": "内容雷同",
    "source_broken": "栏目失效",
    "source_blocked": "访问被拦截",
}
HEADLINE_LABELS = {
    "proactive_disclosures": "主动公开政府信息数",
    "requests_received": "本年新收政府信息公开申请",
    "requests_carried_over": "上年结转申请",
    "reconsideration_total": "行政复议总计",
    "litigation_total": "行政诉讼总计",
}
FORMAT_LABELS = {"template2021": "2021年新模板", "template2019": "2019年模板", "freeform": "自由格式"}


def number(value: object) -> str:
    """1234.0 → "1234", None → "–"."""
    if value is None or value == "":
        return "–"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parts_html(parts: Iterable[tuple[str, bool]]) -> Markup:
    """Text pieces, the matching ones in ``<mark>``; every piece escaped."""
    return Markup("").join(Markup("<mark>{}</mark>").format(p) if hit else escape(p) for p, hit in parts)


def region_label(code: object) -> str:
    """A 行政区划代码 or its two-digit province prefix with its name: ``43 湖南省``."""
    from crawler.registry.regions import name_of

    text = str(code or "")
    if not text.isdigit():
        return text or "—"
    try:
        name = name_of(text.ljust(6, "0")) if len(text) in (2, 4, 6) else None
    except ValueError:
        name = None
    return f"{text} {name}" if name else text


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("crawler.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(number=number, parts=parts_html, percent=percent, region=region_label)
    env.globals.update(
        STATUSES=STATUSES,
        STATUS_LABELS=STATUS_LABELS,
        STATUS_MARKS=STATUS_MARKS,
        STATUS_COLOURS=STATUS_COLOURS,
        STATUS_TEXT_COLOURS=STATUS_TEXT_COLOURS,
        LEVELS=LEVELS,
        LEVEL_LABELS=LEVEL_LABELS,
        FLAG_KINDS=FLAG_KINDS,
        FLAG_LABELS=FLAG_LABELS,
        HEADLINE=HEADLINE,
        HEADLINE_LABELS=HEADLINE_LABELS,
        FORMAT_LABELS=FORMAT_LABELS,
    )
    return env


def csv_text(columns: Iterable[str], rows: Iterable[dict]) -> str:
    """CSV (UTF-8 BOM first, for spreadsheets) of ``rows``; crawled text neutralised against
    formula injection."""
    columns = list(columns)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [cell_text(row.get(c)) if isinstance(row.get(c), str) else _plain(row.get(c)) for c in columns]
        )
    return out.getvalue()


def _plain(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return "" if value is None else value


def json_text(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1, default=str)
