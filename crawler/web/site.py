"""The static export of the compliance grid (``nianbao report --out DIR``), for publishing.

One page per province (the first two digits of the 行政区划代码; sources without a code share one
page) instead of one file holding every evidence section: each page has its grid, and the
evidence of its claims (late, missing, not online) inline; the evidence of every other verdict
sits in a companion page the cell links to. ``index.html`` rolls the verdicts up by province and
by level and links every page. The pages use the web UI's templates and stylesheet (inlined), hold
no script at all and forbid loading anything (a ``<meta>`` Content-Security-Policy), so they work
offline from any static host. Pure: verdicts in, ``{file name: text}`` out.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from crawler.outputs.report_html import group_by_source
from crawler.vocab.words import LEVELS
from crawler.web.render import environment

CLAIMS = ("late", "missing", "not_online")
NO_REGION = "xx"
_PROVINCE = re.compile(r"[0-9]{2}")
STYLE = Path(__file__).parent / "static" / "style.css"


def province_of(region: str | None) -> str:
    """The page a source's verdicts go to: its two-digit province code, else ``xx``."""
    code = (region or "")[:2]
    return code if _PROVINCE.fullmatch(code) else NO_REGION


def _rate(counts: Counter) -> float | None:
    decided = counts["on_time"] + counts["late"] + counts["missing"]
    return counts["on_time"] / decided if decided else None


def render_site(verdicts: list[dict], *, generated_at: str, as_of: str) -> dict[str, str]:
    """The pages of the export by file name: ``index.html``, ``region-<code>.html`` and
    ``region-<code>-evidence.html`` for each province with verdicts."""
    env = environment()
    style = STYLE.read_text(encoding="utf-8")
    rows = group_by_source(verdicts)
    pages: dict[str, list[dict]] = {}
    for r in rows:
        pages.setdefault(province_of(r["region"]), []).append(r)
    years = sorted({y for r in rows for y in r["cells"]})
    common = {"generated_at": generated_at, "as_of": as_of, "style": style, "years": years, "claims": CLAIMS}
    out: dict[str, str] = {}
    index = []
    by_level: dict[str, Counter] = {}
    for code in sorted(pages):
        group = pages[code]
        counts: Counter = Counter()
        for i, r in enumerate(group):
            r["index"] = i
            for v in r["cells"].values():
                counts[v["status"]] += 1
                by_level.setdefault(r["level"], Counter())[v["status"]] += 1
        name = f"region-{code}.html"
        evidence_name = f"region-{code}-evidence.html"
        index.append(
            {"code": code, "page": name, "sources": len(group), "counts": counts, "rate": _rate(counts)}
        )
        context = {**common, "code": code, "rows": group, "evidence_page": evidence_name, "counts": counts}
        out[name] = env.get_template("site_region.html").render(**context)
        out[evidence_name] = env.get_template("site_evidence.html").render(**context)
    levels = [
        {"level": lv, "counts": c, "rate": _rate(c)}
        for lv, c in sorted(by_level.items(), key=lambda kv: LEVELS.index(kv[0]) if kv[0] in LEVELS else 99)
    ]
    totals: Counter = Counter(v["status"] for v in verdicts)
    out["index.html"] = env.get_template("site_index.html").render(
        **common, regions=index, levels=levels, totals=totals, sources=len(rows)
    )
    return out


def write_site(out: Path, pages: dict[str, str]) -> int:
    """Write the pages into the directory ``out`` (created); returns the bytes written."""
    out.mkdir(parents=True, exist_ok=True)
    size = 0
    for name, text in pages.items():
        data = text.encode("utf-8")
        (out / name).write_bytes(data)
        size += len(data)
    return size
