"""Chinese full-text search over ``report_texts`` (schema: migration ``0003_search``).

Design (measurements.md B4): two FTS5 indexes over ``search_docs`` (a copy of each report's
title, text and metadata with a stable INTEGER id):

* ``search_docs_fts`` — **trigram** tokenizer, substring matching, for terms of ≥ 3 characters;
* ``search_chars_fts`` — **unicode61** over ``search_chars``, the per-character form of the
  same text ("行 政 复 议"; Chinese punctuation kept as tokens), for terms of 1–2 characters.

:func:`search` routes every query term by its length, so a short term never reaches the trigram
MATCH (where it would silently match nothing or be ignored inside an AND). By default terms
combine by merging each index's newest-first rowid stream (``storage.search_stream``: AND =
intersection, OR = union, NOT = difference), stopping once enough candidates are found, and the
``RANK_POOL`` newest matches are ranked by BM25 term frequency; ``ranked=False`` returns them
newest first; ``rank_pool=None`` (``--exact``) ranks every match with FTS5 bm25() and rowid-set
INTERSECT/UNION/EXCEPT. Snippets are computed in Python around the first occurrence, with
every query term marked 【…】.

:func:`index_reports` copies ``report_texts`` rows into ``search_docs``/``search_chars``;
triggers keep both FTS indexes in step. Call it after writing ``report_texts``; re-running it
upserts, never duplicates.

Searching without Python
------------------------
* **sqlite3**, term of ≥ 3 characters::

    SELECT d.report_id, d.title, snippet(search_docs_fts, 1, '【', '】', '…', 20)
    FROM search_docs_fts JOIN search_docs d ON d.id = search_docs_fts.rowid
    WHERE search_docs_fts MATCH '"行政复议"' ORDER BY rank LIMIT 20;

  term of 1–2 characters (space between the characters, as a quoted phrase)::

    SELECT d.report_id, d.title FROM search_chars_fts JOIN search_docs d ON d.id = search_chars_fts.rowid
    WHERE search_chars_fts MATCH '"复 议"' ORDER BY rank LIMIT 20;

* **sqlite-utils**: ``sqlite-utils search archive.db search_docs 行政复议`` (≥ 3 characters).
* **Datasette** (run with ``--setting suggest_facets off``): the ``search_docs`` table has a
  search box backed by the trigram index — ``/archive/search_docs?_search=行政复议`` — which is
  right for terms of **≥ 3 characters** only (a 1–2-character term returns no rows there).
  Facet with ``&_facet=report_year&_facet=agency``. For 1–2 characters add this canned query
  to ``metadata.yml`` and open ``/archive/search_short?term=复议``::

    databases:
      archive:
        queries:
          search_short:
            title: Search 1–2 character terms
            sql: |-
              select d.report_id, d.title, d.agency, d.report_year,
                     snippet(search_chars_fts, 1, '【', '】', '…', 24) as snippet
              from search_chars_fts join search_docs d on d.id = search_chars_fts.rowid
              where search_chars_fts match '"' || substr(:term, 1, 1) || ' ' || substr(:term, 2, 1) || '"'
              order by rank limit 100

  (its snippet shows the spaced form). Type simplified characters in both.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlite_utils import Database

from crawler.vocab import clock
from crawler.vocab.text import CJK_CHAR, fold_width, to_simplified
from storage import search_stream

_TOKEN_PUNCT = "，。、；：？！"
_SPACE_AROUND = re.compile(f"(?<=[{CJK_CHAR}{_TOKEN_PUNCT}])|(?=[{CJK_CHAR}{_TOKEN_PUNCT}])")
_SPACE_IN_CJK = re.compile(rf"(?<=[{CJK_CHAR}])\s+|\s+(?=[{CJK_CHAR}])")
_QUERY_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w")
MAX_QUERY_CHARS = 1000
MAX_TERMS = 32
SNIPPET_CHARS = 90
# Ranked queries score (BM25 term frequency) the RANK_POOL most recently indexed matches;
# FTS5's bm25() over every match of a common term costs ~100+ ms at 100,000 reports.
# ``search(..., rank_pool=None)`` (``nianbao search --exact``) ranks every match with bm25().
RANK_POOL = 1000


def chars_form(s: str | None) -> str:
    """The per-character form the unigram index stores: a space around every CJK character."""
    return _SPACE_AROUND.sub(" ", s) if s else ""


@dataclass(frozen=True, slots=True)
class Term:
    """One query term (already simplified and width-folded)."""

    text: str

    @property
    def short(self) -> bool:
        """1–2 characters: answered by the unigram index."""
        return len(self.text) < 3

    @property
    def fts_table(self) -> str:
        return "search_chars_fts" if self.short else "search_docs_fts"

    @property
    def match(self) -> str:
        """The FTS5 MATCH expression: one quoted phrase, so nothing in it is FTS syntax."""
        body = " ".join(chars_form(self.text).split()) if self.short else self.text
        return '"' + body.replace('"', '""') + '"'


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """``groups`` AND together, the terms of a group OR together; ``negated`` are subtracted."""

    groups: list[list[Term]] = field(default_factory=list)
    negated: list[Term] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def positive(self) -> list[Term]:
        return [t for g in self.groups for t in g]


def _normalise_term(s: str) -> str:
    return _SPACE_IN_CJK.sub("", " ".join(s.split()))


def parse_query(query: str) -> ParsedQuery:
    """Parse a user query; never raises.

    Syntax: whitespace = AND; ``"…"`` (or “…”) = phrase; ``OR`` / ``|`` between two terms;
    ``NOT term`` or ``-term`` excludes. Everything else (``*``, ``NEAR``, parentheses, ``:``) is
    literal text; parentheses around a bare word are dropped. The query is width-folded and converted to simplified characters. A term with
    nothing searchable in it is dropped with a warning; overlong queries are cut.
    """
    warnings: list[str] = []
    q = to_simplified(fold_width(query or "")).replace("“", '"').replace("”", '"')
    if len(q) > MAX_QUERY_CHARS:
        q = q[:MAX_QUERY_CHARS]
        warnings.append(f"query cut to {MAX_QUERY_CHARS} characters")
    groups: list[list[Term]] = []
    negated: list[Term] = []
    pending_or = pending_not = False
    count = 0
    for m in _QUERY_TOKEN.finditer(q):
        phrase, bare = m.group(1), m.group(2)
        if phrase is None:
            if bare in ("OR", "|"):
                pending_or = bool(groups) and not pending_not
                continue
            if bare in ("AND", "&"):
                continue
            if bare == "NOT":
                pending_not = True
                continue
            if bare.startswith("-") and len(bare) > 1:
                pending_not, bare = True, bare[1:]
            bare = bare.lstrip("(").rstrip(")")  # grouping parentheses are not supported
        text = _normalise_term(phrase if phrase is not None else bare)
        if not _WORD.search(text) and (len(text) < 3 or not text.strip()):
            if text:
                warnings.append(f"ignored {text!r}: nothing searchable")
            pending_or = pending_not = False
            continue
        count += 1
        if count > MAX_TERMS:
            warnings.append(f"only the first {MAX_TERMS} terms are used")
            break
        term = Term(text)
        if pending_not:
            negated.append(term)
        elif pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = pending_not = False
    if negated and not groups:
        warnings.append("a query needs at least one term that is not excluded")
    return ParsedQuery(groups, negated, warnings)


# --- indexing ------------------------------------------------------------------------------

_COLUMNS = (
    "report_id",
    "agency",
    "report_year",
    "level",
    "region",
    "source_id",
    "updated_at",
    "title",
    "text",
)
_UPSERT_DOC = f"""
    INSERT INTO search_docs ({", ".join(_COLUMNS)}, indexed_at) VALUES ({", ".join("?" * len(_COLUMNS))}, ?)
    ON CONFLICT(report_id) DO UPDATE SET
    {", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[1:])}, indexed_at = excluded.indexed_at
    RETURNING id
"""
_UPSERT_CHARS = """
    INSERT INTO search_chars (id, title_chars, text_chars) VALUES (?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET title_chars = excluded.title_chars, text_chars = excluded.text_chars
"""
_CHANGED = " OR ".join(f"d.{c} IS NOT r.{c}" for c in _COLUMNS[1:])


def index_reports(db: Database, report_ids: Iterable[str] | None = None, *, batch: int = 500) -> int:
    """(Re)index ``report_texts`` rows; return how many rows were written.

    With ``report_ids``, those rows are re-indexed unconditionally (ids without a
    ``report_texts`` row are removed from the index). With None, every row that is new or
    differs from its indexed copy is indexed, and index rows whose report is gone are removed.
    Idempotent: a report is one ``search_docs`` row however often it is indexed.
    """
    cols = ", ".join(f"r.{c}" for c in _COLUMNS)
    conn = db.conn
    now = clock.now_iso()  # the one injectable clock (NIANBAO_NOW)
    written = 0

    def write(rows: list[tuple]) -> None:
        nonlocal written
        for row in rows:
            (doc_id,) = conn.execute(_UPSERT_DOC, (*row, now)).fetchone()
            conn.execute(_UPSERT_CHARS, (doc_id, chars_form(row[-2]), chars_form(row[-1])))
            written += 1

    with conn:
        if report_ids is None:
            gone = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM search_docs d WHERE NOT EXISTS "
                    "(SELECT 1 FROM report_texts r WHERE r.report_id = d.report_id)"
                )
            ]
            _delete(conn, gone)
            cursor = conn.execute(
                f"SELECT {cols} FROM report_texts r LEFT JOIN search_docs d ON d.report_id = r.report_id "
                f"WHERE d.id IS NULL OR {_CHANGED}"
            )
            while rows := cursor.fetchmany(batch):
                write(rows)
            return written
        ids = list(dict.fromkeys(report_ids))
        for i in range(0, len(ids), batch):
            chunk = ids[i : i + batch]
            marks = ", ".join("?" * len(chunk))
            rows = conn.execute(
                f"SELECT {cols} FROM report_texts r WHERE r.report_id IN ({marks})", chunk
            ).fetchall()
            found = {row[0] for row in rows}
            missing = [x for x in chunk if x not in found]
            if missing:
                marks = ", ".join("?" * len(missing))
                _delete(
                    conn,
                    [
                        r[0]
                        for r in conn.execute(
                            f"SELECT id FROM search_docs WHERE report_id IN ({marks})", missing
                        )
                    ],
                )
            write(rows)
    return written


def _delete(conn: sqlite3.Connection, doc_ids: list[int]) -> None:
    for doc_id in doc_ids:
        conn.execute("DELETE FROM search_chars WHERE id = ?", (doc_id,))
        conn.execute("DELETE FROM search_docs WHERE id = ?", (doc_id,))


def optimize(db: Database) -> None:
    """Merge each FTS index into one b-tree (after a large build; makes queries faster)."""
    with db.conn:
        for table in ("search_docs_fts", "search_chars_fts"):
            db.conn.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")


# --- searching -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result; ``score`` is -bm25 (higher is better), 0.0 when unranked."""

    report_id: str
    title: str
    agency: str | None
    report_year: int | None
    source_id: str | None
    snippet: str
    score: float
    parts: Parts = ()  # the snippet as pieces, matches marked (for renderers that escape)


def _term_select(term: Term, params: list) -> str:
    params.append(term.match)
    return f"SELECT rowid AS id FROM {term.fts_table} WHERE {term.fts_table} MATCH ?"


def _hit_set_sql(parsed: ParsedQuery, params: list) -> str:
    """SQL for the id set of a query: groups INTERSECT, terms of a group UNION, negated EXCEPT."""
    parts = [" UNION ".join(_term_select(t, params) for t in group) for group in parsed.groups]
    hits = " INTERSECT ".join(f"SELECT id FROM ({p})" for p in parts)
    if parsed.negated:
        hits += (
            " EXCEPT SELECT id FROM (" + " UNION ".join(_term_select(t, params) for t in parsed.negated) + ")"
        )
    return hits


_Filters = tuple[str | None, int | None, str | None, str | None]
"""(agency, year, level, region), as :func:`_filters` takes them."""


def _filters(
    agency: str | None, year: int | None, level: str | None, region: str | None, params: list
) -> str:
    sql = ""
    if agency:
        sql += " AND instr(d.agency, ?) > 0"
        params.append(to_simplified(fold_width(agency)).strip())
    if year is not None:
        sql += " AND d.report_year = ?"
        params.append(int(year))
    if level:
        sql += " AND d.level = ?"
        params.append(level)
    if region:  # a 行政区划代码 prefix: 43 = 湖南省, 430102 = one district
        sql += " AND instr(d.region, ?) = 1"
        params.append(region)
    return sql


def _by_year(
    conn: sqlite3.Connection, candidates: Iterator[int], filters: _Filters
) -> tuple[Iterator[int], _Filters]:
    """Candidates of a report year taken from the year's index instead of a row read each (a
    year filter over a common term reads thousands of rows otherwise); the other filters are
    left to SQL."""
    agency, year, level, region = filters
    if year is None:
        return candidates, filters
    ids = {r[0] for r in conn.execute("SELECT id FROM search_docs WHERE report_year = ?", [int(year)])}
    return (i for i in candidates if i in ids), (agency, None, level, region)


def _pattern(terms: list[Term]) -> re.Pattern[str] | None:
    alts = [
        r"\s*".join(re.escape(ch) for ch in t.text if not ch.isspace())
        for t in sorted(terms, key=lambda t: -len(t.text))
    ]
    alts = [a for a in alts if a]
    return re.compile("|".join(alts), re.I) if alts else None


Parts = tuple[tuple[str, bool], ...]
"""A text cut into pieces, each marked True where it matches a query term."""


def mark_terms(text: str, terms: list[Term]) -> Parts:
    """``text`` cut at every match of every term (longest first; a term may span white space)."""
    pattern = _pattern(terms)
    if not pattern or not text:
        return ((text, False),) if text else ()
    out: list[tuple[str, bool]] = []
    at = 0
    for m in pattern.finditer(text):
        if m.start() == m.end():
            continue
        if m.start() > at:
            out.append((text[at : m.start()], False))
        out.append((m.group(0), True))
        at = m.end()
    if at < len(text):
        out.append((text[at:], False))
    return tuple(out)


def snippet_parts(text: str | None, terms: list[Term], width: int = SNIPPET_CHARS) -> Parts:
    """About ``width`` characters of ``text`` around the first match, cut at every match."""
    text = " ".join((text or "").split())
    pattern = _pattern(terms)
    m = pattern.search(text) if pattern else None
    start = max(0, m.start() - width // 3) if m else 0
    end = min(len(text), start + width)
    parts = mark_terms(text[start:end], terms)
    return ((("…", False),) if start else ()) + parts + ((("…", False),) if end < len(text) else ())


def _joined(parts: Parts) -> str:
    return "".join(f"【{piece}】" if hit else piece for piece, hit in parts)


def make_snippet(text: str | None, terms: list[Term], width: int = SNIPPET_CHARS) -> str:
    """About ``width`` characters of ``text`` around the first match, matches marked 【…】."""
    return _joined(snippet_parts(text, terms, width))


def search(
    db: Database,
    query: str,
    *,
    agency: str | None = None,
    year: int | None = None,
    level: str | None = None,
    region: str | None = None,
    limit: int = 20,
    offset: int = 0,
    ranked: bool = True,
    rank_pool: int | None = RANK_POOL,
) -> list[Hit]:
    """Search report titles and texts; see :func:`parse_query` for the syntax.

    Filters: ``agency`` (substring), ``year`` (report year), ``level``, ``region`` (code prefix).
    ``ranked=False`` skips bm25 and returns the newest-indexed hits first — much faster when a
    term hits most reports. Ranking scores the ``rank_pool`` most recently indexed matches
    (after filters) by BM25 term frequency; ``rank_pool=None`` ranks every match with bm25().
    Returns ``[]`` for a query with nothing searchable; never raises for any query string.
    """
    parsed = parse_query(query)
    if not parsed.groups or limit <= 0:
        return []
    if not ranked or rank_pool:
        return _search_streamed(
            db,
            parsed,
            (agency, year, level, region),
            limit,
            max(0, int(offset)),
            rank_pool if ranked else None,
        )
    return _search_exact(db, parsed, (agency, year, level, region), limit, max(0, int(offset)))


def _hits(db: Database, ids: list[int], scores: dict[int, float], terms: list[Term]) -> list[Hit]:
    if not ids:
        return []
    rows = {
        r[0]: r
        for r in db.conn.execute(
            "SELECT d.id, d.report_id, d.title, d.agency, d.report_year, d.source_id, d.text FROM search_docs d "
            f"WHERE d.id IN ({', '.join('?' * len(ids))})",
            ids,
        )
    }
    return [
        Hit(
            report_id=r[1],
            title=r[2] or "",
            agency=r[3],
            report_year=r[4],
            source_id=r[5],
            snippet=_joined(parts := snippet_parts(r[6] or r[2], terms)),
            score=float(scores.get(i, 0.0)),
            parts=parts,
        )
        for i in ids
        if (r := rows.get(i)) is not None
    ]


def _search_streamed(
    db: Database, parsed: ParsedQuery, filters: _Filters, limit: int, offset: int, rank_pool: int | None
) -> list[Hit]:
    """Newest-first candidates merged from the indexes' rowid streams (bounded work); ranked
    within a pool of ``rank_pool`` candidates by BM25 term frequency when asked."""
    conn = db.conn
    groups = [[(t.fts_table, t.match) for t in g] for g in parsed.groups]
    negated = [(t.fts_table, t.match) for t in parsed.negated]
    want = offset + limit
    try:
        stream, filters = _by_year(conn, search_stream.candidates(conn, groups, negated), filters)
        filter_args: list = []
        filters_sql = _filters(*filters, filter_args)
        pool = search_stream.take(conn, stream, max(want, rank_pool or 0), filters_sql, filter_args)
        scores: dict[int, float] = {}
        if rank_pool:
            texts: dict[int, str] = {}
            for i in range(0, len(pool), 500):
                chunk = pool[i : i + 500]
                texts.update(
                    conn.execute(
                        f"SELECT id, coalesce(text, '') FROM search_docs WHERE id IN ({', '.join('?' * len(chunk))})",
                        chunk,
                    ).fetchall()
                )
            scores = search_stream.bm25_tf(texts, [t.text for t in parsed.positive])
            pool = sorted(pool, key=lambda i: (-scores.get(i, 0.0), -i))
    except sqlite3.OperationalError as exc:  # an FTS5 syntax corner we did not foresee
        if "fts5" in str(exc).lower() or "match" in str(exc).lower():
            return []
        raise
    return _hits(db, pool[offset:want], scores, parsed.positive)


def _search_exact(db: Database, parsed: ParsedQuery, filters: _Filters, limit: int, offset: int) -> list[Hit]:
    """bm25 over every match (``nianbao search --exact``)."""
    params: list = []
    agency, year, level, region = filters
    single = len(parsed.groups) == 1 and len(parsed.groups[0]) == 1 and not parsed.negated
    rank_term = next(
        (g[0] for g in parsed.groups if len(g) == 1 and not g[0].short),
        next((g[0] for g in parsed.groups if len(g) == 1), None),
    )
    select = "d.report_id, d.title, d.agency, d.report_year, d.source_id, d.text"
    if single:
        term = parsed.groups[0][0]
        fts = term.fts_table
        params.append(term.match)
        sql = (
            f"SELECT {select}, -bm25({fts}) FROM {fts} JOIN search_docs d ON d.id = {fts}.rowid "
            f"WHERE {fts} MATCH ?"
        )
        sql += _filters(agency, year, level, region, params) + f" ORDER BY {fts}.rank"
    else:
        hits = _hit_set_sql(parsed, params)
        if rank_term is not None:
            fts = rank_term.fts_table
            params.append(rank_term.match)
            sql = (
                f"WITH hits(id) AS MATERIALIZED ({hits}), scored AS MATERIALIZED "
                f"(SELECT rowid AS id, bm25({fts}) AS s FROM {fts} WHERE {fts} MATCH ?) "
                f"SELECT {select}, -coalesce(scored.s, 0) FROM hits JOIN search_docs d ON d.id = hits.id "
                f"LEFT JOIN scored ON scored.id = hits.id WHERE 1"
            )
            sql += _filters(agency, year, level, region, params) + " ORDER BY coalesce(scored.s, 0)"
        else:
            sql = f"SELECT {select}, 0.0 FROM search_docs d WHERE d.id IN ({hits})"
            sql += _filters(agency, year, level, region, params) + " ORDER BY d.id DESC"
    sql += " LIMIT ? OFFSET ?"
    params += [int(limit), offset]
    try:
        rows = db.conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc).lower() or "match" in str(exc).lower():
            return []
        raise
    terms = parsed.positive
    return [
        Hit(
            report_id=r[0],
            title=r[1] or "",
            agency=r[2],
            report_year=r[3],
            source_id=r[4],
            snippet=_joined(parts := snippet_parts(r[5] or r[1], terms)),
            score=float(r[6] or 0.0),
            parts=parts,
        )
        for r in rows
    ]


def count(
    db: Database,
    query: str,
    *,
    agency: str | None = None,
    year: int | None = None,
    level: str | None = None,
    region: str | None = None,
) -> int:
    """How many reports match (the lazy count for a results page; costs a full hit scan)."""
    parsed = parse_query(query)
    if not parsed.groups:
        return 0
    params: list = []
    hits = _hit_set_sql(parsed, params)
    where = _filters(agency, year, level, region, params)
    sql = f"SELECT count(*) FROM search_docs d WHERE d.id IN ({hits}){where}"
    return int(db.conn.execute(sql, params).fetchone()[0])


def indexed_reports(db: Database) -> int:
    """How many report texts the search index holds."""
    return int(db.conn.execute("SELECT count(*) FROM search_docs").fetchone()[0])


# --- result pages: capped counts, facets, date order --------------------------------------

COUNT_CAP = 10_000
"""A results page counts matches up to this many (then says "10,000+"): counting every match of a
common term costs a full scan of its posting lists."""

FACETS = ("report_year", "level", "region", "format")
FACET_TOP = 40


def matching_ids(
    db: Database,
    query: str,
    *,
    agency: str | None = None,
    year: int | None = None,
    level: str | None = None,
    region: str | None = None,
    cap: int = COUNT_CAP,
) -> tuple[list[int], bool]:
    """The ids of the newest ``cap`` matching reports (after filters), and whether that is all of
    them (False: there are more than ``cap``). Lazy: stops after ``cap + 1`` matches."""
    parsed = parse_query(query)
    if not parsed.groups:
        return [], True
    conn = db.conn
    groups = [[(t.fts_table, t.match) for t in g] for g in parsed.groups]
    negated = [(t.fts_table, t.match) for t in parsed.negated]
    try:
        stream, filters = _by_year(
            conn, search_stream.candidates(conn, groups, negated), (agency, year, level, region)
        )
        args: list = []
        where = _filters(*filters, args)
        ids = search_stream.take(conn, stream, cap + 1, where, args)
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc).lower() or "match" in str(exc).lower():
            return [], True
        raise
    return ids[:cap], len(ids) <= cap


def facet_counts(
    db: Database, ids: list[int], *, top: int = FACET_TOP
) -> dict[str, list[tuple[object, int]]]:
    """For each of :data:`FACETS`, (value, how many of ``ids``): years newest first, the others
    most frequent first, at most ``top`` values each. ``region`` is counted by province (the
    code's first two digits: a search hits thousands of counties); ``format`` comes from the
    analysed report. One pass over the ids."""
    counts: dict[str, Counter] = {f: Counter() for f in FACETS}
    if ids:
        arg = "[" + ",".join(str(int(i)) for i in ids) + "]"
        for year, level, region, fmt in db.conn.execute(
            "select d.report_year, d.level, d.region, r.format from search_docs d "
            "left join reports r on r.id = d.report_id where d.id in (select value from json_each(?))",
            [arg],
        ):
            counts["report_year"][year] += 1
            counts["level"][level] += 1
            counts["region"][region[:2] if region else None] += 1
            counts["format"][fmt] += 1
    out: dict[str, list[tuple[object, int]]] = {}
    for facet, c in counts.items():
        if facet == "report_year":
            out[facet] = sorted(c.items(), key=lambda kv: (kv[0] is None, -(kv[0] or 0)))[:top]
        else:
            out[facet] = sorted(c.items(), key=lambda kv: (-kv[1], str(kv[0])))[:top]
    return out


def hits_by_date(db: Database, query: str, ids: list[int], *, limit: int, offset: int) -> list[Hit]:
    """A page of ``ids`` (from :func:`matching_ids`) newest published first (undated last)."""
    if not ids:
        return []
    arg = "[" + ",".join(str(int(i)) for i in ids) + "]"
    page = [
        r[0]
        for r in db.conn.execute(
            "select d.id from search_docs d left join reports r on r.id = d.report_id "
            "where d.id in (select value from json_each(?)) "
            "order by r.published_at is null, r.published_at desc, d.report_year desc, d.id desc limit ? offset ?",
            [arg, int(limit), int(offset)],
        )
    ]
    return _hits(db, page, {}, parse_query(query).positive)
