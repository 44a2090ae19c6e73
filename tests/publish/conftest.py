"""Fixtures for publish: reports written straight into the migrated database."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from marsad.core.db import session_scope
from marsad.reports.models import Category, Report


@pytest.fixture
def add_reports(sessions):  # type: ignore[no-untyped-def]
    """Insert reports (published by default) in one transaction; return their ids."""

    def factory(n: int, **fields: Any) -> list[str]:
        ids = []
        with session_scope(sessions) as session:
            slug = fields.pop("category", "threat")
            category = session.execute(select(Category).where(Category.slug == slug)).scalar_one()
            values = {
                "status": "published",
                "verified": True,
                "channel": "web",
                "title": "t",
                "governorate_pcode": "IQG08",
                "lat": 33.3,
                "lon": 44.4,
                "location_precision": "exact",
                "published_at": datetime(2026, 12, 2, 10, tzinfo=UTC),
                "created_at": datetime(2026, 12, 1, 10, tzinfo=UTC),
                **fields,
            }
            for _ in range(n):
                report = Report(
                    receipt_hash=secrets.token_hex(32), category_id=category.id, **values
                )
                session.add(report)
                session.flush()
                ids.append(report.id)
        return ids

    return factory
