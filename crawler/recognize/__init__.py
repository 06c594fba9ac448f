"""Page recognition: pure functions that turn fetched bytes into facts about a page.

``text`` (normalisation), ``encoding`` (bytes → str), ``dates`` (the one date parser and the
publish-date precedence), ``titles`` (the one title recogniser), ``paging`` (script pagers),
``listing`` (column pages), ``detail`` (article pages) and ``page`` (the ``nianbao parse``
JSON). Nothing here does I/O, reads a clock or touches the network.
"""
