"""coordination: saved runs and confirmed/rejected successor accounts

Revision ID: 0005_coordination
Revises: 0001_core
Create Date: 2026-11-22 11:42:03.917769
"""

import sqlalchemy as sa
from alembic import op

from marsad.core.db import UTCDateTime

revision = "0005_coordination"
down_revision = "0001_core"
branch_labels = ("coordination",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coordination_runs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.Column("clusters", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordination_runs")),
    )
    with op.batch_alter_table("coordination_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coordination_runs_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "account_links",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("predecessor", sa.String(length=200), nullable=False),
        sa.Column("successor", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("contributions", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_links")),
        sa.UniqueConstraint("predecessor", "successor", name=op.f("uq_account_links_predecessor")),
    )
    with op.batch_alter_table("account_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_links_predecessor"), ["predecessor"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_account_links_successor"), ["successor"], unique=False)


def downgrade() -> None:
    op.drop_table("account_links")
    with op.batch_alter_table("coordination_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coordination_runs_created_at"))

    op.drop_table("coordination_runs")
