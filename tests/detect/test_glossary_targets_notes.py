"""Glossary terms with several target groups, notes per language, and Kurmanji drafts."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from marsad.core import migrate
from marsad.core.db import session_scope
from marsad.detect import curation
from marsad.detect.glossary import Glossary, GlossaryTerm, load_default_glossary
from marsad.detect.models import Flag
from marsad.posts.models import Post
from tests.conftest import csrf_from

VERSION_1_YAML = """version: 1
terms:
- id: ar-old-shape
  term: كلمة قديمة
  language: ar
  target_group: tribe
  category: slur
  severity: 2
  notes: An English note written before notes had languages.
  status: published
"""


def test_a_term_lists_several_groups_in_files_and_spans() -> None:
    yaml_text = """version: 3
terms:
- id: ar-several
  term: اقتلوهم جميعا
  language: ar
  target_groups: [religion, sect, religion]
  category: incitement
  severity: 3
  notes: {ar: دعوة إلى القتل, en: A call to kill}
  status: published
"""
    glossary = Glossary.from_yaml(yaml_text)
    term = glossary.terms[0]
    assert term.target_groups == ("religion", "sect")  # order kept, each group once
    csv_text = glossary.to_csv()
    assert "target_groups" in csv_text.splitlines()[0] and "religion|sect" in csv_text
    assert "notes_ar" in csv_text.splitlines()[0]
    back = Glossary.from_csv(csv_text, version=3)
    assert back.terms == glossary.terms
    assert Glossary.from_yaml(glossary.to_yaml()).terms == glossary.terms
    [hit] = glossary.matcher().find("قالوا اقتلوهم جميعا")
    assert hit.to_dict()["target_groups"] == ["religion", "sect"]
    assert hit.to_dict()["target_group"] == "religion"  # kept for readers of older spans
    with pytest.raises(Exception, match="target_groups"):
        Glossary.from_csv(
            "id,term,language,target_groups,category,severity\nx-1,كلمة,ar,,slur,2\n", version=1
        )


def test_version_1_files_and_pickled_terms_are_read_in_the_new_shape() -> None:
    old = Glossary.from_yaml(VERSION_1_YAML).terms[0]
    assert old.target_groups == ("tribe",)
    assert old.notes.en.startswith("An English note") and old.notes.ar == ""
    legacy_csv = (
        "id,term,language,target_group,category,severity,notes\nx-1,كلمة,ar,sect,slur,2,n\n"
    )
    assert Glossary.from_csv(legacy_csv, version=1).terms[0].target_groups == ("sect",)
    # A model file pickled before holds terms in the old shape (unpickling skips validation).
    term = GlossaryTerm.model_validate({**old.model_dump(), "id": "x-2"})
    state = term.__getstate__()
    fields = dict(state["__dict__"])
    fields["target_group"] = fields.pop("target_groups")[0]
    fields["notes"] = "an old note"
    revived = GlossaryTerm.__new__(GlossaryTerm)
    revived.__setstate__({**state, "__dict__": fields})
    assert revived.target_groups == ("tribe",) and revived.notes.en == "an old note"
    assert pickle.loads(pickle.dumps(revived)) == revived


def test_notes_follow_the_readers_language_with_a_fallback() -> None:
    rafidi = load_default_glossary().get("ar-rafidi")
    assert rafidi.notes.pick("ar")[1] == "ar" and "للشيعة" in rafidi.notes.pick("ar")[0]
    assert rafidi.notes.pick("en")[1] == "en"
    assert rafidi.notes.pick("ckb")[1] == "en"  # no Sorani note: English, marked as such


def test_the_starter_glossary_has_few_kurmanji_drafts_with_sources() -> None:
    glossary = load_default_glossary()
    kurmanji = [t for t in glossary.terms if t.language == "kmr"]
    assert 1 <= len(kurmanji) <= 5
    assert all(t.status == "draft" for t in kurmanji)  # never matched before native review
    assert all("native" in t.notes.en for t in kurmanji)
    assert any("A/HRC/32/CRP.2" in t.notes.en for t in kurmanji)
    assert not glossary.matcher().find("ew şeytanperest in")  # drafts are not matched
    published = glossary.matcher(statuses=("draft", "published"))
    assert [h.term_id for h in published.find("ew seytanperest in")] == ["kmr-seytanperest"]
    assert sum(len(t.target_groups) > 1 for t in glossary.terms) >= 10


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_pages_show_each_group_and_the_note_in_the_readers_language(client) -> None:
    arabic = client.get("/glossary", params={"q": "اقتلوهم", "lang": "ar"}).text
    assert "دعوات مباشرة إلى القتل" in arabic and "Direct calls to kill" not in arabic
    english = client.get("/glossary", params={"q": "اقتلوهم", "lang": "en"}).text
    assert "Direct calls to kill" in english
    assert "sect, ethnicity, religion, political affiliation" in english
    kurdish = client.get("/glossary", params={"q": "اقتلوهم", "lang": "ckb"}).text
    assert 'lang="en">Direct calls to kill' in kurdish  # fallback, marked English
    # The filter by target finds a term by any of its groups, not only its first.
    religion = client.get("/glossary", params={"target_group": "religion", "lang": "en"}).text
    assert "اقتلوهم" in religion
    body = client.get("/api/v1/glossary", params={"q": "اقتلوهم"}).json()
    [term] = [t for t in body["items"] if t["id"] == "ar-uqtuluhum"]
    assert term["target_groups"][:2] == ["sect", "ethnicity"]
    assert term["notes"]["ar"] and term["notes"]["en"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_staff_save_several_groups_and_three_notes(admin_client, sessions) -> None:
    form = admin_client.get("/staff/glossary/new?lang=en")
    assert form.text.count('name="target_groups"') == 8
    assert 'name="notes_ar"' in form.text and 'name="notes_ckb"' in form.text
    data = {
        "csrf_token": csrf_from(form.text),
        "new": "1",
        "id": "ar-test-groups",
        "term": "كلمة الفئات",
        "language": "ar",
        "target_groups": ["religion", "sect"],
        "category": "slur",
        "severity": "2",
        "status": "published",
        "notes_ar": "ملاحظة بالعربية",
        "notes_ckb": "تێبینی بە کوردی",
        "notes_en": "A note in English",
    }
    saved = admin_client.post("/staff/glossary", data=data, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    with session_scope(sessions) as session:
        term = curation.get_term(session, term_id="ar-test-groups")
    assert term.target_groups == ("religion", "sect")
    assert (term.notes.ar, term.notes.ckb, term.notes.en) == (
        "ملاحظة بالعربية",
        "تێبینی بە کوردی",
        "A note in English",
    )
    kurdish = admin_client.get("/glossary", params={"q": "الفئات", "lang": "ckb"}).text
    assert 'lang="ckb">تێبینی بە کوردی' in kurdish
    none = admin_client.post(
        "/staff/glossary?lang=en", data={**data, "id": "ar-test-none", "target_groups": []}
    )
    assert none.status_code == 422 and "Targets: Choose at least one." in none.text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_hate_speech_stats_count_a_post_for_each_group_it_targets(client, sessions) -> None:
    when = datetime(2026, 12, 2, 12, tzinfo=UTC)
    spans = [
        {"term_id": "t-1", "term": "a", "target_groups": ["religion", "sect"]},
        {"term_id": "t-2", "term": "b", "target_group": "tribe"},  # a span of version 1
    ]
    with session_scope(sessions) as session:
        for i, found in enumerate((spans, [])):
            post = Post(
                platform="x",
                post_id=f"p{i}",
                account_id="a",
                text="",
                search_text="",
                source="test",
                created_at=when,
            )
            session.add(post)
            session.flush()
            session.add(
                Flag(
                    post_pk=post.id,
                    model_version="m",
                    glossary_version="1",
                    flagged=bool(found),
                    labels=["hate"] if found else [],
                    spans=found,
                    created_at=when,
                )
            )
    figures = client.get("/api/v1/stats/hate-speech?week=2026-W49").json()["figures"]
    shares = {group: values[-1] for group, values in figures["share_by_target_group"].items()}
    assert shares == {"religion": 50.0, "sect": 50.0, "tribe": 50.0}
    rising = {row["term_id"]: row["target_groups"] for row in figures["rising_terms"]}
    assert rising == {"t-1": ["religion", "sect"], "t-2": ["tribe"]}


def test_migration_rewrites_stored_terms_and_back(engine) -> None:
    """Rows saved before 0014 are rewritten to the new shape; a downgrade restores them."""
    migrate.downgrade(engine, "0012_publish")
    old = {
        "id": "ar-old",
        "term": "قديم",
        "language": "ar",
        "variants": [],
        "dialect": None,
        "target_group": "sect",
        "category": "slur",
        "severity": 2,
        "ambiguous": False,
        "reclaimed": False,
        "notes": "old note",
        "examples": [],
        "status": "published",
    }
    entries = sa.table(
        "glossary_entries",
        sa.column("term_id"),
        sa.column("data", sa.JSON),
        sa.column("status"),
        sa.column("revision"),
        sa.column("updated_at"),
        sa.column("updated_by"),
    )
    revisions = sa.table(
        "glossary_revisions",
        sa.column("id"),
        sa.column("term_id"),
        sa.column("revision"),
        sa.column("glossary_version"),
        sa.column("data", sa.JSON),
        sa.column("changed_by"),
        sa.column("changed_at"),
    )
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            entries.insert().values(
                term_id="ar-old", data=old, status="published", revision=1, updated_at=now,
                updated_by="x",
            )
        )  # fmt: skip
        conn.execute(
            revisions.insert().values(
                id="r-1", term_id="ar-old", revision=1, glossary_version=1, data=old,
                changed_by="x", changed_at=now,
            )
        )  # fmt: skip
    migrate.upgrade(engine, "heads")
    with engine.connect() as conn:
        [entry] = conn.execute(sa.select(entries.c.data)).scalars().all()
        [revision] = conn.execute(sa.select(revisions.c.data)).scalars().all()
    for data in (entry, revision):
        assert data["target_groups"] == ["sect"] and "target_group" not in data
        assert data["notes"] == {"ar": "", "ckb": "", "en": "old note"}
    # Saving the same term again is no change: the stored shape is the one the code writes.
    assert GlossaryTerm.model_validate(entry).model_dump(mode="json") == entry
    migrate.downgrade(engine, "0012_publish")
    with engine.connect() as conn:
        [entry] = conn.execute(sa.select(entries.c.data)).scalars().all()
    assert entry == old
    migrate.upgrade(engine, "heads")
