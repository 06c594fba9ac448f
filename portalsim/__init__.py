"""The portal simulator: a deterministic, seeded world of government portals served over HTTP.

DESIGN §8.  Agencies publish their 政府信息公开工作年度报告 on sites in the CMS families of
docs/families.md, late or never for some, with the troubles real portals have.  The world is
served **as of** a settable date, and its ground truth is exported for scoring.  This package
imports nothing from the rest of ``crawler`` (nor ``spiders``/``storage``): it computes its
truth, deadlines included, on its own.

Modules: ``rng`` (seeded randomness, deadlines), ``names`` (unique names), ``world`` (agencies
and report plans), ``stats`` (report statistics), ``tables`` / ``content`` (report text),
``documents`` (HTML/PDF/DOCX/RTF rendering), ``site`` (column items and routes), ``listings`` /
``pages`` (family markup), ``portal`` / ``portal_pages`` (whole portals: a government's home
page, 政府信息公开 platform, index pages of its bodies' columns and decoy columns), ``troubles``
(blocks, 5xx, slow), ``router`` (request → response), ``server`` (HTTP), ``truth`` (truth
records, the discovery truth of the portals, and the sources registry).

The served date may be a provider read per request; ``set_redesigned`` empties agencies' columns
(a portal redesign) while the truth, detail pages and attachments stay as they are.
"""

from __future__ import annotations

from portalsim.router import DateProvider, SimApp
from portalsim.server import SimServer, serve_forever, start_server
from portalsim.stats import report_stats
from portalsim.truth import (
    agency_truth,
    discovery_truth,
    iter_portal_truth,
    iter_truth,
    portal_entries,
    portal_truth,
    render_sources_toml,
    truth_records,
)

__all__ = [
    "DateProvider",
    "SimApp",
    "SimServer",
    "agency_truth",
    "discovery_truth",
    "iter_portal_truth",
    "iter_truth",
    "portal_entries",
    "portal_truth",
    "render_sources_toml",
    "report_stats",
    "serve_forever",
    "start_server",
    "truth_records",
]
