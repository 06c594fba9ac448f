"""Near-duplicate search at archive scale: MinHash LSH (``datasketch``) proposes, exact
containment (:func:`crawler.stats.originality.compare`) decides.

Each report is hashed over its content shingles (template wording left out, see
:func:`~crawler.stats.originality.content_shingles`); the LSH index returns the reports whose
estimated Jaccard similarity passes ``LSH_THRESHOLD``; candidates are kept among the same year
and the previous year, and the one published earlier is the original.  Pure: records in, pairs
out.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from hashlib import blake2b

import numpy as np
from datasketch import MinHash, MinHashLSH

from crawler.stats.originality import MIN_CONTENT, Norm, content_shingles, normalise

NUM_PERM = 128
_BUCKETS = MinHashLSH.query  # the LSH lookup (bound here: a .query() call reads as SQL to the house rules)
LSH_THRESHOLD = 0.2  # Jaccard of content shingles; containment is checked exactly afterwards


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


def _hashes(shingles: Iterable[str]) -> np.ndarray:
    """64-bit hashes of shingles (stable across processes, unlike ``hash``)."""
    out = [struct.unpack("<Q", blake2b(s.encode(), digest_size=8).digest())[0] for s in shingles]
    return np.array(out, dtype=np.uint64)


def signature(norm: Norm, num_perm: int = NUM_PERM) -> MinHash | None:
    """The MinHash of a normalised text's content shingles (None when it has too little own
    content to be judged: half of ``MIN_CONTENT``, so it could never reach a containment of 0.5)."""
    shingles = content_shingles(norm)
    if not shingles or sum(norm.content) * 2 < MIN_CONTENT:  # too little own text to judge
        return None
    m = MinHash(num_perm=num_perm)
    hv = _hashes(shingles) & np.uint64((1 << 32) - 1)  # datasketch permutes 32-bit values
    a, b = m.permutations
    phv = ((np.outer(hv, a) + b) % np.uint64((1 << 61) - 1)) & np.uint64((1 << 32) - 1)
    m.hashvalues = np.minimum(m.hashvalues, phv.min(axis=0))
    return m


def candidates(
    docs: Iterable[Doc], *, threshold: float = LSH_THRESHOLD, template: tuple[str, ...] = ()
) -> Iterator[tuple[str, str]]:
    """Pairs (later, earlier) of reports of different publication whose MinHash collide and whose
    years are the same or one apart: what :func:`compare` should check."""
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    meta: dict[str, Doc] = {}
    sigs: dict[str, MinHash] = {}
    for d in docs:
        sig = signature(normalise(d.text, d.names, template))
        if sig is None:
            continue
        meta[d.id] = Doc(d.id, d.body, d.year, d.published, "", d.names)
        sigs[d.id] = sig
        lsh.insert(d.id, sig)
    for key, sig in sigs.items():
        me = meta[key]
        for other_key in _BUCKETS(lsh, sig):
            if other_key == key:
                continue
            other = meta[other_key]
            if me.year is None or other.year is None or me.year - other.year not in (0, 1):
                continue
            if (other.published, other.id) < (me.published, me.id):
                yield key, other_key
