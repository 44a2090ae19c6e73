"""Capturing URLs from a server on loopback: WARC, TLS chain, versions, and every failure kept."""

from __future__ import annotations

import hashlib
import json
import socket
from io import BytesIO
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from marsad.core.blobs import BlobStore
from marsad.core.db import session_scope
from marsad.core.jobs.runners import run_in_foreground
from marsad.core.jobs.service import get_job
from marsad.core.settings import get_settings
from marsad.evidence import cli, service
from marsad.evidence.capture import capture_url, retry_failed, retryable
from marsad.evidence.capture_settings import CaptureSettings

from .webserver import STATE, forwarding_proxy, self_signed, serve

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
runner = CliRunner()


@pytest.fixture
def store(settings) -> BlobStore:  # type: ignore[no-untyped-def]
    return BlobStore.from_settings(settings)


@pytest.fixture
def site():  # type: ignore[no-untyped-def]
    STATE.update(title="أول نسخة", status=200)
    with serve() as base:
        yield base


def cfg(**values: object) -> CaptureSettings:
    return CaptureSettings(evidence_capture_browser=False, **values)


def blobs_on_disk(store: BlobStore) -> list[str]:
    return sorted(p.name for p in store.root.rglob("*") if p.is_file())


def test_a_page_is_kept_as_the_exact_warc_with_how_it_was_fetched(site, sessions, store) -> None:
    result = capture_url(
        sessions=sessions,
        store=store,
        cfg=cfg(),
        url=f"{site}/moved",
        actor="monitor",
        note="before deletion",
    )
    assert result["status"] == "captured" and result["reason"] is None
    with store.open(result["sha256"]) as handle:
        data = handle.read()
    assert result["sha256"] == "sha256:" + hashlib.sha256(data).hexdigest()
    records = [
        (
            r.rec_type,
            r.rec_headers.get_header("WARC-Target-URI"),
            r.http_headers,
            r.content_stream().read(),
        )
        for r in ArchiveIterator(BytesIO(data))
    ]
    kinds = [r[0] for r in records]
    assert kinds == ["warcinfo", "request", "response", "request", "response"]
    final = records[-1]
    assert final[1] == f"{site}/page" and final[2].get_statuscode() == "200"
    assert "أول نسخة".encode() in final[3]
    with session_scope(sessions) as session:
        item = service.get_item(session, result["id"])
        assert item.kind == "capture" and item.title == "أول نسخة" and item.version == 1
        meta = item.meta
        assert meta["method"] == "GET" and meta["tool"].startswith("Marsad/")
        assert meta["addresses"] == ["127.0.0.1"] and meta["final_url"] == f"{site}/page"
        assert [h["status"] for h in meta["hops"]] == [301, 200]
        assert meta["started_at"].endswith("+00:00")
        assert meta["screenshot"].startswith("screenshots are switched off")
        roles = [p.role for p in service.parts_of(session, item.id)]
        assert roles == ["metadata"]
        assert [e.action for e in service.custody_log(session, item.id)] == ["create", "capture"]


def test_captures_of_one_url_are_versions_that_say_what_changed(site, sessions, store) -> None:
    url = f"{site}/page"
    first = capture_url(sessions=sessions, store=store, cfg=cfg(), url=url, actor="a")
    same = capture_url(sessions=sessions, store=store, cfg=cfg(), url=url, actor="a")
    STATE.update(title="نسخة معدلة", status=410)
    changed = capture_url(sessions=sessions, store=store, cfg=cfg(), url=url, actor="a")
    with session_scope(sessions) as session:
        items = [service.get_item(session, r["id"]) for r in (first, same, changed)]
        assert [i.version for i in items] == [1, 2, 3]
        assert {i.series_id for i in items} == {items[0].id}
        assert items[0].changes is None and items[1].changes == {}
        assert items[2].changes["http_status"] == {"before": 200, "after": 410}
        assert items[2].changes["title"] == {"before": "أول نسخة", "after": "نسخة معدلة"}
        assert set(items[2].changes) == {"http_status", "content_sha256", "title", "size"}
        assert [v.id for v in service.versions_of(session, items[1])] == [i.id for i in items]


@pytest.mark.parametrize(
    ("path", "values", "code"),
    [
        ("/loop-a", {}, "err_capture_redirect_loop"),
        ("/big", {"evidence_capture_max_mb": 0.1}, "err_capture_too_large"),
        ("/slow", {"evidence_capture_timeout": 0.5}, "err_capture_timeout"),
    ],
)
def test_bad_servers_give_a_failed_item_with_its_reason_and_no_blob(
    site, sessions, store, path, values, code
) -> None:
    result = capture_url(
        sessions=sessions, store=store, cfg=cfg(**values), url=f"{site}{path}", actor="a"
    )
    assert result["status"] == "failed" and result["sha256"] is None
    assert result["reason"].startswith(code)
    assert blobs_on_disk(store) == []
    with session_scope(sessions) as session:
        log = service.custody_log(session, result["id"])
        assert [e.action for e in log] == ["create", "capture"]
        assert log[1].details["status"] == "failed"


def test_an_unreachable_host_is_a_failed_capture(sessions, store) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = capture_url(
        sessions=sessions, store=store, cfg=cfg(), url=f"http://127.0.0.1:{port}/", actor="a"
    )
    assert result["status"] == "failed" and result["reason"].startswith("err_capture_unreachable")


def test_tls_chain_is_recorded_and_an_untrusted_certificate_fails(
    tmp_path, sessions, store
) -> None:
    cert, key = self_signed(tmp_path)
    with serve((cert, key)) as base:
        refused = capture_url(
            sessions=sessions, store=store, cfg=cfg(), url=f"{base}/page", actor="a"
        )
        trusted = capture_url(
            sessions=sessions,
            store=store,
            cfg=cfg(evidence_capture_ca_bundle=str(cert)),
            url=f"{base}/page",
            actor="a",
        )
    assert refused["status"] == "failed" and refused["reason"].startswith("err_capture_tls")
    assert trusted["status"] == "captured"
    with session_scope(sessions) as session:
        meta = service.get_item(session, trusted["id"]).meta
    assert meta["tls_chain"][0]["subject"] == "CN=marsad-test"
    assert meta["tls_chain"][0]["pem"] == cert.read_text()
    assert meta["hops"][0]["tls_version"].startswith("TLS")


@pytest.fixture
def env(settings, engine, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MARSAD_ENV", "test")
    monkeypatch.setenv("MARSAD_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MARSAD_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MARSAD_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("MARSAD_EVIDENCE_CAPTURE_BROWSER", "false")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_cli_capture_prints_the_result_and_a_queued_capture_runs_as_a_job(
    env, site, sessions
) -> None:
    ok = runner.invoke(cli.app, ["capture", f"{site}/page", "--note", "n", "--json"])
    assert ok.exit_code == 0, ok.output
    body = json.loads(ok.stdout)
    assert set(body) == {"id", "sha256", "status", "reason"} and body["status"] == "captured"

    failed = runner.invoke(cli.app, ["capture", f"{site}/loop-a", "--json"])
    assert failed.exit_code == 1
    assert json.loads(failed.stdout)["reason"].startswith("err_capture_redirect_loop")

    bad = runner.invoke(cli.app, ["capture", "ftp://example.org/x", "--json"])
    assert bad.exit_code == 2 and "url" in bad.output

    queued = runner.invoke(cli.app, ["capture", f"{site}/page", "--queue", "--json"])
    assert queued.exit_code == 0, queued.output
    job = json.loads(queued.stdout)
    assert job["status"] == "pending" and job["job_id"]
    assert run_in_foreground(settings=get_settings(), sessions=sessions, job_id=job["job_id"]) == (
        "succeeded"
    )
    shown = runner.invoke(cli.app, ["show", str(job["id"]), "--json"])
    item = json.loads(shown.stdout)
    assert item["status"] == "captured" and item["version"] == 2

    looping = json.loads(
        runner.invoke(cli.app, ["capture", f"{site}/loop-a", "--queue", "--json"]).stdout
    )
    assert run_in_foreground(
        settings=get_settings(), sessions=sessions, job_id=looping["job_id"]
    ) == ("failed")
    with session_scope(sessions) as session:
        stored = get_job(session, job_id=looping["job_id"])
        assert stored.error_code == "err_capture_redirect_loop"
        assert service.get_item(session, looping["id"]).status == "failed"


@pytest.mark.browser
def test_chromium_renders_a_full_page_screenshot_and_a_pdf(site, sessions, store) -> None:
    settings = CaptureSettings()
    if not Path(settings.evidence_capture_chromium).exists():
        pytest.skip("needs Debian's Chromium at /usr/bin/chromium")
    result = capture_url(
        sessions=sessions, store=store, cfg=settings, url=f"{site}/page", actor="a"
    )
    assert result["status"] == "captured"
    with session_scope(sessions) as session:
        parts = {p.role: p for p in service.parts_of(session, result["id"])}
        assert service.get_item(session, result["id"]).meta["screenshot"] == "taken"
    assert set(parts) == {"screenshot", "pdf", "metadata"}
    with store.open(parts["screenshot"].sha256) as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"
    with store.open(parts["pdf"].sha256) as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_failures_that_may_pass_are_tried_again_up_to_the_limit(site, sessions, store) -> None:
    slow = capture_url(
        sessions=sessions,
        store=store,
        cfg=cfg(evidence_capture_timeout=0.3),
        url=f"{site}/slow",
        actor="a",
    )
    loop = capture_url(sessions=sessions, store=store, cfg=cfg(), url=f"{site}/loop-a", actor="a")
    assert slow["status"] == loop["status"] == "failed"
    with session_scope(sessions) as session:
        # A redirect loop would only loop again: it is not retried.
        assert retryable(session, max_attempts=3) == [slow["id"]]
        assert retryable(session, max_attempts=1) == []
    patient = cfg(evidence_capture_timeout=5)
    assert retry_failed(sessions=sessions, store=store, cfg=patient, actor="jobs") == {
        "retried": 1,
        "captured": 1,
        "failed": 0,
    }
    with session_scope(sessions) as session:
        item = service.get_item(session, slow["id"])
        assert item.status == "captured" and item.reason is None
        log = [(e.action, e.details.get("status")) for e in service.custody_log(session, item.id)]
        assert log == [("create", None), ("capture", "failed"), ("capture", "captured")]
        assert retryable(session, max_attempts=3) == []


def test_a_configured_proxy_carries_the_capture_and_no_address_is_resolved(
    site, sessions, store
) -> None:
    with forwarding_proxy() as (proxy, seen):
        result = capture_url(
            sessions=sessions,
            store=store,
            cfg=cfg(evidence_capture_proxy=proxy),
            url=f"{site}/page",
            actor="a",
        )
    assert result["status"] == "captured"
    assert seen == [f"{site}/page"]
    with session_scope(sessions) as session:
        item = service.get_item(session, result["id"])
        assert item.title == STATE["title"] and item.meta["http_status"] == 200
        # The proxy resolved the host: Marsad recorded no address of its own.
        assert item.meta["addresses"] == [] and item.meta["hops"][0]["addresses"] == []
