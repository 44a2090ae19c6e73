"""The posts capability's background work: ``posts.ingest``, what ``marsad ingest`` does.

The job calls the same service function as the CLI (:func:`marsad.posts.service.ingest`),
so it stores the same posts and leaves the same audit record. It is resumable: after
each committed batch it saves how far it got (an :class:`IngestCursor`), and a job
delivered again after its worker died skips what is committed, without opening the
files it finished. Nothing is doubled either way: ingest stores a post once per
(platform, post id) and completes the stored row with what a repeat adds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from marsad.core import audit
from marsad.core.errors import InvalidInput, MarsadError
from marsad.core.i18n import gettext as _
from marsad.core.jobs.kinds import JobContext, JobKind
from marsad.posts import service
from marsad.posts.ingest import IngestCursor, input_files
from marsad.posts.sources import available_sources, make_source


class IngestParams(BaseModel):
    """What ``marsad ingest`` takes: a format, a file or folder, and for csv/jsonl a map."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    source: str = Field(description="The export format: telegram, x, crowdtangle, youtube…")
    path: str = Field(description="A file, or a folder of files, on the worker's disk.")
    map_: str | None = Field(
        default=None,
        alias="map",
        description="csv/jsonl only: FIELD=COLUMN,… (id and text required).",
    )
    platform: str = Field(default="other", description="csv/jsonl only: the posts' platform.")
    watchlist: str | None = Field(
        default=None, description="Add every account seen to this watchlist."
    )

    @field_validator("source")
    @classmethod
    def _known_source(cls, value: str) -> str:
        if value not in available_sources():
            known = ", ".join(sorted(available_sources()))
            raise ValueError(f"unknown format {value!r}; one of: {known}")
        return value

    @field_validator("path")
    @classmethod
    def _some_path(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a file or folder to ingest is required")
        return value

    def model_post_init(self, _context: Any) -> None:
        """Check the map and platform the way the adapter will, before the job is queued."""
        try:
            make_source(self.source, mapping=self.map_, platform=self.platform)
        except MarsadError as exc:
            raise ValueError(f"{exc.where}: {exc.message}" if exc.where else exc.message) from None


def run_ingest(context: JobContext, params: IngestParams) -> dict[str, Any]:
    """Ingest ``params.path`` from the job's cursor on; the result is `marsad ingest --json`'s."""
    path = Path(params.path)
    if not path.exists():
        # Checked here, not only when queued: the file may vanish before a worker (or a
        # second delivery) gets to it, and the job must then fail saying so.
        raise InvalidInput(
            "err_posts_ingest_input_missing",
            _("The file or folder to ingest, {path}, does not exist on this worker.").format(
                path=params.path
            ),
            where="path",
        )
    files = input_files([path], params.source)
    sizes = [f.stat().st_size for f in files]
    total = sum(sizes) or 1

    def committed(cursor: IngestCursor) -> None:
        context.save_cursor(cursor.to_json())
        context.progress(min(sum(sizes[: cursor.file]) / total, 1.0))

    result = service.ingest(
        sessions=context.sessions,
        fmt=params.source,
        paths=[path],
        mapping=params.map_,
        platform=params.platform,
        watchlist=params.watchlist,
        actor=context.requested_by or audit.SYSTEM,
        resume=IngestCursor.from_json(context.cursor()),
        on_commit=committed,
    )
    if result.read == 0:
        first = result.errors[0] if result.errors else None
        raise InvalidInput(
            "err_posts_ingest_nothing_usable",
            _("Nothing usable was found in {path}; nothing was stored.").format(path=params.path),
            where=f"{first['file']} {first['position']}" if first else "path",
            reason=first["reason"] if first else None,
        )
    context.progress(1.0)
    return result.to_json()


JOB_KINDS = [
    JobKind(
        name="posts.ingest",
        params=IngestParams,
        run=run_ingest,  # type: ignore[arg-type]
        description="Ingest posts from a platform export, as `marsad ingest` does.",
    )
]
