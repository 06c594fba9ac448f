"""TRS WCM families: classic 4-argument ``createPageHTML`` (0-based ``index_N.html``, GBK pages,
``tYYYYMMDD_ID_N.html`` continuation pages) and the 6-argument 集约化 pager (1-based
``prefix_N.shtml``).  The parser computes the page URLs; TRS needs no extra requests."""

from __future__ import annotations

from spiders.platforms.base import Platform


class TrsPlatform(Platform):
    """TRS classic: pages index.html, index_1.html … index_{countPage-1}.html."""

    name = "trs"


class Trs6Platform(Platform):
    """TRS 集约化: pages prefix.shtml, prefix_2.shtml … prefix_{N}.shtml."""

    name = "trs6"
