"""Settings of the reports capability, each one a ``MARSAD_<NAME>`` variable.

Kept beside the capability (the core's Settings lists the shell's own);
``setting_docs()`` gives the rows for docs/configuration.md.
"""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ReportSettings(BaseSettings):
    """Limits and switches for report intake, review and the public map."""

    model_config = SettingsConfigDict(
        env_prefix="MARSAD_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    reports_max_file_mb: float = Field(
        10, description="Largest file a reporter may attach, in megabytes."
    )
    reports_max_files: int = Field(5, description="Most files one report may carry.")
    reports_max_image_pixels: int = Field(
        50_000_000,
        description="Largest image a reporter may attach, in pixels (width × height), "
        "checked before the image is decoded: a small file that would unpack to "
        "gigabytes is refused.",
    )
    reports_rate_limit: int = Field(
        10,
        description="Reports one address may submit per window. Only reports accepted count: "
        "one refused (a field to correct, the database busy or unavailable) is given back. "
        "Counted in memory only, under a keyed hash of the address: addresses are never "
        "stored or logged.",
    )
    reports_rate_window: int = Field(
        3600, description="Length of the rate-limit window, in seconds."
    )
    reports_min_public_count: int = Field(
        3,
        description="Small-count protection (k): a public count below this for a category in "
        "a district is shown at governorate level instead.",
    )
    reports_lock_minutes: int = Field(
        15, description="How long a reviewer's edit lock on a report lasts."
    )
    reports_contact_reveal_minutes: int = Field(
        60,
        ge=1,
        description="How long a second person's approval lets the requester read a "
        "reporter's contact, in minutes (the two-person rule).",
    )
    map_tile_url: str = Field(
        "",
        description="Optional raster tiles under the maps, as a path on this server, e.g. "
        "`/tiles/{z}/{x}/{y}.png`; a URL of another host is refused. Empty (the default): "
        "the maps draw Iraq's built-in boundaries only, so no visitor's address reaches a "
        "tile server.",
    )
    map_pmtiles: str = Field(
        "",
        description="Optional self-hosted vector basemap: the path of a PMTiles file on this "
        "server (e.g. an extract of Iraq from a Protomaps build of OpenStreetMap). Marsad "
        "serves it at `/map/basemap.pmtiles` and draws it under the boundaries with the "
        "vendored protomaps-leaflet. Empty (the default): boundaries only.",
    )
    map_tile_attribution: str = Field(
        "",
        description="Attribution shown for the tiles or the PMTiles basemap, e.g. "
        "`© OpenStreetMap contributors`.",
    )
    imap_host: str = Field("", description="IMAP server of the reports mailbox (empty: off).")
    imap_port: int = Field(993, description="IMAP port (TLS).")
    imap_user: str = Field("", description="IMAP user name of the reports mailbox.")
    imap_password: str = Field("", description="IMAP password of the reports mailbox.")
    imap_folder: str = Field("INBOX", description="Mailbox folder to read reports from.")

    @field_validator("map_tile_url")
    @classmethod
    def _own_host_only(cls, value: str) -> str:
        # A visitor's browser must never ask a third party for tiles (DESIGN: no
        # third-party requests); the pages' CSP would block them anyway.
        if value and (not value.startswith("/") or value.startswith("//")):
            raise ValueError(
                "must be a path on this server starting with / (another host's tiles "
                "would tell it who looks at the map)"
            )
        return value

    @property
    def max_file_bytes(self) -> int:
        return int(self.reports_max_file_mb * 1024 * 1024)


def setting_docs() -> list[tuple[str, str, str]]:
    """(variable, default, description) for every reports setting."""
    rows = []
    for name, field in ReportSettings.model_fields.items():
        default = "" if field.default is None else str(field.default)
        rows.append((f"MARSAD_{name.upper()}", default, field.description or ""))
    return rows
