"""Public pages and /health answer while another connection holds the write lock."""

from __future__ import annotations

from sqlalchemy import select, update

from marsad.core.models import AuditHead


def test_pages_answer_while_a_write_transaction_is_open(client, sessions, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("boss", "admin")  # an audit head row to lock
    with sessions() as writer:
        # Take the write lock (BEGIN IMMEDIATE on SQLite, a row lock on PostgreSQL) and hold it.
        writer.execute(select(AuditHead).with_for_update()).all()
        writer.execute(update(AuditHead).values(seq=AuditHead.seq))
        # Readers do not queue behind it: before, each of these waited for the lock
        # (10 s on SQLite) and then failed with "database is locked".
        assert client.get("/health").status_code == 200
        assert client.get("/reports").status_code == 200
        assert client.get("/api/v1/reports").status_code == 200
        assert client.get("/api/v1/categories").status_code == 200
        assert client.get("/report").status_code == 200
        writer.rollback()
