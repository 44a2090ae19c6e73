"""Connectivity, blocking half: OONI measurements, aggregation counts, blockpage fingerprints.

Revision ID: 0008_connectivity_blocking
Revises: 0007_declaration
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_connectivity_blocking"
down_revision = "0007_declaration"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "connectivity_fingerprints",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("location", sa.String(length=80), nullable=False),
        sa.Column("pattern_type", sa.String(length=16), nullable=False),
        sa.Column("pattern", sa.Text(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connectivity_fingerprints")),
        sa.UniqueConstraint("name", name=op.f("uq_connectivity_fingerprints_name")),
    )
    op.create_table(
        "connectivity_measurements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("uid", sa.String(length=200), nullable=False),
        sa.Column("test_name", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=1000), nullable=False),
        sa.Column("asn", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=200), nullable=False),
        sa.Column("cc", sa.String(length=2), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("blocking", sa.String(length=32), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("report_id", sa.String(length=200), nullable=False),
        sa.Column("input", sa.Text(), nullable=True),
        sa.Column("raw", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connectivity_measurements")),
        sa.UniqueConstraint("uid", name=op.f("uq_connectivity_measurements_uid")),
    )
    with op.batch_alter_table("connectivity_measurements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_connectivity_measurements_asn"), ["asn"], unique=False)
        batch_op.create_index(batch_op.f("ix_connectivity_measurements_cc"), ["cc"], unique=False)
        batch_op.create_index(batch_op.f("ix_connectivity_measurements_day"), ["day"], unique=False)
        batch_op.create_index(
            "ix_connectivity_measurements_target_asn_day", ["target", "asn", "day"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_connectivity_measurements_test_name"), ["test_name"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_connectivity_measurements_verdict"), ["verdict"], unique=False
        )

    op.create_table(
        "connectivity_ooni_aggregates",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("test_name", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=1000), nullable=False),
        sa.Column("asn", sa.Integer(), nullable=False),
        sa.Column("cc", sa.String(length=2), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("measurement_count", sa.Integer(), nullable=False),
        sa.Column("anomaly_count", sa.Integer(), nullable=False),
        sa.Column("confirmed_count", sa.Integer(), nullable=False),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.Column("ok_count", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connectivity_ooni_aggregates")),
        sa.UniqueConstraint(
            "test_name",
            "target",
            "asn",
            "cc",
            "day",
            name=op.f("uq_connectivity_ooni_aggregates_test_name"),
        ),
    )
    with op.batch_alter_table("connectivity_ooni_aggregates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_connectivity_ooni_aggregates_day"), ["day"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_connectivity_ooni_aggregates_verdict"), ["verdict"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("connectivity_ooni_aggregates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connectivity_ooni_aggregates_verdict"))
        batch_op.drop_index(batch_op.f("ix_connectivity_ooni_aggregates_day"))

    op.drop_table("connectivity_ooni_aggregates")
    with op.batch_alter_table("connectivity_measurements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connectivity_measurements_verdict"))
        batch_op.drop_index(batch_op.f("ix_connectivity_measurements_test_name"))
        batch_op.drop_index("ix_connectivity_measurements_target_asn_day")
        batch_op.drop_index(batch_op.f("ix_connectivity_measurements_day"))
        batch_op.drop_index(batch_op.f("ix_connectivity_measurements_cc"))
        batch_op.drop_index(batch_op.f("ix_connectivity_measurements_asn"))

    op.drop_table("connectivity_measurements")
    op.drop_table("connectivity_fingerprints")
