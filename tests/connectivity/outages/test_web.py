"""The public timeline and its JSON twin, an event page, and the staff desk."""

from __future__ import annotations

from datetime import UTC, datetime

from marsad.connectivity.outages import service
from marsad.core.db import session_scope
from tests.conftest import csrf_from, login


def _event(sessions, **fields):  # type: ignore[no-untyped-def]
    values = {
        "start": datetime(2026, 6, 1, 3, 0, tzinfo=UTC),
        "end": datetime(2026, 6, 1, 5, 30, tzinfo=UTC),
        "scope": "regional",
        "governorates": ["IQG11", "IQG06"],
        "networks": ["AS21277"],
        "ordered_by": "KRG Ministry of Education",
        "note": "staff only: the tip came from a teacher",
        **fields,
    }
    with session_scope(sessions) as session:
        return service.create_event(session, data=service.EventInput(**values), actor="tester").id


def test_the_timeline_page_and_its_json_twin_show_the_same_events(client, sessions) -> None:  # type: ignore[no-untyped-def]
    kept = _event(sessions)
    hidden = _event(
        sessions, start=datetime(2026, 6, 2, 3, 0, tzinfo=UTC), end=None, status="rejected"
    )
    page = client.get("/connectivity")
    assert page.status_code == 200
    assert f"/connectivity/events/{kept}" in page.text
    assert hidden not in page.text
    assert "<svg" in page.text and "http://" not in page.text.split("<svg", 1)[1].split("</svg>")[0]
    twin = client.get("/api/v1/connectivity/events").json()
    assert [e["id"] for e in twin["events"]] == [kept]
    erbil = next(g for g in twin["governorates"] if g["pcode"] == "IQG11")
    assert (erbil["events"], erbil["hours"]) == (1, 2.5)
    basra = client.get("/api/v1/connectivity/events?governorate=IQG02").json()
    assert basra["events"] == [] and basra["filter"] == {"governorate": "IQG02"}


def test_an_event_page_never_shows_the_staff_note(client, sessions) -> None:  # type: ignore[no-untyped-def]
    event_id = _event(sessions)
    page = client.get(f"/connectivity/events/{event_id}?lang=en")
    assert page.status_code == 200
    assert "KRG Ministry of Education" in page.text and "teacher" not in page.text
    twin = client.get(f"/api/v1/connectivity/events/{event_id}").json()
    assert twin["ordered_by"] == "KRG Ministry of Education" and "note" not in twin
    assert client.get("/api/v1/connectivity/events/nope").status_code == 404
    assert client.get("/connectivity/events/nope").status_code == 404


def test_stop_exports_are_public_and_in_stop_order(client, sessions) -> None:  # type: ignore[no-untyped-def]
    _event(sessions)
    csv_text = client.get("/api/v1/connectivity/export.csv").text
    assert csv_text.startswith("start_date_type,start_date,country,geo_scope,area_name,")
    rows = client.get("/api/v1/connectivity/export.json").json()["rows"]
    assert rows[0]["area_name"] == "Al-Sulaymaniyah; Erbil"


def test_staff_desk_needs_a_login_and_keeps_typed_values_on_error(
    client, make_user, sessions
) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/staff/connectivity", follow_redirects=False).status_code in (302, 303, 401)
    assert client.get("/api/v1/connectivity/schedule/match").status_code in (401, 403)
    assert client.get("/api/v1/connectivity/staff/events").status_code in (401, 403)
    assert login(client, "ana", make_user("ana", "analyst")).status_code == 303
    page = client.get("/staff/connectivity")
    assert page.status_code == 200
    token = csrf_from(page.text)
    bad = client.post(
        "/staff/connectivity/events",
        data={"csrf_token": token, "start": "2026-06-01T06:00", "end": "2026-06-01T05:00",
              "scope": "national", "type": "full", "ordered_by": "Ministry of Communications"},
    )  # fmt: skip
    assert bad.status_code == 422
    assert "Ministry of Communications" in bad.text  # what was typed is still there
    good = client.post(
        "/staff/connectivity/events",
        data={"csrf_token": token, "start": "2026-06-01T06:00", "end": "2026-06-01T08:00",
              "scope": "national", "type": "full", "governorates": ["IQG08"]},
        follow_redirects=False,
    )  # fmt: skip
    assert good.status_code == 303
    event = client.get(
        "/api" + good.headers["location"].replace("/connectivity", "/v1/connectivity")
    ).json()
    assert event["start"] == "2026-06-01T03:00:00Z"  # typed in Baghdad time, stored UTC
    added = client.post(
        "/staff/connectivity/schedule",
        data={"csrf_token": token, "date": "2026-06-01", "from": "06:00", "to": "08:00",
              "region": "national"},
        follow_redirects=False,
    )  # fmt: skip
    assert added.status_code == 303
    match = client.get("/api/v1/connectivity/schedule/match").json()
    assert match["announced_and_measured"][0]["events"] == [event["id"]]
    rejected = client.post(
        f"/staff/connectivity/events/{event['id']}/status",
        data={"csrf_token": token, "status": "rejected"},
        follow_redirects=False,
    )
    assert rejected.status_code == 303
    assert client.get(f"/api/v1/connectivity/events/{event['id']}").status_code == 404
    desk = client.get("/api/v1/connectivity/staff/events").json()["events"]
    assert [(e["id"], e["status"]) for e in desk] == [(event["id"], "rejected")]
