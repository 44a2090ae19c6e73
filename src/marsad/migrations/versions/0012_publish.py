"""Publish: the weekly reports' workflow, their stored files, and an index for public statistics.

Revision ID: 0012_publish
Revises: 0011_connectivity_outages
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_publish"
down_revision = "0011_connectivity_outages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_reports_public_stats",
        "reports",
        ["status", "confidential", "published_at", "governorate_pcode", "category_id"],
        unique=False,
    )
    op.create_table(
        "publications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(length=64), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=71), nullable=True),
        sa.Column("html_sha256", sa.String(length=71), nullable=True),
        sa.ForeignKeyConstraint(
            ["html_sha256"], ["blobs.sha256"], name=op.f("fk_publications_html_sha256_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["pdf_sha256"], ["blobs.sha256"], name=op.f("fk_publications_pdf_sha256_blobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
        sa.UniqueConstraint("week", "lang", name=op.f("uq_publications_week")),
    )
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_publications_published_at"), ["published_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_publications_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publications_status"))
        batch_op.drop_index(batch_op.f("ix_publications_published_at"))

    op.drop_table("publications")
    op.drop_index("ix_reports_public_stats", table_name="reports")
