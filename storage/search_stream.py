"""Streaming query execution for :mod:`storage.search`: newest-first candidates, bounded work.

Every FTS5 index can stream a term's matches by rowid, newest first, without reading the rest.
Boolean queries are answered by merging those streams (AND = intersection, OR = union, NOT =
difference) in Python and stopping as soon as enough candidates are found, instead of
materialising every rowid set (50,000+ rows for common terms).  Ranking the bounded pool is
done here too: FTS5's bm25() first counts every match of each phrase in the whole index (its
IDF), which is what made a common term cost ~100 ms at 100,000 reports; within a pool the
score is BM25's term-frequency part, from the report texts themselves.
"""

from __future__ import annotations

import heapq
import sqlite3
from collections.abc import Iterable, Iterator
from typing import TypeGuard

K1, B = 1.2, 0.75
_CHUNK = 256


def _stream(conn: sqlite3.Connection, fts: str, match: str) -> Iterator[int]:
    cursor = conn.execute(f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY rowid DESC", [match])
    while rows := cursor.fetchmany(_CHUNK):
        for (rowid,) in rows:
            yield rowid


def _union(streams: list[Iterator[int]]) -> Iterator[int]:
    last = None
    for value in heapq.merge(*streams, reverse=True):
        if value != last:
            last = value
            yield value


def _all_present(heads: list[int | None]) -> TypeGuard[list[int]]:
    """No stream is exhausted yet."""
    return all(h is not None for h in heads)


def _intersect(streams: list[Iterator[int]]) -> Iterator[int]:
    heads: list[int | None] = [next(s, None) for s in streams]
    while _all_present(heads):
        low = min(heads)  # descending streams: every stream must reach the smallest head
        if all(h == low for h in heads):
            yield low
            heads = [next(s, None) for s in streams]
            continue
        heads = [h if h == low else _skip_to(s, h, low) for s, h in zip(streams, heads, strict=True)]


def _skip_to(stream: Iterator[int], head: int | None, target: int) -> int | None:
    while head is not None and head > target:
        head = next(stream, None)
    return head


def _except(stream: Iterator[int], excluded: Iterator[int]) -> Iterator[int]:
    head = next(excluded, None)
    for value in stream:
        head = _skip_to(excluded, head, value)
        if head != value:
            yield value


def candidates(
    conn: sqlite3.Connection, groups: list[list[tuple[str, str]]], negated: list[tuple[str, str]]
) -> Iterator[int]:
    """search_docs ids matching the query, newest first. ``groups`` AND together, each a list
    of (fts table, MATCH expression) that OR together; ``negated`` are subtracted."""
    anded = [
        _union([_stream(conn, f, m) for f, m in g]) if len(g) > 1 else _stream(conn, *g[0]) for g in groups
    ]
    hits = anded[0] if len(anded) == 1 else _intersect(anded)
    if negated:
        hits = _except(hits, _union([_stream(conn, f, m) for f, m in negated]))
    return hits


def take(
    conn: sqlite3.Connection, ids: Iterable[int], n: int, filters_sql: str, filter_args: list
) -> list[int]:
    """The first ``n`` ids (in stream order) whose search_docs row passes the SQL filters."""
    out: list[int] = []
    batch: list[int] = []
    iterator = iter(ids)
    while len(out) < n:
        batch = [i for _, i in zip(range(_CHUNK), iterator, strict=False)]
        if not batch:
            break
        if filters_sql:
            marks = ", ".join("?" * len(batch))
            keep = {
                r[0]
                for r in conn.execute(
                    f"SELECT d.id FROM search_docs d WHERE d.id IN ({marks}){filters_sql}",
                    [*batch, *filter_args],
                )
            }
            batch = [i for i in batch if i in keep]
        out.extend(batch[: n - len(out)])
    return out


def bm25_tf(texts: dict[int, str], terms: list[str]) -> dict[int, float]:
    """BM25's term-frequency part for each text (IDF is the same for every candidate of a
    one-term query; between terms each counts equally)."""
    if not texts:
        return {}
    avg = sum(len(t) for t in texts.values()) / len(texts) or 1.0
    scores = {}
    for doc_id, text in texts.items():
        norm = K1 * (1 - B + B * len(text) / avg)
        score = 0.0
        for term in terms:
            tf = text.count(term) if term else 0
            score += tf * (K1 + 1) / (tf + norm) if tf else 0.0
        scores[doc_id] = score
    return scores
