"""The static compliance report: one self-contained HTML page and a CSV of the verdicts.

``render_html(verdicts, generated_at=..., as_of=...)`` returns a single page readable offline: inline
CSS and JS only, no external URL, no web font. A Content-Security-Policy ``<meta>`` allows only the
page's own script (by hash) and inline styles, so even a markup slip could not load or run anything.
The page holds a legend with per-status counts (shown by the filters / total), filters by level,
region (with province and city roll-ups of GB/T 2260 codes) and agency name, the grid (one row per
source, one column per year, each cell ``class="status-<status>"`` with a letter or sign, so colour
is not the only signal) and, below it, the evidence summary of every (source, year), anchored
``ev-<row>-<year>``. Anchor ids derive from row indexes, never from data.

``render_csv(verdicts)`` returns one row per verdict (``CSV_COLUMNS``); the CLI writes it utf-8-sig.
Text that came from crawled pages is neutralised against spreadsheet formula injection.

Verdicts are dicts as in :mod:`crawler.compliance`; every string in them is hostile and is escaped on output. Both
functions are linear in the number of verdicts: verdicts are grouped by source once. Evidence
sections are ``content-visibility: auto`` (only those on screen are laid out: 2,000 sources x 17
years, a 55 MB page, loads in about 15 s in headless Chromium instead of 80 s); the page for 100,000
sources x 17 years would be about 3 GB, too big for a browser, so render a level or region at a time.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
from html import escape

from crawler.vocab.text import cell_text
from crawler.vocab.words import LEVELS, STATUSES

DEFAULT_TITLE = "Annual report compliance · 政府信息公开工作年度报告发布情况"

# Colour, cell mark and label (English, Chinese) of each status. Text on each background has a
# contrast ratio of at least 4.5:1; "unknown" also gets a stripe pattern.
STATUS_COLOURS = {
    "on_time": "#1b7837",
    "late": "#f28e2b",
    "missing": "#b2182b",
    "not_online": "#762a83",
    "pending": "#9fb4d3",
    "unknown": "#e4e4e4",
}
STATUS_TEXT_COLOURS = {
    "on_time": "#fff",
    "late": "#000",
    "missing": "#fff",
    "not_online": "#fff",
    "pending": "#000",
    "unknown": "#000",
}
STATUS_MARKS = {
    "on_time": "✓",
    "late": "L",
    "missing": "✗",
    "not_online": "∅",
    "pending": "…",
    "unknown": "?",
}
STATUS_LABELS = {
    "on_time": ("on time", "按时发布"),
    "late": ("late", "逾期发布"),
    "missing": ("missing", "未发布"),
    "not_online": ("not online", "未见在线"),
    "pending": ("pending", "未到期"),
    "unknown": ("unknown", "无法判断"),
}

CSV_COLUMNS = (
    "source",
    "agency",
    "level",
    "region",
    "kind",
    "year",
    "status",
    "deadline",
    "deadline_basis",
    "published_at",
    "published_at_source",
    "first_seen_at",
    "confidence",
    "reason",
    "report",
    "report_url",
    "title",
    "evidence_fetches",
)
# Columns holding text from crawled pages (or quoting it): a leading = + - @ (or tab/CR) makes a
# spreadsheet evaluate the cell, so it gets a leading apostrophe.
CSV_TEXT_COLUMNS = frozenset({"agency", "reason", "report_url", "title"})

# Only absolute http(s) URLs without spaces or control characters become links.
_LINKABLE = re.compile(r"https?://[^\x00-\x20\x7f]+", re.IGNORECASE)
_REGION_CODE = re.compile(r"\d{6}")

_CSS = (
    """\
body{font:14px/1.4 system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;margin:1em;color:#111}
h1{font-size:1.4em;margin:.2em 0}.meta{color:#444}
#legend{border-collapse:collapse;margin:.6em 0}#legend td,#legend th{padding:2px 8px;text-align:left}
#legend td.n{text-align:right;font-variant-numeric:tabular-nums}
#filters{margin:.6em 0}#filters label{margin-right:1em}
#grid{border-collapse:collapse}#grid th,#grid td{border:1px solid #ccc;padding:1px 4px;white-space:nowrap}
#grid thead th{position:sticky;top:0;background:#f6f6f6}#grid tbody th{text-align:left;font-weight:normal}
#grid td{width:1.6em;text-align:center}#grid td a{color:inherit;text-decoration:none;display:block}
.sw{display:inline-block;width:1.6em;text-align:center;border:1px solid #888}
.ev{border-top:1px solid #ccc;margin-top:.8em;content-visibility:auto;contain-intrinsic-size:auto 14em}.ev h3{font-size:1.05em;margin:.4em 0}
.ev dl{display:grid;grid-template-columns:max-content auto;gap:0 1em;margin:0}.ev dt{color:#555}.ev dd{margin:0}
:target{outline:3px solid #0550ae}
"""
    + "".join(
        f".status-{s}{{background-color:{STATUS_COLOURS[s]};color:{STATUS_TEXT_COLOURS[s]}}}\n"
        for s in STATUSES
    )
    + ".status-unknown{background-image:repeating-linear-gradient(45deg,transparent 0 3px,rgba(0,0,0,.16) 3px 5px)}\n"
)

# Filters: rows carry data-level/data-region; per-row status counts come from the #nb-data JSON.
_JS = """\
(function(){
var D=JSON.parse(document.getElementById("nb-data").textContent),S=D.statuses,C=D.counts;
var rows=document.getElementById("grid").tBodies[0].rows,lv=document.getElementById("f-level"),
rg=document.getElementById("f-region"),q=document.getElementById("f-name"),L=[],R=[],N=[],i,t;
for(i=0;i<rows.length;i++){L.push(rows[i].dataset.level);R.push(rows[i].dataset.region);
N.push((rows[i].cells[0].textContent+" "+rows[i].dataset.source).toLowerCase());}
function region(v,r){if(!v)return true;if(v==="~")return r==="";var k=v.charAt(0),c=v.slice(1);
return k==="^"?r.indexOf(c)===0:r===c;}
function apply(){var l=lv.value,g=rg.value,s=q.value.trim().toLowerCase(),n=S.map(function(){return 0}),
shown=0,j,ok;for(i=0;i<rows.length;i++){ok=(!l||L[i]===l)&&region(g,R[i])&&(!s||N[i].indexOf(s)>=0);
if(rows[i].hidden===ok)rows[i].hidden=!ok;if(ok){shown++;for(j=0;j<S.length;j++)n[j]+=C[i][j];}}
for(j=0;j<S.length;j++)document.getElementById("n-"+S[j]).textContent=n[j];
document.getElementById("n-rows").textContent=shown;}
lv.addEventListener("change",apply);rg.addEventListener("change",apply);
q.addEventListener("input",function(){clearTimeout(t);t=setTimeout(apply,rows.length>5000?250:0);});
})();
"""
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; script-src 'sha256-"
    + base64.b64encode(hashlib.sha256(_JS.encode()).digest()).decode()
    + "'"
)


def render_csv(verdicts: list[dict]) -> str:
    """One CSV row per verdict, in input order, with a header of ``CSV_COLUMNS``."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for v in verdicts:
        row = []
        for col in CSV_COLUMNS:
            if col == "evidence_fetches":
                value = " ".join(
                    str(e["fetch"]) for e in v.get("evidence") or () if e.get("fetch") is not None
                )
            else:
                value = v.get(col)
                value = cell_text(value) if col in CSV_TEXT_COLUMNS else ("" if value is None else str(value))
            row.append(value)
        writer.writerow(row)
    return buf.getvalue()


def render_html(verdicts: list[dict], *, generated_at: str, as_of: str, title: str = DEFAULT_TITLE) -> str:
    """The whole report page (see the module docstring)."""
    rows = group_by_source(verdicts)
    years = sorted({y for r in rows for y in r["cells"]})
    span = range(years[0], years[-1] + 1) if years else range(0)
    totals = dict.fromkeys(STATUSES, 0)
    row_counts = []
    for r in rows:
        counts = [0] * len(STATUSES)
        for v in r["cells"].values():
            counts[STATUSES.index(v["status"])] += 1
        row_counts.append(counts)
        for s, n in zip(STATUSES, counts, strict=True):
            totals[s] += n
    out = [
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>\n<body>"
        f"<h1>{escape(title)}</h1>"
        f'<p class="meta">As of <b id="as-of">{escape(as_of)}</b> · generated <span id="generated-at">'
        f"{escape(generated_at)}</span> · {sum(totals.values())} verdicts, {len(rows)} agencies, "
        f"{len(span)} years</p>\n"
    ]
    out.append(_legend(totals, len(rows)))
    out.append(_filters(rows))
    _grid(out, rows, span)
    out.append('<h2 id="evidence">Evidence 证据</h2>\n')
    _evidence(out, rows)
    data = _script_json({"statuses": STATUSES, "counts": row_counts})
    out.append(f'<script type="application/json" id="nb-data">{data}</script>\n<script>{_JS}</script>')
    out.append("</body></html>\n")
    return "".join(out)


def group_by_source(verdicts: list[dict]) -> list[dict]:
    """Rows sorted by level, region, agency and source; a later verdict for the same year wins."""
    by_source: dict[str, dict] = {}
    for v in verdicts:
        if v["status"] not in STATUSES:
            raise ValueError(f"unknown status {v['status']!r} for source {v['source']!r}")
        row = by_source.get(v["source"])
        if row is None:
            row = by_source[v["source"]] = {
                "source": str(v["source"]),
                "agency": v.get("agency") or "",
                "level": v.get("level") or "",
                "region": v.get("region") or "",
                "cells": {},
            }
        row["cells"][int(v["year"])] = v
    rank = {level: i for i, level in enumerate(LEVELS)}
    return sorted(
        by_source.values(),
        key=lambda r: (rank.get(r["level"], len(LEVELS)), r["level"], r["region"], r["agency"], r["source"]),
    )


def _legend(totals: dict[str, int], n_rows: int) -> str:
    out = [
        '<table id="legend"><thead><tr><th></th><th>Status 状态</th><th>shown</th><th>total</th></tr>'
        "</thead><tbody>"
    ]
    for s in STATUSES:
        en, zh = STATUS_LABELS[s]
        out.append(
            f'<tr data-status="{s}"><td><span class="sw status-{s}">{STATUS_MARKS[s]}</span></td>'
            f'<td>{en} {zh}</td><td class="n" id="n-{s}">{totals[s]}</td>'
            f'<td class="n total">{totals[s]}</td></tr>'
        )
    out.append(
        f'<tr><td></td><td>agencies 机关</td><td class="n" id="n-rows">{n_rows}</td>'
        f'<td class="n total">{n_rows}</td></tr></tbody></table>\n'
    )
    return "".join(out)


def _filters(rows: list[dict]) -> str:
    levels = {r["level"] for r in rows}
    rank = {level: i for i, level in enumerate(LEVELS)}
    level_opts = "".join(
        f'<option value="{escape(lv)}">{escape(lv) or "(none)"}</option>'
        for lv in sorted(levels, key=lambda lv: (rank.get(lv, len(LEVELS)), lv))
    )
    regions: dict[tuple[str, int], tuple[str, str]] = {}
    for region in {r["region"] for r in rows}:
        if not region:
            regions[("", 0)] = ("~", "(none)")
            continue
        regions[(region, 1)] = ("=" + region, region)
        if _REGION_CODE.fullmatch(region):
            regions[(region[:2], 0)] = ("^" + region[:2], region[:2] + "···· all")
            if region[2:4] != "00":
                regions[(region[:4], 0)] = ("^" + region[:4], region[:4] + "·· all")
    region_opts = "".join(
        f'<option value="{escape(value)}">{escape(label)}</option>'
        for _, (value, label) in sorted(regions.items())
    )
    return (
        '<div id="filters"><label>Level 层级 <select id="f-level"><option value="">all</option>'
        f'{level_opts}</select></label><label>Region 地区 <select id="f-region"><option value="">all</option>'
        f'{region_opts}</select></label><label>Agency 机关 <input id="f-name" type="search" '
        'placeholder="name or source id"></label></div>\n'
    )


def _grid(out: list[str], rows: list[dict], span: range) -> None:
    out.append('<table id="grid"><thead><tr><th>Agency 机关</th><th>Level</th><th>Region</th>')
    out.extend(f"<th>{y}</th>" for y in span)
    out.append("</tr></thead><tbody>\n")
    for i, r in enumerate(rows):
        src, level, region = escape(r["source"]), escape(r["level"]), escape(r["region"])
        out.append(
            f'<tr id="r{i}" data-source="{src}" data-level="{level}" data-region="{region}">'
            f'<th scope="row" title="{src}">{escape(r["agency"])}</th><td>{level}</td>'
            f"<td>{region}</td>"
        )
        cells = r["cells"]
        for y in span:
            v = cells.get(y)
            if v is None:
                out.append("<td></td>")
                continue
            s = v["status"]
            tip = f"{y}: {STATUS_LABELS[s][0]}"
            if v.get("published_at"):
                tip += f", published {v['published_at']}"
            if v.get("deadline"):
                tip += f", deadline {v['deadline']}"
            out.append(
                f'<td class="status-{s}" data-status="{s}" data-source="{src}" data-year="{y}" '
                f'title="{escape(tip)}"><a href="#ev-{i}-{y}">{STATUS_MARKS[s]}</a></td>'
            )
        out.append("</tr>\n")
    out.append("</tbody></table>\n")


def _evidence(out: list[str], rows: list[dict]) -> None:
    for i, r in enumerate(rows):
        agency = escape(r["agency"])
        for y in sorted(r["cells"]):
            v = r["cells"][y]
            s = v["status"]
            en, zh = STATUS_LABELS[s]
            deadline = _text(v.get("deadline")) or "—"
            if v.get("deadline_basis"):
                deadline += f" ({_text(v['deadline_basis'])}"
                deadline += f", grace {_text(v['grace_days'])} days)" if v.get("grace_days") else ")"
            published = _text(v.get("published_at")) or "—"
            published += f" (source: {_text(v.get('published_at_source'))})"
            if v.get("first_seen_at"):
                published += f"; first seen {_text(v['first_seen_at'])}"
            report = _link(v.get("report_url"), v.get("title") or v.get("report_url")) or "—"
            if v.get("report"):
                report += f" (report {_text(v['report'])})"
            out.append(
                f'<section class="ev" id="ev-{i}-{y}"><h3><span class="sw status-{s}">{STATUS_MARKS[s]}</span> '
                f'{agency} · {y} <a href="#r{i}">↑ grid</a></h3><dl>'
                f'<dt>Status 状态</dt><dd class="ev-status">{en} {zh}</dd>'
                f"<dt>Deadline 期限</dt><dd>{deadline}</dd><dt>Published 发布</dt><dd>{published}</dd>"
                f"<dt>Confidence</dt><dd>{_text(v.get('confidence'))}</dd>"
                f"<dt>Reason 理由</dt><dd>{_text(v.get('reason'))}<br>{_text(v.get('reason_zh'))}</dd>"
                f"<dt>Report 报告</dt><dd>{report}</dd></dl><ol>"
            )
            for e in v.get("evidence") or ():
                out.append(
                    f"<li><time>{_text(e.get('fetched_at'))}</time> fetch #{_text(e.get('fetch'))} "
                    f"[{_text(e.get('role'))}] {_link(e.get('url')) or '—'}: {_text(e.get('shows'))} "
                    f"{_text(e.get('shows_zh'))}</li>"
                )
            out.append("</ol></section>\n")


def _text(value: object) -> str:
    return "" if value is None else escape(str(value))


def _link(url: str | None, text: str | None = None) -> str:
    """An escaped link when ``url`` is absolute http(s), else the escaped text (or URL) alone."""
    if not url:
        return _text(text)
    label = _text(text or url)
    if not _LINKABLE.fullmatch(url):
        return label if text in (None, "", url) else f"{label} <code>{_text(url)}</code>"
    return f'<a href="{escape(url)}" rel="noreferrer">{label}</a>'


def _script_json(obj: object) -> str:
    """JSON safe inside ``<script>``: ``<``, ``>``, ``&`` and line separators become escapes."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for char, esc in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, esc)
    return text
