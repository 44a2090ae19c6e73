"""JSON twins of the shell's staff pages, under /api/v1."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from pydantic import BaseModel

from marsad.core import audit
from marsad.web.deps import AdminUser, DbSession, StaffUser

router = APIRouter(prefix="/api/v1", tags=["core"])


class MePublic(BaseModel):
    username: str
    role: str
    two_factor: bool


@router.get("/me", response_model=MePublic)
def me(user: StaffUser) -> MePublic:
    """Who this token or session belongs to."""
    return MePublic(username=user.username, role=user.role, two_factor=user.totp_enabled)


class AuditRecordPublic(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    subject_type: str
    subject_id: str
    details: str


@router.get("/audit", response_model=dict[str, Any])
def audit_records(
    admin: AdminUser,
    session: DbSession,
    before: int | None = Query(
        None, ge=1, le=2**31 - 1, description="Only records with seq below this"
    ),
    limit: int = Query(100, ge=1, le=1000),
    actor: str | None = Query(None, description="Only records by this actor"),
    action: str | None = Query(None, description="An action, or a family (report = report.*)"),
) -> dict[str, Any]:
    """The newest audit records, paginated with ``next``."""
    rows = audit.list_records(session, actor=actor, action=action, before=before, limit=limit)
    items = [
        AuditRecordPublic(
            seq=r.seq,
            at=r.at.isoformat(),
            actor=r.actor,
            action=r.action,
            subject_type=r.subject_type,
            subject_id=r.subject_id,
            details=r.details,
        ).model_dump()
        for r in rows
    ]
    kept = {k: v for k, v in {"actor": actor, "action": action}.items() if v}
    nxt = (
        f"/api/v1/audit?{urlencode({**kept, 'before': rows[-1].seq, 'limit': limit})}"
        if len(rows) == limit
        else None
    )
    return {"items": items, "next": nxt}


@router.get("/audit/verify")
def audit_verify(admin: AdminUser, session: DbSession) -> dict[str, Any]:
    """Walk the hash chain; ``first_bad`` names the first broken or missing record."""
    return audit.verify(session).to_json()
