"""Declaration: declarations, signatures, actor profiles, official accounts, violations, codings.

Revision ID: 0007_declaration
Revises: 0006_evidence
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_declaration"
down_revision = "0006_evidence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "declarations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("based_on", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declarations")),
        sa.UniqueConstraint("slug", name=op.f("uq_declarations_slug")),
    )
    op.create_table(
        "declaration_actors",
        sa.Column("actor_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("group_slug", sa.String(length=64), nullable=False),
        sa.Column("governorate", sa.String(length=64), nullable=True),
        sa.Column("party", sa.String(length=255), nullable=True),
        sa.Column("list_number", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_declaration_actors_actor_id_actors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("actor_id", name=op.f("pk_declaration_actors")),
    )
    with op.batch_alter_table("declaration_actors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_declaration_actors_party"), ["party"], unique=False)

    op.create_table(
        "declaration_signatures",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("declaration_id", sa.String(length=36), nullable=False),
        sa.Column("group_slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("organisation", sa.String(length=255), nullable=False),
        sa.Column("email_digest", sa.String(length=64), nullable=False),
        sa.Column("email_encrypted", sa.Text(), nullable=False),
        sa.Column("accounts", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("verified_by", sa.String(length=64), nullable=True),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("mail_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_declaration_signatures_actor_id_actors"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_declaration_signatures_declaration_id_declarations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declaration_signatures")),
        sa.UniqueConstraint(
            "declaration_id", "email_digest", name=op.f("uq_declaration_signatures_declaration_id")
        ),
    )
    with op.batch_alter_table("declaration_signatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_declaration_signatures_declaration_id"), ["declaration_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_declaration_signatures_status"), ["status"], unique=False
        )

    op.create_table(
        "declaration_official_accounts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("handle", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["declaration_actors.actor_id"],
            name=op.f("fk_declaration_official_accounts_actor_id_declaration_actors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declaration_official_accounts")),
        sa.UniqueConstraint(
            "platform", "handle", name=op.f("uq_declaration_official_accounts_platform")
        ),
    )
    with op.batch_alter_table("declaration_official_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_declaration_official_accounts_actor_id"), ["actor_id"], unique=False
        )

    op.create_table(
        "declaration_violations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("declaration_id", sa.String(length=36), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=False),
        sa.Column("commitment_id", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("suggestion_key", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply_due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply_text", sa.Text(), nullable=True),
        sa.Column("reply_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["declaration_actors.actor_id"],
            name=op.f("fk_declaration_violations_actor_id_declaration_actors"),
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_declaration_violations_declaration_id_declarations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declaration_violations")),
        sa.UniqueConstraint(
            "suggestion_key", name=op.f("uq_declaration_violations_suggestion_key")
        ),
    )
    with op.batch_alter_table("declaration_violations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_declaration_violations_actor_id"), ["actor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_declaration_violations_commitment_id"), ["commitment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_declaration_violations_declaration_id"), ["declaration_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_declaration_violations_period"), ["period"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_declaration_violations_reply_due"), ["reply_due"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_declaration_violations_status"), ["status"], unique=False
        )

    op.create_table(
        "declaration_codings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("violation_id", sa.String(length=36), nullable=False),
        sa.Column("coder", sa.String(length=64), nullable=False),
        sa.Column("commitment_id", sa.String(length=64), nullable=False),
        sa.Column("breach", sa.Boolean(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["violation_id"],
            ["declaration_violations.id"],
            name=op.f("fk_declaration_codings_violation_id_declaration_violations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declaration_codings")),
        sa.UniqueConstraint(
            "violation_id", "coder", name=op.f("uq_declaration_codings_violation_id")
        ),
    )
    with op.batch_alter_table("declaration_codings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_declaration_codings_violation_id"), ["violation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("declaration_codings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declaration_codings_violation_id"))

    op.drop_table("declaration_codings")
    with op.batch_alter_table("declaration_violations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declaration_violations_status"))
        batch_op.drop_index(batch_op.f("ix_declaration_violations_reply_due"))
        batch_op.drop_index(batch_op.f("ix_declaration_violations_period"))
        batch_op.drop_index(batch_op.f("ix_declaration_violations_declaration_id"))
        batch_op.drop_index(batch_op.f("ix_declaration_violations_commitment_id"))
        batch_op.drop_index(batch_op.f("ix_declaration_violations_actor_id"))

    op.drop_table("declaration_violations")
    with op.batch_alter_table("declaration_official_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declaration_official_accounts_actor_id"))

    op.drop_table("declaration_official_accounts")
    with op.batch_alter_table("declaration_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declaration_signatures_status"))
        batch_op.drop_index(batch_op.f("ix_declaration_signatures_declaration_id"))

    op.drop_table("declaration_signatures")
    with op.batch_alter_table("declaration_actors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declaration_actors_party"))

    op.drop_table("declaration_actors")
    op.drop_table("declarations")
