"""Scorecards (issue 16): the rule catalogue (:mod:`.rules`), rule packs that give them points
(:mod:`.pack`), scores and rankings (:mod:`.score`) and the methodology page (:mod:`.methodology`).
Pure: the stage :mod:`crawler.stages.score` reads the archive and the review decisions."""
