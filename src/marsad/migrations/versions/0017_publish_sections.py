"""Publish: stored figures for the dashboards, and the indexes that find what changed since.

Revision ID: 0017_publish_sections
Revises: 0015_reviewing
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_publish_sections"
down_revision = "0015_reviewing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publish_figures",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=120), nullable=False),
        sa.Column("stamp", sa.String(length=200), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", "scope", name=op.f("pk_publish_figures")),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_posts_ingested_at"), ["ingested_at"], unique=False)
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flags_created_at"), ["created_at"], unique=False)
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_updated_at"), ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_updated_at"))
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flags_created_at"))
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posts_ingested_at"))
    op.drop_table("publish_figures")
