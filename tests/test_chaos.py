"""The crash campaign's short version (bench/chaos.py runs 20 kills per stage): one SIGKILL at a
random point of each of crawl, extract, check and run; after each, the archive passes
``PRAGMA integrity_check`` and ``nianbao verify``, and the next run ends exactly where an
uninterrupted one does (the same reports, texts and verdicts)."""

from __future__ import annotations

import pytest

from tests.chaos import STAGES, campaign, world

pytestmark = pytest.mark.slow


def test_every_stage_survives_a_kill(tmp_path):
    with world(tmp_path, agencies=8) as w:
        trials = campaign(w, per_stage=1, seed=7)
    assert [t.stage for t in trials] == list(STAGES)
    assert [(t.stage, t.detail) for t in trials if not t.ok] == []
    assert sum(t.killed for t in trials) >= 2  # most of them were killed mid-stage
