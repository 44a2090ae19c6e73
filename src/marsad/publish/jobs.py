"""The ``publish.weekly-report`` and ``publish.refresh-figures`` job kinds and schedules.

The job renders one week's report (by default the last complete week) in the
languages and formats asked, and stores each file in the core's
content-addressed blob store; its result lists their ``sha256:`` names. The
blob store writes each file whole or not at all, so a job killed mid-way keeps
nothing half-written; run again, it renders the week afresh.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from marsad.core.blobs import BlobStore, store_blob
from marsad.core.db import read_scope, session_scope, utcnow
from marsad.core.i18n import LANGUAGES
from marsad.core.jobs.kinds import JobContext, JobKind, PeriodicJob
from marsad.publish import weekly
from marsad.publish.sections import Period

MEDIA_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


class WeeklyReportParams(BaseModel):
    """Parameters of ``publish.weekly-report``."""

    model_config = ConfigDict(extra="forbid")

    week: str | None = Field(None, description="ISO week, e.g. 2026-W05 (default: last week).")
    langs: list[str] = Field(default_factory=lambda: ["ar"], description="Languages: ar, ckb, en.")
    formats: list[str] = Field(default_factory=lambda: ["pdf", "html"], description="pdf, html.")

    @field_validator("week")
    @classmethod
    def _week(cls, value: str | None) -> str | None:
        return Period.parse(value).label if value else None

    @field_validator("langs", "formats", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        # "ar,ckb" from `marsad jobs submit --param langs=ar,ckb` (given alone or in a list)
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            return value
        return [part.strip() for item in items for part in str(item).split(",") if part.strip()]

    @field_validator("langs")
    @classmethod
    def _langs(cls, value: list[str]) -> list[str]:
        for lang in value:
            if lang not in LANGUAGES:
                raise ValueError(f"no translation for {lang!r}; use {', '.join(LANGUAGES)}")
        return value

    @field_validator("formats")
    @classmethod
    def _formats(cls, value: list[str]) -> list[str]:
        for fmt in value:
            if fmt not in weekly.FORMATS:
                raise ValueError(f"unknown format {fmt!r}; use pdf or html")
        return value


def run_weekly_report(context: JobContext, params: BaseModel) -> dict[str, Any]:
    assert isinstance(params, WeeklyReportParams)
    settings = context.settings
    if params.week:
        period = Period.parse(params.week, timezone=settings.timezone)
    else:
        period = Period.containing(utcnow(), timezone=settings.timezone).previous()
    store = BlobStore.from_settings(settings)
    files = []
    total = len(params.langs) * len(params.formats)
    for lang in params.langs:
        # Read the figures without holding the write lock, then store each file in its own
        # short write (progress writes in between would otherwise wait for this job itself).
        with context.sessions() as session:
            doc = weekly.build(session, settings=settings, period=period, lang=lang)
            session.rollback()
        for fmt in params.formats:
            body = (
                weekly.render_pdf(doc, settings=settings)
                if fmt == "pdf"
                else weekly.render_html(doc, settings=settings).encode("utf-8")
            )
            with session_scope(context.sessions) as session:
                sha256 = store_blob(session, store, body, media_type=MEDIA_TYPES[fmt]).sha256
            files.append({"lang": lang, "format": fmt, "sha256": sha256, "bytes": len(body)})
            context.progress(len(files) / total, f"{lang} {fmt}")
    return {"week": period.label, "files": files}


WEEKLY_REPORT = JobKind(
    name="publish.weekly-report",
    params=WeeklyReportParams,
    run=run_weekly_report,
    description="Render the weekly monitoring report (PDF and HTML) into the blob store.",
)
WEEKLY_PERIODIC = PeriodicJob(
    name="publish.weekly-report", kind="publish.weekly-report", every_seconds=7 * 24 * 3600
)


class RefreshParams(BaseModel):
    """Parameters of ``publish.refresh-figures`` (none)."""

    model_config = ConfigDict(extra="forbid")


def run_refresh(context: JobContext, params: BaseModel) -> dict[str, Any]:  # noqa: ARG001
    """Compute each section's reusable figures in a read session, then store them briefly.

    Reading first keeps the write lock (SQLite) for the few milliseconds of the store.
    """
    from marsad.core.plugins import get_registry
    from marsad.publish import stored
    from marsad.publish.sections import sections

    settings = context.settings
    kept: dict[str, list[str]] = {}
    with read_scope(context.sessions) as session:  # SQLite: no write lock while counting
        for section in sections(get_registry(settings)):
            if section.keep is not None:
                kept[section.key] = section.keep(session, settings)
    written = {}
    with session_scope(context.sessions) as session:
        for key, scopes in kept.items():
            written[key] = stored.persist(session, key, scopes)
    return {"stored": written}


REFRESH_FIGURES = JobKind(
    name="publish.refresh-figures",
    params=RefreshParams,
    run=run_refresh,
    description="Count what changed since the dashboards' kept figures and store them again.",
)
REFRESH_PERIODIC = PeriodicJob(
    name="publish.refresh-figures", kind="publish.refresh-figures", every_seconds=600
)
