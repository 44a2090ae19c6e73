"""References to posts: ``post:<id>`` (Marsad's id, or ``post:<platform>:<post id>``)."""

from __future__ import annotations

from typing import Any

from marsad.core.refs import RefType, ResolvedRef
from marsad.posts.service import get_post


def resolve_post(session: Any, ident: str) -> ResolvedRef | None:
    """A post as another capability may cite it: platform, account and the start of its text."""
    if ident.isdigit() and int(ident) >= 2**63:  # past any id the database can hold
        return None
    post = get_post(session=session, post_ref=ident, include_raw=False)
    who = post.account.handle if post.account and post.account.handle else None
    title = f"{post.platform} @{who}" if who else post.platform
    text = " ".join(post.text.split())
    return ResolvedRef(
        ref=f"post:{post.id}",
        kind="post",
        title=f"{title}: {text[:80]}{'…' if len(text) > 80 else ''}",
        url=f"/posts/{post.id}",
        public=False,
        extra={
            "platform": post.platform,
            "post_id": post.post_id,
            "created_at": post.created_at.isoformat() if post.created_at else None,
            "source_url": post.url,
        },
    )


REF_TYPES: list[RefType] = [
    RefType(
        "post",
        resolve_post,
        "A stored social-media post, by Marsad's id or platform:post id.",
    )
]
