"""Staff pages of the posts capability: the feed with search, a post, an account.

Each page has a JSON twin under /api/v1 built from the same service call.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from marsad.core.i18n import gettext as _
from marsad.core.i18n.markers import LANGUAGE_LABELS
from marsad.posts import read, service, watchlists
from marsad.posts.search import MAX_LIMIT, SORTS, highlight
from marsad.web.deps import MAX_OFFSET, DbSession, StaffUser
from marsad.web.templating import render

router = APIRouter(include_in_schema=False)

PLATFORMS = ("telegram", "x", "facebook", "instagram", "youtube", "other")
LANGS = ("ar", "ckb", "kmr", "en", "other")
# Detect's labels (marsad.detect.model.TASKS; a test keeps the two in step).
LABELS = ("offensive", "hate", "violence", "extremism")


@router.get("/posts", response_class=HTMLResponse)
def posts_feed(
    request: Request,
    session: DbSession,
    _user: StaffUser,
    q: Annotated[str, Query(max_length=500)] = "",
    platform: str = "",
    account: str = "",
    watchlist: str = "",
    # Not "lang": that is every page's interface-language switch (web.app).
    language: str = "",
    since: str = "",
    until: str = "",
    flagged: bool = False,
    label: str = "",
    sort: str = "newest",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> HTMLResponse:
    """The posts feed: search box and filters over everything collected."""
    page = service.search(
        session=session,
        query=q,
        platform=platform or None,
        account=account or None,
        watchlist=watchlist or None,
        lang=language or None,
        since=service.parse_time(since, "since"),
        until=service.parse_time(until, "until"),
        flagged=flagged,
        label=label or None,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    filters = {
        "q": q,
        "platform": platform,
        "account": account,
        "watchlist": watchlist,
        "language": language,
        "since": since,
        "until": until,
        "flagged": "true" if flagged else "",
        "label": label,
        "sort": sort,
    }
    kept = {k: v for k, v in filters.items() if v and (k, v) != ("sort", "newest")}
    next_url = (
        f"/posts?{urlencode({**kept, 'offset': page.next_offset})}"
        if page.next_offset is not None
        else None
    )
    prev_url = (
        f"/posts?{urlencode({**kept, 'offset': max(offset - limit, 0)})}" if offset > 0 else None
    )
    return render(
        request,
        "posts/feed.html",
        {
            "title": _("Posts"),
            "page": page,
            "filters": filters,
            "platforms": PLATFORMS,
            "langs": [(code, LANGUAGE_LABELS[code]) for code in LANGS],
            "labels": LABELS,
            "sorts": SORTS,
            # The words the query matched, marked in each post's text.
            "highlight": lambda text_: highlight(text_, q),
            "watchlists": watchlists.list_watchlists(session=session),
            "next_url": next_url,
            "prev_url": prev_url,
            # The API names the post-language filter lang.
            "json_url": "/api/v1/posts?"
            + urlencode({("lang" if k == "language" else k): v for k, v in kept.items()}),
        },
    )


@router.get("/posts/{post_ref:path}", response_class=HTMLResponse)
def post_page(
    request: Request, post_ref: str, session: DbSession, _user: StaffUser
) -> HTMLResponse:
    """One post with its relations, media and original record."""
    post = service.get_post(session=session, post_ref=post_ref)
    import json

    raw = json.dumps(post.raw, ensure_ascii=False, indent=2) if post.raw is not None else None
    return render(request, "posts/post.html", {"title": _("Post"), "post": post, "raw": raw})


@router.get("/accounts/{platform}/{account_id:path}", response_class=HTMLResponse)
def account_page(
    request: Request, platform: str, account_id: str, session: DbSession, _user: StaffUser
) -> HTMLResponse:
    """An account: its names, and its posts over time."""
    activity = read.account_activity(session=session, platform=platform, account_id=account_id)
    recent = service.search(session=session, platform=platform, account=account_id, limit=20)
    busiest = max((d["posts"] for d in activity["per_day"]), default=0)
    return render(
        request,
        "posts/account.html",
        {
            "title": _("Account"),
            "activity": activity,
            "recent": recent,
            "busiest": busiest,
        },
    )
