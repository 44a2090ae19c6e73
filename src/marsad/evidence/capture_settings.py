"""Settings of evidence captures, each one a ``MARSAD_<NAME>`` variable.

A section of its own (``settings.evidence_capture``) beside the ``evidence``
section of timestamps, hashes and bundles, so each half owns its file.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CaptureSettings(BaseSettings):
    """How URLs are captured: limits, the network path, the browser."""

    model_config = SettingsConfigDict(
        env_prefix="MARSAD_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    evidence_capture_max_mb: float = Field(
        100,
        description="Largest response a capture keeps, in megabytes; a larger one fails the "
        "capture (nothing is stored).",
        gt=0,
    )
    evidence_capture_timeout: float = Field(
        30, description="Seconds to wait for a server to connect or to send the next bytes.", gt=0
    )
    evidence_capture_total_timeout: float = Field(
        300,
        description="Seconds a whole capture may take (all redirects and the body); a server "
        "that trickles bytes fails the capture after this.",
        gt=0,
    )
    evidence_capture_max_redirects: int = Field(
        10, description="Redirects a capture follows before it fails as a redirect loop.", ge=0
    )
    evidence_capture_max_attempts: int = Field(
        3,
        description="Tries a capture gets when it fails for a reason that may pass (a timeout, "
        "an unreachable host): the periodic `evidence.capture_retry` job tries again until then.",
        ge=1,
    )
    evidence_capture_proxy: str = Field(
        "",
        description="Proxy for captures, e.g. `socks5://127.0.0.1:9050` (Tor) or "
        "`http://proxy:3128`. Empty: direct. With a proxy, addresses are resolved by the "
        "proxy and not recorded.",
    )
    evidence_capture_ca_bundle: str = Field(
        "",
        description="A PEM file of extra certificate authorities to trust for captures "
        "(a private CA). Empty: the system's trust store.",
    )
    evidence_capture_browser: bool = Field(
        True,
        description="Also render a full-page screenshot and a PDF with headless Chromium "
        "when it is installed (`/usr/bin/chromium`) and Playwright is importable.",
    )
    evidence_capture_chromium: str = Field(
        "/usr/bin/chromium", description="The Chromium binary used for screenshots and PDFs."
    )
    evidence_capture_user_agent: str = Field(
        "",
        description="User-Agent header of captures. Empty: `Marsad/<version> (evidence capture)`.",
    )

    @property
    def max_bytes(self) -> int:
        return int(self.evidence_capture_max_mb * 1024 * 1024)
