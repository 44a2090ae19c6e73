"""References: ``<prefix>:<id>`` parsed, checked and resolved by the capability that owns it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from marsad.coordination.params import RunParams
from marsad.coordination.refs import REF_TYPES as CLUSTERS
from marsad.coordination.runs import start_run
from marsad.core.blobs import BlobStore
from marsad.core.db import session_scope
from marsad.core.errors import InvalidInput
from marsad.core.refs import (
    RefType,
    ResolvedRef,
    format_ref,
    parse_ref,
    ref_types,
    resolve_many,
    resolve_ref,
    validate_ref,
)
from marsad.core.security import FieldCipher
from marsad.detect.models import Flag
from marsad.detect.refs import REF_TYPES as FLAGS
from marsad.posts.ingest import ingest_files
from marsad.posts.refs import REF_TYPES as POSTS
from marsad.posts.service import get_post
from marsad.reports import service as reports_service
from marsad.reports.refs import REF_TYPES as REPORTS

TYPES = ref_types([*POSTS, *REPORTS, *FLAGS, *CLUSTERS])
CONTACT = "hidden.reporter.4410@example.org"
MAPPING = "id=id,author=author,text=text,created_at=created_at"


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("post:123", ("post", "123")),
        ("post:x:1394735776701816833", ("post", "x:1394735776701816833")),
        ("cluster:0b7e/3", ("cluster", "0b7e/3")),
        ("evidence:sha256:" + "a" * 64, ("evidence", "sha256:" + "a" * 64)),
    ],
)
def test_a_reference_is_prefix_colon_id(text: str, parts: tuple[str, str]) -> None:
    assert parse_ref(text) == parts
    assert format_ref(*parts) == text


@pytest.mark.parametrize(
    "text", ["post", "post:", ":12", "Post:12", "post: 12", "post:1 2", "12", "pöst:1", ""]
)
def test_anything_else_is_refused_naming_it(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_ref(text, where="cites")
    assert caught.value.code == "err_ref_invalid" and caught.value.where == "cites"


def test_an_unknown_prefix_is_named_with_the_known_ones() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_ref("evidence:sha256:" + "0" * 64, TYPES)
    assert caught.value.code == "err_ref_unknown_prefix"
    assert "'evidence'" in caught.value.message and "cluster, flag, post, report" in (
        caught.value.message
    )
    assert validate_ref("flag:anything", TYPES) == "flag:anything"


def test_two_capabilities_cannot_own_one_prefix() -> None:
    def nothing(_session: object, _ident: str) -> ResolvedRef | None:
        return None

    with pytest.raises(ValueError, match="'post'"):
        ref_types([*POSTS, RefType("post", nothing)])


def _posts(path: Path) -> Path:
    """Organic posts, and a ring of four accounts sharing the same links within seconds."""
    start = datetime(2026, 10, 1, tzinfo=UTC)
    rows = [
        {
            "id": f"o{n}",
            "author": f"user{n % 60}",
            "text": f"خبر اليوم https://news{n % 60}.example/story/{n}",
            "created_at": (start + timedelta(minutes=37 * n)).isoformat(),
        }
        for n in range(300)
    ]
    for k in range(6):
        at = start + timedelta(days=k, hours=3)
        rows += [
            {
                "id": f"r{k}-{j}",
                "author": f"ring{j}",
                "text": f"شاهدوا الحقيقة https://campaign.example/p/{k}",
                "created_at": (at + timedelta(seconds=5 * j)).isoformat(),
            }
            for j in range(4)
        ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def cited(engine, sessions, settings, tmp_path):  # type: ignore[no-untyped-def]
    """One record of each kind, stored through its capability: their references."""
    result = ingest_files(
        fmt="jsonl", paths=[_posts(tmp_path / "p.jsonl")], engine=engine, mapping=MAPPING
    )
    assert result.inserted == 324
    with session_scope(sessions) as session:
        post = get_post(session=session, post_ref="other:r0-0", include_raw=False)
        flag = Flag(
            post_pk=post.id,
            model_version="m1",
            glossary_version="1",
            flagged=True,
            labels=["incitement"],
            scores={"incitement": 0.91},
            top_score=0.91,
        )
        session.add(flag)
        report = reports_service.submit_report(
            session,
            submission=reports_service.Submission(
                title="Blocked news site", category="website_blocking", contact=CONTACT
            ),
            channel="web",
            cipher=FieldCipher.from_settings(settings.field_key, settings.secret()),
            settings=settings.reports,
            blobs=BlobStore(tmp_path / "blobs"),
        )
    run = start_run(sessions, actor="analyst", params=RunParams(methods=["links"]))
    ring = next(c for c in run.result["clusters"] if "other:ring0" in c["accounts"])
    return {
        "post": f"post:{post.id}",
        "flag": f"flag:{flag.id}",
        "report": f"report:{report.id}",
        "cluster": f"cluster:{run.id}/{ring['id']}",
        "post_id": post.id,
    }


def test_each_kind_resolves_on_a_real_database(cited, sessions) -> None:
    with sessions() as session:
        post = resolve_ref(session, cited["post"], TYPES)
        assert (post.kind, post.ref, post.url) == (
            "post",
            cited["post"],
            f"/posts/{cited['post_id']}",
        )
        assert "شاهدوا الحقيقة" in post.title
        # The same post cited by its platform id resolves to its canonical reference.
        assert resolve_ref(session, "post:other:r0-0", TYPES).ref == cited["post"]

        flag = resolve_ref(session, cited["flag"], TYPES)
        assert flag.kind == "flag" and "incitement" in flag.title
        assert flag.extra["post"] == cited["post"] and flag.extra["review_status"] == "pending"

        report = resolve_ref(session, cited["report"], TYPES)
        assert report.kind == "report" and "Blocked news site" in report.title
        assert report.public is False  # received, not published
        assert CONTACT not in repr(report) and "4410" not in repr(report)

        cluster = resolve_ref(session, cited["cluster"], TYPES)
        assert cluster.kind == "cluster"
        assert sorted(cluster.extra["accounts"]) == [f"other:ring{j}" for j in range(4)]
        assert cluster.url.startswith("/staff/coordination/runs/")

        many = resolve_many(session, [cited[k] for k in ("cluster", "post", "flag")], TYPES)
        assert [r.kind for r in many] == ["cluster", "post", "flag"]


def test_a_reference_to_nothing_is_named(cited, sessions) -> None:
    run_id = cited["cluster"].removeprefix("cluster:").split("/")[0]
    with sessions() as session:
        for ref in (
            "post:987654321",
            "post:99999999999999999999999",
            "post:nosuch",
            "report:00000000-0000-0000-0000-000000000000",
            "flag:nosuch",
            f"cluster:{run_id}/999",
            f"cluster:{run_id}",
            "cluster:nosuch/1",
        ):
            with pytest.raises(InvalidInput) as caught:
                resolve_ref(session, ref, TYPES)
            assert caught.value.code == "err_ref_not_found", ref
            assert ref in caught.value.message
        with pytest.raises(InvalidInput) as caught:
            resolve_many(session, [cited["post"], "flag:nosuch", "evidence:x"], TYPES)
        assert caught.value.code == "err_refs_invalid"
        assert [f["ref"] for f in caught.value.details["refs"]] == ["flag:nosuch", "evidence:x"]
        assert [f["error"] for f in caught.value.details["refs"]] == [
            "err_ref_not_found",
            "err_ref_unknown_prefix",
        ]


def test_the_registry_resolves_every_capabilitys_references(cited, sessions, settings) -> None:
    from marsad.core.plugins import get_registry

    registered = get_registry(settings).references()
    assert {"post", "report", "flag", "cluster"} <= set(registered)
    with sessions() as session:
        found = resolve_many(session, [cited["post"], cited["report"], cited["flag"]], registered)
    assert [r.kind for r in found] == ["post", "report", "flag"]


def test_switching_a_capability_off_removes_its_references(settings) -> None:
    from marsad.core.plugins import get_registry

    settings = settings.model_copy(update={"disabled_plugins": "coordination"})
    assert "cluster" not in get_registry(settings).references()
    assert "post" in get_registry(settings).references()
