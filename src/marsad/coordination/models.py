"""Tables owned by coordination: saved detection runs with their clusters and evidence.

A run keeps the parameters it was asked for and the whole result document (the
same JSON ``marsad coordination detect --json`` prints), so a cluster an
analyst cites keeps its accounts and evidence even after more posts arrive.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from marsad.core.db import Base, IdColumn, UTCDateTime, utcnow


class CoordinationRun(Base):
    """One detection over the posts store."""

    __tablename__ = "coordination_runs"

    id: Mapped[str] = IdColumn()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    posts: Mapped[int] = mapped_column(Integer, default=0)
    clusters: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
