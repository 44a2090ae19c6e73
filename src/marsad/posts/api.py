"""HTTP API of the posts capability (staff only), under /api/v1."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from marsad.posts import read, service, watchlists
from marsad.posts.schema import PostDetail, SearchPage
from marsad.posts.search import MAX_LIMIT
from marsad.web.deps import MAX_OFFSET, DbSession, StaffUser

router = APIRouter(prefix="/api/v1", tags=["posts"])


@router.get("/posts", response_model=SearchPage)
def search_posts(
    session: DbSession,
    _user: StaffUser,
    q: Annotated[str, Query(max_length=500, description='Words, "a phrase", pref*')] = "",
    platform: str | None = None,
    account: str | None = None,
    watchlist: str | None = None,
    lang: str | None = None,
    since: Annotated[str | None, Query(description="YYYY-MM-DD[THH:MM], UTC")] = None,
    until: Annotated[str | None, Query(description="YYYY-MM-DD[THH:MM], UTC")] = None,
    flagged: Annotated[
        bool, Query(description="Only posts a detector flagged (not rejected by a reviewer)")
    ] = False,
    label: Annotated[
        str | None, Query(description="Only posts flagged with this label (offensive, hate…)")
    ] = None,
    sort: Annotated[str, Query(description="newest (default) or oldest first")] = "newest",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> SearchPage:
    """Search collected posts, Arabic-aware, newest first (or ``sort=oldest``)."""
    return service.search(
        session=session,
        query=q,
        platform=platform or None,
        account=account or None,
        watchlist=watchlist or None,
        lang=lang or None,
        since=service.parse_time(since, "since"),
        until=service.parse_time(until, "until"),
        flagged=flagged,
        label=label or None,
        sort=sort,
        limit=limit,
        offset=offset,
    )


@router.get("/posts/{post_ref:path}", response_model=PostDetail)
def get_post(post_ref: str, session: DbSession, _user: StaffUser) -> PostDetail:
    """One post (Marsad id, or platform:post_id) with its original record."""
    return service.get_post(session=session, post_ref=post_ref)


@router.get("/accounts/{platform}/{account_id:path}", response_model=dict[str, Any])
def get_account(platform: str, account_id: str, session: DbSession, _user: StaffUser) -> Any:
    """An account and its posts per day."""
    return read.account_activity(session=session, platform=platform, account_id=account_id)


@router.get("/watchlists", response_model=list[dict[str, Any]])
def list_watchlists(session: DbSession, _user: StaffUser) -> Any:
    """Every watchlist with its numbers of accounts and keywords."""
    return watchlists.list_watchlists(session=session)
