"""The contract between the jobs layer and the capabilities that give it work.

A capability declares each kind of background work once, as a ``JobKind``
returned from its ``marsad_job_kinds`` hook. The jobs layer validates
parameters with ``params``, stores the job, and calls ``run`` on whichever
runner is configured (in-process, or a Celery worker). ``run`` must be
idempotent and resumable: it reads ``context.cursor()``, does a bounded piece
of work, commits it, and calls ``context.save_cursor(...)``, so a job delivered
again after its worker was killed continues where the last commit left it and
neither loses nor doubles anything.

A kind that can be split (``plan``/``merge``) is run as shards: ``plan`` turns
the parameters into a list of shard parameters (e.g. post-id ranges), every
shard is a job of the same kind that any worker may take, and ``merge``
combines the shard results into the parent job's result. Running the shards
gives exactly what one ``run`` over the whole gives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel


class JobContext(Protocol):
    """What a running job sees."""

    job_id: str
    requested_by: str | None
    settings: Any  # marsad.core.settings.Settings
    engine: Any  # sqlalchemy.Engine
    sessions: Any  # sqlalchemy.orm.sessionmaker

    def progress(self, fraction: float, note: str | None = None) -> None:
        """Record progress between 0 and 1 (cheap; may be called often)."""

    def cursor(self) -> Any:
        """The last cursor saved by this job (JSON value), or None on a first run."""

    def save_cursor(self, value: Any) -> None:
        """Persist a resume point; call it after committing the work it covers."""

    def cancelled(self) -> bool:
        """True once someone cancelled the job: stop at the next safe point."""


@dataclass(frozen=True)
class JobKind:
    """One kind of background work.

    ``run`` returns a JSON-serialisable result. It raises ``marsad.core.errors.MarsadError``
    for a failure the user should see (its ``code`` and message become the job's error);
    anything else is recorded as ``err_job_crashed``.
    """

    name: str
    params: type[BaseModel]
    run: Callable[[JobContext, BaseModel], dict[str, Any]]
    description: str = ""
    plan: Callable[[JobContext, BaseModel], list[BaseModel]] | None = None
    merge: Callable[[JobContext, BaseModel, list[dict[str, Any]]], dict[str, Any]] | None = None


@dataclass(frozen=True)
class PeriodicJob:
    """A job ``marsad scheduler`` submits every ``every_seconds`` (settings may override)."""

    name: str
    kind: str
    every_seconds: int
    params: dict[str, Any] | None = None
    #: The job asks another host of its own accord (an outside API, not a URL staff
    #: gave): ``marsad demo`` leaves it out unless ``MARSAD_JOBS_SCHEDULE`` names it.
    external: bool = False
