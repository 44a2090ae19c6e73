"""detect: flags (what the detectors said about each post, and the review decision)
and the curated glossary with its revisions

Revision ID: 0004_detect
Revises: 0001_core
Create Date: 2026-11-22 10:54:44.422614
"""

import sqlalchemy as sa
from alembic import op

from marsad.core.db import UTCDateTime

revision = "0004_detect"
down_revision = "0001_core"
branch_labels = ("detect",)
depends_on = "0002_posts"


def upgrade() -> None:
    op.create_table(
        "flags",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("post_pk", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("glossary_version", sa.String(length=64), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("top_score", sa.Float(), nullable=False),
        sa.Column("hate_type", sa.JSON(), nullable=True),
        sa.Column("spans", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("review_status", sa.String(length=16), nullable=False),
        sa.Column("reviewed_labels", sa.JSON(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("review_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_pk"], ["posts.id"], name=op.f("fk_flags_post_pk_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flags")),
        sa.UniqueConstraint(
            "post_pk", "model_version", "glossary_version", name=op.f("uq_flags_post_pk")
        ),
    )
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flags_post_pk"), ["post_pk"], unique=False)
        batch_op.create_index(
            "ix_flags_queue", ["flagged", "review_status", "top_score"], unique=False
        )

    op.create_table(
        "glossary_entries",
        sa.Column("term_id", sa.String(length=128), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("term_id", name=op.f("pk_glossary_entries")),
    )
    with op.batch_alter_table("glossary_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_glossary_entries_status"), ["status"], unique=False)
    op.create_table(
        "glossary_revisions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("term_id", sa.String(length=128), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("glossary_version", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_glossary_revisions")),
        sa.UniqueConstraint("term_id", "revision", name=op.f("uq_glossary_revisions_term_id")),
    )
    with op.batch_alter_table("glossary_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_glossary_revisions_glossary_version"),
            ["glossary_version"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_glossary_revisions_term_id"), ["term_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("glossary_revisions")
    op.drop_table("glossary_entries")
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index("ix_flags_queue")
        batch_op.drop_index(batch_op.f("ix_flags_post_pk"))

    op.drop_table("flags")
