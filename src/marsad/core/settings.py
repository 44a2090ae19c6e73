"""Settings, declared as data with help text.

Every setting is read from an environment variable prefixed ``MARSAD_`` (or
from a ``.env`` file / a TOML file named by ``MARSAD_CONFIG_FILE``). The
descriptions here are the documentation: ``docs/configuration.md`` is
generated from them and a test fails when the two drift apart.

Settings refuse unsafe values outside development (STYLE rule 13): a missing
secret key in production is an error, not a silently generated key.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from marsad.core.errors import ConfigError

LANGUAGES = ("ar", "ckb", "en")


class Settings(BaseSettings):
    """Marsad's configuration. Each field is one ``MARSAD_<NAME>`` variable."""

    model_config = SettingsConfigDict(
        env_prefix="MARSAD_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["dev", "test", "production"] = Field(
        "dev",
        description="Deployment kind. `production` refuses unsafe defaults "
        "(a missing secret key, insecure cookies).",
    )
    data_dir: Path = Field(
        Path("data"),
        description="Folder for the SQLite database, uploaded files and generated keys. "
        "Must be writable.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the database. Empty: SQLite at `DATA_DIR/marsad.db`. "
        "Production: `postgresql+psycopg://user@host:5432/marsad`.",
    )
    secret_key: str | None = Field(
        None,
        description="Signs session cookies, CSRF tokens and the audit chain. Required in "
        "production (at least 32 characters); in development a key is generated once and "
        "kept in `DATA_DIR/secret.key`.",
    )
    field_key: str | None = Field(
        None,
        description="Key that encrypts reporter contacts at rest (base64, 32 bytes). Kept out "
        "of the database on purpose. Empty: derived from the secret key.",
    )
    default_language: Literal["ar", "ckb", "en"] = Field(
        "ar", description="Language of the interface when the visitor has chosen none."
    )
    timezone: str = Field(
        "Asia/Baghdad",
        description="Time zone used to show dates on screen. Dates are stored in UTC.",
    )
    host: str = Field("127.0.0.1", description="Address `marsad serve` listens on.")
    port: int = Field(8000, description="Port `marsad serve` listens on.")
    session_max_age: int = Field(
        8 * 3600, description="Seconds a staff session stays valid after sign-in."
    )
    secure_cookies: bool | None = Field(
        None,
        description="Mark cookies Secure (HTTPS only). Empty: on in production, off otherwise.",
    )
    login_max_failures: int = Field(
        5,
        description="Failed sign-ins in a row (for one name from one address, or wrong "
        "two-factor codes) before that address, or the two-factor step, is locked for a while; "
        "other addresses are only slowed down.",
    )
    login_lockout_seconds: int = Field(
        60,
        description="First lockout, in seconds; it doubles with every further failure "
        "(capped at one day). See docs/security.md.",
    )
    require_2fa: bool = Field(
        False,
        description="Require two-factor sign-in for every staff account from the start. "
        "Admins can also switch this on in the web interface.",
    )
    max_request_mb: float | None = Field(
        None,
        description="Largest request body accepted, in megabytes; a larger one is refused "
        "with 413 while it streams in, before it is read whole. Empty: room for the most "
        "files one report may carry (`MARSAD_REPORTS_MAX_FILES` × "
        "`MARSAD_REPORTS_MAX_FILE_MB`) plus 1 MB.",
        gt=0,
    )
    trusted_proxies: str = Field(
        "",
        description="Addresses or networks of your reverse proxies, separated by commas "
        "(`127.0.0.1` for one on the same machine). `X-Forwarded-For` and "
        "`X-Forwarded-Proto` are honoured only from them, so the per-address limits count "
        "the real client. Empty (the default): no forwarded header is trusted.",
    )
    log_level: str = Field("INFO", description="Logging level (DEBUG, INFO, WARNING, ERROR).")

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: str) -> str:
        import ipaddress

        for part in value.split(","):
            if part.strip():
                try:
                    ipaddress.ip_network(part.strip(), strict=False)
                except ValueError:
                    raise ValueError(
                        f"{part.strip()!r} is not an IP address or network (e.g. 10.0.0.5 or "
                        "10.0.0.0/24)"
                    ) from None
        return value

    # --- derived values -------------------------------------------------

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite inside the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'marsad.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def cookies_secure(self) -> bool:
        if self.secure_cookies is not None:
            return self.secure_cookies
        return self.env == "production"

    def ensure_data_dir(self) -> Path:
        """Create the data folder and check it is writable, or raise ConfigError."""
        path = self.data_dir
        try:
            path.mkdir(parents=True, exist_ok=True)
            probe = path / ".write-test"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise ConfigError(
                "MARSAD_DATA_DIR",
                f"the data folder {str(path)!r} is not writable ({exc.strerror}); "
                "choose a folder this user can write to",
            ) from None
        return path

    def validate_for_use(self) -> Settings:
        """Check the settings a running observatory depends on; raise ConfigError."""
        try:
            url = make_url(self.resolved_database_url)
        except ArgumentError:
            raise ConfigError(
                "MARSAD_DATABASE_URL",
                f"{self.database_url!r} is not a database URL; expected e.g. "
                "postgresql+psycopg://user@127.0.0.1:5432/marsad or sqlite:///path/marsad.db",
            ) from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ConfigError(
                "MARSAD_DATABASE_URL",
                f"database kind {url.get_backend_name()!r} is not supported; "
                "use sqlite or postgresql+psycopg",
            )
        if self.env == "production":
            if not self.secret_key:
                raise ConfigError(
                    "MARSAD_SECRET_KEY",
                    "is required when MARSAD_ENV=production; set it to a random value of "
                    'at least 32 characters, e.g. python -c "import secrets; '
                    'print(secrets.token_urlsafe(48))"',
                )
            if len(self.secret_key) < 32:
                raise ConfigError(
                    "MARSAD_SECRET_KEY", "is too short; use at least 32 random characters"
                )
        return self

    def secret(self) -> str:
        """The secret key; in development generate one once and keep it in the data folder."""
        if self.secret_key:
            return self.secret_key
        if self.env == "production":
            self.validate_for_use()
        key_file = self.ensure_data_dir() / "secret.key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()


def _toml_overrides() -> dict[str, Any]:
    path = os.environ.get("MARSAD_CONFIG_FILE")
    if not path:
        return {}
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError("MARSAD_CONFIG_FILE", f"cannot read {path!r}: {exc}") from None
    return data.get("marsad", data)


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment (and the optional TOML file); raise ConfigError."""
    values = {**_toml_overrides(), **overrides}
    try:
        return Settings(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "MARSAD_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise ConfigError(name, first["msg"]) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings. Tests pass their own Settings to create_app instead."""
    return load_settings()


def setting_docs() -> list[tuple[str, str, str]]:
    """(variable, default, description) for every setting: the source of the docs."""
    rows = []
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = "" if default is None else str(default)
        rows.append((f"MARSAD_{name.upper()}", shown, field.description or ""))
    return rows
