"""The weekly detect.train-candidate job: trains a candidate, or says why it did not."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from marsad.core.db import session_scope
from marsad.core.i18n import current_language
from marsad.core.jobs.scheduler import schedule
from marsad.core.settings import Settings
from marsad.detect.learning.jobs import JOB_KINDS, WEEK, TrainCandidateParams
from marsad.detect.learning.models import ModelVersion
from marsad.detect.learning.settings import LearningSettings
from tests.detect.learning.conftest import iraqi, label_posts
from tests.detect.test_jobs import Context

[KIND] = JOB_KINDS


def with_learning(settings: Settings, **values: object) -> Settings:
    return Settings(**settings.model_dump(), learning=LearningSettings(**values))


def versions(sessions) -> int:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        return session.execute(select(func.count()).select_from(ModelVersion)).scalar_one()


def run(settings, engine, sessions) -> dict:  # type: ignore[no-untyped-def]
    return KIND.run(Context(settings, engine, sessions), TrainCandidateParams())


def test_scheduler_submits_it_weekly(settings) -> None:
    every = {item.job.name: item.every for item in schedule(settings)}
    assert every["detect.train-candidate"] == WEEK


def test_without_public_data_or_labels_it_trains_nothing_and_says_why(
    settings,
    engine,
    sessions,
    shared_data: Path,
) -> None:
    result = run(with_learning(settings), engine, sessions)
    assert result["candidate"] is None and "MARSAD_LEARNING_SHARED_DATA" in result["reason"]
    label_posts(sessions, iraqi(30, 0))
    result = run(with_learning(settings, learning_shared_data=shared_data), engine, sessions)
    assert (
        result["candidate"] is None and "offensive" in result["reason"] and "30" in result["reason"]
    )
    assert versions(sessions) == 0


def test_it_registers_a_candidate_once_per_new_labels(
    settings,
    engine,
    sessions,
    shared_data: Path,
    tmp_path: Path,
) -> None:
    label_posts(sessions, [*iraqi(6, 1), *iraqi(6, 0)])
    chosen = with_learning(settings, learning_shared_data=shared_data, learning_min_labels=5)
    result = run(chosen, engine, sessions)
    assert result["candidate"] and result["status"] == "candidate"
    assert Path(result["model"]).is_file()
    assert Path(result["model"]).is_relative_to(settings.data_dir / "models")
    token = current_language.set("en")
    try:
        again = run(chosen, engine, sessions)
    finally:
        current_language.reset(token)
    assert again["candidate"] is None and "no new labels" in again["reason"]
    assert versions(sessions) == 1
