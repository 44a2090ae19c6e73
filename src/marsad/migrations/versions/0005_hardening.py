"""Hardening: the last TOTP time step used, and a fast lookup for recovery codes.

Revision ID: 0005_hardening
Revises: 0004_blobs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_hardening"
down_revision = "0004_blobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A TOTP code is accepted once: the time step of the last accepted code.
    op.add_column("users", sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    # A keyed hash of each recovery code, so a check finds its row without an
    # argon2 verification per unused code.
    op.add_column("recovery_codes", sa.Column("lookup", sa.String(64), nullable=True))
    op.create_index("ix_recovery_codes_lookup", "recovery_codes", ["lookup"])


def downgrade() -> None:
    op.drop_index("ix_recovery_codes_lookup", table_name="recovery_codes")
    with op.batch_alter_table("recovery_codes") as batch:
        batch.drop_column("lookup")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("totp_last_step")
