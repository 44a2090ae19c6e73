"""Settings of the evidence capability, each one a ``MARSAD_<NAME>`` variable.

Kept beside the capability (the core's Settings lists the shell's own); every
field is prefixed ``evidence_`` so the section reads as one block in
docs/configuration.md.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class EvidenceSettings(BaseSettings):
    """Trusted timestamps, perceptual-hash matching and case bundles."""

    model_config = SettingsConfigDict(
        env_prefix="MARSAD_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    evidence_tsa_url: str = Field(
        "",
        description="URL of an RFC 3161 time-stamping authority (TSA), e.g. "
        "`https://freetsa.org/tsr`. Each item's SHA-256 (never its content) is sent there "
        "and the signed token kept with the item. Empty (the default): no timestamps.",
    )
    evidence_tsa_ca_file: Path | None = Field(
        None,
        description="PEM file of the certificate authority (or authorities) that issued the "
        "TSA's certificate. Tokens are checked against it, and case bundles carry a copy "
        "so they can be checked offline. Empty: tokens are checked against the certificate "
        "they carry only (signature and imprint, not the chain).",
    )
    evidence_tsa_timeout: float = Field(
        15.0, description="Seconds to wait for the TSA before the timestamp stays pending."
    )
    evidence_tsa_max_attempts: int = Field(
        20,
        description="Requests to a TSA that does not answer before a pending timestamp is "
        "marked failed (the periodic job retries pending ones until then).",
    )
    evidence_pdq_max_distance: int = Field(
        31,
        description="Largest Hamming distance (of 256 bits) at which two PDQ hashes count as "
        "the same picture for `marsad evidence similar`.",
    )
    evidence_phash_max_distance: int = Field(
        10,
        description="Largest Hamming distance (of 64 bits) at which two pHash values count "
        "as the same picture.",
    )
    evidence_video_max_frames: int = Field(
        60, description="Most key frames of one video that are hashed (needs ffmpeg)."
    )
