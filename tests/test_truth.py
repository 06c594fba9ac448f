"""Recognition on the real-world corpus's dev split, held at its measured floor (bench/truth.py).

The goals of issue 12 (report links ≥ 97 % found, is_report ≥ 97 %, report_year ≥ 98 %, agency
≥ 90 %, format ≥ 95 %, numbers ≥ 95 % exact) are not all met yet; each floor below is the dev
figure measured when it was last raised, so recognition can only move up.  Raise a floor when a
change lifts the figure; never lower one to get green.
"""

from __future__ import annotations

import pytest

from tests.corpus.corpus import load
from tests.corpus.evaluate import score_listings, score_reports

# field: (floor measured on dev, goal).  Re-measured when the held-out batch (hd, 63 cases of
# bodies new to the corpus, gathered after the last tuning) and the replay pages joined dev.
FLOORS = {
    "is_report": (0.96, 0.97),
    "negatives": (0.95, 0.95),
    "report_year": (0.92, 0.98),
    "agency": (0.89, 0.90),
    # no goal in issue 12 (90 % is ours): 平潭综合实验区's departments read as "other" (a 实验区
    # is taken for a development zone), and a body named only 我局 has no level
    "level": (0.56, 0.90),
    "format": (0.94, 0.95),
    "numbers": (0.90, 0.95),
    "numbers_no_guess": (0.98, 1.00),
    "published_at": (1.00, 1.00),
    "links_found": (0.97, 0.97),
    "links_precision": (0.99, 0.99),
}


@pytest.fixture(scope="module")
def dev():
    reports = [c for c in load("reports") if c.split == "dev"]
    listings = [c for c in load("listings") if c.split == "dev"]
    return {**score_reports(reports), **score_listings(listings)}


def test_the_corpus_is_big_enough_to_mean_something():
    reports = load("reports")
    positives = [c for c in reports if c.data["labels"]["is_annual_report"]]
    numbered = [c for c in positives if c.data["labels"].get("numbers")]
    provinces = {c.data.get("province") for c in positives} - {None}
    assert len(reports) >= 280 and len(reports) - len(positives) >= 40
    assert len(numbered) >= 100 and len(provinces) >= 20
    assert sum(c.split == "dev" for c in reports) >= 0.3 * len(reports)
    assert len(load("listings")) >= 11


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_dev_recognition_holds_its_floor(dev, name):
    floor, goal = FLOORS[name]
    tally = dev[name]
    assert tally.total, f"no dev case labels {name}"
    assert tally.rate >= floor, (
        f"{name}: {tally.right}/{tally.total} = {tally.rate:.1%} < floor {floor:.0%} (goal {goal:.0%})"
    )
