"""Connectivity outages: signal chunks, STOP-style events and their links, the exam schedule.

Revision ID: 0011_connectivity_outages
Revises: 0010_hardening_cases
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_connectivity_outages"
down_revision = "0010_hardening_cases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "connectivity_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("shutdown_type", sa.String(length=16), nullable=False),
        sa.Column("governorates", sa.JSON(), nullable=False),
        sa.Column("networks", sa.JSON(), nullable=False),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("ordered_by", sa.String(length=200), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("cause", sa.String(length=200), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("signal_sources", sa.JSON(), nullable=False),
        sa.Column("depth", sa.Float(), nullable=True),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=80), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connectivity_events")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_connectivity_events_fingerprint")),
    )
    with op.batch_alter_table("connectivity_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_connectivity_events_start"), ["start"], unique=False)

    op.create_table(
        "connectivity_schedule",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("authority", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connectivity_schedule")),
        sa.UniqueConstraint("start", "region", name=op.f("uq_connectivity_schedule_start")),
    )
    with op.batch_alter_table("connectivity_schedule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_connectivity_schedule_start"), ["start"], unique=False)

    op.create_table(
        "connectivity_signal_chunks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity_type", sa.String(length=16), nullable=False),
        sa.Column("entity_code", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("chunk_start", sa.BigInteger(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("offsets", sa.LargeBinary(), nullable=False),
        sa.Column("values", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connectivity_signal_chunks")),
        sa.UniqueConstraint(
            "entity_type",
            "entity_code",
            "source",
            "chunk_start",
            name=op.f("uq_connectivity_signal_chunks_entity_type"),
        ),
    )
    op.create_table(
        "connectivity_event_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("ref", sa.String(length=240), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["connectivity_events.id"],
            name=op.f("fk_connectivity_event_links_event_id_connectivity_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connectivity_event_links")),
        sa.UniqueConstraint("event_id", "ref", name=op.f("uq_connectivity_event_links_event_id")),
    )
    with op.batch_alter_table("connectivity_event_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_connectivity_event_links_event_id"), ["event_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("connectivity_event_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connectivity_event_links_event_id"))

    op.drop_table("connectivity_event_links")
    op.drop_table("connectivity_signal_chunks")
    with op.batch_alter_table("connectivity_schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connectivity_schedule_start"))

    op.drop_table("connectivity_schedule")
    with op.batch_alter_table("connectivity_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connectivity_events_start"))

    op.drop_table("connectivity_events")
