"""Settings of the alerts capability, each one a ``MARSAD_<NAME>`` variable."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AlertSettings(BaseSettings):
    """How alerts are sent and retried."""

    model_config = SettingsConfigDict(
        env_prefix="MARSAD_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
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
