"""Arabic-aware full-text search over posts.

Both the stored text and the query go through ``marsad.detect.normalize`` (diacritics,
tatweel, hamza forms, ة/ه, ى/ي, Kurdish and Persian letter variants…), so a query finds
a post however either was typed. On top, an Arabic query word also matches its forms with
the clitics a reader looks past (ال، وال، بال، كال، فال، لل، و): a search for حكومة finds
الحكومة and والحكومة, while a search for الحكومة stays as precise as the reader typed it.

SQLite uses the FTS5 table the migration created; PostgreSQL a GIN index over
``to_tsvector('simple', search_text)``. Results come newest first (by post time).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from marsad.core.errors import InvalidInput
from marsad.detect.normalize import normalize, tokens

# Arabic clitics a reader ignores when searching: the article, and the conjunctions and
# prepositions written joined to it. A query word matches itself and these forms.
_ARTICLE_FORMS = ("ال", "وال", "بال", "كال", "فال", "لل")
_ARTICLE_ONLY = ("و", "ف", "ب", "ك")  # for a query word that already has its article
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_QUERY_PART = re.compile(r'"([^"]*)"|(\S+)')
MAX_LIMIT = 200
MAX_TERMS = 32
# Above this many matches, "newest first" walks the date index instead of sorting matches.
_SORT_THRESHOLD = 20_000


def variants(word: str) -> list[str]:
    """The forms of a normalised query word that count as a match for it.

    حكومه also matches الحكومه, والحكومه, بالحكومه, للحكومه … and وحكومه; a word typed
    with its article (الحكومه) also matches والحكومه, فالحكومه, بالحكومه, كالحكومه.
    Non-Arabic words match only themselves. Expanding the query, not the index, keeps
    the index small and ingest fast.
    """
    if not _ARABIC.match(word) or len(word) < 2:
        return [word]
    if word.startswith("ال") and len(word) >= 4:
        return [word] + [p + word for p in _ARTICLE_ONLY]
    forms = [word] + [p + word for p in _ARTICLE_FORMS]
    if len(word) >= 3:
        forms.append("و" + word)
    return forms


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
    limit: int = 20,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    """Find posts matching ``query`` and the filters; return (total, rows of one page).

    Rows are newest first. ``account`` is an account id or handle (with or without @);
    ``watchlist`` keeps posts by the list's accounts or matching one of its keywords.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput("err_posts_limit", f"limit must be 1 to {MAX_LIMIT}", where="limit")
    if offset < 0:
        raise InvalidInput("err_posts_offset", "offset must be 0 or more", where="offset")
    dialect = session.get_bind().dialect.name
    terms = parse_query(query)
    if query.strip() and not terms:
        return 0, []  # only punctuation or emoji: nothing can match
    where: list[str] = []
    params: dict[str, Any] = {}
    if terms:
        if dialect == "sqlite":
            where.append("p.id IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH :q)")
            params["q"] = _fts5(terms)
        else:
            where.append("to_tsvector('simple', p.search_text) @@ to_tsquery('simple', :q)")
            params["q"] = _tsquery(terms)
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
        handle = account.lstrip("@")
        where.append(
            "(p.platform, p.account_id) IN (SELECT a.platform, a.account_id FROM accounts a "
            "WHERE a.account_id = :account OR lower(a.handle) = lower(:account))"
        )
        params["account"] = handle
    if watchlist:
        where.append(_watchlist_clause(session, watchlist, dialect, params))

    clause = " AND ".join(where) or "1=1"
    total = session.execute(text(f"SELECT count(*) FROM posts p WHERE {clause}"), params).scalar()  # noqa: S608 - clause is built from fixed fragments; values are bound
    total = int(total or 0)
    if total == 0 or offset >= total:
        return total, []
    order = "p.created_at DESC, p.id DESC"
    if dialect == "sqlite" and terms and total > _SORT_THRESHOLD:
        # Many matches: walk the date index newest first and stop at the page, rather
        # than sorting every match (SQLite would otherwise sort all of them).
        source = "posts p INDEXED BY ix_posts_created_at"
        order = "p.created_at DESC"
    else:
        source = "posts p"
    if dialect == "postgresql":
        order = "p.created_at DESC NULLS LAST, p.id DESC"
    sql = (
        f"SELECT p.id, p.platform, p.post_id, p.account_id, p.text, p.lang, p.created_at, "  # noqa: S608
        f"p.url, p.hashtags, p.likes, p.shares, p.replies, p.views, p.reactions, "
        f"a.handle, a.display_name FROM {source} LEFT JOIN accounts a "
        f"ON a.platform = p.platform AND a.account_id = p.account_id "
        f"WHERE {clause} ORDER BY {order} LIMIT :limit OFFSET :offset"
    )
    params.update(limit=limit, offset=offset)
    rows = [dict(r._mapping) for r in session.execute(text(sql), params)]
    return total, rows


def _bind_time(value: datetime, dialect: str) -> Any:
    from datetime import UTC

    if value.tzinfo is None:
        raise InvalidInput("err_posts_time", "dates must carry a time zone", where="since/until")
    value = value.astimezone(UTC)
    # SQLite stores naive UTC text (core.db.UTCDateTime); compare like with like.
    return value.replace(tzinfo=None).isoformat(sep=" ") if dialect == "sqlite" else value


def _watchlist_clause(session: Session, name: str, dialect: str, params: dict[str, Any]) -> str:
    row = session.execute(text("SELECT id FROM watchlists WHERE name = :n"), {"n": name}).first()
    if row is None:
        from marsad.core.errors import NotFound

        raise NotFound(
            "err_posts_watchlist_not_found", f"no watchlist named {name!r}", where="watchlist"
        )
    params["wl"] = row[0]
    accounts = (
        "(p.platform, p.account_id) IN (SELECT a.platform, a.account_id FROM accounts a "
        "JOIN watchlist_accounts w ON w.account_pk = a.id WHERE w.watchlist_id = :wl)"
    )
    keywords = [
        r[0]
        for r in session.execute(
            text("SELECT keyword FROM watchlist_keywords WHERE watchlist_id = :wl"), params
        )
    ]
    groups = _keyword_terms(keywords)
    if not groups:
        return accounts
    if dialect == "sqlite":
        params["wlq"] = " OR ".join(f"({_fts5(g)})" for g in groups)
        match = "p.id IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH :wlq)"
    else:
        params["wlq"] = " | ".join(f"({_tsquery(g)})" for g in groups)
        match = "to_tsvector('simple', p.search_text) @@ to_tsquery('simple', :wlq)"
    return f"({accounts} OR {match})"


__all__ = ["normalize", "parse_query", "search_posts", "search_text", "variants"]
