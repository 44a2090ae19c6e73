"""detect: one current flag per post, and an index to count what the current versions scored

Revision ID: 0003_detect_scoring
Revises: 0004_detect
Create Date: 2026-12-05 13:30:00.000000

Before this, every scoring of a post stayed in the review queue, so a post
scored under two glossary versions showed twice. Existing rows keep their data;
of each post's rows only the newest (by time, then id) stays current.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_detect_scoring"
down_revision = "0004_detect"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("current", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.drop_index("ix_flags_queue")
        batch_op.create_index(
            "ix_flags_queue", ["current", "flagged", "review_status", "top_score"], unique=False
        )
        batch_op.create_index(
            "ix_flags_versions", ["model_version", "glossary_version"], unique=False
        )
    op.execute(
        sa.text(
            "UPDATE flags SET current = :no WHERE EXISTS (SELECT 1 FROM flags AS newer"
            " WHERE newer.post_pk = flags.post_pk AND (newer.created_at > flags.created_at"
            " OR (newer.created_at = flags.created_at AND newer.id > flags.id)))"
        ).bindparams(no=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index("ix_flags_versions")
        batch_op.drop_index("ix_flags_queue")
        batch_op.create_index(
            "ix_flags_queue", ["flagged", "review_status", "top_score"], unique=False
        )
        batch_op.drop_column("current")
