"""Near-duplicate search at archive scale: a containment sketch proposes, exact containment
(:func:`crawler.stats.originality.compare`) decides.

:func:`compare` measures *containment* (how much of A's own wording lies in B), not Jaccard
similarity: a short copy inside a long original, or half of a report copied into a new one, has
a high containment but a low Jaccard, so a Jaccard LSH either misses it or, with a threshold low
enough to catch it, pairs everything.  Hence, in one pass over the archive (numpy, no per-pair
Python work):

1. every report is normalised once (own names, years, template wording masked) and its wide
   content shingles (``2 K`` characters holding own content, :func:`content_hashes`) are hashed;
2. document frequency: a shingle found in more than :func:`max_df` reports (5 % of the archive,
   at least 5 and at most 200) is wording many bodies share — boilerplate the template list
   misses, such as a customary title — and neither samples a report nor links two;
3. each report's sample is its ``SAMPLE`` smallest remaining hashes (a bottom-k MinHash sketch);
   every sampled shingle is looked up in the inverted index of *all* remaining shingles of all
   reports, so the share of A's sample found in B estimates A's containment in B whatever their
   sizes;
4. pairs with at least ``MIN_HITS`` sampled shingles in common, and ``MIN_SHARE`` of the
   sample, of the same or consecutive years, are candidates, the earlier publication the
   original.  (A copy whose every shared shingle is shared wording is, by design, not one.)

:class:`Exact` then checks candidates: each report normalised once (again only when the other
body's name is written in it, as :func:`compare` masks both names), an upper bound of the
containment first (content characters of A covered by shingles of B: every reused passage is
such a run) and :func:`compare` only where that bound reaches the floor.  bench/similar.py
measures recall against all-pairs comparison and the time at 100,000 reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from crawler.stats.originality import MIN_CONTENT, K, Norm, Reuse, compare, compared_chars, normalise

MIN_REUSE = 0.5  # what counts as a copy (nianbao similar's default --min, the bench's threshold)
SAMPLE = 64  # shingles sampled per report (bottom-k)
POOL = 4 * SAMPLE  # smallest hashes kept per report before the frequency cut
MIN_HITS = 2  # sampled shingles a candidate must hold (of up to SAMPLE) …
MIN_SHARE = 0.1  # … and this share of the sample (a copy holds about its containment's share)
# a shingle in more than MAX_DF_SHARE of the reports (at least MIN_DF, at most MAX_DF: past that
# its postings cost more than it tells) is wording many bodies share
MAX_DF_SHARE, MIN_DF, MAX_DF = 0.05, 5, 200
BLOCK = 4096  # reports whose samples are looked up at once
WIDE = 2 * K  # characters of a sketched shingle

_P = np.uint64(0x9E3779B97F4A7C15)  # multiplier of the rolling hash (odd)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)  # splitmix64 finaliser


@dataclass(slots=True)
class Doc:
    """One report as near-duplicate search sees it: ``published``: an ISO date or time (the
    publication date, else the first sighting) — the earlier of two similar reports is the original."""

    id: str
    body: str
    year: int | None
    published: str
    text: str
    names: tuple[str, ...] = ()


def position_hashes(norm: Norm) -> np.ndarray:
    """A 64-bit hash of the shingle starting at each position of ``norm.chars`` (stable across
    processes: a polynomial of the code points, then mixed)."""
    n = len(norm.chars) - K + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    codes = np.frombuffer(norm.chars.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(K):
            h = h * _P + codes[j : j + n]
        h ^= h >> np.uint64(30)
        h *= _M1
        h ^= h >> np.uint64(27)
        h *= _M2
        h ^= h >> np.uint64(31)
    return h


def content_hashes(norm: Norm) -> np.ndarray:
    """The distinct hashes of ``norm``'s wide content shingles, sorted: ``WIDE`` characters (two
    shingles end to end) holding a content character.  Wider than :func:`compare`'s shingles so
    that a number in a stock sentence, shared by chance with hundreds of reports, is not the
    whole of one: copies share long runs, honest reports short ones."""
    h = position_hashes(norm)
    n = len(h) - K
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        w = h[:n] * _P + h[K:]
        w ^= w >> np.uint64(29)
        w *= _M1
        w ^= w >> np.uint64(32)
    c = np.concatenate(([0], np.cumsum(np.frombuffer(bytes(norm.content), dtype=np.uint8), dtype=np.int64)))
    x = np.sort(w[c[WIDE : WIDE + n] - c[:n] > 0])
    return x[np.concatenate(([True], x[1:] != x[:-1]))] if len(x) else x


def judgeable(norm: Norm, floor: float = MIN_REUSE) -> bool:
    """Whether ``norm`` has enough own content to reach a containment of ``floor`` at all
    (:func:`compare` divides by at least ``MIN_CONTENT``)."""
    own = norm.content.count(1)
    return own > 0 and own >= floor * MIN_CONTENT


def max_df(n_docs: int) -> int:
    """Reports a shingle may be found in and still link two of them."""
    return min(MAX_DF, max(MIN_DF, int(n_docs * MAX_DF_SHARE)))


def candidates(
    docs: Iterable[Doc], *, template: tuple[str, ...] = (), floor: float = MIN_REUSE
) -> Iterator[tuple[str, str]]:
    """Pairs (later, earlier) of reports whose containment sketches share at least ``MIN_HITS``
    shingles and whose years are the same or one apart (the later in publication order, then
    id, first): what :class:`Exact` should check.  Reports too short to reach ``floor`` are left
    out."""
    meta: list[Doc] = []
    pools: list[np.ndarray] = []
    index: list[np.ndarray] = []
    for d in docs:
        if d.year is None:
            continue
        norm = normalise(d.text, d.names, template)
        if not judgeable(norm, floor):
            continue
        h = content_hashes(norm)
        if not len(h):
            continue
        meta.append(Doc(d.id, d.body, d.year, d.published, "", d.names))
        index.append(h)
        pools.append(h[:POOL])  # sorted: the smallest hashes
    n = len(meta)
    if n < 2:
        return
    for later, earlier in _pairs(index, pools, meta, max_df(n)):
        yield meta[later].id, meta[earlier].id


def _pairs(
    index: list[np.ndarray], pools: list[np.ndarray], meta: list[Doc], limit: int
) -> list[tuple[int, int]]:
    n = len(meta)
    bits = max(1, (n - 1).bit_length())
    low = np.uint64((1 << bits) - 1)
    # every (shingle, report) as one sortable key: the hash's high bits, then the report
    keys = np.concatenate(
        [(h >> np.uint64(bits)) << np.uint64(bits) | np.uint64(i) for i, h in enumerate(index)]
    )
    index.clear()  # the keys hold them now
    keys.sort()
    prefix = keys >> np.uint64(bits)
    starts = np.flatnonzero(np.concatenate(([True], prefix[1:] != prefix[:-1])))
    groups = prefix[starts]
    counts = np.diff(np.append(starts, len(keys)))
    del prefix
    # the sample: each report's smallest hashes that are not shared wording, up to SAMPLE
    q_doc = np.concatenate([np.full(len(p), i, dtype=np.int64) for i, p in enumerate(pools)])
    q_group = np.searchsorted(groups, np.concatenate(pools) >> np.uint64(bits))
    df = counts[q_group]
    keep = df <= limit
    q_doc, q_group, df = q_doc[keep], q_group[keep], df[keep]
    first = np.searchsorted(q_doc, np.arange(n))  # q_doc is sorted: each report's first entry
    rank = np.arange(len(q_doc)) - first[q_doc]
    sampled = rank < SAMPLE
    need = np.maximum(MIN_HITS, np.ceil(MIN_SHARE * np.bincount(q_doc[sampled], minlength=n))).astype(
        np.int64
    )
    linked = sampled & (df >= 2)
    q_doc, q_group, df = q_doc[linked], q_group[linked], df[linked]
    years = np.array([d.year for d in meta], dtype=np.int64)
    order = sorted(range(n), key=lambda i: (meta[i].published, meta[i].id))
    when = np.empty(n, dtype=np.int64)
    when[order] = np.arange(n)
    out: list[tuple[int, int]] = []
    bounds = np.searchsorted(q_doc, np.arange(0, n + BLOCK, BLOCK))  # by blocks of reports: bounded memory
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        a, b = _linked(keys, starts, q_doc[lo:hi], q_group[lo:hi], df[lo:hi], n, low, need)
        ok = (when[a] > when[b]) & np.isin(years[a] - years[b], (0, 1))
        out += zip(a[ok].tolist(), b[ok].tolist(), strict=True)
    return out


def _linked(
    keys: np.ndarray,
    starts: np.ndarray,
    q_doc: np.ndarray,
    q_group: np.ndarray,
    df: np.ndarray,
    n: int,
    low: np.uint64,
    need: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The (sampling report, other report) pairs with enough sampled shingles in common."""
    total = int(df.sum())
    if not total:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    offset = np.arange(total) - np.repeat(np.cumsum(df) - df, df)
    other = (keys[np.repeat(starts[q_group], df) + offset] & low).astype(np.int64)
    mine = np.repeat(q_doc, df)
    pair = mine * n + other
    pair = pair[mine != other]
    uniq, hits = np.unique(pair, return_counts=True)
    a, b = uniq // n, uniq % n
    enough = hits >= need[a]
    return a[enough], b[enough]


@dataclass(slots=True)
class _Prepared:
    norm: Norm
    hashes: np.ndarray  # per position
    distinct: np.ndarray  # sorted


class Exact:
    """The exact check of candidate pairs: :func:`compare` on texts normalised once per report,
    after an upper bound of the containment rules out the pairs that cannot reach ``floor``.

    ``check(a, b)`` returns what ``compare(a.text, b.text, names_a=a.names, names_b=b.names,
    template=template)`` returns (passages with A's text), or None when that could not reach
    ``floor``."""

    def __init__(self, template: tuple[str, ...] = (), floor: float = MIN_REUSE) -> None:
        self.template, self.floor = template, floor
        self._own: dict[str, _Prepared] = {}
        self._chars: dict[str, str] = {}
        self._stripped_names: dict[tuple[str, ...], list[str]] = {}

    def _names(self, names: tuple[str, ...]) -> list[str]:
        if names not in self._stripped_names:
            self._stripped_names[names] = [c for c in map(compared_chars, names) if len(c) >= 2]
        return self._stripped_names[names]

    def _prepare(self, norm: Norm) -> _Prepared:
        h = position_hashes(norm)
        return _Prepared(norm, h, np.unique(h))

    def prepared(self, doc: Doc, other_names: tuple[str, ...] = ()) -> _Prepared:
        """``doc`` normalised as :func:`compare` does against a report of ``other_names``: with
        its own names only (cached) unless one of the others is written in it."""
        if doc.id not in self._chars:
            self._chars[doc.id] = compared_chars(doc.text)
        chars = self._chars[doc.id]
        extra = tuple(n for n in other_names if n not in doc.names)
        if any(n in chars for n in self._names(extra)):
            return self._prepare(normalise(doc.text, (*doc.names, *extra), self.template))
        if doc.id not in self._own:
            self._own[doc.id] = self._prepare(normalise(doc.text, doc.names, self.template))
        return self._own[doc.id]

    def forget(self, doc_id: str) -> None:
        """Drop a report's cached normalisation (when no further pair needs it)."""
        self._own.pop(doc_id, None)
        self._chars.pop(doc_id, None)

    def check(self, a: Doc, b: Doc) -> Reuse | None:
        pa, pb = self.prepared(a, b.names), self.prepared(b, a.names)
        if reach(pa.norm, pa.hashes, pb.distinct) < self.floor:
            return None
        reuse = compare(pa.norm, pb.norm)
        for p in reuse.passages:
            p.text = a.text[p.start : p.end]
        return reuse


def reach(a: Norm, hashes_a: np.ndarray, distinct_b: np.ndarray) -> float:
    """An upper bound of ``compare(a, b).overall``: A's content characters covered by a shingle
    that B also holds (``hashes_a``: :func:`position_hashes` of A, ``distinct_b``: the sorted
    distinct ones of B), over A's content.  Every reused passage is made of such positions, and
    a hash collision only adds some."""
    content = np.frombuffer(bytes(a.content), dtype=np.uint8)
    total = int(content.sum())
    if not total or not len(hashes_a) or not len(distinct_b):
        return 0.0
    at = np.searchsorted(distinct_b, hashes_a)
    at[at == len(distinct_b)] = 0
    starts = np.flatnonzero(distinct_b[at] == hashes_a)
    if not len(starts):
        return 0.0
    edge = np.zeros(len(content) + 1, dtype=np.int32)
    np.add.at(edge, starts, 1)
    np.add.at(edge, starts + K, -1)
    covered = np.cumsum(edge[:-1]) > 0
    return int(content[covered].sum()) / max(total, MIN_CONTENT)
