"""Learning: labels, the samples they are asked from, the model registry.

Decisions already made on flags become labels (one per task, 1 for the labels
the reviewer kept), so nothing analysts decided before this version is lost
to retraining.

Revision ID: 0013_learning
Revises: 0012_publish
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

# The tasks a post is labelled for (copied: a migration imports nothing from marsad).
TASKS = ("offensive", "hate", "violence", "extremism")

revision = "0013_learning"
down_revision = "0012_publish"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "label_samples",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("task", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_label_samples")),
    )
    with op.batch_alter_table("label_samples", schema=None) as batch_op:
        batch_op.create_index("ix_label_samples_task_kind", ["task", "kind"], unique=False)

    op.create_table(
        "model_versions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tasks", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("local_labels", sa.JSON(), nullable=False),
        sa.Column("labels_stamp", sa.String(length=64), nullable=True),
        sa.Column("training_data_sha256", sa.String(length=64), nullable=True),
        sa.Column("trained_by", sa.String(length=64), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("promoted_by", sa.String(length=64), nullable=True),
        sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("previous_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_versions")),
        sa.UniqueConstraint("version", name=op.f("uq_model_versions_version")),
    )
    with op.batch_alter_table("model_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_model_versions_status"), ["status"], unique=False)

    op.create_table(
        "label_sample_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("sample_id", sa.String(length=36), nullable=False),
        sa.Column("post_pk", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["post_pk"],
            ["posts.id"],
            name=op.f("fk_label_sample_items_post_pk_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["label_samples.id"],
            name=op.f("fk_label_sample_items_sample_id_label_samples"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_label_sample_items")),
        sa.UniqueConstraint("sample_id", "post_pk", name=op.f("uq_label_sample_items_sample_id")),
    )
    with op.batch_alter_table("label_sample_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_label_sample_items_post_pk"), ["post_pk"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_label_sample_items_sample_id"), ["sample_id"], unique=False
        )

    op.create_table(
        "labels",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("post_pk", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("labelled_by", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("flag_id", sa.String(length=36), nullable=True),
        sa.Column("sample_id", sa.String(length=36), nullable=True),
        sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_pk"], ["posts.id"], name=op.f("fk_labels_post_pk_posts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["label_samples.id"],
            name=op.f("fk_labels_sample_id_label_samples"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labels")),
        sa.UniqueConstraint("post_pk", "task", "labelled_by", name=op.f("uq_labels_post_pk")),
    )
    with op.batch_alter_table("labels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_labels_flag_id"), ["flag_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_labels_post_pk"), ["post_pk"], unique=False)
        batch_op.create_index("ix_labels_task_post", ["task", "post_pk"], unique=False)

    _labels_from_reviewed_flags()


def _labels_from_reviewed_flags() -> None:
    bind = op.get_bind()
    flags = sa.table(
        "flags",
        sa.column("id", sa.String),
        sa.column("post_pk", sa.Integer),
        sa.column("review_status", sa.String),
        sa.column("reviewed_labels", sa.JSON),
        sa.column("reviewed_by", sa.String),
        sa.column("reviewed_at", sa.DateTime(timezone=True)),
    )
    labels = sa.table(
        "labels",
        sa.column("id", sa.String),
        sa.column("post_pk", sa.Integer),
        sa.column("task", sa.String),
        sa.column("value", sa.Integer),
        sa.column("labelled_by", sa.String),
        sa.column("source", sa.String),
        sa.column("flag_id", sa.String),
        sa.column("labelled_at", sa.DateTime(timezone=True)),
    )
    rows = bind.execute(
        sa.select(flags)
        .where(
            flags.c.review_status.in_(("confirmed", "rejected")),
            flags.c.reviewed_by.is_not(None),
            flags.c.reviewed_at.is_not(None),
        )
        .order_by(flags.c.reviewed_at)
    ).all()
    latest = {(row.post_pk, row.reviewed_by): row for row in rows}  # the newest wins
    values = []
    for row in latest.values():
        kept = set(row.reviewed_labels or []) if row.review_status == "confirmed" else set()
        for task in TASKS:
            values.append(
                {
                    "id": str(uuid.uuid4()),
                    "post_pk": row.post_pk,
                    "task": task,
                    "value": int(task in kept),
                    "labelled_by": row.reviewed_by,
                    "source": "flag",
                    "flag_id": row.id,
                    "labelled_at": row.reviewed_at,
                }
            )
    for start in range(0, len(values), 1000):
        bind.execute(labels.insert(), values[start : start + 1000])


def downgrade() -> None:
    with op.batch_alter_table("labels", schema=None) as batch_op:
        batch_op.drop_index("ix_labels_task_post")
        batch_op.drop_index(batch_op.f("ix_labels_post_pk"))
        batch_op.drop_index(batch_op.f("ix_labels_flag_id"))

    op.drop_table("labels")
    with op.batch_alter_table("label_sample_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_label_sample_items_sample_id"))
        batch_op.drop_index(batch_op.f("ix_label_sample_items_post_pk"))

    op.drop_table("label_sample_items")
    with op.batch_alter_table("model_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_versions_status"))

    op.drop_table("model_versions")
    with op.batch_alter_table("label_samples", schema=None) as batch_op:
        batch_op.drop_index("ix_label_samples_task_kind")

    op.drop_table("label_samples")
