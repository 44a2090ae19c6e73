"""The alerts API under /api/v1/alerts: the JSON twin of /staff/alerts.

Reading needs a staff account; adding, removing and testing rules need an
admin (a rule sends data out of Marsad). The secret is returned once, by POST.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from marsad.alerts import rules, service
from marsad.web.deps import AdminUser, DbSession, StaffUser

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])


class RuleCreate(BaseModel):
    on: str = Field(description="The event, e.g. `report.received`.")
    filters: dict[str, list[str] | str] = Field(
        default_factory=dict, description="Filter key → value(s) the event must match."
    )
    email: str | None = Field(None, description="Send alerts to this address.")
    webhook: str | None = Field(None, description="POST signed JSON alerts to this http(s) URL.")
    mode: str = Field("immediate", description="`immediate` or `digest` (daily).")


class Subscription(BaseModel):
    email: str = Field(description="Where this staff member receives the rule's alerts.")


def overview(session: Any, *, admin: bool, limit: int = 50) -> dict[str, Any]:
    """What the page and its JSON twin show: the rules and the newest deliveries.

    A webhook URL often holds a token (in its path or query): only admins see it
    whole; other staff see its scheme and host.
    """
    data = {
        "rules": service.rules_overview(session),
        "deliveries": service.recent(session, limit=limit),
    }
    if not admin:
        for rule in data["rules"]:
            rule["webhook"] = rules.mask_url(rule["webhook"])
        for item in data["deliveries"]:
            if item["channel"] == "webhook":
                item["target"] = rules.mask_url(item["target"])
    return data


@router.get("")
def list_alerts(
    user: StaffUser, session: DbSession, limit: int = Query(50, ge=1, le=500)
) -> dict[str, Any]:
    """Every rule (never its secret) and the newest deliveries with their attempts."""
    return overview(session, admin=user.role == "admin", limit=limit)


@router.post("", status_code=201)
def add_alert(body: RuleCreate, user: AdminUser, session: DbSession) -> dict[str, str]:
    """Add a rule; the answer holds its id and webhook secret, shown this once."""
    new = rules.add_rule(
        session,
        settings=session.info["settings"],
        event=body.on,
        filters=dict(body.filters),
        email=body.email,
        webhook=body.webhook,
        mode=body.mode,
        actor=user.username,
    )
    return {"id": new.id, "secret": new.secret}


@router.delete("/{rule_id}")
def remove_alert(rule_id: str, user: AdminUser, session: DbSession) -> dict[str, Any]:
    rules.remove_rule(session, rule_id=rule_id, actor=user.username)
    return {"id": rule_id, "removed": True}


@router.post("/{rule_id}/test", status_code=202)
def test_alert(rule_id: str, user: AdminUser, session: DbSession) -> dict[str, Any]:
    """Queue a test alert to each receiver of the rule; follow it in the deliveries."""
    ids = service.queue_test(session, rule_id=rule_id, actor=user.username)
    return {"id": rule_id, "deliveries": ids}


@router.put("/{rule_id}/subscription")
def subscribe(
    rule_id: str, body: Subscription, user: StaffUser, session: DbSession
) -> dict[str, Any]:
    """Receive this rule's alerts at your own address."""
    sub = rules.subscribe(session, rule_id=rule_id, user=user, email=body.email)
    return {"rule_id": rule_id, "email": sub.email}


@router.delete("/{rule_id}/subscription")
def unsubscribe(rule_id: str, user: StaffUser, session: DbSession) -> dict[str, Any]:
    rules.unsubscribe(session, rule_id=rule_id, user=user)
    return {"rule_id": rule_id, "subscribed": False}
