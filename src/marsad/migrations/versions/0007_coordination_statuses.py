"""coordination: account statuses (suspended, deactivated…) from the data or from staff

Revision ID: 0007_coordination_statuses
Revises: 0005_coordination
Create Date: 2026-12-01 07:45:00.000000
"""

import sqlalchemy as sa
from alembic import op

from marsad.core.db import UTCDateTime

revision = "0007_coordination_statuses"
down_revision = "0005_coordination"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_statuses",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("observed_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_statuses")),
        sa.UniqueConstraint(
            "account",
            "status",
            "source",
            "observed_at",
            name=op.f("uq_account_statuses_account"),
        ),
    )
    with op.batch_alter_table("account_statuses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_statuses_account"), ["account"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_statuses_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("account_statuses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_statuses_status"))
        batch_op.drop_index(batch_op.f("ix_account_statuses_account"))
    op.drop_table("account_statuses")
