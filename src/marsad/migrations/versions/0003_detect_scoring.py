"""detect: one current flag per post, and an index to count what the current versions scored

Revision ID: 0003_detect_scoring
Revises: 0002_jobs
Create Date: 2026-12-05 13:30:00.000000

Before this, every scoring of a post stayed in the review queue, so a post
scored under two glossary versions showed twice. Existing rows keep their data;
of each post's rows only the newest (by time, then id) stays current.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_detect_scoring"
down_revision = "0002_jobs"
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
    # A post whose newest row is not flagged but which a reviewer decided on keeps
    # that decision as its card: its newest reviewed flag becomes current again.
    op.execute(
        sa.text(
            "UPDATE flags SET current = :yes WHERE flagged = :yes"
            " AND review_status IN ('confirmed', 'rejected')"
            " AND EXISTS (SELECT 1 FROM flags AS newest WHERE newest.post_pk = flags.post_pk"
            " AND newest.current = :yes AND newest.flagged = :no)"
            " AND NOT EXISTS (SELECT 1 FROM flags AS later WHERE later.post_pk = flags.post_pk"
            " AND later.flagged = :yes AND later.review_status IN ('confirmed', 'rejected')"
            " AND (later.created_at > flags.created_at"
            " OR (later.created_at = flags.created_at AND later.id > flags.id)))"
        ).bindparams(yes=True, no=False)
    )
    op.execute(
        sa.text(
            "UPDATE flags SET current = :no WHERE current = :yes AND flagged = :no"
            " AND EXISTS (SELECT 1 FROM flags AS card WHERE card.post_pk = flags.post_pk"
            " AND card.current = :yes AND card.flagged = :yes)"
        ).bindparams(yes=True, no=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index("ix_flags_versions")
        batch_op.drop_index("ix_flags_queue")
        batch_op.create_index(
            "ix_flags_queue", ["flagged", "review_status", "top_score"], unique=False
        )
        batch_op.drop_column("current")
