"""posts: accounts.registered_at, when the account was created on its platform

Revision ID: 0006_posts_registered_at
Revises: 0002_posts
Create Date: 2026-12-01 07:00:00

Nullable: Telegram and YouTube exports never carry it, and accounts ingested before
this revision stay unknown until a source that has it is ingested again.
"""

import sqlalchemy as sa
from alembic import op

from marsad.core.db import UTCDateTime

revision = "0006_posts_registered_at"
down_revision = "0002_posts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.add_column(sa.Column("registered_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.drop_column("registered_at")
