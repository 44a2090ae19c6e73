"""Glossary: a term targets several groups and has notes per language (stored terms rewritten).

Stored terms are JSON (``glossary_entries.data`` and every ``glossary_revisions.data``);
the columns stay as they are. ``target_group: "sect"`` becomes
``target_groups: ["sect"]`` and a ``notes`` string becomes the English note
(``{"en": "..."}``), so a term saved again unchanged is seen as unchanged (no new
glossary version) and history shows one shape. Downgrade keeps the first group and
the English note (else the first note written).

Revision ID: 0014_glossary
Revises: 0013_learning
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0014_glossary"
down_revision = "0013_learning"
branch_labels = None
depends_on = None

NOTE_LANGUAGES = ("ar", "ckb", "en")  # copied: a migration imports nothing from marsad


def _up(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "target_group" in data:
        data["target_groups"] = [data.pop("target_group")]
    notes = data.get("notes")
    if not isinstance(notes, dict):
        text = notes or ""
        data["notes"] = {code: (text if code == "en" else "") for code in NOTE_LANGUAGES}
    return data


def _down(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    groups = data.pop("target_groups", None)
    if groups is not None:
        data["target_group"] = groups[0]
    notes = data.get("notes")
    if isinstance(notes, dict):
        written = [notes.get(code) or "" for code in ("en", "ar", "ckb")]
        data["notes"] = next((text for text in written if text), "")
    return data


def _rewrite(table: str, key: str, change: Any) -> None:
    rows = sa.table(table, sa.column(key, sa.String), sa.column("data", sa.JSON))
    bind = op.get_bind()
    for row_key, data in bind.execute(sa.select(rows.c[key], rows.c.data)).all():
        if isinstance(data, dict):
            new = change(data)
            if new != data:
                bind.execute(rows.update().where(rows.c[key] == row_key).values(data=new))


def upgrade() -> None:
    _rewrite("glossary_entries", "term_id", _up)
    _rewrite("glossary_revisions", "id", _up)


def downgrade() -> None:
    _rewrite("glossary_entries", "term_id", _down)
    _rewrite("glossary_revisions", "id", _down)
