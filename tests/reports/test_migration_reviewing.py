"""Migration 0015_reviewing keeps what older rows meant: a status move written into a note
becomes the note's move, and a web-form date (stored as noon) becomes a date alone."""

from __future__ import annotations

from sqlalchemy import text

from marsad.core import migrate

from .helpers import move


def test_old_notes_and_dates_are_read_into_the_new_columns(
    engine, file_report, sessions, staff
) -> None:
    staff("rev", "reviewer")
    report_id, _r = file_report(occurred_at="2025-11-20")
    exact_id, _r = file_report(occurred_at="2025-11-20T18:40")
    move(sessions, report_id, "rev", "triaged", note="seen → fine")
    migrate.downgrade(engine, "0012_publish")
    with engine.connect() as conn:
        (body,) = conn.execute(text("SELECT body FROM report_comments")).one()
    assert body == "[received → triaged] seen → fine"  # as older versions wrote it
    migrate.upgrade(engine, "heads")
    with engine.connect() as conn:
        comment = conn.execute(
            text("SELECT body, transition_from, transition_to FROM report_comments")
        ).one()
        precisions = dict(conn.execute(text("SELECT id, occurred_precision FROM reports")).all())
    assert tuple(comment) == ("seen → fine", "received", "triaged")
    assert precisions == {report_id: "day", exact_id: "exact"}
