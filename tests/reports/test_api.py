"""The HTTP API: submit (JSON and multipart), receipts, staff view and transitions."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from PIL import Image

from marsad.core import users
from marsad.core.blobs import BlobStore, originals_of
from marsad.core.db import session_scope

from .helpers import CONTACT_EMAIL, CONTACT_PHONE, publish


def token_for(sessions, username: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        token = users.create_token(session, username=username, label="test", actor=username)
    return {"Authorization": f"Bearer {token}"}


def submit(client, **fields):  # type: ignore[no-untyped-def]
    body = {"title": "Threats after a post", "category": "threat", **fields}
    return client.post("/api/v1/reports", json=body)


def test_categories_list_the_shipped_slugs_in_three_languages(client) -> None:
    rows = client.get("/api/v1/categories?lang=en").json()
    slugs = {row["slug"] for row in rows}
    assert {
        "account_hacking",
        "blackmail",
        "arrest_over_post",
        "internet_shutdown",
        "other",
    } <= slugs
    assert len(slugs) == 14
    hacking = next(r for r in rows if r["slug"] == "account_hacking")
    assert hacking["name"] == "Account hacking" and hacking["name_ar"] and hacking["name_ckb"]
    assert hacking["confidential"] is True


def test_submit_returns_id_and_receipt_and_receipt_shows_status_only(client) -> None:
    response = submit(
        client, description="Secret detail 42", governorate="IQG08", district="IQG08Q03"
    )
    assert response.status_code == 201
    created = response.json()
    assert set(created) == {"id", "receipt"}
    status = client.get(f"/api/v1/receipts/{created['receipt']}?lang=en").json()
    assert status == {"status": "received", "status_label": "Received"}
    assert client.get("/api/v1/receipts/ZZZZ-ZZZZ-ZZZZ").status_code == 404
    # Unpublished reports are not public, and the staff view needs a token.
    assert client.get("/api/v1/reports").json()["count"] == 0
    assert client.get(f"/api/v1/reports/{created['id']}").status_code == 401


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"category": "threat"}, "title"),
        ({"title": "x", "category": "nope"}, "category"),
        ({"title": "x", "category": "threat", "district": "IQG99Q01"}, "district"),
        ({"title": "x", "category": "threat", "lat": 51.5, "lon": -0.1}, "lat"),
    ],
)
def test_bad_json_input_is_a_422_naming_the_field(client, body, where) -> None:
    response = client.post("/api/v1/reports?lang=ar", json=body)
    assert response.status_code == 422
    assert response.json()["where"] == where
    assert any("\u0600" <= ch <= "\u06ff" for ch in response.json()["message"])  # in Arabic


def test_malformed_json_is_refused(client) -> None:
    response = client.post(
        "/api/v1/reports", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["where"] == "body"


def _jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (33.0, 18.0, 54.0), 3: "E", 4: (44.0, 21.0, 58.0)}
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_multipart_upload_strips_exif_and_checks_types(client, settings, sessions, staff) -> None:
    photo = _jpeg_with_gps()
    assert b"PhoneMaker" in photo
    response = client.post(
        "/api/v1/reports",
        data={
            "title": "Photo of the threat",
            "category": "threat",
            "links": "https://example.org/p/1",
        },
        files=[("files", ("IMG_0001.jpg", photo, "image/jpeg"))],
    )
    assert response.status_code == 201, response.text
    # What staff are shown is the re-encoded copy; the photo as sent is kept beside it
    # as its private original, and the store links the two.
    staff("triager", "reviewer")
    view = client.get(
        f"/api/v1/reports/{response.json()['id']}", headers=token_for(sessions, "triager")
    ).json()
    (shown,) = view["files"]
    store = BlobStore.from_settings(settings)
    with store.open(shown["sha256"]) as handle:
        data = handle.read()
    assert b"PhoneMaker" not in data and b"Exif" not in data
    assert not Image.open(io.BytesIO(data)).getexif()
    with store.open(shown["original"]) as handle:
        assert handle.read() == photo
    with sessions() as session:
        assert originals_of(session, sha256=shown["sha256"]) == [(shown["original"], "reencode")]
    assert len([p for p in store.root.rglob("*") if p.is_file()]) == 2
    # A PDF named .jpg, and a file of no allowed type, are refused; nothing is stored.
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    fake = client.post(
        "/api/v1/reports",
        data={"title": "x", "category": "threat"},
        files=[("files", ("photo.jpg", pdf, "image/jpeg"))],
    )
    assert fake.status_code == 422 and fake.json()["error"] == "err_file_type_mismatch"
    exe = client.post(
        "/api/v1/reports",
        data={"title": "x", "category": "threat"},
        files=[("files", ("run.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf"))],
    )
    assert exe.status_code == 422 and exe.json()["where"] == "files"
    assert len([p for p in store.root.rglob("*") if p.is_file()]) == 2


def _client_with(settings, engine, **reports):  # type: ignore[no-untyped-def]
    """A client on an app created with these reports settings (create_app's are the ones used)."""
    from fastapi.testclient import TestClient

    from marsad.core.settings import Settings
    from marsad.reports.settings import ReportSettings
    from marsad.web.app import create_app

    tree = Settings(**settings.model_dump(), reports=ReportSettings(**reports))
    return TestClient(create_app(tree, engine=engine))


def test_a_file_over_the_limit_is_refused(settings, engine) -> None:
    client = _client_with(settings, engine, reports_max_file_mb=0.01)
    big = b"%PDF-1.4\n" + b"0" * 20000
    response = client.post(
        "/api/v1/reports",
        data={"title": "x", "category": "threat"},
        files=[("files", ("big.pdf", big, "application/pdf"))],
    )
    assert response.status_code == 422 and response.json()["error"] == "err_file_too_large"


def test_rate_limit_counts_in_memory(settings, engine) -> None:
    client = _client_with(settings, engine, reports_rate_limit=2)
    assert submit(client).status_code == 201
    assert submit(client).status_code == 201
    assert submit(client).status_code == 429


def test_refused_submissions_do_not_count_against_the_rate_limit(settings, engine) -> None:
    # A reporter correcting a field, on the form or the API, sends it again and again:
    # only the reports accepted count, the form and the API together.
    from tests.conftest import csrf_from

    client = _client_with(settings, engine, reports_rate_limit=2)
    token = csrf_from(client.get("/report").text)
    for _attempt in range(5):
        assert submit(client, title="").status_code == 422
        assert client.post("/api/v1/reports", content=b"{not json").status_code == 422
        wrong = client.post("/report", data={"csrf_token": token, "title": "No category"})
        assert wrong.status_code == 422
    assert submit(client).status_code == 201
    form = {"csrf_token": token, "title": "Threats", "category": "threat"}
    assert client.post("/report", data=form, follow_redirects=False).status_code == 303
    assert submit(client).status_code == 429
    assert client.post("/report", data=form, follow_redirects=False).status_code == 429


def test_staff_api_assignment_alone_never_reveals_the_contact_and_transitions_by_role(
    client, sessions, staff
) -> None:
    staff("rev", "reviewer")
    staff("ana", "analyst")
    created = submit(client, contact=CONTACT_EMAIL).json()
    rid = created["id"]
    rev, ana = token_for(sessions, "rev"), token_for(sessions, "ana")
    seen = client.get(f"/api/v1/reports/{rid}", headers=rev).json()
    assert seen["contact"] is None and seen["contact_visible"] is False
    moved = client.post(f"/api/v1/reports/{rid}/transition", json={"to": "triaged"}, headers=ana)
    assert moved.status_code == 200 and moved.json()["status"] == "triaged"
    refused = client.post(f"/api/v1/reports/{rid}/transition", json={"to": "verified"}, headers=ana)
    assert refused.status_code == 403
    wrong = client.post(f"/api/v1/reports/{rid}/transition", json={"to": "archived"}, headers=rev)
    assert wrong.status_code == 422 and wrong.json()["error"] == "err_transition_invalid"
    with session_scope(sessions) as session:
        from marsad.reports import service

        service.assign_report(
            session, report_id=rid, assignee="rev", actor=users.get_user(session, username="rev")
        )
    # Self-assignment alone never reveals a contact: the two-person rule applies.
    assert client.get(f"/api/v1/reports/{rid}", headers=rev).json()["contact"] is None
    asked = client.get(f"/api/v1/reports/{rid}?include=contact", headers=rev)
    assert asked.status_code == 403 and CONTACT_EMAIL not in asked.text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_contact_never_appears_in_clear_in_db_logs_or_public_output(
    client, sessions, staff, settings, caplog
) -> None:
    """The issue's safety test: e-mail and phone never leak."""
    caplog.set_level(logging.DEBUG)
    staff("rev", "reviewer")
    contact = f"{CONTACT_EMAIL} / {CONTACT_PHONE}"
    created = submit(
        client,
        contact=contact,
        district="IQG08Q03",
        lat=33.3101,
        lon=44.3702,
        occurred_at="2024-05-02",
    ).json()
    publish(sessions, created["id"], location_precision="district", time_precision="day")
    public_pages = [
        client.get(url).text
        for url in (
            "/api/v1/reports",
            "/api/v1/reports.geojson",
            "/api/v1/reports.csv",
            "/api/v1/reports.csv?hxl=1",
            "/api/v1/reports/counts",
            f"/api/v1/receipts/{created['receipt']}",
            "/reports",
            f"/reports/{created['id']}",
            f"/r/{created['receipt']}",
        )
    ]
    assert "Threats after a post" in public_pages[0]
    stored = b"".join(p.read_bytes() for p in Path(settings.data_dir).rglob("*") if p.is_file())
    stored += b"".join(p.read_bytes() for p in Path(settings.data_dir).parent.glob("marsad.db*"))
    logs = caplog.text
    for secret in (CONTACT_EMAIL, CONTACT_PHONE, "770 555 0199", "hidden.reporter"):
        assert secret.encode() not in stored
        assert secret not in logs
        for page in public_pages:
            assert secret not in page
