"""The curated glossary: staff edit terms, every change is a version with history, flags follow."""

from __future__ import annotations

from sqlalchemy import select

from marsad.core.db import session_scope
from marsad.core.models import AuditRecord
from marsad.detect import curation, flagging
from marsad.detect.glossary import load_default_glossary
from marsad.detect.models import Flag
from tests.conftest import csrf_from
from tests.detect.test_flagging import add_posts

# A published slur the shipped glossary lacks: curating it changes what is flagged.
ZARZOUR = {
    "id": "ar-test-zarzour",
    "term": "زرزور",
    "language": "ar",
    "target_group": "ethnicity",
    "category": "slur",
    "severity": 3,
    "status": "published",
}


def test_starts_as_the_shipped_glossary_and_versions_every_change(sessions) -> None:
    shipped = load_default_glossary()
    with session_scope(sessions) as session:
        glossary = curation.current_glossary(session)
        assert glossary.version == shipped.version
        assert {t.id for t in glossary.terms} == {t.id for t in shipped.terms}
        term = glossary.terms[0].model_dump(mode="json")
        curation.save_term(session, data={**term, "notes": "reviewed"}, actor="mona")
        assert curation.glossary_version(session) == shipped.version + 1
        revisions = curation.history(session, term_id=term["id"])
        assert [r.revision for r in revisions] == [2, 1]
        assert revisions[0].changed_by == "mona" and revisions[0].data["notes"]["en"] == "reviewed"
        actions = session.execute(select(AuditRecord.action)).scalars().all()
        assert "glossary.term_changed" in actions


def test_a_new_published_term_is_matched_and_reflags_posts(sessions) -> None:
    add_posts(sessions, ["هذا المنشور فيه كلمة زرزور الجديدة"])
    first = flagging.run_detection(sessions=sessions)
    with session_scope(sessions) as session:
        assert flagging.list_flags(session) == []
        curation.save_term(
            session,
            data=ZARZOUR,
            actor="mona",
        )
    second = flagging.run_detection(sessions=sessions)
    assert int(second.glossary_version) == int(first.glossary_version) + 1
    assert second.processed == 1  # a new glossary version looks at every post again
    with session_scope(sessions) as session:
        newest = session.execute(
            select(Flag).where(Flag.glossary_version == second.glossary_version)
        ).scalar_one()
        assert [s["term_id"] for s in newest.spans] == ["ar-test-zarzour"]
        older = session.execute(
            select(Flag).where(Flag.glossary_version == first.glossary_version)
        ).scalar_one()
        assert older.spans == []  # history kept: what the old version said stays


def test_public_glossary_shows_published_terms_only(client, sessions) -> None:
    with session_scope(sessions) as session:
        curation.save_term(
            session,
            data={
                "id": "ar-draft-x",
                "term": "كلمةمسودة",
                "language": "ar",
                "target_group": "tribe",
                "category": "slur",
                "severity": 1,
                "status": "draft",
            },
            actor="mona",
        )
        published = next(
            t for t in curation.current_glossary(session).terms if t.status == "published"
        )
    page = client.get("/glossary")
    assert page.status_code == 200 and published.term in page.text
    assert "كلمةمسودة" not in page.text
    body = client.get("/api/v1/glossary", params={"q": published.term}).json()
    assert published.id in [t["id"] for t in body["items"]]
    assert all(t["status"] == "published" for t in body["items"])


def test_staff_add_and_edit_a_term_through_the_form(admin_client) -> None:
    form = admin_client.get("/staff/glossary/new?lang=en")
    data = {
        "csrf_token": csrf_from(form.text),
        "new": "1",
        "id": "en-test-vermin",
        "term": "vermin",
        "variants": "vermins, verminous",
        "language": "en",
        "target_groups": "ethnicity",
        "category": "dehumanising",
        "severity": "3",
        "status": "published",
        "note": "seen in a campaign",
    }
    saved = admin_client.post("/staff/glossary", data=data, follow_redirects=False)
    assert (
        saved.status_code == 303 and saved.headers["location"] == "/staff/glossary/en-test-vermin"
    )
    page = admin_client.get("/staff/glossary/en-test-vermin?lang=en")
    assert "verminous" in page.text and "seen in a campaign" in page.text
    again = admin_client.post("/staff/glossary", data=data)  # the same id again, as new
    assert again.status_code == 422 and "exists" in again.text
    bad = admin_client.post(
        "/staff/glossary", data={**data, "new": "", "severity": "7"}, follow_redirects=False
    )
    assert bad.status_code == 422 and "severity" in bad.text
