"""Settings, declared as data with help text: one tree for the core and every capability.

Every setting is read from an environment variable prefixed ``MARSAD_`` (or
from a ``.env`` file / a TOML file named by ``MARSAD_CONFIG_FILE``). The core's
settings are the fields below; each capability declares its own section through
the ``marsad_settings`` hook and finds it nested in the tree (``settings.reports``,
``settings.detect``). The descriptions are the documentation:
``docs/configuration.md`` is generated from them and a test fails when the two
drift apart.

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

from pydantic import BaseModel, Field, PrivateAttr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from marsad.core.errors import ConfigError

LANGUAGES = ("ar", "ckb", "en")


def _join_names(value: object) -> object:
    """The TOML file may give a list of names; the environment gives ``a,b``."""
    return ",".join(str(v) for v in value) if isinstance(value, list | tuple) else value


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
    blobs_dir: Path | None = Field(
        None,
        description="Folder of the content-addressed file store (report attachments, "
        "evidence): each file named by its SHA-256. Empty: `DATA_DIR/blobs`.",
    )
    blobs_s3_url: str = Field(
        "",
        description="Keep blobs in an S3-compatible bucket instead of the folder: "
        "`s3://bucket/prefix?endpoint=https://s3.example.org&region=eu-central-1` "
        "(endpoint and region optional). Needs the `s3` extra (boto3); credentials come "
        "from the usual `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` variables, never the URL.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the database. Empty: SQLite at `DATA_DIR/marsad.db`. "
        "Production: `postgresql+psycopg://user@host:5432/marsad`.",
    )
    sqlite_busy_timeout: float = Field(
        10,
        gt=0,
        le=3600,
        description="SQLite: seconds a write waits for the write lock another connection holds "
        "(a migration, or a `sqlite3` shell left open in another process) before giving up. "
        "The write that waited is rolled back whole, and a web request is answered 503 with "
        "`Retry-After`.",
    )
    postgres_lock_timeout: float = Field(
        10,
        gt=0,
        le=3600,
        description="PostgreSQL: seconds a statement waits for a row or table lock another "
        "transaction holds (a migration, a `LOCK TABLE`, a long write) before giving up "
        "(`lock_timeout`, set on every connection). The transaction is rolled back whole, and "
        "a web request is answered 503 with `Retry-After`, as on SQLite.",
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
    audit_anchor_file: Path | None = Field(
        None,
        description="Append-only file, outside the data folder, where the audit chain's head "
        "is written (every `MARSAD_AUDIT_ANCHOR_EVERY` records or `..._SECONDS` seconds, and "
        "by `marsad audit verify` and `marsad backup`), so a restored older copy of the "
        "database is detected. Empty: `DATA_DIR.audit-anchor` beside the data folder. Put it "
        "on another disk or owned by another user (`chattr +a` makes it append-only).",
    )
    audit_anchor_every: int = Field(
        100, ge=1, description="Write the audit anchor after this many new records."
    )
    audit_anchor_seconds: float = Field(
        5, ge=0, description="...or when this many seconds passed since the last anchor."
    )
    backup_recipients: str = Field(
        "",
        description="age public keys (`age1…`, separated by commas) that `marsad backup` "
        "encrypts to. The server holds only these public keys, so it cannot read its own "
        "backups; keep the identity (`marsad backup-key`) offline.",
    )
    backup_identity_file: Path | None = Field(
        None,
        description="The age identity file `marsad restore` decrypts with (or `--identity`).",
    )
    log_level: str = Field("INFO", description="Logging level (DEBUG, INFO, WARNING, ERROR).")
    plugins: str = Field(
        "",
        description="Extra plugin modules to load, separated by commas, e.g. "
        "`my_observatory.evidence`: each implements Marsad's hooks like a built-in capability "
        "(installed packages can instead declare a `marsad.plugins` entry point).",
    )
    disabled_plugins: str = Field(
        "",
        description="Capabilities (or plugin modules) to switch off, separated by commas, e.g. "
        "`coordination`: their pages, API, header links and commands are gone; their tables "
        "stay in the database. The core cannot be switched off.",
    )

    # Capability sections (``settings.reports``…), built by load_settings() or on first use.
    _sections: dict[str, BaseModel] = PrivateAttr(default_factory=dict)

    def __init__(self, **values: Any) -> None:
        # A section may be given ready-made: Settings(..., reports=ReportSettings(...)).
        given = {k: v for k, v in values.items() if isinstance(v, BaseModel)}
        super().__init__(**{k: v for k, v in values.items() if k not in given})
        self._sections.update(given)

    _names_from_list = field_validator("plugins", "disabled_plugins", mode="before")(_join_names)

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)  # type: ignore[misc]
        except AttributeError:
            if name.startswith("_"):
                raise
            return self.section(name)

    def section(self, name: str) -> BaseModel:
        """The capability section ``name`` (``reports``, ``detect``…); AttributeError if none.

        Built on first use from the environment and the TOML file when these
        settings were not made by load_settings().
        """
        found = self._sections.get(name)
        if found is not None:
            return found
        models = section_models(self)
        if name not in models:
            raise AttributeError(f"{type(self).__name__!s} has no setting or section {name!r}")
        file_values = _toml_overrides()
        built = _build_section(name, models[name], _section_values(name, models[name], file_values))
        self._sections[name] = built
        return built

    def sections(self) -> dict[str, BaseModel]:
        """Every enabled capability's section, by name."""
        return {name: self.section(name) for name in section_models(self)}

    # --- background jobs (docs/jobs.md) -----------------------------------
    broker_url: str | None = Field(
        None,
        description="Celery broker for background jobs: `redis://host:6379/0` or "
        "`amqp://user:password@host:5672//`. Empty: jobs run inside the web server "
        "(`marsad serve`, `marsad demo`) or in the foreground of `marsad jobs submit`.",
    )
    jobs_queue: str = Field(
        "marsad",
        description="Name of the broker queue that `marsad worker` consumes and jobs are sent to.",
    )
    jobs_threads: int = Field(
        2, ge=1, le=64, description="Jobs run at once by the in-process runner of `marsad serve`."
    )
    jobs_heartbeat_timeout: int = Field(
        60,
        ge=2,
        description="Seconds without a heartbeat after which a running job's worker is taken "
        "for dead and the job is queued again (a heartbeat is written every quarter of this).",
    )
    jobs_max_attempts: int = Field(
        3,
        ge=1,
        description="Times a job is started before a job whose worker keeps dying is failed "
        "(`err_job_worker_lost`) instead of being queued again.",
    )
    jobs_visibility_timeout: int = Field(
        6 * 3600,
        ge=1,
        description="Redis broker only: seconds before a message taken by a worker that never "
        "acknowledged it is delivered again. Make it longer than the longest job.",
    )
    jobs_embedded_scheduler: bool = Field(
        True,
        description="Without a broker, `marsad serve` (and `marsad demo`) also submits the "
        "periodic jobs on their schedule, as `marsad scheduler` does (a job another scheduler "
        "submitted is never doubled). `false`: only a separate `marsad scheduler` submits them. "
        "With `MARSAD_BROKER_URL` set this is not used: run `marsad scheduler`.",
    )
    jobs_schedule: dict[str, int] = Field(
        {},
        description="Periodic jobs' intervals in seconds by name, overriding the defaults "
        'capabilities declare; 0 switches one off. e.g. `{"detect.score-new-posts": 600}` '
        "(JSON in the environment, a table in the TOML file).",
    )

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
    def resolved_blobs_dir(self) -> Path:
        """The blob store's folder, defaulting to ``blobs`` inside the data folder."""
        return self.blobs_dir if self.blobs_dir is not None else self.data_dir / "blobs"

    @property
    def resolved_anchor_file(self) -> Path:
        """The audit anchor file, defaulting to ``<data folder>.audit-anchor`` beside it."""
        if self.audit_anchor_file is not None:
            return self.audit_anchor_file
        folder = self.data_dir.resolve()
        return folder.parent / f"{folder.name}.audit-anchor"

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
            self._check_secrets_outside_data()
        return self

    def _check_secrets_outside_data(self) -> None:
        # Whoever copies the data folder must not get the keys that decrypt contacts and
        # sign the audit chain, nor the anchor that detects a rolled-back copy.
        data = self.data_dir.resolve()
        if (data / "secret.key").exists():
            raise ConfigError(
                "MARSAD_DATA_DIR",
                f"{str(data / 'secret.key')!r} is a secret key inside the data folder; in "
                "production keep secrets outside it: move it away and set MARSAD_SECRET_KEY",
            )
        if _inside(self.resolved_anchor_file, data):
            raise ConfigError(
                "MARSAD_AUDIT_ANCHOR_FILE",
                "is inside the data folder, where a restored old copy would carry it back; "
                "choose a path outside it",
            )

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


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder)
    except OSError:
        return False


def section_models(settings: Any = None) -> dict[str, type[BaseModel]]:
    """Section name → settings model, as the enabled plugins declare them."""
    from marsad.core.plugins import get_registry

    return get_registry(settings).settings_sections()


def _section_values(
    name: str, model: type[BaseModel], file_values: dict[str, Any]
) -> dict[str, Any]:
    """A section's values from the TOML file: its ``[name]`` table, or its keys at top level."""
    table = file_values.get(name)
    flat = {k: v for k, v in file_values.items() if k in model.model_fields}
    return _env_wins({**flat, **(table if isinstance(table, dict) else {})})


def _env_wins(file_values: dict[str, Any]) -> dict[str, Any]:
    """Leave out the file's values whose ``MARSAD_`` variable is set: the environment wins."""
    return {k: v for k, v in file_values.items() if f"MARSAD_{k.upper()}" not in os.environ}


def _build_section(name: str, model: type[BaseModel], values: dict[str, Any]) -> BaseModel:
    """The section from these values (the environment fills the rest); raise ConfigError."""
    try:
        return model(**values)
    except ValidationError as exc:
        raise _config_error(exc, section=name) from None


def _config_error(exc: ValidationError, *, section: str | None = None) -> ConfigError:
    first = exc.errors()[0]
    if first["loc"]:
        name = "MARSAD_" + str(first["loc"][0]).upper()
    else:
        name = f"[{section}]" if section else "settings"
    return ConfigError(name, first["msg"])


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
    """Read the settings tree from the environment (and the TOML file); raise ConfigError.

    ``overrides`` are core settings by name, and sections by section name (a dict of
    values or a ready-made section model): ``load_settings(reports={"reports_max_files": 2})``.
    Every enabled capability's section is built and checked here, so a bad value
    stops the program at start with one line naming the variable.
    """
    file_values = _toml_overrides()
    core = _env_wins({k: v for k, v in file_values.items() if not isinstance(v, dict)})
    core.update({k: v for k, v in overrides.items() if not isinstance(v, dict | BaseModel)})
    try:
        settings = Settings(**core)
    except ValidationError as exc:
        raise _config_error(exc) from None
    models = section_models(settings)
    from marsad.core.plugins import split_names

    switched_off = set(split_names(settings.disabled_plugins))
    for name, value in file_values.items():
        if isinstance(value, dict) and name not in models and name not in switched_off:
            raise ConfigError(
                "MARSAD_CONFIG_FILE",
                f"the file has a table [{name}] but no enabled plugin has that settings "
                f"section; known: {', '.join(sorted(models)) or 'none'}",
            )
    for name, model in models.items():
        given = overrides.get(name)
        if isinstance(given, BaseModel):
            settings._sections[name] = given
            continue
        values = {**_section_values(name, model, file_values), **(given or {})}
        settings._sections[name] = _build_section(name, model, values)
    return settings


class PluginSelection(BaseSettings):
    """Only the two settings that choose plugins: what the CLI reads before anything else."""

    model_config = SettingsConfigDict(
        env_prefix="MARSAD_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    plugins: str = ""
    disabled_plugins: str = ""

    _names_from_list = field_validator("plugins", "disabled_plugins", mode="before")(_join_names)


def plugin_selection() -> PluginSelection:
    """Which plugins the environment and the TOML file choose, without reading the rest."""
    file_values = _toml_overrides()
    picked = _env_wins(
        {k: file_values[k] for k in ("plugins", "disabled_plugins") if k in file_values}
    )
    try:
        return PluginSelection(**picked)
    except ValidationError as exc:
        raise _config_error(exc) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings. Tests pass their own Settings to create_app instead."""
    return load_settings()


def setting_docs(model: type[BaseModel] = Settings) -> list[tuple[str, str, str]]:
    """(variable, default, description) for every setting of ``model``: the source of the docs."""
    rows = []
    for name, field in model.model_fields.items():
        default = field.default
        shown = "" if default is None else str(default)
        rows.append((f"MARSAD_{name.upper()}", shown, field.description or ""))
    return rows


def section_docs() -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    """(section name, summary, rows) for every section the default plugins declare."""
    out = []
    for name, model in section_models().items():
        summary = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
        out.append((name, summary, setting_docs(model)))
    return out
