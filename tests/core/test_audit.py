"""The audit trail cannot be edited silently: every kind of tampering is named."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from marsad.core import audit
from marsad.core.db import session_scope
from marsad.core.settings import Settings


@pytest.fixture
def chain(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with session_scope(sessions) as session:
        for i in range(1, 6):
            audit.record(
                session,
                actor="tester",
                action="thing.changed",
                subject_type="thing",
                subject_id=str(i),
                details={"n": i, "نص": "عربي"},
            )
    return sessions


def check(sessions: sessionmaker[Session]) -> audit.VerifyResult:
    with session_scope(sessions) as session:
        return audit.verify(session)


def tamper(sessions: sessionmaker[Session], sql: str) -> None:
    with session_scope(sessions) as session:
        session.execute(text(sql))


def test_intact_chain_verifies(chain: sessionmaker[Session]) -> None:
    result = check(chain)
    assert result.ok and result.records == 5


@pytest.mark.parametrize(
    ("sql", "seq", "word"),
    [
        ("UPDATE audit_records SET actor = 'someone-else' WHERE seq = 3", 3, "altered"),
        ("UPDATE audit_records SET details = '{}' WHERE seq = 2", 2, "altered"),
        ("DELETE FROM audit_records WHERE seq = 4", 4, "missing"),
        ("DELETE FROM audit_records WHERE seq = 5", 5, "missing"),
        ("DELETE FROM audit_records WHERE seq >= 4", 4, "missing"),
        ("UPDATE audit_head SET seq = 4", 4, "head"),
        ("DELETE FROM audit_records", 1, "missing"),
    ],
)
def test_each_tampering_is_caught(
    chain: sessionmaker[Session], sql: str, seq: int, word: str
) -> None:
    tamper(chain, sql)
    result = check(chain)
    assert not result.ok
    assert result.first_bad_seq == seq
    assert word in (result.problem or "")


def test_moving_the_head_back_after_cutting_the_tail_is_caught(
    chain: sessionmaker[Session],
) -> None:
    tamper(chain, "DELETE FROM audit_records WHERE seq = 5")
    tamper(
        chain,
        "UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_records WHERE seq = 4)",
    )
    result = check(chain)
    assert not result.ok and "head" in (result.problem or "")


def test_recomputing_a_plain_hash_does_not_help(chain: sessionmaker[Session]) -> None:
    # Without the secret key, a forged record cannot carry a valid HMAC.
    import hashlib

    forged = hashlib.sha256(b"forged").hexdigest()
    tamper(chain, f"UPDATE audit_records SET action = 'x', hash = '{forged}' WHERE seq = 5")
    tamper(chain, f"UPDATE audit_head SET hash = '{forged}'")
    result = check(chain)
    assert not result.ok and result.first_bad_seq == 5


def test_cli_audit_verify_names_the_first_broken_record(
    chain: sessionmaker[Session], settings: Settings
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARSAD_")}
    env.update(
        MARSAD_DATABASE_URL=settings.resolved_database_url,
        MARSAD_SECRET_KEY=settings.secret_key or "",
        MARSAD_DATA_DIR=str(settings.data_dir),
    )
    command = [sys.executable, "-m", "marsad.cli", "audit", "verify", "--json"]
    ok = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == {"ok": True, "records": 5, "first_bad": None}

    tamper(chain, "DELETE FROM audit_records WHERE seq = 2")
    bad = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    body = json.loads(bad.stdout)
    assert body["ok"] is False and body["first_bad"]["seq"] == 2

    plain = subprocess.run(command[:-1], env=env, capture_output=True, text=True, timeout=60)
    assert plain.returncode == 1 and "record 2" in plain.stderr


def test_a_session_without_the_key_cannot_write(engine) -> None:  # type: ignore[no-untyped-def]
    from marsad.core.errors import MarsadError

    with sessionmaker(engine)() as session, pytest.raises(MarsadError):
        audit.record(session, actor="x", action="y", subject_type="z", subject_id="1")
