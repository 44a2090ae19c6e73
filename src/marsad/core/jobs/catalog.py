"""Where the jobs layer finds job kinds and periodic jobs: the capability registry.

These two functions are the only place that asks, so a runner, the CLI and the
API all see the kinds of the plugins the settings enable (``MARSAD_PLUGINS``,
``MARSAD_DISABLED_PLUGINS``).
"""

from __future__ import annotations

from typing import Any

from marsad.core.jobs.kinds import JobKind, PeriodicJob


def registered_kinds(settings: Any) -> dict[str, JobKind]:
    """Every job kind the enabled capabilities declare, by name."""
    from marsad.core.plugins import get_registry

    return get_registry(settings).job_kinds()


def registered_periodic_jobs(settings: Any) -> list[PeriodicJob]:
    """Every periodic job the enabled capabilities declare."""
    from marsad.core.plugins import get_registry

    return get_registry(settings).periodic_jobs()
