"""core blobs: the content-addressed file catalogue; report files point into it

Revision ID: 0004_blobs
Revises: 0003_detect_scoring
Create Date: 2026-12-05 13:30:00

Adds ``blobs`` (one row per stored file, named ``sha256:<hex>``) and
``blob_derivations`` (which blob was made from which, and how). Report files
switch to the ``sha256:<hex>`` form, point at their blob, and gain
``original_sha256`` (the bytes as they arrived, when cleaning changed them).
Existing report files are catalogued from their rows; their files move from
``DATA_DIR/files`` to the blob store's folder (``DATA_DIR/blobs``, same layout)
by renaming the folder, as the CHANGELOG says.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_blobs"
down_revision = "0003_detect_scoring"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(length=71), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_blobs")),
    )
    op.create_table(
        "blob_derivations",
        sa.Column("derivative", sa.String(length=71), nullable=False),
        sa.Column("original", sa.String(length=71), nullable=False),
        sa.Column("how", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["derivative"],
            ["blobs.sha256"],
            name=op.f("fk_blob_derivations_derivative_blobs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["original"],
            ["blobs.sha256"],
            name=op.f("fk_blob_derivations_original_blobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("derivative", "original", "how", name=op.f("pk_blob_derivations")),
    )
    with op.batch_alter_table("blob_derivations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_blob_derivations_original"), ["original"], unique=False
        )

    # Catalogue the files reports already hold, then name them in the one text form.
    op.execute(
        "INSERT INTO blobs (sha256, size, media_type, created_at) "
        "SELECT 'sha256:' || sha256, MAX(size), MAX(media_type), MIN(created_at) "
        "FROM report_files GROUP BY sha256"
    )
    with op.batch_alter_table("report_files", schema=None) as batch_op:
        batch_op.alter_column(
            "sha256", existing_type=sa.String(length=64), type_=sa.String(length=71)
        )
        batch_op.add_column(sa.Column("original_sha256", sa.String(length=71), nullable=True))
    op.execute("UPDATE report_files SET sha256 = 'sha256:' || sha256")
    with op.batch_alter_table("report_files", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_report_files_sha256_blobs"), "blobs", ["sha256"], ["sha256"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_report_files_original_sha256_blobs"),
            "blobs",
            ["original_sha256"],
            ["sha256"],
        )


def downgrade() -> None:
    with op.batch_alter_table("report_files", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_report_files_original_sha256_blobs"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_report_files_sha256_blobs"), type_="foreignkey")
        batch_op.drop_column("original_sha256")
    op.execute("UPDATE report_files SET sha256 = substr(sha256, 8)")
    with op.batch_alter_table("report_files", schema=None) as batch_op:
        batch_op.alter_column(
            "sha256", existing_type=sa.String(length=71), type_=sa.String(length=64)
        )
    with op.batch_alter_table("blob_derivations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blob_derivations_original"))
    op.drop_table("blob_derivations")
    op.drop_table("blobs")
