"""docs/jobs.md shows code that the tests run, not a sketch that may have rotted."""

from __future__ import annotations

import inspect

from tests.conftest import REPO
from tests.core.jobs import jobkinds


def test_the_jobs_guide_shows_the_tested_kind() -> None:
    text = (REPO / "docs" / "jobs.md").read_text(encoding="utf-8")
    for part in (jobkinds.StepsParams, jobkinds.run_steps):
        assert inspect.getsource(part) in text, "run python -m cogapp -r docs/jobs.md"


def test_the_jobs_guide_lists_every_jobs_setting() -> None:
    from marsad.core.settings import setting_docs

    text = (REPO / "docs" / "jobs.md").read_text(encoding="utf-8")
    names = [name for name, _default, _help in setting_docs()]
    jobs_names = [n for n in names if n.startswith("MARSAD_JOBS_") or n == "MARSAD_BROKER_URL"]
    assert len(jobs_names) == 8
    for name in jobs_names:
        assert f"`{name}`" in text, f"{name} is missing from docs/jobs.md"
