"""Reviewing: keep the precision of a reporter's date, and a comment's status move apart.

``reports.occurred_precision`` says whether the reporter gave a date alone
(``day``) or a date and time (``exact``); a date alone used to be stored as
noon and shown as "12:00". Reports sent through the web form, whose form only
ever asked for a date, are marked ``day`` when their stored time is still that
noon (09:00 UTC, noon in Asia/Baghdad); a time a reviewer typed in later is
left exact.

``report_comments.transition_from`` / ``transition_to`` hold the status move a
note was written with, which used to be written into the note as
``[received → triaged] note`` and shown raw; existing notes are split.

Revision ID: 0015_reviewing
Revises: 0014_glossary
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0015_reviewing"
down_revision = "0014_glossary"
branch_labels = None
depends_on = None

# The statuses a note's prefix could name (copied, not imported: migrations stand alone).
STATUSES = ("received", "triaged", "verified", "unverified", "rejected", "duplicate")
STATUSES += ("published", "archived")
PREFIX = re.compile(r"\[(\w+) → (\w+)\] ?(.*)", re.DOTALL)


def upgrade() -> None:
    # Added in place (ALTER TABLE … ADD COLUMN on both backends): no table is copied.
    op.add_column("reports", sa.Column("occurred_precision", sa.String(length=8), nullable=True))
    op.add_column(
        "report_comments", sa.Column("transition_from", sa.String(length=16), nullable=True)
    )
    op.add_column(
        "report_comments", sa.Column("transition_to", sa.String(length=16), nullable=True)
    )

    conn = op.get_bind()
    reports = sa.table(
        "reports",
        sa.column("id", sa.String),
        sa.column("channel", sa.String),
        sa.column("occurred_at", sa.DateTime(timezone=True)),
        sa.column("occurred_precision", sa.String),
    )
    rows = conn.execute(
        sa.select(reports.c.id, reports.c.channel, reports.c.occurred_at).where(
            reports.c.occurred_at.is_not(None)
        )
    ).all()
    for report_id, channel, occurred in rows:
        when = _aware(occurred)
        noon = (when.hour, when.minute, when.second, when.microsecond) == (9, 0, 0, 0)
        precision = "day" if channel == "web" and noon else "exact"
        conn.execute(
            reports.update().where(reports.c.id == report_id).values(occurred_precision=precision)
        )

    comments = sa.table(
        "report_comments",
        sa.column("id", sa.String),
        sa.column("body", sa.Text),
        sa.column("transition_from", sa.String),
        sa.column("transition_to", sa.String),
    )
    for comment_id, body in conn.execute(
        sa.select(comments.c.id, comments.c.body).where(comments.c.body.like("[%"))
    ).all():
        match = PREFIX.fullmatch(body or "")
        if not match or match[1] not in STATUSES or match[2] not in STATUSES:
            continue
        conn.execute(
            comments.update()
            .where(comments.c.id == comment_id)
            .values(transition_from=match[1], transition_to=match[2], body=match[3])
        )


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite without type processing
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def downgrade() -> None:
    conn = op.get_bind()
    comments = sa.table(
        "report_comments",
        sa.column("id", sa.String),
        sa.column("body", sa.Text),
        sa.column("transition_from", sa.String),
        sa.column("transition_to", sa.String),
    )
    for comment_id, body, old, new in conn.execute(
        sa.select(
            comments.c.id, comments.c.body, comments.c.transition_from, comments.c.transition_to
        ).where(comments.c.transition_to.is_not(None))
    ).all():
        conn.execute(
            comments.update()
            .where(comments.c.id == comment_id)
            .values(body=f"[{old} → {new}] {body}")
        )
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35), not a batch copy: copying means
    # dropping the old ``reports`` table, and with foreign keys on that would cascade
    # and delete every comment and file of every report.
    op.drop_column("report_comments", "transition_to")
    op.drop_column("report_comments", "transition_from")
    op.drop_column("reports", "occurred_precision")
