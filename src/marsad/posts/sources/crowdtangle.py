"""CrowdTangle: API ``/posts`` JSON responses and historical-data CSV exports.

CrowdTangle was shut down in August 2024; only archived exports arrive now. CSV columns
are mapped by header name, never position, because the layout changed over the years
(old ``Created`` versus new ``Post Created`` block; Instagram exports; BOMs).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar

from marsad.posts.schema import AccountRef, Engagement, Media, PostRecord, Rejection
from marsad.posts.sources.base import (
    Item,
    Source,
    check_text,
    find_hashtags,
    find_links,
    find_mentions,
    fit_record,
    iter_csv_rows,
    iter_json_pages,
    language_of,
    normalize_links,
    parse_time,
    sniff_first_byte,
    to_id,
    to_int,
)

_REACTIONS = (
    "likeCount",
    "loveCount",
    "wowCount",
    "hahaCount",
    "sadCount",
    "angryCount",
    "thankfulCount",
    "careCount",
)
_CSV_REACTIONS = ("Likes", "Love", "Wow", "Haha", "Sad", "Angry", "Care")
# Zone abbreviations CrowdTangle dashboards append to "Post Created".
_ZONES = {
    "UTC": 0,
    "GMT": 0,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "CET": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
}
_POST_ID_IN_URL = re.compile(
    r"/(?:posts|videos|photos|permalink)/(?:[\w.]+/)?(\d+)|[?&]story_fbid=(\d+)|/p/([\w-]+)"
)


class CrowdTangleSource(Source):
    """Read CrowdTangle API ``/posts`` JSON (a page, a list of pages, or JSONL) and CSV exports."""

    name: ClassVar[str] = "crowdtangle"
    description: ClassVar[str] = (
        "CrowdTangle API /posts JSON or historical-data CSV (Facebook, Instagram)"
    )

    def iter_posts(self, path: Path) -> Iterator[Item]:
        """Yield every post of the response(s) or export."""
        first = sniff_first_byte(path)
        name = str(path)
        if not first:
            yield Rejection(name, "line 1", "empty file")
        elif first in (b"{", b"["):
            yield from self._iter_json(path)
        else:
            yield from self._iter_csv(path)

    # -- API JSON

    def _iter_json(self, path: Path) -> Iterator[Item]:
        name = str(path)
        for entry in iter_json_pages(path):
            if isinstance(entry, Rejection):
                yield entry
            else:
                yield from self._from_document(entry[1], name, entry[0])

    def _from_document(self, doc: Any, name: str, where: str) -> Iterator[Item]:
        if isinstance(doc, list):
            for index, value in enumerate(doc):
                yield from self._from_document(value, name, f"{where}[{index}]")
            return
        if not isinstance(doc, dict):
            yield Rejection(name, where, "not a CrowdTangle response or post")
            return
        if "platformId" in doc:
            yield self._api_post(doc, name, where)
            return
        result = doc.get("result")
        posts = result.get("posts") if isinstance(result, dict) else doc.get("posts")
        if not isinstance(posts, list):
            yield Rejection(name, where, "not a CrowdTangle /posts response: no result.posts list")
            return
        for index, post in enumerate(posts):
            yield self._api_post(post, name, f"{where}.result.posts[{index}]")

    def _api_post(self, post: Any, name: str, where: str) -> Item:
        if not isinstance(post, dict):
            return Rejection(name, where, "post is not a JSON object")
        post_id = to_id(post.get("platformId"))
        if post_id is None:
            return Rejection(name, where, "post has no platformId")
        text = post.get("message") or ""
        if not isinstance(text, str):
            return Rejection(name, where, "message is not a string")
        if (bad := check_text(text, name, where)) is not None:
            return bad
        acc = post.get("account") if isinstance(post.get("account"), dict) else {}
        account = None
        if (account_id := to_id(acc.get("platformId")) or to_id(acc.get("id"))) is not None:
            account = AccountRef(account_id, acc.get("handle") or None, acc.get("name") or None)
        links = [post["link"]] if isinstance(post.get("link"), str) else []
        # "expandedLiks" is a misspelling seen in a real archived response.
        for key in ("expandedLinks", "expandedLiks"):
            for pair in post.get(key) or []:
                if isinstance(pair, dict):
                    links.append(pair.get("expanded") or pair.get("original") or "")
        links += find_links(text)
        actual = (post.get("statistics") or {}).get("actual") or {}
        reactions = [to_int(actual.get(k)) for k in _REACTIONS]
        media = [
            Media(type=m.get("type") or "media", url=m.get("full") or m.get("url"))
            for m in post.get("media") or []
            if isinstance(m, dict)
        ]
        extra = {
            k: post[k]
            for k in (
                "type",
                "title",
                "description",
                "score",
                "subscriberCount",
                "updated",
                "Id",
                "languageCode",
            )
            if post.get(k) not in (None, "")
        }
        platform = str(post.get("platform") or acc.get("platform") or "facebook").lower()
        record = PostRecord(
            platform=platform,
            post_id=post_id,
            account=account,
            text=text,
            created_at=parse_time(post.get("date")),  # "YYYY-MM-DD HH:MM:SS", UTC
            lang=language_of(text),
            url=post.get("postUrl"),
            links=normalize_links(links),
            hashtags=find_hashtags(text),
            mentions=find_mentions(text),
            engagement=Engagement(
                likes=to_int(actual.get("likeCount")),
                shares=to_int(actual.get("shareCount")),
                replies=to_int(actual.get("commentCount")),
                reactions=sum(r for r in reactions if r is not None)
                if any(r is not None for r in reactions)
                else None,
            ),
            media=media,
            raw=post,
            extra=extra,
        )
        return fit_record(record, name, where)

    # -- historical CSV

    def _iter_csv(self, path: Path) -> Iterator[Item]:
        name = str(path)
        csv.field_size_limit(64 * 1024 * 1024)
        with path.open("rb") as raw:
            stream = io.TextIOWrapper(
                raw, encoding="utf-8-sig", errors="surrogateescape", newline=""
            )
            reader = csv.DictReader(stream)
            try:
                header = [h.strip() for h in reader.fieldnames or []]
            except csv.Error as exc:
                yield Rejection(name, "line 1", f"unreadable CSV header: {exc}")
                return
            reader.fieldnames = header
            if not (
                {"URL", "Message"} <= set(header)
                or {"URL", "Account"} <= set(header)
                or {"URL", "Facebook Id"} <= set(header)
            ):
                yield Rejection(
                    name,
                    "line 1",
                    "not a CrowdTangle CSV: expected columns such as "
                    "'Facebook Id' or 'Account', 'URL' and 'Message'",
                )
                return
            instagram = "Account" in header and "Facebook Id" not in header
            for entry in iter_csv_rows(reader, name):
                if isinstance(entry, Rejection):
                    yield entry
                else:
                    yield self._csv_row(entry[0], instagram, name, entry[1])

    def _csv_row(self, row: dict[str, Any], instagram: bool, name: str, where: str) -> Item:
        if any(isinstance(v, str) and _has_surrogates(v) for v in row.values()):
            return Rejection(name, where, "invalid UTF-8 in row")
        get = lambda key: (row.get(key) or "").strip() if isinstance(row.get(key), str) else ""  # noqa: E731
        url = get("URL")
        if not url:
            return Rejection(name, where, "row has no URL, so no post id")
        match = _POST_ID_IN_URL.search(url)
        page_id = get("Facebook Id")
        if match:
            local = next(g for g in match.groups() if g)
            post_id = f"{page_id}_{local}" if page_id and not instagram else local
        else:
            post_id = url
        parts = [get("Message")]
        text = "\n\n".join(p for p in parts if p)
        if (bad := check_text(text, name, where)) is not None:
            return bad
        handle = get("User Name") or None
        account_id = page_id or handle
        display = get("Page Name") or get("Account") or None
        account = None
        if account_id:
            # "Page Created": when the page was created (new layout only).
            account = AccountRef(account_id, handle, display, _csv_time(get("Page Created")))
        created = _csv_time(get("Post Created") or get("Created"))
        if created is None and get("Post Created Date"):
            created = _csv_time(f"{get('Post Created Date')} {get('Post Created Time')}".strip())
        links = (
            [get("Link"), get("Final Link")]
            + find_links(text)
            + [
                m.group(1)
                for m in re.finditer(r":=:(\S+)", get("Message") + " " + get("Description"))
            ]
        )
        reactions = [to_int(get(k)) for k in _CSV_REACTIONS]
        extra = {}
        for column in (
            "Type",
            "Description",
            "Link Text",
            "Image Text",
            "Title",
            "Page Category",
            "Total Interactions",
            "Post Created",
            "Created",
            "Photo",
        ):
            if get(column):
                extra[column.lower().replace(" ", "_")] = get(column)
        if get("Link Text") == "This is a re-share of a post":
            extra["reshare"] = True
        record = PostRecord(
            platform="instagram" if instagram else "facebook",
            post_id=post_id,
            account=account,
            text=text,
            created_at=created,
            lang=language_of(text),
            url=url,
            links=normalize_links([u for u in links if u]),
            hashtags=find_hashtags(text),
            mentions=find_mentions(text),
            engagement=Engagement(
                likes=to_int(get("Likes")),
                shares=to_int(get("Shares")),
                replies=to_int(get("Comments")),
                views=to_int(get("Post Views") or get("Views")),
                reactions=sum(r for r in reactions if r is not None)
                if any(r is not None for r in reactions)
                else None,
            ),
            raw={k: v for k, v in row.items() if k},
            extra=extra,
        )
        return fit_record(record, name, where)


def _csv_time(value: str) -> datetime | None:
    """Parse "2021-03-01 12:00:00 EST" (zone abbreviation optional; none means UTC)."""
    if not value:
        return None
    head, _, zone = value.rpartition(" ")
    if zone.isalpha() and zone.upper() in _ZONES:
        parsed = parse_time(head)
        if parsed is None:
            return None
        return parsed.replace(tzinfo=timezone(timedelta(hours=_ZONES[zone.upper()]))).astimezone(
            UTC
        )
    return parse_time(value)


def _has_surrogates(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)
