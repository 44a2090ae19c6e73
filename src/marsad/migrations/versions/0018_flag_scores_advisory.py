"""Detect: a flag keeps whether its model scores were advisory when it was made.

``flags.scores_advisory`` is true when the model that scored the post did not
label it because of its language (the glossary alone did) and its scores are
shown as advisory. The flag card used to work this out from the post's language
and the *current* default list of advisory languages, so when model 1.3 added
``other`` to the list, the flags a 1.2 model had labelled for Turkish or Persian
posts started to show the labels that model gave as "advisory only".

Existing rows are filled from the model version stored on each flag. The
model's own list (in its file's metadata) cannot be read here: model folders
move or are deleted, and a model file is a pickle, which a migration must not
load. The version names the training code, and the code fixes the list:

- ``marsad-detect-`` before 1.3: ``ckb``, ``kmr``, ``en`` (a 1.2 model stores
  that list; older models stored none and were given the default, which was
  that list until 1.3; the few flags made before posts were routed by language
  at all are marked as the card has shown them since);
- any other version (1.3 and later, a Hugging Face folder ``hf-…``, a name we
  do not know): the list as it is since 1.3, ``ckb``, ``kmr``, ``en``, ``other``,
  which is what the card showed for them before this migration.

Revision ID: 0018_flag_scores_advisory
Revises: 0017_publish_sections
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0018_flag_scores_advisory"
down_revision = "0017_publish_sections"
branch_labels = None
depends_on = None

# Copied, not imported: migrations stand alone (marsad.detect.model.DEFAULT_ADVISORY_LANGUAGES).
BEFORE_1_3 = ("ckb", "kmr", "en")
SINCE_1_3 = ("ckb", "kmr", "en", "other")
VERSION = re.compile(r"marsad-detect-(\d+)\.(\d+)\.")


def advisory_languages(model_version: str) -> tuple[str, ...]:
    """The advisory languages of the model with this version, as its training code set them."""
    found = VERSION.match(model_version)
    if found and (int(found[1]), int(found[2])) < (1, 3):
        return BEFORE_1_3
    return SINCE_1_3


def upgrade() -> None:
    # Added in place (ALTER TABLE … ADD COLUMN on both backends): the flags table,
    # one row per post and model version, is the largest one and is not copied.
    op.add_column(
        "flags",
        sa.Column("scores_advisory", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    flags = sa.table(
        "flags",
        sa.column("model_version", sa.String),
        sa.column("language", sa.String),
        sa.column("scores_advisory", sa.Boolean),
    )
    conn = op.get_bind()
    # A few versions, each one UPDATE (ix_flags_versions finds its rows); Arabic
    # posts, most of the table, are never advisory and are not touched.
    versions = conn.execute(
        sa.select(flags.c.model_version).where(flags.c.language.in_(SINCE_1_3)).distinct()
    ).scalars()
    for version in list(versions):
        conn.execute(
            flags.update()
            .where(
                flags.c.model_version == version,
                flags.c.language.in_(advisory_languages(version)),
            )
            .values(scores_advisory=True)
        )


def downgrade() -> None:
    op.drop_column("flags", "scores_advisory")
