"""Reports hardening: contact requests (two-person rule) and confidential case management.

Revision ID: 0010_hardening_cases
Revises: 0009_alerts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_hardening_cases"
down_revision = "0009_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_case_entries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("body_sealed", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_case_entries_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_case_entries")),
    )
    with op.batch_alter_table("report_case_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_case_entries_report_id"), ["report_id"], unique=False
        )

    op.create_table(
        "report_case_workers",
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_case_workers_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_report_case_workers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "user_id", name=op.f("pk_report_case_workers")),
    )
    op.create_table(
        "report_cases",
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("outcome_note_sealed", sa.Text(), nullable=True),
        sa.Column("next_contact_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_cases_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_report_cases")),
    )
    op.create_table(
        "report_contact_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("requester_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by_id", sa.String(length=36), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_report_contact_requests_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_contact_requests_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["users.id"],
            name=op.f("fk_report_contact_requests_requester_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_contact_requests")),
    )
    with op.batch_alter_table("report_contact_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_contact_requests_report_id"), ["report_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_report_contact_requests_requester_id"), ["requester_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_report_contact_requests_status"), ["status"], unique=False
        )

    with op.batch_alter_table("report_files", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kept_apart", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("report_files", schema=None) as batch_op:
        batch_op.drop_column("kept_apart")
    with op.batch_alter_table("report_contact_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_contact_requests_status"))
        batch_op.drop_index(batch_op.f("ix_report_contact_requests_requester_id"))
        batch_op.drop_index(batch_op.f("ix_report_contact_requests_report_id"))

    op.drop_table("report_contact_requests")
    op.drop_table("report_cases")
    op.drop_table("report_case_workers")
    with op.batch_alter_table("report_case_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_case_entries_report_id"))

    op.drop_table("report_case_entries")
