"""YouTube Data API v3 ``commentThreads`` (and ``comments``) list responses.

A file holds one page, a JSON array of pages (as phoenix stores them), or JSONL of pages.
Inline replies are a subset (at most about 5 per thread); the thread's
``totalReplyCount`` is kept so the gap is visible.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from marsad.posts.schema import AccountRef, Engagement, PostRecord, Rejection, Relations
from marsad.posts.sources.base import (
    Item,
    Source,
    check_text,
    find_hashtags,
    find_links,
    find_mentions,
    fit_record,
    iter_json_pages,
    language_of,
    normalize_links,
    parse_time,
    sniff_first_byte,
    to_id,
    to_int,
)

_TAG = re.compile(r"<[^>]+>")
_HREF = re.compile(r'href="([^"]+)"')


class YouTubeSource(Source):
    """Read YouTube ``commentThreads`` pages: top-level comments and their inline replies."""

    name: ClassVar[str] = "youtube"
    description: ClassVar[str] = "YouTube Data API v3 commentThreads pages (one, a list, or JSONL)"

    def iter_posts(self, path: Path) -> Iterator[Item]:
        """Yield one post per comment (top-level and inline replies)."""
        name = str(path)
        first = sniff_first_byte(path)
        if not first:
            yield Rejection(name, "line 1", "empty file")
            return
        if first not in (b"{", b"["):
            yield Rejection(
                name, "line 1", "not YouTube API JSON: the file does not start with { or ["
            )
            return
        for entry in iter_json_pages(path):
            if isinstance(entry, Rejection):
                yield entry
                continue
            where, document = entry
            pages = document if isinstance(document, list) and where == "$" else [document]
            for index, page in enumerate(pages):
                at = f"[{index}]" if isinstance(document, list) and where == "$" else where
                yield from self._from_page(page, name, at)

    def _from_page(self, page: Any, name: str, where: str) -> Iterator[Item]:
        if not isinstance(page, dict):
            yield Rejection(name, where, "page is not a JSON object")
            return
        kind = page.get("kind")
        if kind not in ("youtube#commentThreadListResponse", "youtube#commentListResponse"):
            yield Rejection(
                name,
                where,
                f"{kind or 'this page'} is not a comment thread or comment list response",
            )
            return
        for index, item in enumerate(page.get("items") or []):
            at = f"{where}.items[{index}]"
            if not isinstance(item, dict):
                yield Rejection(name, at, "item is not a JSON object")
                continue
            if item.get("kind") == "youtube#comment":
                yield self._comment(item, name, at, None)
                continue
            snippet = item.get("snippet") or {}
            top = snippet.get("topLevelComment")
            if not isinstance(top, dict):
                yield Rejection(name, at, "thread has no topLevelComment")
                continue
            replies = [
                c for c in (item.get("replies") or {}).get("comments") or [] if isinstance(c, dict)
            ]
            thread = {
                "total_reply_count": to_int(snippet.get("totalReplyCount")),
                "inline_replies": len(replies),
            }
            yield self._comment(top, name, f"{at}.snippet.topLevelComment", thread)
            for r_index, reply in enumerate(replies):
                yield self._comment(reply, name, f"{at}.replies.comments[{r_index}]", None)

    def _comment(
        self, comment: dict[str, Any], name: str, where: str, thread: dict[str, Any] | None
    ) -> Item:
        comment_id = to_id(comment.get("id"))
        if comment_id is None:
            return Rejection(name, where, "comment has no id")
        sn = comment.get("snippet") or {}
        display = sn.get("textDisplay") if isinstance(sn.get("textDisplay"), str) else ""
        original = sn.get("textOriginal")
        # textOriginal is the raw text but is only guaranteed for the comment's author;
        # textDisplay is HTML by default.
        text = (
            original
            if isinstance(original, str)
            else html.unescape(_TAG.sub("", display.replace("<br>", "\n")))
        )
        if (bad := check_text(text, name, where)) is not None:
            return bad
        channel = (
            (sn.get("authorChannelId") or {}).get("value")
            if isinstance(sn.get("authorChannelId"), dict)
            else None
        )
        handle = None
        channel_url = sn.get("authorChannelUrl") or ""
        if "/@" in channel_url:
            handle = channel_url.rsplit("/@", 1)[1] or None
        account = AccountRef(channel, handle, sn.get("authorDisplayName")) if channel else None
        video = sn.get("videoId")
        extra: dict[str, Any] = {"video_id": video, "updated_at": sn.get("updatedAt")}
        if not channel and sn.get("authorDisplayName"):
            extra["author_display_name"] = sn["authorDisplayName"]
        if thread:
            extra.update(thread)
        links = find_links(text) + _HREF.findall(display)
        record = PostRecord(
            platform="youtube",
            post_id=comment_id,
            account=account,
            text=text,
            created_at=parse_time(sn.get("publishedAt")),
            lang=language_of(text),
            url=f"https://www.youtube.com/watch?v={video}&lc={comment_id}" if video else None,
            links=normalize_links([html.unescape(u) for u in links]),
            hashtags=find_hashtags(text),
            mentions=find_mentions(text),
            relations=Relations(reply_to=to_id(sn.get("parentId"))),
            engagement=Engagement(
                likes=to_int(sn.get("likeCount")),
                replies=thread["total_reply_count"] if thread else None,
            ),
            raw=comment,
            extra={k: v for k, v in extra.items() if v is not None},
        )
        return fit_record(record, name, where)
