"""The coordination.run job: split by object, merged, it saves what one process saves.

The job runs against a real database through a small hand-written JobContext
(what the jobs layer gives a running job); nothing is mocked.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from marsad.coordination import runs
from marsad.coordination.jobs import JOB_KINDS, CoordinationJobParams
from marsad.coordination.models import CoordinationRun
from marsad.coordination.params import make_params
from marsad.coordination.sharding import decode_part
from marsad.core.db import session_scope
from marsad.core.errors import InvalidInput, MarsadError
from marsad.core.models import AuditRecord
from marsad.posts.ingest import ingest_files
from tests.conftest import shared_path
from tests.coordination.test_statuses import _cli, cli_env  # noqa: F401 - the fixture
from tests.coordination.test_store import MAPPING, _posts

[KIND] = JOB_KINDS
GOLDEN = Path(__file__).resolve().parent / "data" / "coortweet_edges_loops_removed.csv"


class Context:
    """What the jobs layer hands a running job, minus the queue: a real database, no broker."""

    def __init__(self, engine: Any, sessions: sessionmaker[Session], settings: Any, job_id: str):
        self.job_id = job_id
        self.requested_by: str | None = "mona"
        self.settings = settings
        self.engine = engine
        self.sessions = sessions
        self.notes: list[tuple[float, str | None]] = []
        self._cursor: Any = None

    def progress(self, fraction: float, note: str | None = None) -> None:
        assert 0.0 <= fraction <= 1.0
        self.notes.append((fraction, note))

    def cursor(self) -> Any:
        return self._cursor

    def save_cursor(self, value: Any) -> None:
        self._cursor = value

    def cancelled(self) -> bool:
        return False


def _cib_as_x_lines(path: Path) -> Path:
    """CooRTweet's sample as flat twarc2 lines: each share a retweet of its object.

    The shares of the accounts in CooRTweet's own edge list, and the first 3,000
    others (the whole sample takes half a minute to ingest on a busy machine).
    """
    with GOLDEN.open(newline="") as handle:
        coordinated = {a for r in csv.DictReader(handle) for a in (r["from"], r["to"])}
    cib = shared_path("formats", "cib_coordination", "cooRTweet_russian_coord_tweets.csv")
    with cib.open(newline="") as handle, path.open("w", encoding="utf-8") as out:
        for n, r in enumerate(csv.DictReader(handle)):
            if n >= 3000 and r["account_id"] not in coordinated:
                continue
            at = datetime.fromtimestamp(int(r["timestamp_share"]), UTC)
            line = {
                "id": r["content_id"],
                "author_id": r["account_id"],
                "text": f"RT @source: {r['object_id'][:10]} #روسيا",
                "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "referenced_tweets": [{"type": "retweeted", "id": r["object_id"]}],
            }
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path


@pytest.fixture
def store(engine, tmp_path):  # type: ignore[no-untyped-def]
    """The CIB sample as re-shares on X, beside a ring that pushes the same links."""
    cib_lines = _cib_as_x_lines(tmp_path / "cib.jsonl")
    cib = ingest_files(fmt="x", paths=[cib_lines], engine=engine)
    assert cib.rejected == 0 and cib.inserted > 3000
    ring = ingest_files(
        fmt="jsonl", paths=[_posts(tmp_path / "ring.jsonl")], engine=engine, mapping=MAPPING
    )
    assert ring.inserted == 324


def _sharded(context: Context, params: CoordinationJobParams) -> tuple[dict, list[dict]]:
    """Plan, run every shard, merge: what the jobs layer does with a split kind."""
    assert KIND.plan is not None and KIND.merge is not None
    shard_params = KIND.plan(context, params)
    parts = [KIND.run(context, p) for p in shard_params]
    return KIND.merge(context, params, parts), parts


def _counted(part: dict[str, Any]) -> int:
    """How many (account pair, object) co-actions a shard's part holds."""
    counted = decode_part(part["part"])
    if counted.counts is not None:
        return int(counted.counts.pair_key.size)
    return sum(int(older.size) for older, _newer in counted.pairs.values())


def _document(run: CoordinationRun) -> dict[str, Any]:
    doc = dict(run.result)
    doc.pop("seconds")  # how long it took: the one thing two identical runs differ in
    return doc


def _audit(sessions: sessionmaker[Session], run_id: str) -> list[tuple[str, str, dict]]:
    with session_scope(sessions) as session:
        rows = session.execute(
            select(AuditRecord).where(AuditRecord.subject_id == run_id)
        ).scalars()
        return [(r.actor, r.action, r.details) for r in rows]


@pytest.mark.parametrize(
    "values",
    [
        {},  # every method, scored against chance
        {"methods": ["shares"], "window": 10, "min_repeat": 5},  # CooRTweet's model
        {"methods": ["links", "hashtags"], "min_repeat": 2},
    ],
    ids=["all-surprise", "shares-count", "links-hashtags"],
)
def test_plan_shards_and_merge_save_what_one_process_saves(
    engine, sessions, settings, store, values
) -> None:
    params = CoordinationJobParams(**values, shards=3)
    whole = Context(engine, sessions, settings, "job-whole")
    one = KIND.run(whole, params)
    split = Context(engine, sessions, settings, "job-split")
    merged, parts = _sharded(split, params)

    assert sorted(p["shard"] for p in parts) == [0, 1, 2]
    # Every shard counted co-actions: the objects were dealt out, not left to one.
    assert all(_counted(p) > 0 for p in parts)
    with session_scope(sessions) as session:
        a = runs.get_run(session, run_id=one["run_id"])
        b = runs.get_run(session, run_id=merged["run_id"])
        assert a.id != b.id
        assert (a.posts, a.clusters, a.parameters) == (b.posts, b.clusters, b.parameters)
        assert a.clusters >= 1
        # Same clusters, same members, same edges with the same weights, same evidence.
        assert _document(a) == _document(b)
        assert a.created_by == b.created_by == "mona"
    assert [r[1:] for r in _audit(sessions, one["run_id"])] == [
        r[1:] for r in _audit(sessions, merged["run_id"])
    ]
    assert whole.notes[-1][0] == split.notes[-1][0] == 1.0


def test_the_shares_default_is_coortweets_model_in_every_shell(
    engine, sessions, settings, store
) -> None:
    done = KIND.run(
        Context(engine, sessions, settings, "j1"),
        CoordinationJobParams(methods=["shares"], window=10, min_repeat=5),
    )
    assert done["parameters"]["weighting"] == "count"
    assert make_params(methods=["shares", "links"]).chosen_weighting() == "surprise"
    with session_scope(sessions) as session:
        run = runs.get_run(session, run_id=done["run_id"])
        ring = [c for c in run.result["clusters"] if "other:ring0" in c["accounts"]]
        assert ring == []  # the ring shares links, not posts
        assert run.result["methods"]["shares"]["edges"] > 0


def test_a_shard_run_twice_or_a_merge_run_twice_doubles_nothing(
    engine, sessions, settings, store
) -> None:
    params = CoordinationJobParams(shards=2)
    context = Context(engine, sessions, settings, "job-again")
    [first, second] = KIND.plan(context, params)
    part0 = KIND.run(context, first)
    again = KIND.run(context, first)  # delivered again after its worker died
    assert again == part0
    part1 = KIND.run(context, second)
    merged = KIND.merge(context, params, [part0, again, part1])
    reference = KIND.run(Context(engine, sessions, settings, "job-one"), params)
    # The merge is delivered again too: it finds the run it saved.
    assert KIND.merge(context, params, [part0, part1]) == merged
    with session_scope(sessions) as session:
        saved = session.execute(select(CoordinationRun)).scalars().all()
        assert len(saved) == 2
        a = runs.get_run(session, run_id=merged["run_id"])
        b = runs.get_run(session, run_id=reference["run_id"])
        assert _document(a) == _document(b)
    assert len(_audit(sessions, merged["run_id"])) == 1


def test_merge_refuses_a_missing_part_or_a_store_that_changed(
    engine, sessions, settings, store, tmp_path
) -> None:
    params = CoordinationJobParams(methods=["links"], shards=2)
    context = Context(engine, sessions, settings, "job-refused")
    parts = [KIND.run(context, p) for p in KIND.plan(context, params)]
    with pytest.raises(MarsadError) as missing:
        KIND.merge(context, params, parts[:1])
    assert missing.value.code == "err_coordination_shards"
    assert "shard 1 of 2" in missing.value.message

    more = tmp_path / "more.jsonl"
    more.write_text(
        json.dumps(
            {
                "id": "late",
                "author": "late_comer",
                "text": "https://campaign.example/p/9",
                "created_at": "2026-10-09T00:00:00+00:00",
            }
        ),
        encoding="utf-8",
    )
    ingest_files(fmt="jsonl", paths=[more], engine=engine, mapping=MAPPING)
    with pytest.raises(MarsadError) as changed:
        KIND.merge(context, params, parts)
    assert changed.value.code == "err_coordination_shards"
    assert "changed" in changed.value.message
    with session_scope(sessions) as session:
        assert session.execute(select(CoordinationRun)).first() is None


def test_job_parameters_are_checked_before_any_work() -> None:
    with pytest.raises(ValidationError) as unknown:
        CoordinationJobParams(methods=["links", "likes"])
    assert "likes" in str(unknown.value)
    with pytest.raises(ValidationError):
        CoordinationJobParams(shards=2, shard=2)
    with pytest.raises(ValidationError):
        CoordinationJobParams(colour="red")
    with pytest.raises(InvalidInput) as bad:
        make_params(window=-1)
    assert bad.value.where == "window"
    with pytest.raises(InvalidInput) as method:
        make_params(methods=["likes"])
    assert (method.value.code, method.value.where) == ("err_coordination_method", "methods")


@pytest.mark.usefixtures("cli_env")
def test_cli_service_and_job_runs_of_the_same_parameters_are_the_same_run(
    engine, sessions, settings, store, tmp_path
) -> None:
    """`marsad coordination detect` on the store, the service call and the job agree.

    Shares alone and no --weighting: every shell takes the service's default
    (CooRTweet's count weighting), saves the run and audits it the same way.
    """
    args = ["detect", "--method", "shares", "--window", "10", "--min-repeat", "5"]
    code, doc, err = _cli(*args, "--export", str(tmp_path / "net.csv"), "--json")
    assert code == 0, err
    service_run = runs.start_run(
        sessions,
        actor="mona",
        params=make_params(methods=["shares"], window=10, min_repeat=5),
    )
    service_id = service_run.id
    job = KIND.run(
        Context(engine, sessions, settings, "job-parity"),
        CoordinationJobParams(methods=["shares"], window=10, min_repeat=5),
    )
    with session_scope(sessions) as session:
        cli_run = runs.get_run(session, run_id=doc["run_id"])
        assert cli_run.created_by == "cli"
        assert cli_run.parameters["weighting"] == "count"
        printed = {k: v for k, v in doc.items() if k not in ("run_id", "seconds")}
        assert printed == _document(cli_run)
        for other in (service_id, job["run_id"]):
            assert _document(runs.get_run(session, run_id=other)) == _document(cli_run)
    trails = [_audit(sessions, i) for i in (doc["run_id"], service_id, job["run_id"])]
    assert [t[0][0] for t in trails] == ["cli", "mona", "mona"]
    assert trails[0][0][1:] == trails[1][0][1:] == trails[2][0][1:]
    assert trails[0][0][1] == "coordination.run"
    edges = (tmp_path / "net.csv").read_text(encoding="utf-8").splitlines()
    assert len(edges) == 1 + len(doc["edges"])  # the export is the saved run's network


@pytest.mark.usefixtures("cli_env")
def test_cli_names_the_option_at_fault() -> None:
    code, _doc, err = _cli("detect", "--window", "-5", "--json")
    assert code == 2 and "--window" in err
    code, _doc, err = _cli("detect", "--method", "links,likes", "--json")
    assert code == 2 and "--method" in err and "likes" in err
