"""reports: places (core gazetteer), categories, reports, comments, files

Revision ID: 0003_reports
Revises: 0001_core
Create Date: 2026-11-22 12:00:00

The places table belongs to the core but is created here, in the first
capability that needs it, and filled from the built-in gazetteer; the shipped
categories are inserted too, so a fresh install can take reports at once.
"""

import sqlalchemy as sa
from alembic import op

from marsad.core.db import UTCDateTime, new_id

revision = "0003_reports"
down_revision = "0001_core"
branch_labels = ("reports",)
depends_on = None


def upgrade() -> None:
    from marsad.core.places import gazetteer_rows
    from marsad.reports.categories import DEFAULT_CATEGORIES

    places = op.create_table(
        "places",
        sa.Column("pcode", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("parent_pcode", sa.String(length=16), nullable=True),
        sa.Column("name_ar", sa.String(length=128), nullable=False),
        sa.Column("name_ckb", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pcode", name=op.f("pk_places")),
    )
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_places_parent_pcode"), ["parent_pcode"], unique=False)

    categories = op.create_table(
        "report_categories",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("parent_id", sa.String(length=36), nullable=True),
        sa.Column("name_ar", sa.String(length=128), nullable=False),
        sa.Column("name_ckb", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["report_categories.id"],
            name=op.f("fk_report_categories_parent_id_report_categories"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_categories")),
        sa.UniqueConstraint("slug", name=op.f("uq_report_categories_slug")),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("source_ref", sa.String(length=80), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("links", sa.Text(), nullable=False),
        sa.Column("category_id", sa.String(length=36), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=True),
        sa.Column("governorate_pcode", sa.String(length=16), nullable=True),
        sa.Column("district_pcode", sa.String(length=16), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("contact_sealed", sa.Text(), nullable=True),
        sa.Column("assigned_to_id", sa.String(length=36), nullable=True),
        sa.Column("duplicate_of_id", sa.String(length=36), nullable=True),
        sa.Column("location_precision", sa.String(length=16), nullable=True),
        sa.Column("time_precision", sa.String(length=16), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("locked_by_id", sa.String(length=36), nullable=True),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"],
            ["users.id"],
            name=op.f("fk_reports_assigned_to_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["report_categories.id"],
            name=op.f("fk_reports_category_id_report_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["reports.id"],
            name=op.f("fk_reports_duplicate_of_id_reports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["locked_by_id"],
            ["users.id"],
            name=op.f("fk_reports_locked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_reports_receipt_hash")),
        sa.UniqueConstraint("source_ref", name=op.f("uq_reports_source_ref")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        for column in (
            "assigned_to_id",
            "category_id",
            "created_at",
            "governorate_pcode",
            "published_at",
            "status",
        ):
            batch_op.create_index(batch_op.f(f"ix_reports_{column}"), [column], unique=False)

    op.create_table(
        "report_comments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_comments_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_comments")),
    )
    with op.batch_alter_table("report_comments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_comments_report_id"), ["report_id"], unique=False
        )

    op.create_table(
        "report_files",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_files_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_files")),
    )
    with op.batch_alter_table("report_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_files_report_id"), ["report_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_files_sha256"), ["sha256"], unique=False)

    op.bulk_insert(places, gazetteer_rows())
    op.bulk_insert(
        categories,
        [
            {
                "id": new_id(),
                "slug": seed.slug,
                "parent_id": None,
                "name_ar": seed.name_ar,
                "name_ckb": seed.name_ckb,
                "name_en": seed.name_en,
                "confidential": seed.confidential,
                "position": position,
                "active": True,
            }
            for position, seed in enumerate(DEFAULT_CATEGORIES)
        ],
    )


def downgrade() -> None:
    op.drop_table("report_files")
    op.drop_table("report_comments")
    op.drop_table("reports")
    op.drop_table("report_categories")
    op.drop_table("places")
