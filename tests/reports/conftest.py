"""Fixtures for the reports tests: settings, cipher, and a helper that files reports."""

from __future__ import annotations

from typing import Any

import pytest

from marsad.core import users
from marsad.core.blobs import BlobStore
from marsad.core.db import session_scope
from marsad.core.security import FieldCipher
from marsad.reports import service
from marsad.reports.settings import ReportSettings


@pytest.fixture
def report_settings() -> ReportSettings:
    return ReportSettings(reports_max_file_mb=1, reports_max_files=3, reports_rate_limit=100)


@pytest.fixture
def cipher(settings) -> FieldCipher:  # type: ignore[no-untyped-def]
    return FieldCipher.from_settings(settings.field_key, settings.secret())


@pytest.fixture
def file_report(sessions, settings, cipher, report_settings):  # type: ignore[no-untyped-def]
    """File a report through the service; return (id, receipt)."""

    def factory(**fields: Any) -> tuple[str, str]:
        values = {"title": "Account taken over", "category": "threat", **fields}
        with session_scope(sessions) as session:
            done = service.submit_report(
                session,
                submission=service.Submission(**values),
                channel="web",
                cipher=cipher,
                settings=report_settings,
                blobs=BlobStore.from_settings(settings),
            )
        return done.id, done.receipt

    return factory


@pytest.fixture
def staff(sessions):  # type: ignore[no-untyped-def]
    """Create staff accounts by role; return a loader of the User row in a session."""

    def factory(username: str, role: str) -> str:
        with session_scope(sessions) as session:
            users.create_user(session, username=username, role=role, password="a-long-password-1")
        return username

    return factory
