"""A plugin that declares a job kind the example plugin already declares (refused)."""

from __future__ import annotations

from marsad.core.jobs.kinds import JobKind
from marsad.core.plugins import hookimpl
from tests.core.plugin_example import CountParams, count

NAME = "example-twin"


@hookimpl
def marsad_job_kinds() -> list[JobKind]:
    return [JobKind("example.count", CountParams, count)]
