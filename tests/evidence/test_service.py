"""The evidence locker: items stored by hash, derivatives beside originals, custody on every act."""

from __future__ import annotations

import hashlib
import io
import json
import sys

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from marsad.core.blobs import BlobStore
from marsad.core.db import session_scope
from marsad.core.errors import InvalidInput, NotFound
from marsad.evidence import cli, service
from marsad.evidence.models import CustodyEvent, EvidenceItem
from marsad.evidence.verify import verify_all

runner = CliRunner()


@pytest.fixture
def store(settings) -> BlobStore:  # type: ignore[no-untyped-def]
    return BlobStore.from_settings(settings)


def test_a_file_is_stored_under_its_hash_and_its_creation_is_in_custody(sessions, store) -> None:
    data = b"\x89PNG fake but real bytes" * 1000
    with session_scope(sessions) as session:
        item = service.add_file(
            session,
            store,
            stream=io.BytesIO(data),
            name="shot.png",
            media_type="image/png",
            actor="analyst",
            note="seen on 3 Dec",
        )
        item_id = item.id
    digest = hashlib.sha256(data).hexdigest()
    # A plain file named by its hash, so any tool can re-hash it.
    path = store.root / digest[:2] / digest
    assert path.read_bytes() == data
    with session_scope(sessions) as session:
        item = service.get_item(session, item_id)
        assert item.sha256 == f"sha256:{digest}"
        assert item.size == len(data) and item.kind == "file" and item.note == "seen on 3 Dec"
        log = service.custody_log(session, item_id)
        assert [(e.action, e.actor) for e in log] == [("create", "analyst")]
        assert log[0].details["sha256"] == item.sha256


def test_a_derivative_links_to_its_original_which_is_unchanged(sessions, store) -> None:
    with session_scope(sessions) as session:
        original = service.add_file(
            session,
            store,
            stream=b"original face",
            name="a.jpg",
            media_type="image/jpeg",
            actor="a",
        )
        redacted = service.add_file(
            session,
            store,
            stream=b"blurred face",
            name="a-redacted.jpg",
            media_type="image/jpeg",
            actor="a",
            derived_from_id=original.id,
            derivation="redact",
        )
        assert redacted.kind == "derivative" and redacted.derived_from_id == original.id
        assert store.open(original.sha256).read() == b"original face"
        with pytest.raises(InvalidInput) as bad:
            service.add_file(
                session,
                store,
                stream=b"x",
                name="x",
                media_type=None,
                actor="a",
                derived_from_id=original.id,
                derivation="paint",
            )
        assert bad.value.where == "derivation"


def test_views_and_downloads_are_logged_in_a_chain_verify_accepts(sessions, store) -> None:
    with session_scope(sessions) as session:
        item_id = service.add_file(
            session, store, stream=b"abc", name="a.txt", media_type=None, actor="a"
        ).id
    with session_scope(sessions) as session:
        service.view_item(session, item_id, actor="reviewer", reason="triage")
        download = service.open_download(session, store, item_id, actor="reviewer")
        assert download.stream.read() == b"abc"
        download.stream.close()
        service.record_transfer(session, item_id, actor="reviewer", to="UN OHCHR", reason="case")
    with session_scope(sessions) as session:
        log = service.custody_log(session, item_id)
        assert [e.action for e in log] == ["create", "view", "download", "transfer"]
        assert log[1].reason == "triage" and log[3].details == {"to": "UN OHCHR"}
        assert verify_all(session, store) == {"ok": True, "checked": 1, "problems": []}


def test_verify_names_the_item_whose_file_or_log_was_altered(sessions, store) -> None:
    with session_scope(sessions) as session:
        first = service.add_file(
            session, store, stream=b"one", name="1", media_type=None, actor="a"
        )
        second = service.add_file(
            session, store, stream=b"two", name="2", media_type=None, actor="a"
        )
        ids = (first.id, second.id)
        path = store.path(first.sha256)
    path.chmod(0o600)
    path.write_bytes(b"tampered")
    with session_scope(sessions) as session:
        session.execute(
            update(CustodyEvent).where(CustodyEvent.item_id == ids[1]).values(actor="someone else")
        )
    with session_scope(sessions) as session:
        result = verify_all(session, store)
    assert result["ok"] is False and result["checked"] == 2
    assert [p["item"] for p in result["problems"]] == [ids[0], ids[1]]
    assert "no longer matches its hash" in result["problems"][0]["problem"]
    assert "changed after it was written" in result["problems"][1]["problem"]


def test_list_filters_by_kind_status_and_text(sessions, store) -> None:
    with session_scope(sessions) as session:
        service.add_file(session, store, stream=b"1", name="flyer.pdf", media_type=None, actor="a")
        service.add_file(
            session, store, stream=b"2", name="x.txt", media_type=None, actor="a", note="50% off"
        )
    with session_scope(sessions) as session:
        assert service.list_items(session).total == 2
        assert [i.title for i in service.list_items(session, text="flyer").items] == ["flyer.pdf"]
        assert [i.title for i in service.list_items(session, text="50%").items] == ["x.txt"]
        assert service.list_items(session, kind="capture").total == 0
        with pytest.raises(InvalidInput):
            service.list_items(session, status="lost")
        with pytest.raises(NotFound):
            service.get_item(session, 999)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_cli_add_prints_the_result_and_verify_exits_1_naming_the_item(
    env, tmp_path, sessions, store
) -> None:
    file = tmp_path / "leak.txt"
    file.write_bytes("وثيقة".encode() * 100)
    result = runner.invoke(cli.app, ["add", str(file), "--note", "from a source", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body) == {"id", "sha256", "status", "reason"}
    assert body["status"] == "captured" and body["reason"] is None
    assert body["sha256"] == "sha256:" + hashlib.sha256(file.read_bytes()).hexdigest()

    ok = runner.invoke(cli.app, ["verify", "--json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout) == {"ok": True, "checked": 1, "problems": []}

    store.path(body["sha256"]).unlink()
    bad = runner.invoke(cli.app, ["verify", "--json"])
    assert bad.exit_code == 1
    problems = json.loads(bad.stdout)["problems"]
    assert problems[0]["item"] == body["id"] and "missing" in problems[0]["problem"]

    missing = runner.invoke(cli.app, ["add", str(tmp_path / "nope.txt"), "--json"])
    assert missing.exit_code == 2 and "nope.txt" in missing.output

    shown = runner.invoke(cli.app, ["show", str(body["id"]), "--json"])
    assert [e["action"] for e in json.loads(shown.stdout)["custody"]] == ["create", "view"]

    out = tmp_path / "copy.txt"
    store.put(file.read_bytes())  # the blob back in place
    exported = runner.invoke(
        cli.app, ["export", str(body["id"]), "--out", str(out), "--reason", "court", "--json"]
    )
    assert exported.exit_code == 0, exported.output
    assert out.read_bytes() == file.read_bytes()
    again = runner.invoke(cli.app, ["export", str(body["id"]), "--out", str(out)])
    assert again.exit_code == 2 and "already exists" in again.output
    handed = runner.invoke(
        cli.app, ["transfer", str(body["id"]), "--to", "OHCHR", "--reason", "case 12", "--json"]
    )
    assert json.loads(handed.stdout)["details"] == {"to": "OHCHR"}
    log = json.loads(runner.invoke(cli.app, ["show", str(body["id"]), "--json"]).stdout)
    assert [(e["action"], e["reason"]) for e in log["custody"]][2:] == [
        ("export", "court"),
        ("transfer", "case 12"),
        ("view", ""),
    ]
    with session_scope(sessions) as session:
        assert session.get(EvidenceItem, body["id"]).note == "from a source"


def test_pictures_are_handed_to_the_perceptual_hasher_whose_failure_costs_nothing(
    sessions, store, monkeypatch
) -> None:
    import types

    seen: list[str] = []

    def hash_item(session, store, item):  # type: ignore[no-untyped-def]
        seen.append(item.media_type)
        if item.title == "broken.jpg":
            raise ValueError("cannot decode")
        return {"item": item.id, "hashed": 1, "skipped": []}

    monkeypatch.setitem(
        sys.modules, "marsad.evidence.similar", types.SimpleNamespace(hash_item=hash_item)
    )
    with session_scope(sessions) as session:
        for name, media in (
            ("a.png", "image/png"),
            ("b.pdf", "application/pdf"),
            ("broken.jpg", "image/jpeg"),
            ("c.mp4", "video/mp4"),
        ):
            service.add_file(
                session, store, stream=name.encode(), name=name, media_type=media, actor="a"
            )
    assert seen == ["image/png", "image/jpeg", "video/mp4"]
    with session_scope(sessions) as session:
        assert service.list_items(session).total == 4  # the broken picture is kept all the same


def test_many_people_viewing_one_item_at_once_leave_one_unbroken_chain(sessions, store) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with session_scope(sessions) as session:
        item_id = service.add_file(
            session, store, stream=b"busy", name="b.txt", media_type=None, actor="a"
        ).id

    def look(n: int) -> None:
        for _ in range(4):
            with session_scope(sessions) as session:
                service.view_item(session, item_id, actor=f"viewer{n}")

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(look, range(6)))
    with session_scope(sessions) as session:
        assert [e.seq for e in service.custody_log(session, item_id)] == list(range(1, 26))
        assert verify_all(session, store)["ok"] is True
