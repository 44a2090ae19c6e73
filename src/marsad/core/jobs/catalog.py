"""Where the jobs layer finds job kinds and periodic jobs: the capability registry.

These two functions are the only place that asks. When the registry is merged
they become ``get_registry(settings).job_kinds()`` and
``get_registry(settings).periodic_jobs()``.
"""

from __future__ import annotations

from typing import Any

from marsad.core.jobs.kinds import JobKind, PeriodicJob


def registered_kinds(settings: Any) -> dict[str, JobKind]:
    """Every job kind the enabled capabilities declare, by name."""
    return {kind.name: kind for kind in _hook_results(settings, "marsad_job_kinds")}


def registered_periodic_jobs(settings: Any) -> list[PeriodicJob]:
    """Every periodic job the enabled capabilities declare."""
    return list(_hook_results(settings, "marsad_periodic_jobs"))


def _hook_results(settings: Any, hook: str) -> list[Any]:  # noqa: ARG001
    """The flattened results of one registry hook (the registry is not wired in yet)."""
    return []
