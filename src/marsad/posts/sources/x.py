"""X/Twitter: twarc2 JSONL (API v2 pages, one per line), twarc2 flattened lines, v1.1 tweets.

One adapter reads them all, line by line, deciding per line which shape it has, so a
collection that mixes them (it happens) still loads. A JSON array of tweets or pages is
streamed item by item.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import ijson

from marsad.posts.schema import (
    REPEAT,
    AccountRef,
    Engagement,
    Media,
    PostRecord,
    Rejection,
    Relations,
)
from marsad.posts.sources.base import (
    MAX_TEXT_CHARS,
    Item,
    LineSource,
    check_text,
    fit_record,
    iter_jsonl,
    language_of,
    normalize_links,
    parse_time,
    sniff_first_byte,
    to_id,
    to_int,
    unique,
)

# A single indented JSON document is read whole; real tweet pages are a few MB at most.
MAX_SINGLE_DOCUMENT_BYTES = 64 * 1024 * 1024
_TELEGRAM_KEYS = frozenset({"name", "type", "messages", "about", "personal_information", "chats"})
_REF_FIELDS = {"replied_to": "reply_to", "quoted": "quote_of", "retweeted": "retweet_of"}
_V2_EXTRA = (
    "conversation_id",
    "in_reply_to_user_id",
    "possibly_sensitive",
    "source",
    "reply_settings",
    "edit_history_tweet_ids",
    "geo",
    "withheld",
)


# Values not worth keeping in extra (besides None); a constant, where the literal
# (None, "", [], {}) built a new list and dict for every field of every tweet.
_EMPTY = ("", [], {})
# Referenced tweets remembered for skip_repeats (tweet dict and author fields by id).
_REPEATS_REMEMBERED = 65_536

# An author's creation time repeats on every tweet of theirs in a collection.
_account_time = lru_cache(maxsize=65_536)(parse_time)


class XSource(LineSource):
    """Read X/Twitter collections: twarc2 pages, flattened tweets and v1.1 tweets."""

    name: ClassVar[str] = "x"
    description: ClassVar[str] = "X/Twitter: twarc2 JSONL (v2 pages or flattened), v1.1 JSON(L)"

    def iter_posts(self, path: Path) -> Iterator[Item]:
        """Yield every tweet in the file, including referenced tweets found in includes."""
        name = str(path)
        first = sniff_first_byte(path)
        if first == b"[":
            yield from self._iter_array(path)
            return
        if first and first != b"{":
            yield Rejection(
                name, "line 1", "not X/Twitter JSON: the file does not start with { or ["
            )
            return
        if _is_pretty_single_document(path):
            first_key = _first_key(path)
            if first_key in _TELEGRAM_KEYS:
                yield Rejection(
                    name,
                    "$",
                    "this looks like a Telegram export, not X/Twitter data; "
                    "use the telegram format",
                )
            elif path.stat().st_size > MAX_SINGLE_DOCUMENT_BYTES:
                yield Rejection(
                    name,
                    "$",
                    "a single JSON document this large is not a tweet "
                    "page; convert it to JSONL, one page or tweet a line",
                )
            else:
                yield from self._iter_array(path, prefix="")
            return
        yield from self.iter_slice(path, 0, None, 1)

    def is_line_file(self, path: Path) -> bool:
        """True for JSON Lines (not an array, nor one indented document)."""
        return sniff_first_byte(path) == b"{" and not _is_pretty_single_document(path)

    def iter_slice(
        self, path: Path, start: int, end: int | None, first_line: int
    ) -> Iterator[Item]:
        """Yield the tweets of the JSONL lines between two byte offsets."""
        name = str(path)
        for entry in iter_jsonl(path, start=start, end=end, first_line=first_line):
            if isinstance(entry, Rejection):
                yield entry
                continue
            lineno, value = entry
            yield from self._from_value(value, name, f"line {lineno}")

    def _iter_array(self, path: Path, prefix: str = "item") -> Iterator[Item]:
        name = str(path)
        index = -1
        try:
            with path.open("rb") as fh:
                for index, value in enumerate(
                    ijson.items(fh, prefix, use_float=True, buf_size=4 << 20)
                ):
                    where = f"[{index}]" if prefix else "$"
                    yield from self._from_value(value, name, where)
        except (ijson.JSONError, UnicodeDecodeError, ValueError) as exc:
            yield Rejection(name, f"[{index + 1}]", f"invalid JSON: {str(exc)[:300]}")

    def _from_value(self, value: Any, name: str, where: str) -> Iterator[Item]:
        if not isinstance(value, dict):
            yield Rejection(name, where, "not a JSON object")
            return
        if "data" in value or "includes" in value:
            yield from self._from_page(value, name, where)
        elif "id_str" in value and "user" in value:
            yield from self._from_v1(value, name, where, seen=set())
        elif "text" in value and "id" in value:
            yield from self._from_flat(value, name, where)
        elif "action" in value and "id" in value:
            return  # a twarc compliance line (delete / protect): not a post
        elif "errors" in value:
            return  # an error-only page
        else:
            yield Rejection(name, where, "not a tweet, a v2 page or a v1.1 tweet")

    # -- API v2 page: data + includes

    def _from_page(self, page: dict[str, Any], name: str, where: str) -> Iterator[Item]:
        includes = page.get("includes") or {}
        users = {u.get("id"): u for u in includes.get("users") or [] if isinstance(u, dict)}
        media = {m.get("media_key"): m for m in includes.get("media") or [] if isinstance(m, dict)}
        included = [t for t in includes.get("tweets") or [] if isinstance(t, dict)]
        by_id = {t.get("id"): t for t in included}
        data = page.get("data")
        tweets = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        for index, tweet in enumerate(tweets):
            if not isinstance(tweet, dict) or "text" not in tweet:
                continue  # a users or lists lookup page: not posts
            yield self._v2(tweet, users, media, by_id, name, f"{where} data[{index}]")
        # Referenced tweets are posts by their own authors (pitfall: they may be absent).
        seen = self._seen_included() if self.skip_repeats else None
        for index, tweet in enumerate(included):
            if "text" not in tweet:
                continue
            if seen is None or "referenced_tweets" in tweet or "attachments" in tweet:
                yield self._v2(
                    tweet, users, media, by_id, name, f"{where} includes.tweets[{index}]"
                )
                continue
            # A much-retweeted original is in the includes of page after page; when the
            # tweet and what is read of its author are as before, the record would be
            # the same one again (a duplicate whose merge changes nothing).
            user = users.get(to_id(tweet.get("author_id"))) or {}
            key = (tweet, user.get("username"), user.get("name"), user.get("created_at"))
            tweet_id = tweet.get("id")
            if seen.get(tweet_id) == key:
                yield REPEAT
                continue
            record = self._v2(tweet, users, media, by_id, name, f"{where} includes.tweets[{index}]")
            if isinstance(record, PostRecord):
                if len(seen) >= _REPEATS_REMEMBERED:
                    seen.clear()
                seen[tweet_id] = key
            yield record

    def _seen_included(self) -> dict[Any, tuple[Any, ...]]:
        seen: dict[Any, tuple[Any, ...]] | None = getattr(self, "_seen", None)
        if seen is None:
            seen = self._seen = {}
        return seen

    def _from_flat(self, tweet: dict[str, Any], name: str, where: str) -> Iterator[Item]:
        users: dict[Any, Any] = {}
        if isinstance(tweet.get("author"), dict):
            users[tweet.get("author_id")] = tweet["author"]
        refs = [r for r in tweet.get("referenced_tweets") or [] if isinstance(r, dict)]
        by_id: dict[Any, Any] = {}
        for ref in refs:
            if "text" in ref:
                by_id[ref.get("id")] = ref
                if isinstance(ref.get("author"), dict):
                    users[ref.get("author_id")] = ref["author"]
        media = {
            m.get("media_key"): m
            for m in (tweet.get("attachments") or {}).get("media") or []
            if isinstance(m, dict)
        }
        yield self._v2(tweet, users, media, by_id, name, where)
        for index, ref in enumerate(refs):
            if "text" in ref:
                ref_tweet = {k: v for k, v in ref.items() if k != "type"}
                yield self._v2(
                    ref_tweet, users, {}, by_id, name, f"{where} referenced_tweets[{index}]"
                )

    def _v2(
        self,
        tweet: dict[str, Any],
        users: dict[Any, Any],
        media_by_key: dict[Any, Any],
        by_id: dict[Any, Any],
        name: str,
        where: str,
    ) -> PostRecord | Rejection:
        tweet_id = to_id(tweet.get("id"))
        if tweet_id is None:
            return Rejection(name, where, "tweet has no id")
        text = tweet.get("text")
        if not isinstance(text, str):
            return Rejection(name, where, "tweet text is not a string")
        if (bad := check_text(text, name, where)) is not None:
            return bad
        author_id = to_id(tweet.get("author_id"))
        user = users.get(author_id) or {}
        account = None
        if author_id:
            account = AccountRef(
                author_id,
                user.get("username"),
                user.get("name"),
                _account_time(user.get("created_at")),
            )

        relations = Relations()
        for ref in tweet.get("referenced_tweets") or []:
            if isinstance(ref, dict) and (field := _REF_FIELDS.get(ref.get("type"))):
                setattr(relations, field, to_id(ref.get("id")))
        if relations.retweet_of and (original := by_id.get(relations.retweet_of)):
            # v2 truncates a retweet's text; the full text is in the referenced tweet.
            original_user = users.get(original.get("author_id")) or {}
            handle = original_user.get("username")
            full = original.get("text")
            # An original beyond the text limit is rejected on its own; the retweet
            # then keeps its own (truncated) text rather than carry the huge one.
            if isinstance(full, str) and handle and len(full) <= MAX_TEXT_CHARS:
                text = f"RT @{handle}: {full}"

        entities = tweet.get("entities") or {}
        links = []
        for url in entities.get("urls") or ():
            if isinstance(url, dict) and not url.get("media_key"):
                links.append(url.get("unwound_url") or url.get("expanded_url") or url.get("url"))
        hashtags = entities.get("hashtags")
        mentions = entities.get("mentions")
        metrics = tweet.get("public_metrics") or {}
        media = []
        attachments = tweet.get("attachments")
        for key in attachments.get("media_keys") or () if attachments else ():
            item = media_by_key.get(key) or {}
            media.append(
                Media(
                    type=item.get("type") or "media",
                    url=item.get("url") or item.get("preview_image_url"),
                )
            )
        extra = {k: v for k in _V2_EXTRA if (v := tweet.get(k)) is not None and v not in _EMPTY}
        if tweet.get("lang"):
            extra["platform_lang"] = tweet["lang"]
        handle = account.handle if account else None
        record = PostRecord(
            platform="x",
            post_id=tweet_id,
            account=account,
            text=text,
            created_at=parse_time(tweet.get("created_at")),
            lang=language_of(text),
            url=f"https://x.com/{handle or 'i/web'}/status/{tweet_id}",
            links=normalize_links([u for u in links if isinstance(u, str)]) if links else [],
            hashtags=unique(h.get("tag") for h in hashtags if isinstance(h, dict))
            if hashtags
            else [],
            mentions=unique(m.get("username") for m in mentions if isinstance(m, dict))
            if mentions
            else [],
            relations=relations,
            engagement=Engagement(
                likes=to_int(metrics.get("like_count")),
                shares=to_int(metrics.get("retweet_count")),
                replies=to_int(metrics.get("reply_count")),
                quotes=to_int(metrics.get("quote_count")),
                views=to_int(metrics.get("impression_count")),
            ),
            media=media,
            raw=tweet,
            extra=extra,
        )
        return fit_record(record, name, where)

    # -- v1.1 tweet with embedded user, retweeted_status and quoted_status

    def _from_v1(
        self, tweet: dict[str, Any], name: str, where: str, seen: set[str]
    ) -> Iterator[Item]:
        tweet_id = to_id(tweet.get("id_str")) or to_id(tweet.get("id"))
        if tweet_id is None:
            yield Rejection(name, where, "tweet has no id_str")
            return
        if tweet_id in seen:
            return
        seen.add(tweet_id)
        yield self._v1(tweet, tweet_id, name, where)
        for key in ("retweeted_status", "quoted_status"):
            if isinstance(tweet.get(key), dict):
                yield from self._from_v1(tweet[key], name, f"{where} {key}", seen)

    def _v1(self, tweet: dict[str, Any], tweet_id: str, name: str, where: str) -> Item:
        text = _v1_text(tweet)
        retweeted = tweet.get("retweeted_status")
        if isinstance(retweeted, dict):
            handle = (retweeted.get("user") or {}).get("screen_name")
            full = _v1_text(retweeted)
            if handle and len(full) <= MAX_TEXT_CHARS:  # else as in _v2
                text = f"RT @{handle}: {full}"
        if (bad := check_text(text, name, where)) is not None:
            return bad
        user = tweet.get("user") or {}
        account = None
        if (user_id := to_id(user.get("id_str")) or to_id(user.get("id"))) is not None:
            account = AccountRef(
                user_id,
                user.get("screen_name"),
                user.get("name"),
                _account_time(user.get("created_at")),  # "Wed Oct 10 20:19:24 +0000 2018"
            )
        ext = tweet.get("extended_tweet") if isinstance(tweet.get("extended_tweet"), dict) else {}
        entities = ext.get("entities") or tweet.get("entities") or {}
        ext_entities = ext.get("extended_entities") or tweet.get("extended_entities") or {}
        links = [
            u.get("expanded_url") or u.get("url")
            for u in entities.get("urls") or []
            if isinstance(u, dict)
        ]
        media = [
            Media(type=m.get("type") or "photo", url=m.get("media_url_https") or m.get("media_url"))
            for m in (ext_entities.get("media") or entities.get("media") or [])
            if isinstance(m, dict)
        ]
        quoted = to_id(tweet.get("quoted_status_id_str"))
        if quoted is None and isinstance(tweet.get("quoted_status"), dict):
            quoted = to_id(tweet["quoted_status"].get("id_str"))
        relations = Relations(
            reply_to=to_id(tweet.get("in_reply_to_status_id_str")),
            quote_of=quoted,
            retweet_of=to_id(retweeted.get("id_str")) if isinstance(retweeted, dict) else None,
        )
        extra: dict[str, Any] = {}
        for key in (
            "in_reply_to_user_id_str",
            "in_reply_to_screen_name",
            "source",
            "place",
            "coordinates",
            "possibly_sensitive",
        ):
            if tweet.get(key) not in (None, "", [], {}):
                extra[key] = tweet[key]
        if tweet.get("lang"):
            extra["platform_lang"] = tweet["lang"]
        handle = account.handle if account else None
        record = PostRecord(
            platform="x",
            post_id=tweet_id,
            account=account,
            text=text,
            created_at=parse_time(tweet.get("created_at")) or parse_time(tweet.get("timestamp_ms")),
            lang=language_of(text),
            url=f"https://x.com/{handle or 'i/web'}/status/{tweet_id}",
            links=normalize_links([u for u in links if isinstance(u, str)]),
            hashtags=unique(
                h.get("text") for h in entities.get("hashtags") or [] if isinstance(h, dict)
            ),
            mentions=unique(
                m.get("screen_name")
                for m in entities.get("user_mentions") or []
                if isinstance(m, dict)
            ),
            relations=relations,
            engagement=Engagement(
                likes=to_int(tweet.get("favorite_count")),
                shares=to_int(tweet.get("retweet_count")),
                replies=to_int(tweet.get("reply_count")),
                quotes=to_int(tweet.get("quote_count")),
            ),
            media=media,
            raw=tweet,
            extra=extra,
        )
        return fit_record(record, name, where)


def _v1_text(tweet: dict[str, Any]) -> str:
    """The full text of a v1.1 tweet: extended_tweet.full_text, then full_text, then text."""
    ext = tweet.get("extended_tweet")
    if isinstance(ext, dict) and isinstance(ext.get("full_text"), str):
        return ext["full_text"]
    for key in ("full_text", "text"):
        if isinstance(tweet.get(key), str):
            return tweet[key]
    return ""


def _first_key(path: Path) -> str | None:
    """The first key of a file's top-level JSON object (None when unreadable)."""
    try:
        with path.open("rb") as fh:
            for prefix, event, value in ijson.parse(fh):
                if prefix == "" and event == "map_key":
                    return str(value)
                if prefix == "" and event != "start_map":
                    return None
    except (ijson.JSONError, UnicodeDecodeError, ValueError):
        return None
    return None


def _is_pretty_single_document(path: Path) -> bool:
    """True when the file is one indented JSON object (its first line is just "{")."""
    with path.open("rb") as fh:
        for line in fh:
            if line.strip():
                return line.strip() == b"{"
    return False


__all__ = ["XSource"]
