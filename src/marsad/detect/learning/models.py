"""Tables of the labelling loop: labels, the samples they were asked from, model versions.

- ``labels``: one answer (0/1) of one person on one post for one task, from the
  labelling queue, a file import or a decision on a flag. One row per (post,
  task, person): a second analyst labelling the same post adds a row, which is
  what agreement is measured on.
- ``label_samples`` / ``label_sample_items``: the posts a queue offered, in
  order, each with why (``evaluation``, ``uncertain``, ``random``). A sample of
  kind ``evaluation`` is the task's frozen evaluation sample: drawn at random
  once, labelled first, never used for training.
- ``model_versions``: the model registry: each trained candidate, its file, its
  scores on the frozen evaluation sample, who trained and promoted it, when.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marsad.core.db import Base, IdColumn, UTCDateTime, utcnow
from marsad.core.i18n.markers import N_

LABEL_SOURCES = ("queue", "import", "flag")
SAMPLE_KINDS = ("evaluation", "queue")
PICK_REASONS = ("evaluation", "uncertain", "random")
MODEL_STATES = (N_("candidate"), N_("current"), N_("retired"))  # shown on the models page


class Label(Base):
    """One person's answer on one post for one task (1 = harmful in that task's sense)."""

    __tablename__ = "labels"
    __table_args__ = (
        UniqueConstraint("post_pk", "task", "labelled_by"),
        Index("ix_labels_task_post", "task", "post_pk"),
    )

    id: Mapped[str] = IdColumn()
    post_pk: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    task: Mapped[str] = mapped_column(String(16))
    value: Mapped[int] = mapped_column(Integer)
    labelled_by: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    # The flag whose review gave this label (source "flag"): undoing the review removes it.
    flag_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    sample_id: Mapped[str | None] = mapped_column(
        ForeignKey("label_samples.id", ondelete="SET NULL"), nullable=True
    )
    labelled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LabelSample(Base):
    """A set of posts offered for labelling, drawn at once (a queue, or the evaluation sample)."""

    __tablename__ = "label_samples"
    __table_args__ = (Index("ix_label_samples_task_kind", "task", "kind"),)

    id: Mapped[str] = IdColumn()
    task: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(Integer)
    # The model whose uncertainty chose the posts (None for a random sample).
    model_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    seed: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LabelSampleItem(Base):
    """One post of a sample, its place in the order and why it was chosen."""

    __tablename__ = "label_sample_items"
    __table_args__ = (UniqueConstraint("sample_id", "post_pk"),)

    id: Mapped[str] = IdColumn()
    sample_id: Mapped[str] = mapped_column(
        ForeignKey("label_samples.id", ondelete="CASCADE"), index=True
    )
    post_pk: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float, nullable=True)


class ModelVersion(Base):
    """A trained model in the registry: a candidate, the current one, or a retired one."""

    __tablename__ = "model_versions"

    id: Mapped[str] = IdColumn()
    version: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True, default="candidate")
    tasks: Mapped[list[str]] = mapped_column(JSON, default=list)
    # task -> {"macro_f1", "precision", "recall", "n"} on the frozen evaluation sample.
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # task -> {"0": n, "1": n}: the local labels it learnt from.
    local_labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # How many labels there were and the newest one's time when it was trained.
    labels_stamp: Mapped[str | None] = mapped_column(String(64), nullable=True)
    training_data_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    trained_by: Mapped[str] = mapped_column(String(64))
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    promoted_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The version in use when this one was last promoted (None: the shipped model).
    previous_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
