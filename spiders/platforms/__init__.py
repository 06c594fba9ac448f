"""How a column of each CMS family pages: the generic :class:`Platform` and the families that differ.

Parsing is in ``crawler.recognize`` (pure functions); a platform turns parse results into the
next requests.  TRS classic (``index_N.html``), TRS 集约化 (``prefix_N.shtml``) and plain sites
(a 下一页 link) all page sequentially through the links the parser computes, so they use the
generic platform; only Hanweb, whose later records come from a record API instead of pages,
has a class of its own.  ``platform_for("auto")`` is the generic platform too: it handles
whatever family the page turns out to be.
"""

from __future__ import annotations

from spiders.platforms.base import ColumnState, Platform
from spiders.platforms.hanweb import HanwebPlatform

PLATFORMS: dict[str, type[Platform]] = {"hanweb": HanwebPlatform}


def platform_for(cms: str) -> Platform:
    """The platform object for a family name (every family without a class of its own → generic)."""
    return PLATFORMS.get(cms, Platform)()


__all__ = ["PLATFORMS", "ColumnState", "HanwebPlatform", "Platform", "platform_for"]
