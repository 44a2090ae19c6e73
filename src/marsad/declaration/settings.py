"""Settings of the declaration capability, each one a ``MARSAD_<NAME>`` variable."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DeclarationSettings(BaseSettings):
    """Signing, the right of reply, and the suggestion rules."""

    model_config = SettingsConfigDict(
        env_prefix="MARSAD_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    declaration_confirm_hours: int = Field(
        72, ge=1, description="Hours a signature's e-mailed confirmation link stays valid."
    )
    declaration_reply_days: int = Field(
        7,
        ge=0,
        description="Days an actor has to reply once notified of a confirmed violation; "
        "the violation becomes public only after them.",
    )
    declaration_rate_limit: int = Field(
        5,
        description="Signatures one address may submit per window. Counted in memory only, "
        "under a keyed hash of the address: addresses are never stored or logged.",
    )
    declaration_rate_window: int = Field(
        3600, description="Length of the signing rate-limit window, in seconds."
    )
    declaration_public_url: str = Field(
        "",
        description="Address the confirmation links in e-mails start with "
        "(`https://marsad.example`); empty: the address the form was sent to.",
    )
    declaration_amplifiers: int = Field(
        2,
        ge=1,
        description="Members of one coordinated group that must amplify an actor before "
        "the group is suggested as a violation of the fake-accounts commitment.",
    )
    declaration_image_distance: int = Field(
        10,
        ge=0,
        description="Largest Hamming distance (bits, 64-bit pHash; PDQ: four times it) at "
        "which an image counts as a re-upload of a fabricated one.",
    )
