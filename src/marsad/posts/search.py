"""Arabic-aware full-text search over posts.

Both the stored text and the query go through ``marsad.core.text`` (diacritics,
tatweel, hamza forms, ة/ه, ى/ي, Kurdish and Persian letter variants…), so a query finds
a post however either was typed. On top, an Arabic query word matches its forms with the
clitics a reader looks past: the article and the conjunctions and prepositions written
joined to it (و، ف، ب، ك، ل + ال). A query word written with them is first taken back to
its stem, so حكومة, الحكومة and والحكومة all find the same posts.

SQLite uses the FTS5 table the migration created; PostgreSQL a GIN index over
``to_tsvector('simple', search_text)``. Results come newest first (by post time).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, text
from sqlalchemy.orm import Session

from marsad.core.errors import InvalidInput, NotFound
from marsad.core.text import ARTICLE_CLITICS as _ARTICLE_FORMS
from marsad.core.text import MIN_STEM as _MIN_STEM
from marsad.core.text import normalize, stem, tokens

# A bare one-letter proclitic (و، ف، ب، ك، ل) is never stripped from a query word: too
# many words begin with these letters (وطن، فرح، بلد…). A stem gets them as forms only.
_BARE_CLITICS = ("و", "ف", "ب", "ك", "ل")
_ARTICLE_ONLY = ("و", "ف", "ب", "ك")  # for a word whose ال is part of it (الله)
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_QUERY_PART = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"[^\W_]+")
MAX_LIMIT = 200
# The orders a feed can be read in (by post time).
SORTS = ("newest", "oldest")
MAX_TERMS = 32
MAX_OFFSET = 10_000
# Counts stop here: "1,000+" answers a monitor as well as an exact figure, at a fraction
# of the cost.
COUNT_CAP = 1_000
_ID_MASK = (1 << 30) - 1
# Up to this many posts, an account's posts are checked one by one against the index.
SMALL_ACCOUNT = 2_000
# The post's FTS rowid, as the 0002_posts migration's triggers compute it.
_SQL_KEY = (
    "((max(coalesce(CAST(strftime('%s', p.created_at) AS INTEGER), -2208988800) "
    "+ 2208988800, 0) << 30) | p.id)"
)
_EPOCH_1900 = 2_208_988_800  # seconds from 1900-01-01 to 1970-01-01


def variants(word: str) -> list[str]:
    """The forms of a normalised query word that count as a match for it.

    حكومه, الحكومه and والحكومه each match حكومه, الحكومه, والحكومه, فالحكومه,
    بالحكومه, وبالحكومه, للحكومه … and وحكومه, بحكومه, لحكومه. Non-Arabic words
    match only themselves. Expanding the query, not the index, keeps the index small
    and ingest fast.
    """
    if not _ARABIC.match(word) or len(word) < 2:
        return [word]
    base = stem(word)
    if base == word and word.startswith("ال"):
        # An article that is part of the word (الله): its clitics only.
        return [word] + [p + word for p in _ARTICLE_ONLY]
    forms = [base] + [p + base for p in _ARTICLE_FORMS]
    if len(base) >= _MIN_STEM:
        forms += [p + base for p in _BARE_CLITICS]
    return list(dict.fromkeys(forms))


def highlight(text_: str, query: str) -> list[tuple[str, bool]]:
    """``text_`` cut into (piece, matches_the_query) pieces, for marking the matches.

    A word is marked when its normalised form is one a query word matches (with the
    same clitics as the search), starts with a ``prefix*`` term, or belongs to a phrase.
    """
    terms = parse_query(query) if query else []
    if not terms or not text_:
        return [(text_, False)] if text_ else []
    exact: set[str] = set()
    prefixes: list[str] = []
    for term in terms:
        for word in term.words:
            forms = variants(word)
            if term.prefix:
                prefixes.extend(forms)
            else:
                exact.update(forms)
    pieces: list[tuple[str, bool]] = []
    at = 0
    for match in _WORD.finditer(text_):
        words = tokens(match.group())
        if not words:
            continue
        hit = any(w in exact or w.startswith(tuple(prefixes)) for w in words)
        if not hit:
            continue
        if match.start() > at:
            pieces.append((text_[at : match.start()], False))
        pieces.append((match.group(), True))
        at = match.end()
    if at < len(text_):
        pieces.append((text_[at:], False))
    return pieces


@lru_cache(maxsize=65_536)
def search_text(text_: str) -> str:
    """The form of a post's text that the full-text index stores (normalised tokens).

    Cached: retweets and forwards repeat the same text many times in one collection.
    """
    return " ".join(tokens(text_))


@dataclass(frozen=True, slots=True)
class Term:
    """One query term: a word, a word prefix (``word*``) or a phrase (``"two words"``)."""

    words: tuple[str, ...]
    prefix: bool = False


def parse_query(query: str) -> list[Term]:
    """Split a user query into normalised terms (all must match)."""
    terms: list[Term] = []
    for match in _QUERY_PART.finditer(query or ""):
        phrase, word = match.groups()
        if phrase is not None:
            words = tuple(tokens(phrase))
            if words:
                terms.append(Term(words))
            continue
        prefix = word.endswith("*")
        for token in tokens(word):
            terms.append(Term((token,)))
        if prefix and terms and len(terms[-1].words) == 1:
            terms[-1] = Term(terms[-1].words, prefix=True)
    if len(terms) > MAX_TERMS:
        raise InvalidInput("err_posts_query", f"at most {MAX_TERMS} search terms", where="q")
    return terms


def _fts5(terms: list[Term]) -> str:
    parts = []
    for term in terms:
        if len(term.words) > 1:  # a phrase matches as typed
            parts.append('"' + " ".join(term.words) + '"')
            continue
        star = "*" if term.prefix else ""
        forms = [f'"{form}"{star}' for form in variants(term.words[0])]
        parts.append(forms[0] if len(forms) == 1 else "(" + " OR ".join(forms) + ")")
    return " AND ".join(parts)


def _tsquery(terms: list[Term]) -> str:
    parts = []
    for term in terms:
        if len(term.words) > 1:
            parts.append("(" + " <-> ".join(term.words) + ")")
            continue
        star = ":*" if term.prefix else ""
        forms = [form + star for form in variants(term.words[0])]
        parts.append(forms[0] if len(forms) == 1 else "(" + " | ".join(forms) + ")")
    return " & ".join(parts)


def _keyword_terms(keywords: list[str]) -> list[list[Term]]:
    return [t for t in (parse_query(f'"{k}"') for k in keywords) if t]


@dataclass(slots=True)
class Found:
    """One page of matches. ``total`` is exact when ``total_exact``, else a lower bound."""

    rows: list[dict[str, Any]]
    total: int
    total_exact: bool
    more: bool


_COLUMNS = (
    "p.id, p.platform, p.post_id, p.account_id, p.text, p.lang, p.created_at, p.url, "
    "p.hashtags, p.likes, p.shares, p.replies, p.views, p.reactions, a.handle, a.display_name"
)


def search_posts(
    *,
    session: Session,
    query: str = "",
    platform: str | None = None,
    account: str | None = None,
    watchlist: str | None = None,
    lang: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    among: Select[Any] | None = None,
    sort: str = "newest",
    limit: int = 20,
    offset: int = 0,
) -> Found:
    """Find posts matching ``query`` and the filters, newest first; one page of rows.

    ``account`` is an account id or handle (with or without @); ``watchlist`` keeps
    posts by the list's accounts or matching one of its keywords; ``among`` is a
    subquery of post ids to keep (another capability's, e.g. detect's flagged posts).
    ``sort`` is ``newest`` (the default) or ``oldest`` first, by post time.
    Counts are exact up to COUNT_CAP; beyond, ``total`` is COUNT_CAP and
    ``total_exact`` is False.

    On SQLite the full-text index is keyed by post time, so matches come out newest
    first and reading stops when the page is full: a common word costs no more than a
    rare one.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput("err_posts_limit", f"limit must be 1 to {MAX_LIMIT}", where="limit")
    if offset < 0 or offset > MAX_OFFSET:
        raise InvalidInput("err_posts_offset", f"offset must be 0 to {MAX_OFFSET}", where="offset")
    if sort not in SORTS:
        raise InvalidInput(
            "err_posts_sort", f"sort must be one of {', '.join(SORTS)}", where="sort"
        )
    down = "DESC" if sort == "newest" else "ASC"
    dialect = session.get_bind().dialect.name
    terms = parse_query(query)
    if query.strip() and not terms:
        return Found([], 0, True, False)  # only punctuation or emoji: nothing can match
    where: list[str] = []
    params: dict[str, Any] = {}
    account_clause = ""
    if platform:
        where.append("p.platform = :platform")
        params["platform"] = platform
    if lang:
        where.append("p.lang = :lang")
        params["lang"] = lang
    if since:
        where.append("p.created_at >= :since")
        params["since"] = _bind_time(since, dialect)
    if until:
        where.append("p.created_at < :until")
        params["until"] = _bind_time(until, dialect)
    if account:
        pairs = _accounts_named(session, account.lstrip("@"), platform)
        if not pairs:
            return Found([], 0, True, False)
        ors = []
        for i, (acc_platform, acc_id) in enumerate(pairs):
            ors.append(f"(p.platform = :ap{i} AND p.account_id = :aa{i})")
            params[f"ap{i}"], params[f"aa{i}"] = acc_platform, acc_id
        account_clause = "(" + " OR ".join(ors) + ")"
        where.append(account_clause)
    if watchlist:
        where.append(_watchlist_clause(session, watchlist, dialect, params))
    if among is not None:
        # Rendered with its values in line, so that the page and count below stay one
        # plain statement: they are the other capability's constants and checked
        # words (detect's statuses and label names), never free text.
        inline = among.compile(
            dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
        )
        where.append(f"p.id IN ({inline})")

    if dialect != "sqlite":
        if terms:
            where.append("to_tsvector('simple', p.search_text) @@ to_tsquery('simple', :q)")
            params["q"] = _tsquery(terms)
        return _page(
            session,
            "posts p",
            where,
            params,
            limit,
            offset,
            f"p.created_at {down} NULLS LAST, p.id {down}",
        )

    # Newest first along an index that gives that order, rather than sorting every
    # post that passes the filters (SQLite otherwise picks the platform index and sorts).
    by_time = "posts p INDEXED BY ix_posts_created_at"
    if account:
        # A bulk ingest builds this index at its end (posts.service); until then the
        # planner chooses (slower, same posts).
        by_time = "posts p INDEXED BY ix_posts_account_time"
        if not _has_index(session, "ix_posts_account_time"):
            by_time = "posts p"
    if not terms:
        return _page(session, by_time, where, params, limit, offset, f"p.created_at {down}")
    params["q"] = _fts5(terms)
    if account and _at_most(session, account_clause, params, SMALL_ACCOUNT):
        # A small account: walk its posts newest first and look each one up in the
        # full-text index (about 20 µs each), instead of streaming every match.
        where.append(
            f"EXISTS (SELECT 1 FROM posts_fts WHERE posts_fts MATCH :q "  # noqa: S608
            f"AND posts_fts.rowid = {_SQL_KEY})"
        )
        return _page(session, by_time, where, params, limit, offset, f"p.created_at {down}")
    # The FTS5 rowid is a time key (see the 0002_posts migration): matches stream newest
    # first straight from the index, and a date range narrows the rowids it reads.
    where.insert(0, "posts_fts MATCH :q")
    if since:
        where.insert(1, "posts_fts.rowid >= :key_since")
        params["key_since"] = time_key(since)
    if until:
        where.insert(1, "posts_fts.rowid < :key_until")
        params["key_until"] = time_key(until)
    source = f"posts_fts JOIN posts p ON p.id = (posts_fts.rowid & {_ID_MASK})"
    return _page(session, source, where, params, limit, offset, f"posts_fts.rowid {down}")


def _has_index(session: Session, name: str) -> bool:
    sql = text("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = :name")
    return session.execute(sql, {"name": name}).first() is not None


def _at_most(session: Session, clause: str, params: dict[str, Any], n: int) -> bool:
    """True when at most ``n`` posts satisfy ``clause`` (counted through an index)."""
    sql = f"SELECT count(*) FROM (SELECT 1 FROM posts p WHERE {clause} LIMIT :n1) AS c"  # noqa: S608
    return session.execute(text(sql), {**params, "n1": n + 1}).scalar_one() <= n


def time_key(when: datetime) -> int:
    """The FTS rowid at which posts of time ``when`` start (ids below 2**30 fill the rest)."""
    seconds = math.floor(when.astimezone(UTC).timestamp()) + _EPOCH_1900
    return max(seconds, 0) << 30


def search_key(created_at: datetime | None, post_id: int) -> int:
    """A post's FTS rowid; the same value the 0002_posts migration's triggers compute."""
    if post_id > _ID_MASK:
        raise ValueError("post ids above 2**30 do not fit the search key")
    return (time_key(created_at) if created_at is not None else 0) | post_id


def _page(
    session: Session,
    source: str,
    where: list[str],
    params: dict[str, Any],
    limit: int,
    offset: int,
    order: str,
) -> Found:
    clause = " AND ".join(where) or "1=1"
    # The clause is assembled from fixed fragments above; every value is a bound parameter.
    sql = (
        f"SELECT {_COLUMNS} FROM {source} LEFT JOIN accounts a "  # noqa: S608
        f"ON a.platform = p.platform AND a.account_id = p.account_id "
        f"WHERE {clause} ORDER BY {order} LIMIT :limit OFFSET :offset"
    )
    rows = [
        dict(r._mapping)
        for r in session.execute(text(sql), {**params, "limit": limit + 1, "offset": offset})
    ]
    more = len(rows) > limit
    rows = rows[:limit]
    counted = session.execute(
        text(
            f"SELECT count(*) FROM (SELECT 1 FROM {source} "  # noqa: S608
            f"WHERE {clause} LIMIT :cap) AS counted"
        ),
        {**params, "cap": COUNT_CAP + 1},
    ).scalar_one()
    return Found(rows, min(counted, COUNT_CAP), counted <= COUNT_CAP, more)


def _accounts_named(session: Session, who: str, platform: str | None) -> list[tuple[str, str]]:
    sql = (
        "SELECT platform, account_id FROM accounts "
        "WHERE (account_id = :who OR lower(handle) = lower(:who))"
    )
    params = {"who": who}
    if platform:
        sql += " AND platform = :platform"
        params["platform"] = platform
    return [(r[0], r[1]) for r in session.execute(text(sql + " LIMIT 50"), params)]


def _bind_time(value: datetime, dialect: str) -> Any:
    if value.tzinfo is None:
        raise InvalidInput("err_posts_time", "dates must carry a time zone", where="since/until")
    value = value.astimezone(UTC)
    # SQLite stores naive UTC text (core.db.UTCDateTime); compare like with like.
    return value.replace(tzinfo=None).isoformat(sep=" ") if dialect == "sqlite" else value


def _watchlist_clause(session: Session, name: str, dialect: str, params: dict[str, Any]) -> str:
    """Posts by the watchlist's accounts or matching one of its keywords, as an id set.

    Driven from the watchlist (its accounts' posts through the account index, its
    keywords through the full-text index), so its cost follows the watchlist's volume.
    """
    row = session.execute(text("SELECT id FROM watchlists WHERE name = :n"), {"n": name}).first()
    if row is None:
        raise NotFound(
            "err_posts_watchlist_not_found", f"no watchlist named {name!r}", where="watchlist"
        )
    params["wl"] = row[0]
    by_accounts = (
        "SELECT p2.id FROM posts p2 JOIN accounts a2 ON a2.platform = p2.platform "
        "AND a2.account_id = p2.account_id JOIN watchlist_accounts w "
        "ON w.account_pk = a2.id WHERE w.watchlist_id = :wl"
    )
    keywords = [
        r[0]
        for r in session.execute(
            text("SELECT keyword FROM watchlist_keywords WHERE watchlist_id = :wl"), params
        )
    ]
    groups = _keyword_terms(keywords)
    if not groups:
        return f"p.id IN ({by_accounts})"
    if dialect == "sqlite":
        params["wlq"] = " OR ".join(f"({_fts5(g)})" for g in groups)
        by_keywords = f"SELECT rowid & {_ID_MASK} FROM posts_fts WHERE posts_fts MATCH :wlq"  # noqa: S608
    else:
        params["wlq"] = " | ".join(f"({_tsquery(g)})" for g in groups)
        by_keywords = (
            "SELECT p3.id FROM posts p3 WHERE "
            "to_tsvector('simple', p3.search_text) @@ to_tsquery('simple', :wlq)"
        )
    return f"p.id IN ({by_accounts} UNION {by_keywords})"


__all__ = ["Found", "normalize", "parse_query", "search_posts", "search_text", "variants"]
