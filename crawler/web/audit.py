"""Audit reports: scorecards with every finding, its evidence and dates, and images of the
captures that prove the claims (:mod:`crawler.outputs.snapshots`, rendered from the archived
copies offline), as one self-contained HTML page (the web UI's stylesheet inline, images as data
URIs, no script, nothing loaded), and as PDF printed by headless Chromium from that page."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from crawler.outputs.snapshots import Snapshot, find_chromium, offline_flags
from crawler.scorecard.pack import Pack
from crawler.scorecard.rules import CATALOGUE
from crawler.scorecard.score import Card
from crawler.vocab.errors import NianbaoError

STYLE = Path(__file__).resolve().parent / "static" / "style.css"
OUTCOME_LABELS = {
    "pass": "通过 pass",
    "fail": "未通过 fail",
    "uncertain": "无法判断 uncertain",
    "na": "不适用 n/a",
}
PDF_TIMEOUT = 180.0


def evidence_fetches(card: Card) -> list[int]:
    """The captures that prove a card's claims, most important first: those behind failed rules,
    then uncertain ones, then the verdict's (deduplicated)."""
    ordered: list[int] = []
    for outcome in ("fail", "uncertain"):
        for s in card.items:
            if s.result.outcome == outcome:
                ordered += [e["fetch"] for e in s.result.evidence if isinstance(e.get("fetch"), int)]
    return list(dict.fromkeys(ordered))


def render_audit(
    cards: list[Card],
    pack: Pack,
    *,
    title: str,
    as_of: str,
    generated_at: str,
    confirmed_only: bool = False,
    images: dict[int, list[Snapshot]] | None = None,
) -> str:
    """The audit report of ``cards`` as one HTML page (``images``: rendered captures by the
    card's position)."""
    from crawler.web.render import environment

    env = environment()
    return env.get_template("audit.html").render(
        title=title,
        cards=cards,
        pack=pack,
        as_of=as_of,
        generated_at=generated_at,
        confirmed_only=confirmed_only,
        style=STYLE.read_text(encoding="utf-8"),
        RULE_TITLES={k: f"{r.title_zh} {r.title}" for k, r in CATALOGUE.items()},
        OUTCOME_LABELS=OUTCOME_LABELS,
        images=images or {},
    )


def html_to_pdf(html: str, pdf: Path, *, chromium: str | None = None, timeout: float = PDF_TIMEOUT) -> Path:
    """Print ``html`` to ``pdf`` with headless Chromium (no network: the page loads nothing)."""
    browser = find_chromium(chromium)
    with tempfile.TemporaryDirectory(prefix="nianbao-audit-") as tmp:
        page = Path(tmp) / "audit.html"
        page.write_text(html, encoding="utf-8")
        out = Path(tmp) / "audit.pdf"
        command = [
            browser,
            *offline_flags(Path(tmp) / "profile"),
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise NianbaoError(f"Chromium did not print the audit report within {timeout:.0f} s") from None
        if not out.exists() or not out.read_bytes().startswith(b"%PDF"):
            raise NianbaoError(
                f"Chromium printed no PDF (exit {done.returncode}): {done.stderr.strip()[-300:]}"
            )
        pdf.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(out), pdf)
    return pdf
