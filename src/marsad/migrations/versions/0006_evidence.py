"""Evidence: items, their parts, custody chains, RFC 3161 timestamps, perceptual hashes.

Revision ID: 0006_evidence
Revises: 0005_hardening
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_evidence"
down_revision = "0005_hardening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=71), nullable=True),
        sa.Column("media_type", sa.String(length=128), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("source_ref", sa.String(length=200), nullable=True),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("derived_from_id", sa.Integer(), nullable=True),
        sa.Column("derivation", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["derived_from_id"],
            ["evidence_items.id"],
            name=op.f("fk_evidence_items_derived_from_id_evidence_items"),
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["evidence_items.id"],
            name=op.f("fk_evidence_items_series_id_evidence_items"),
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["blobs.sha256"], name=op.f("fk_evidence_items_sha256_blobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_items")),
    )
    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_items_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_evidence_items_derived_from_id"), ["derived_from_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_evidence_items_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_evidence_items_series_id"), ["series_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_evidence_items_sha256"), ["sha256"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_evidence_items_source_ref"), ["source_ref"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_evidence_items_status"), ["status"], unique=False)

    op.create_table(
        "evidence_phashes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sha256", sa.String(length=71), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("frame_ms", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sha256"], ["blobs.sha256"], name=op.f("fk_evidence_phashes_sha256_blobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_phashes")),
        sa.UniqueConstraint(
            "sha256", "algorithm", "frame_ms", name=op.f("uq_evidence_phashes_sha256")
        ),
    )
    with op.batch_alter_table("evidence_phashes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_phashes_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_phashes_value"), ["value"], unique=False)

    op.create_table(
        "evidence_custody",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["evidence_items.id"],
            name=op.f("fk_evidence_custody_item_id_evidence_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_custody")),
        sa.UniqueConstraint("item_id", "seq", name=op.f("uq_evidence_custody_item_id")),
    )
    with op.batch_alter_table("evidence_custody", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_custody_item_id"), ["item_id"], unique=False)

    op.create_table(
        "evidence_parts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=71), nullable=False),
        sa.Column("media_type", sa.String(length=128), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["evidence_items.id"],
            name=op.f("fk_evidence_parts_item_id_evidence_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["blobs.sha256"], name=op.f("fk_evidence_parts_sha256_blobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_parts")),
        sa.UniqueConstraint("item_id", "role", "sha256", name=op.f("uq_evidence_parts_item_id")),
    )
    with op.batch_alter_table("evidence_parts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_parts_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_parts_sha256"), ["sha256"], unique=False)

    op.create_table(
        "evidence_timestamps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=71), nullable=False),
        sa.Column("tsa_url", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=71), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["evidence_items.id"],
            name=op.f("fk_evidence_timestamps_item_id_evidence_items"),
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["blobs.sha256"], name=op.f("fk_evidence_timestamps_sha256_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["token_sha256"],
            ["blobs.sha256"],
            name=op.f("fk_evidence_timestamps_token_sha256_blobs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_timestamps")),
    )
    with op.batch_alter_table("evidence_timestamps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_timestamps_item_id"), ["item_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_evidence_timestamps_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evidence_timestamps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_timestamps_status"))
        batch_op.drop_index(batch_op.f("ix_evidence_timestamps_item_id"))

    op.drop_table("evidence_timestamps")
    with op.batch_alter_table("evidence_parts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_parts_sha256"))
        batch_op.drop_index(batch_op.f("ix_evidence_parts_item_id"))

    op.drop_table("evidence_parts")
    with op.batch_alter_table("evidence_custody", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_custody_item_id"))

    op.drop_table("evidence_custody")
    with op.batch_alter_table("evidence_phashes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_phashes_value"))
        batch_op.drop_index(batch_op.f("ix_evidence_phashes_sha256"))

    op.drop_table("evidence_phashes")
    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_items_status"))
        batch_op.drop_index(batch_op.f("ix_evidence_items_source_ref"))
        batch_op.drop_index(batch_op.f("ix_evidence_items_sha256"))
        batch_op.drop_index(batch_op.f("ix_evidence_items_series_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_items_kind"))
        batch_op.drop_index(batch_op.f("ix_evidence_items_derived_from_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_items_created_at"))

    op.drop_table("evidence_items")
