"""Fixtures for the alerts tests: a loopback receiver, an outbox, a report filer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from marsad.alerts.matching import forget_rules
from marsad.alerts.settings import AlertSettings
from marsad.core.blobs import BlobStore
from marsad.core.db import session_scope
from marsad.core.mail import MailSettings
from marsad.core.security import FieldCipher
from marsad.core.settings import Settings
from marsad.reports import service as reports
from marsad.reports.settings import ReportSettings
from tests.alerts.receiver import Receiver


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """Test settings with an outbox and retries a few hundredths of a second apart."""
    from tests.conftest import TEST_SECRET

    return Settings(
        env="test",
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key=TEST_SECRET,
        mail=MailSettings(mail_outbox=tmp_path / "outbox"),
        alerts=AlertSettings(
            alerts_timeout=1,
            alerts_retry_base=0.05,
            alerts_max_attempts=3,
            alerts_allow_private_webhooks=True,  # the receivers listen on loopback
        ),
    )


@pytest.fixture(autouse=True)
def _fresh_rules(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # CLI commands and workers read the environment: the receivers listen on loopback.
    monkeypatch.setenv("MARSAD_ALERTS_ALLOW_PRIVATE_WEBHOOKS", "true")
    forget_rules()
    yield
    forget_rules()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    item = Receiver().up()
    yield item
    item.down()


@pytest.fixture
def outbox(settings: Settings) -> Path:
    return Path(settings.mail.mail_outbox)


def file_report_with(sessions, settings, **fields: Any) -> str:  # type: ignore[no-untyped-def]
    """File a report through the reports service (as the web form does); return its id."""
    cipher = FieldCipher.from_settings(settings.field_key, settings.secret())
    values = {"title": "Account taken over", "category": "threat", **fields}
    with session_scope(sessions) as session:
        done = reports.submit_report(
            session,
            submission=reports.Submission(**values),
            channel="web",
            cipher=cipher,
            settings=ReportSettings(reports_rate_limit=100),
            blobs=BlobStore.from_settings(settings),
        )
    return done.id


@pytest.fixture
def file_report(sessions, settings):  # type: ignore[no-untyped-def]
    """``file_report(**fields)`` files a report; returns its id."""

    def factory(**fields: Any) -> str:
        return file_report_with(sessions, settings, **fields)

    return factory
