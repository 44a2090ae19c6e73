"""Reading the declaration and signing it: the e-mailed link, the public list, bad input."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import func, select

from marsad.declaration.models import Signature

from .conftest import confirm_link, outbox, run_queued

SIGNER = {
    "name": "Zainab Hassan",
    "organisation": "Basra Bloggers",
    "group": "civil-society",
    "email": "zainab@example.org",
    "accounts": [{"platform": "x", "handle": "@zainab_h"}],
}


def test_the_2021_declaration_has_28_commitments_in_seven_groups(client) -> None:
    listed = client.get("/api/v1/declarations").json()
    assert [d["slug"] for d in listed] == ["iraq-2021"]
    doc = client.get("/api/v1/declarations/iraq-2021?lang=en").json()
    assert doc["slug"] == "iraq-2021"
    sizes = {g["slug"]: len(g["commitments"]) for g in doc["groups"]}
    assert sizes == {
        "candidates": 8, "platforms": 5, "civil-society": 4, "media": 3,
        "cmc": 2, "ihec": 1, "individuals": 5,
    }  # fmt: skip
    first = doc["groups"][0]["commitments"][2]
    assert first == {"id": "candidates-3", "text": "Use only official accounts on social media."}
    assert len(doc["principles"]) == 4
    arabic = client.get("/api/v1/declarations/iraq-2021?lang=ar").json()
    assert arabic["groups"][0]["commitments"][2]["id"] == "candidates-3"
    assert "الحسابات الرسمية" in arabic["groups"][0]["commitments"][2]["text"]
    assert client.get("/api/v1/declarations/nowhere").status_code == 404


def test_a_signature_counts_only_once_its_mailed_link_is_opened(client, settings, sessions) -> None:
    response = client.post("/api/v1/declarations/iraq-2021/signatures", json=SIGNER)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "pending"
    assert client.get("/api/v1/declarations/iraq-2021/signatories").json()["count"] == 0

    [job] = run_queued(sessions, settings, "declaration.mail")
    assert job.status == "succeeded", job.error_message
    [message] = outbox(settings)
    assert message["To"] == "zainab@example.org"
    link = confirm_link(message)
    assert "confirm" in link
    # The job delivered again sends nothing more.
    run_queued(sessions, settings, "declaration.mail")
    assert len(outbox(settings)) == 1

    opened = client.get(urlsplit(link).path)
    assert opened.status_code == 200
    listed = client.get("/api/v1/declarations/iraq-2021/signatories").json()
    assert listed["count"] == 1
    [person] = listed["signatories"]
    assert person["name"] == "Zainab Hassan" and person["verified"] is False
    assert person["accounts"] == [{"platform": "x", "handle": "zainab_h"}]
    assert "email" not in person and "zainab@example.org" not in str(listed)
    counts = {g["slug"]: g["count"] for g in listed["groups"]}
    assert counts["civil-society"] == 1 and counts["media"] == 0
    # The address is stored encrypted, never in the clear.
    with sessions() as session:
        stored = session.execute(select(Signature)).scalar_one()
        assert "zainab@example.org" not in stored.email_encrypted + stored.email_digest


def test_bad_signatures_are_refused_and_store_nothing(client, sessions) -> None:
    base = "/api/v1/declarations/iraq-2021/signatures"
    wrong_group = client.post(base, json={**SIGNER, "group": "astronauts"})
    assert wrong_group.status_code == 422
    assert wrong_group.json()["where"] == "group"
    bad_mail = client.post(base, json={**SIGNER, "email": "not-an-address"})
    assert bad_mail.status_code == 422 and bad_mail.json()["where"] == "email"
    bad_platform = client.post(
        base, json={**SIGNER, "accounts": [{"platform": "My Space", "handle": "x"}]}
    )
    assert bad_platform.status_code == 422
    assert bad_platform.json()["where"] == "accounts[0].platform"
    assert client.post("/api/v1/declarations/nowhere/signatures", json=SIGNER).status_code == 404
    with sessions() as session:
        assert session.execute(select(func.count()).select_from(Signature)).scalar_one() == 0
    assert client.post(base, json=SIGNER).status_code == 202
    again = client.post(base, json={**SIGNER, "email": "ZAINAB@example.org "})
    assert again.status_code == 409 and again.json()["error"] == "err_signature_exists"
    with sessions() as session:
        assert session.execute(select(func.count()).select_from(Signature)).scalar_one() == 1


def test_broken_and_expired_links_are_refused(client, settings, sessions) -> None:
    client.post("/api/v1/declarations/iraq-2021/signatures", json=SIGNER)
    run_queued(sessions, settings, "declaration.mail")
    link = urlsplit(confirm_link(outbox(settings)[0])).path
    forged = link[:-4] + "0000"
    assert client.get(forged).status_code == 404
    assert client.get("/api/v1/declarations/iraq-2021/confirm/nothing").status_code == 404
    with sessions() as session:
        row = session.execute(select(Signature)).scalar_one()
        row.expires_at = row.created_at
        session.commit()
    expired = client.get(link.replace("/declarations/", "/api/v1/declarations/", 1))
    assert expired.status_code == 410
    assert expired.json()["error"] == "err_signature_link_expired"
    assert client.get("/api/v1/declarations/iraq-2021/signatories").json()["count"] == 0
    # An expired pending signature does not block signing again.
    assert client.post("/api/v1/declarations/iraq-2021/signatures", json=SIGNER).status_code == 202


def test_signing_is_rate_limited_per_address(client, app) -> None:
    from marsad.reports.ratelimit import RateLimiter

    app.state.declaration_limiter = RateLimiter(2, 3600)
    for n in range(2):
        body = {**SIGNER, "email": f"p{n}@example.org"}
        assert (
            client.post("/api/v1/declarations/iraq-2021/signatures", json=body).status_code == 202
        )
    over = client.post(
        "/api/v1/declarations/iraq-2021/signatures", json={**SIGNER, "email": "p9@example.org"}
    )
    assert over.status_code == 429


def test_admins_verify_and_withdraw_signatures(client, settings, sessions, token) -> None:
    client.post("/api/v1/declarations/iraq-2021/signatures", json=SIGNER)
    run_queued(sessions, settings, "declaration.mail")
    client.get(urlsplit(confirm_link(outbox(settings)[0])).path)
    admin = token("boss", "admin")
    analyst = token("mona", "analyst")
    [row] = client.get("/api/v1/declarations/iraq-2021/signatures", headers=admin).json()
    assert "email" not in row
    path = f"/api/v1/declarations/iraq-2021/signatures/{row['id']}"
    assert client.post(f"{path}/verify", json={}, headers=analyst).status_code == 403
    assert client.post(f"{path}/verify", json={}, headers=admin).json()["verified"] is True
    [person] = client.get("/api/v1/declarations/iraq-2021/signatories").json()["signatories"]
    assert person["verified"] is True
    assert client.post(f"{path}/withdraw", headers=admin).json()["status"] == "withdrawn"
    assert client.get("/api/v1/declarations/iraq-2021/signatories").json()["count"] == 0


def test_a_signer_withdraws_with_the_mailed_link(client, settings, sessions) -> None:
    from tests.conftest import csrf_from

    client.post("/api/v1/declarations/iraq-2021/signatures", json=SIGNER)
    run_queued(sessions, settings, "declaration.mail")
    message = outbox(settings)[0]
    client.get(urlsplit(confirm_link(message)).path)
    body = message.get_body(("plain",)).get_content()
    [link] = [w for w in body.split() if "/withdraw/" in w]
    page = client.get(urlsplit(link).path)
    # Opening the link (a mail scanner does) changes nothing; the button does.
    assert page.status_code == 200
    assert client.get("/api/v1/declarations/iraq-2021/signatories").json()["count"] == 1
    done = client.post(urlsplit(link).path, data={"csrf_token": csrf_from(page.text)})
    assert done.status_code == 200
    assert client.get("/api/v1/declarations/iraq-2021/signatories").json()["count"] == 0
    # The confirmation link cannot bring a withdrawn signature back.
    assert client.get(urlsplit(confirm_link(message)).path).status_code == 410


def test_the_same_address_signing_at_once_from_many_threads_is_stored_once(app, sessions) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from fastapi.testclient import TestClient

    def attempt(_n: int) -> int:
        with TestClient(app) as own:
            return own.post("/api/v1/declarations/iraq-2021/signatures", json=SIGNER).status_code

    # The first writes also store the shipped declaration: both races at once.
    with ThreadPoolExecutor(6) as pool:
        codes = sorted(pool.map(attempt, range(6)))
    assert codes.count(202) == 1 and set(codes) <= {202, 409}, codes
    with sessions() as session:
        assert session.execute(select(func.count()).select_from(Signature)).scalar_one() == 1
