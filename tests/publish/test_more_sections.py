"""The declaration and connectivity sections: dashboard, statistics, weekly report, switch-off."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from marsad.connectivity.blocking.models import OoniMeasurement
from marsad.connectivity.outages.models import ConnectivityEvent
from marsad.core.db import session_scope
from marsad.declaration import actors
from marsad.declaration.models import Signature, Violation
from marsad.declaration.service import stored_declaration
from marsad.publish import weekly
from marsad.publish.sections import Period

W49_MONDAY = datetime(2026, 11, 30, 6, tzinfo=UTC)
SECRET_DESCRIPTION = "وصف داخلي لا يُنشر"


def _declaration(sessions, report_ids: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Two actors, three signatures (two confirmed), three violations (two public)."""
    with session_scope(sessions) as session:
        declaration = stored_declaration(session, slug="iraq-2021")
        ids = [
            actors.create_actor(
                session,
                name=name,
                kind="candidate",
                accounts=[{"platform": "x", "handle": handle}],
                actor="t",
            ).actor_id
            for name, handle in (("مرشح أول", "first_c"), ("مرشح ثان", "second_c"))
        ]
        for i, (group, status) in enumerate(
            (("media", "confirmed"), ("civil-society", "confirmed"), ("media", "pending"))
        ):
            session.add(
                Signature(
                    declaration_id=declaration.id,
                    group_slug=group,
                    name=f"signer {i}",
                    email_digest=f"d{i}",
                    email_encrypted="x",
                    nonce="n",
                    status=status,
                    expires_at=W49_MONDAY + timedelta(days=3),
                    confirmed_at=W49_MONDAY if status == "confirmed" else None,
                )
            )
        past = W49_MONDAY + timedelta(days=1)
        rows = [
            # (actor, commitment, status, reply due, evidence)
            (ids[0], "candidates-3", "no_response", past, ["post:1", "post:2", *report_ids]),
            (ids[0], "candidates-5", "responded", past, ["flag:abc"]),
            # Confirmed but not yet notified: not public, not counted.
            (ids[1], "candidates-1", "confirmed", None, ["post:3"]),
        ]
        for actor_id, commitment, status, due, evidence in rows:
            session.add(
                Violation(
                    declaration_id=declaration.id,
                    actor_id=actor_id,
                    commitment_id=commitment,
                    description=SECRET_DESCRIPTION,
                    severity="high",
                    status=status,
                    reply_due=due,
                    evidence=evidence,
                    created_by="t",
                )
            )


def _connectivity(sessions) -> None:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        for scope, governorates, networks, status, start, hours in (
            ("regional", ["IQG06", "IQG11"], ["AS50710"], "confirmed", W49_MONDAY, 4),
            ("national", [], [], "detected", W49_MONDAY + timedelta(days=2), 2),
            # Rejected by staff: never counted.
            ("national", [], [], "rejected", W49_MONDAY + timedelta(days=3), 9),
            # Last week: in the trend, not in this week's figures.
            ("regional", ["IQG08"], [], "confirmed", W49_MONDAY - timedelta(days=7), 1),
        ):
            session.add(
                ConnectivityEvent(
                    start=start,
                    end=start + timedelta(hours=hours),
                    scope=scope,
                    shutdown_type="full",
                    governorates=governorates,
                    networks=networks,
                    origin="manual",
                    status=status,
                    justification="ملاحظة الموظفين",
                    created_by="t",
                )
            )
        for i, (target, asn, verdict) in enumerate(
            (
                ("https://blocked.example/", 50710, "confirmed"),
                ("https://blocked.example/", 21277, "confirmed"),
                ("https://other.example/", 50710, "confirmed"),
                ("https://maybe.example/", 50710, "anomaly"),
            )
        ):
            session.add(
                OoniMeasurement(
                    uid=f"u{i}",
                    test_name="web_connectivity",
                    target=target,
                    asn=asn,
                    network="Earthlink" if asn == 50710 else "",
                    cc="IQ",
                    day=date(2026, 12, 1),
                    measured_at=W49_MONDAY + timedelta(days=1),
                    verdict=verdict,
                    evidence={},
                    source="t",
                )
            )


def test_declaration_scorecards_count_only_public_violations(client, sessions, add_reports):
    # One report cited as evidence: fewer than k, so its count is hidden.
    _declaration(sessions, [f"report:{rid}" for rid in add_reports(1)])
    response = client.get("/api/v1/stats/declaration?week=2026-W49&lang=en")
    assert response.status_code == 200
    figures = response.json()["figures"]
    assert figures["signatories"]["total"] == 2
    assert figures["signatories"]["this_week"] == 2
    groups = {row["key"]: row["count"] for row in figures["signatories"]["by_group"]}
    assert groups["media"] == 1 and groups["civil-society"] == 1
    cards = {row["key"]: row for row in figures["scorecards"]}
    assert cards["candidates"]["breached"] == 2
    assert cards["candidates"]["honoured"] == cards["candidates"]["commitments"] - 2
    assert cards["candidates"]["actors"] == 2
    violations = figures["violations"]
    assert violations["total"] == 2 and violations["this_week"] == 2
    assert violations["evidence"] == 4
    kinds = {row["key"]: row for row in violations["evidence_by_kind"]}
    assert kinds["post"]["count"] == 2 and kinds["flag"]["count"] == 1
    assert kinds["report"] == {
        "key": "report",
        "label": "Citizen reports",
        "count": None,
        "fewer_than": 3,
    }
    [actor] = figures["actors"]
    assert actor["label"] == "مرشح أول" and actor["count"] == 2 and actor["evidence"] == 4
    assert any(s["figure"] == "declaration.public_violations" for s in figures["sources"])
    assert SECRET_DESCRIPTION not in response.text
    page = client.get("/dashboard?week=2026-W49")
    assert 'id="section-declaration"' in page.text and SECRET_DESCRIPTION not in page.text
    # Before the right of reply ran out, the week before shows no violation.
    earlier = client.get("/api/v1/stats/declaration?week=2026-W48").json()["figures"]
    assert earlier["violations"]["total"] == 0 and earlier["signatories"]["total"] == 0


def test_connectivity_counts_the_weeks_cuts_and_confirmed_blocking(client, sessions):
    _connectivity(sessions)
    response = client.get("/api/v1/stats/connectivity?week=2026-W49&lang=en")
    assert response.status_code == 200
    figures = response.json()["figures"]
    cuts = figures["outages"]
    assert cuts["events"] == 2 and cuts["hours"] == 6.0
    areas = {row["key"]: row["count"] for row in cuts["by_governorate"]}
    # The national cut touches all 18 governorates; the regional one two more times.
    assert len(areas) == 18 and areas["IQG06"] == 2 and areas["IQG08"] == 1
    assert cuts["by_network"] == [
        {"key": "AS50710", "label": "AS50710 · EarthLink Telecommunications", "count": 1}
    ]
    assert cuts["begun_per_week"][-2:] == [1, 2]
    blocked = figures["blocking"]
    assert blocked["targets"] == 2 and blocked["networks"] == 2
    assert blocked["by_network"][0] == {
        "key": "AS50710",
        "label": "AS50710 · Earthlink",
        "count": 2,
    }
    assert blocked["top_targets"][0] == {
        "key": "https://blocked.example/",
        "label": "https://blocked.example/",
        "count": 2,
    }
    assert "maybe.example" not in response.text and "ملاحظة الموظفين" not in response.text
    page = client.get("/dashboard?week=2026-W49").text
    assert 'id="section-connectivity"' in page and "blocked.example" in page
    whole = client.get("/api/v1/stats?week=2026-W49").json()
    assert {"declaration", "connectivity"} <= {s["key"] for s in whole["sections"]}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_weekly_report_carries_both_sections_traced(sessions, settings, add_reports):
    _declaration(sessions, [f"report:{rid}" for rid in add_reports(1)])
    _connectivity(sessions)
    with sessions() as session:
        doc = weekly.build(session, settings=settings, period=Period.parse("2026-W49"), lang="ckb")
    html = weekly.render_html(doc, settings=settings)
    assert 'id="section-declaration"' in html and 'id="section-connectivity"' in html
    assert "declaration.public_violations" in html and "connectivity.outages" in html
    assert "FROM declaration_violations" in html and "FROM connectivity_events" in html
    assert SECRET_DESCRIPTION not in html


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_switched_off_capabilities_leave_no_section(settings, engine, sessions):
    from fastapi.testclient import TestClient

    from marsad.web.app import create_app

    _connectivity(sessions)
    off = settings.model_copy(update={"disabled_plugins": "declaration,connectivity"})
    with TestClient(create_app(off, engine=engine)) as client:
        keys = {s["key"] for s in client.get("/api/v1/stats?week=2026-W49").json()["sections"]}
        assert "reports" in keys and not {"declaration", "connectivity"} & keys
        assert client.get("/api/v1/stats/connectivity?week=2026-W49").status_code == 404
        page = client.get("/dashboard?week=2026-W49").text
        assert "section-connectivity" not in page and "section-declaration" not in page
    with session_scope(sessions) as session:  # the tables stay, with their rows
        assert session.execute(select(ConnectivityEvent.id)).first() is not None
