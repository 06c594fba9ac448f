"""Scores from rule results: a pack's points per (source, year), rankings within a tier and the
change from the year before.  Pure: facts, a pack and the review decisions in, cards out.

* ``pass`` earns the item's points; ``fail`` earns none, or with ``per_defect`` the points less
  that much per counted defect (never below 0).
* ``uncertain``: ``conservative`` packs leave it out of the denominator (no point is lost without
  evidence); ``strict`` packs count it as earning nothing.  ``na`` is always left out.
* A reviewer's decision (:mod:`storage.review`) on a result: ``dismissed`` turns a fail into a
  pass (the finding was wrong); with ``confirmed_only`` a fail no reviewer confirmed is scored as
  uncertain, so a published score rests only on confirmed findings.
* ``score`` = earned ÷ counted points × 100, or None when the counted points are below the
  pack's ``min_coverage`` of the applicable points (those of rules not ``na``): too little
  evidence to score.  A missing report is decided (``published`` fails, the content rules are
  ``na``): it scores 0.
* Rank: among the cards of the same year and level with a score (ties share a rank); a tier of
  fewer than ``small_tier`` cards is marked ``small`` (a rank among three means little).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from crawler.scorecard.pack import Item, Pack
from crawler.scorecard.rules import CATALOGUE, FAIL, NA, PASS, UNCERTAIN, Facts, RuleResult, evaluate

CONFIRMED, DISMISSED = "confirmed", "dismissed"
# what a card repeats of its verdict: the dates and where they came from, the reason, the report
VERDICT_FIELDS = (
    "deadline",
    "deadline_basis",
    "published_at",
    "published_at_source",
    "confidence",
    "reason",
    "reason_zh",
    "report_url",
    "title",
    "as_of",
)


def result_key(source: str, year: int, rule: str) -> str:
    """The review target of one rule result."""
    return f"rule:{source}:{year}:{rule}"


@dataclass(slots=True)
class Scored:
    """One item of a card: the rule's result, what it earned, whether it counted, its review."""

    item: Item
    result: RuleResult
    earned: float
    counted: bool
    key: str
    review: dict | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.result.as_dict(),
            "key": self.key,
            "points": self.item.points,
            "earned": round(self.earned, 2),
            "counted": self.counted,
            "review": self.review,
        }


@dataclass(slots=True)
class Card:
    """The scorecard of one (source, year)."""

    source: str
    agency: str
    level: str | None
    region: str | None
    year: int
    report: str | None
    status: str
    items: list[Scored]
    earned: float
    counted: float
    maximum: float
    score: float | None
    applicable: float = 0.0
    rank: int | None = None
    tier_size: int = 0
    tier_small: bool = False
    previous_score: float | None = None
    change: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def coverage(self) -> float:
        """Share of the applicable points (rules not n/a) that were decided."""
        return self.counted / self.applicable if self.applicable else 0.0

    def outcome(self, rule: str) -> str | None:
        return next((s.result.outcome for s in self.items if s.item.rule == rule), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "agency": self.agency,
            "level": self.level,
            "region": self.region,
            "year": self.year,
            "report": self.report,
            "status": self.status,
            "score": None if self.score is None else round(self.score, 1),
            "earned": round(self.earned, 2),
            "counted_points": round(self.counted, 2),
            "applicable_points": round(self.applicable, 2),
            "max_points": self.maximum,
            "coverage": round(self.coverage, 3),
            "rank": self.rank,
            "tier": {
                "level": self.level,
                "year": self.year,
                "size": self.tier_size,
                "small": self.tier_small,
            },
            "previous_score": None if self.previous_score is None else round(self.previous_score, 1),
            "change": None if self.change is None else round(self.change, 1),
            "verdict": self.extra.get("verdict", {}),
            "results": [s.as_dict() for s in self.items],
        }


def _earn(item: Item, result: RuleResult, mode: str) -> tuple[float, bool]:
    if result.outcome == PASS:
        return item.points, True
    if result.outcome == FAIL:
        if item.per_defect is not None:
            return max(0.0, item.points - item.per_defect * max(result.count, 1)), True
        return 0.0, True
    if result.outcome == UNCERTAIN and mode == "strict":
        return 0.0, True
    return 0.0, False


def score_card(
    facts: Facts, pack: Pack, reviews: dict[str, dict] | None = None, *, confirmed_only: bool = False
) -> Card:
    """The card of one (source, year) under ``pack`` (``reviews``: latest decision by target key)."""
    reviews = reviews or {}
    items: list[Scored] = []
    for item in pack.items:
        result = evaluate(CATALOGUE[item.rule], facts, item.params)
        key = result_key(facts.source, facts.year, item.rule)
        review = reviews.get(key)
        if result.outcome == FAIL:
            decision = review["decision"] if review else None
            if review is not None and decision == DISMISSED:
                result.outcome = PASS
                result.note = f"fail dismissed by review: {review['note'] or 'no note'} (was: {result.note})"
                result.note_zh = f"复核认定不成立：{review['note'] or ''}（原：{result.note_zh}）"
            elif confirmed_only and decision != CONFIRMED:
                result.outcome = UNCERTAIN
                result.note = f"not yet confirmed by review: {result.note}"
                result.note_zh = f"待复核确认：{result.note_zh}"
        points, decided = _earn(item, result, pack.mode)
        items.append(Scored(item, result, points, decided, key, review))
    earned = sum(scored.earned for scored in items)
    counted = sum(scored.item.points for scored in items if scored.counted)
    applicable = sum(scored.item.points for scored in items if scored.result.outcome != NA)
    maximum = pack.max_points
    score = earned / counted * 100 if counted and counted >= pack.min_coverage * applicable else None
    report = facts.report["id"] if facts.report else None
    return Card(
        facts.source,
        facts.agency,
        facts.level,
        facts.region,
        facts.year,
        report,
        facts.verdict["status"],
        items,
        earned,
        counted,
        maximum,
        score,
        applicable,
        extra={"verdict": {k: facts.verdict.get(k) for k in VERDICT_FIELDS}},
    )


def rank_cards(cards: list[Card], pack: Pack) -> None:
    """Rank within (year, level) and set the change from the same source's previous year."""
    tiers: dict[tuple[int, str | None], list[Card]] = defaultdict(list)
    for c in cards:
        if c.score is not None:
            tiers[c.year, c.level].append(c)
    for tier in tiers.values():
        tier.sort(key=lambda c: -(c.score or 0))
        rank, last = 0, None
        for position, c in enumerate(tier, start=1):
            if c.score != last:
                rank, last = position, c.score
            c.rank, c.tier_size, c.tier_small = rank, len(tier), len(tier) < pack.small_tier
    by_key = {(c.source, c.year): c for c in cards}
    for c in cards:
        before = by_key.get((c.source, c.year - 1))
        if before is not None and before.score is not None:
            c.previous_score = before.score
            if c.score is not None:
                c.change = c.score - before.score


def score_all(
    facts: Iterable[Facts],
    pack: Pack,
    reviews: dict[str, dict] | None = None,
    *,
    confirmed_only: bool = False,
) -> list[Card]:
    """Cards for every (source, year) given, ranked (see :func:`rank_cards`)."""
    cards = [score_card(f, pack, reviews, confirmed_only=confirmed_only) for f in facts]
    rank_cards(cards, pack)
    return cards


def rule_rates(cards: list[Card], pack: Pack) -> list[dict]:
    """Per rule: how many cards passed, failed, were uncertain or not applicable (a methodology
    and audit summary; a rate over fewer than ``small_tier`` decided cards is marked small)."""
    out = []
    for item in pack.items:
        counts = {o: 0 for o in (PASS, FAIL, UNCERTAIN, NA)}
        for c in cards:
            outcome = c.outcome(item.rule)
            if outcome:
                counts[outcome] += 1
        decided = counts[PASS] + counts[FAIL]
        out.append(
            {
                "rule": item.rule,
                **counts,
                "pass_rate": round(counts[PASS] / decided, 3) if decided else None,
                "small": decided < pack.small_tier,
            }
        )
    return out
