"""posts: post_raw_dicts, the zstd dictionaries raw records are compressed with

Revision ID: 0008_posts_raw_dicts
Revises: 0006_posts_registered_at
Create Date: 2026-12-02 09:00:00

Raw records written before this revision stay as they are (zstd without a
dictionary, or zlib) and read back as before. The id is the dictionary's zstd id,
not a sequence: every frame compressed with a dictionary names it by that id.
"""

import sqlalchemy as sa
from alembic import op

from marsad.core.db import UTCDateTime

revision = "0008_posts_raw_dicts"
down_revision = "0006_posts_registered_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "post_raw_dicts",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("dictionary", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_raw_dicts")),
    )
    op.create_index(op.f("ix_post_raw_dicts_source"), "post_raw_dicts", ["source"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_post_raw_dicts_source"), table_name="post_raw_dicts")
    op.drop_table("post_raw_dicts")
