"""Trusted timestamps against a real RFC 3161 TSA on loopback (``openssl ts -reply``)."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from marsad.cli.main import app as marsad
from marsad.core.blobs import BlobStore
from marsad.core.db import session_scope
from marsad.core.settings import Settings
from marsad.evidence.models import CustodyEvent, EvidenceTimestamp
from marsad.evidence.settings import EvidenceSettings
from marsad.evidence.timestamps import (
    check_token,
    load_ca_certificates,
    stamp_items,
)
from tests.evidence.extras.tsa import closed_port_url, start_tsa

runner = CliRunner()
DATA = "شاهد: منشور حُذف بعد ساعة\n".encode()


def _with_tsa(settings: Settings, url: str, ca: Path | None, **extra: object) -> Settings:
    values = settings.model_dump()
    return Settings(
        **values,
        evidence=EvidenceSettings(evidence_tsa_url=url, evidence_tsa_ca_file=ca, **extra),
    )


def test_a_granted_token_verifies_offline_and_with_openssl(
    settings, sessions, make_item, tsa
) -> None:
    item = make_item(DATA, media_type="text/plain")
    configured = _with_tsa(settings, tsa.url, tsa.ca_file)
    result = stamp_items(sessions=sessions, settings=configured, item_ids=[item], actor="m1")
    assert (result["granted"], result["pending"], result["failed"]) == (1, 0, 0)
    with sessions() as session:
        stamp = session.scalars(select(EvidenceTimestamp)).one()
        events = session.scalars(
            select(CustodyEvent).where(CustodyEvent.item_id == item).order_by(CustodyEvent.seq)
        ).all()
    assert stamp.status == "granted" and stamp.token_sha256
    assert [e.action for e in events] == ["create", "timestamp"]
    token_path = BlobStore.from_settings(settings).path(stamp.token_sha256)
    token = token_path.read_bytes()
    digest = hashlib.sha256(DATA).hexdigest()
    cas = load_ca_certificates(tsa.ca_file.read_bytes())
    check = check_token(token, sha256_hex=digest, ca_certs=cas)
    assert check.ok, check.problems
    assert check.chained and "TSA" in (check.tsa or "")
    # The same bytes pass openssl's own check, as VERIFY.txt tells a reader to run it.
    done = subprocess.run(
        ["openssl", "ts", "-verify", "-in", str(token_path), "-digest", digest,
         "-CAfile", str(tsa.ca_file)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # Asking again for the same item stamps nothing twice.
    again = stamp_items(sessions=sessions, settings=configured, item_ids=[item], actor="m1")
    assert again["granted"] == 1
    with sessions() as session:
        assert len(session.scalars(select(EvidenceTimestamp)).all()) == 1


def test_a_token_for_other_bytes_or_another_ca_does_not_verify(
    settings, sessions, make_item, tsa, tmp_path
) -> None:
    item = make_item(DATA, media_type="text/plain")
    stamp_items(
        sessions=sessions, settings=_with_tsa(settings, tsa.url, None), item_ids=[item], actor="m"
    )
    with sessions() as session:
        stamp = session.scalars(select(EvidenceTimestamp)).one()
    token = BlobStore.from_settings(settings).path(stamp.token_sha256).read_bytes()
    other = hashlib.sha256(DATA + b"x").hexdigest()
    assert (
        "the token's imprint is not this file's SHA-256"
        in check_token(token, sha256_hex=other).problems
    )
    stranger = start_tsa(tmp_path / "other")
    try:
        foreign = load_ca_certificates(stranger.ca_file.read_bytes())
    finally:
        stranger.stop()
    check = check_token(token, sha256_hex=hashlib.sha256(DATA).hexdigest(), ca_certs=foreign)
    assert check.problems == ["the TSA's certificate does not chain to the given CA"]
    # One flipped byte inside the signed content breaks the signature check.
    broken = bytearray(token)
    at = token.find(b"Marsad Test TSA")
    broken[at] ^= 0x01
    assert not check_token(bytes(broken), sha256_hex=hashlib.sha256(DATA).hexdigest()).ok


def test_a_tsa_that_is_down_leaves_the_timestamp_pending_then_retried(
    settings, sessions, make_item, tsa
) -> None:
    item = make_item(DATA, media_type="text/plain")
    down = _with_tsa(settings, closed_port_url(), None, evidence_tsa_timeout=2)
    result = stamp_items(sessions=sessions, settings=down, item_ids=[item], actor="m")
    assert (result["granted"], result["pending"]) == (0, 1)
    row = result["timestamps"][0]
    assert row["reason"].startswith("err_evidence_tsa_unavailable: the TSA did not answer")
    assert row["attempts"] == 1
    # The TSA comes back (here: at a new address); the retry run, with no items named,
    # asks only for what is pending.
    with session_scope(sessions) as session:
        session.get(EvidenceTimestamp, row["id"]).tsa_url = tsa.url
    retried = stamp_items(sessions=sessions, settings=down, item_ids=None, actor="scheduler")
    assert (retried["granted"], retried["pending"]) == (1, 0)
    assert retried["timestamps"][0]["attempts"] == 2


def test_an_http_error_counts_attempts_until_failed(settings, sessions, make_item, tsa) -> None:
    item = make_item(DATA, media_type="text/plain")
    tsa.refuse = True
    try:
        configured = _with_tsa(settings, tsa.url, None, evidence_tsa_max_attempts=2)
        first = stamp_items(sessions=sessions, settings=configured, item_ids=[item], actor="m")
        second = stamp_items(sessions=sessions, settings=configured, item_ids=None, actor="m")
    finally:
        tsa.refuse = False
    assert first["pending"] == 1 and "HTTP 503" in first["timestamps"][0]["reason"]
    assert second["failed"] == 1 and "after 2 tries" in second["timestamps"][0]["reason"]


def test_a_tsa_that_refuses_fails_the_timestamp_at_once(settings, sessions, make_item, tsa) -> None:
    item = make_item(DATA, media_type="text/plain")
    tsa.reject = True
    try:
        configured = _with_tsa(settings, tsa.url, None)
        result = stamp_items(sessions=sessions, settings=configured, item_ids=[item], actor="m")
    finally:
        tsa.reject = False
    row = result["timestamps"][0]
    assert row["status"] == "failed" and row["attempts"] == 1
    assert row["reason"].startswith("err_evidence_tsa_refused: the TSA refused: rejection")


def test_timestamp_command(env, make_item, tsa, monkeypatch) -> None:
    item = make_item(DATA, media_type="text/plain")
    unset = runner.invoke(marsad, ["evidence", "timestamp", "--items", str(item), "--json"])
    assert unset.exit_code == 2 and "MARSAD_EVIDENCE_TSA_URL" in unset.output
    monkeypatch.setenv("MARSAD_EVIDENCE_TSA_URL", tsa.url)
    monkeypatch.setenv("MARSAD_EVIDENCE_TSA_CA_FILE", str(tsa.ca_file))
    done = runner.invoke(marsad, ["evidence", "timestamp", "--items", str(item), "--json"])
    assert done.exit_code == 0, done.output
    assert '"granted": 1' in done.output
    bad = runner.invoke(marsad, ["evidence", "timestamp", "--items", "4,x", "--json"])
    assert bad.exit_code == 2 and "'x' is not an item id" in bad.output


@pytest.mark.parametrize("garbage", [b"", b"not a token", b"\x30\x03\x02\x01\x00"])
def test_garbage_is_a_problem_not_a_crash(garbage: bytes) -> None:
    check = check_token(garbage, sha256_hex="00" * 32)
    assert not check.ok and check.problems[0].startswith("the token cannot be read")
