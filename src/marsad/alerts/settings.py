"""Settings of the alerts capability, each one a ``MARSAD_<NAME>`` variable."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AlertSettings(BaseSettings):
    """How alerts are sent and retried."""

    model_config = SettingsConfigDict(
        env_prefix="MARSAD_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    alerts_allow_private_webhooks: bool = Field(
        False,
        description="Allow webhooks to loopback, private, link-local and other non-public "
        "addresses (an internal chat server). Off: such a URL is refused when a rule is added "
        "and when an alert is sent, so a rule cannot probe the server's own network.",
    )
    alerts_timeout: float = Field(
        10, gt=0, description="Seconds a webhook receiver has to answer before the attempt fails."
    )
    alerts_retry_base: float = Field(
        30,
        gt=0,
        description="Seconds before the first retry of a failed delivery; each later retry "
        "waits twice as long as the one before.",
    )
    alerts_max_attempts: int = Field(
        8, ge=1, le=30, description="Attempts at one delivery before it is marked failed."
    )


def alert_settings(settings: Any) -> AlertSettings:
    """The alerts section of the application's settings (read from the environment if none)."""
    section = settings.section("alerts") if hasattr(settings, "section") else None
    return section if isinstance(section, AlertSettings) else AlertSettings()
