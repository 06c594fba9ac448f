"""One class per CMS family: how a column of that family pages and what its details link to.

Parsing is in ``crawler.recognize`` (pure functions); a platform turns parse results into the
next requests.  ``platform_for("auto")`` is the generic platform, which handles whatever family
the page turns out to be.
"""

from __future__ import annotations

from spiders.platforms.base import Platform
from spiders.platforms.hanweb import HanwebPlatform
from spiders.platforms.plain import PlainPlatform
from spiders.platforms.trs import Trs6Platform, TrsPlatform

PLATFORMS: dict[str, type[Platform]] = {
    "trs": TrsPlatform,
    "trs6": Trs6Platform,
    "hanweb": HanwebPlatform,
    "plain": PlainPlatform,
}


def platform_for(cms: str) -> Platform:
    """The platform object for a family name (``auto`` and unknown names → by detected family)."""
    return PLATFORMS.get(cms, Platform)()


__all__ = ["PLATFORMS", "HanwebPlatform", "PlainPlatform", "Platform", "Trs6Platform", "TrsPlatform",
           "platform_for"]
