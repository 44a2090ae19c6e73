"""The labelling queue: evaluation sample first, uncertain and random posts, no near-copies."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from marsad.core.db import session_scope
from marsad.core.models import AuditRecord
from marsad.detect.cli import app
from marsad.detect.learning import labels
from marsad.detect.learning.queue import evaluation_sample, sample_posts
from marsad.detect.learning.sampling import choose_for_labelling
from marsad.detect.model import load_default_model
from marsad.detect.train import dedupe_key
from tests.detect.learning.conftest import store_posts

runner = CliRunner()


@pytest.fixture
def small_eval(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MARSAD_LEARNING_EVAL_SIZE", "4")


def queue(task: str = "offensive", size: int = 12) -> dict:
    result = runner.invoke(app, ["queue", "--task", task, "--size", str(size), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_queue_prints_posts_with_why_each_was_chosen(cli_database, stored, small_eval) -> None:
    doc = queue(size=12)
    posts = doc["posts"]
    assert len(posts) == 12
    assert all({"id", "text", "reason"} <= set(p) for p in posts)
    assert all(stored[p["text"]] == p["id"] for p in posts)  # any stored post, none flagged
    reasons = [p["reason"] for p in posts]
    # The frozen evaluation sample comes first, then the uncertain ones and a random few.
    assert reasons[:4] == ["evaluation"] * 4 and "evaluation" not in reasons[4:]
    assert reasons.count("random") == 2 and reasons.count("uncertain") == 6
    keys = [dedupe_key(p["text"]) for p in posts]
    assert len(set(keys)) == len(keys)


def test_uncertain_posts_are_those_the_model_is_least_sure_of(
    cli_database, stored, small_eval
) -> None:
    posts = queue(size=20)["posts"]
    model = load_default_model()
    cut = model.thresholds["offensive"]
    texts = list(stored)
    margin = dict(zip(texts, abs(model.score(texts)["offensive"] - cut), strict=True))
    uncertain = [p["text"] for p in posts if p["reason"] == "uncertain"]
    others = {p["text"] for p in posts if p["reason"] != "uncertain"}
    pool = sorted((t for t in texts if t not in others), key=margin.__getitem__)
    # Each is among the twice-as-many posts nearest the threshold (then spread over topics).
    assert len(uncertain) == 13
    assert max(pool.index(t) for t in uncertain) < 2 * len(uncertain)
    mean = sum(margin.values()) / len(margin)
    assert sum(margin[t] for t in uncertain) / len(uncertain) < 0.8 * mean


def test_near_copies_and_labelled_posts_are_not_asked_again(cli_database, monkeypatch) -> None:
    monkeypatch.setenv("MARSAD_LEARNING_EVAL_SIZE", "0")  # the frozen sample is asked in full
    base = "يا كلب يا حقير الله يلعنك"
    texts = [base, f"@someone {base}!!", f"{base} https://t.co/x", "مبروك للفريق الفوز"]
    texts += [f"منشور عادي عن الطقس رقم {i} {'ابدا' * (i % 3)}" for i in range(30)]
    ids = store_posts(cli_database, texts)
    with session_scope(cli_database) as session:
        labels.record_label(
            session, post_pk=ids[3], task="offensive", value=0, labelled_by="mona", source="queue"
        )
    offered = {p["id"] for p in queue(size=30)["posts"]}
    assert len(offered & set(ids[:3])) <= 1  # three copies: at most one is asked
    assert ids[3] not in offered  # labelled already
    with session_scope(cli_database) as session:
        labels.record_label(
            session, post_pk=ids[0], task="offensive", value=1, labelled_by="mona", source="queue"
        )
    offered = {p["id"] for p in queue(size=30)["posts"]}
    assert not offered & set(ids[:3])  # copies of a labelled post are not asked either


def test_evaluation_sample_is_drawn_once_and_audited(cli_database, stored, small_eval) -> None:
    first = queue(size=2)["posts"]
    second = queue(size=6)["posts"]
    assert [p["id"] for p in second[:2]] == [p["id"] for p in first]  # same frozen posts
    with session_scope(cli_database) as session:
        sample = evaluation_sample(session, task="offensive")
        assert sample is not None and sample.size == 4
        assert [i.reason for i in sample_posts(session, sample_id=sample.id)] == ["evaluation"] * 4
        actions = session.execute(select(AuditRecord.action)).scalars().all()
    assert actions.count("labels.evaluation_sample_drawn") == 1
    assert actions.count("labels.queue_drawn") == 2


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--task", "sarcasm"], "sarcasm"),
        (["--task", "offensive", "--size", "0"], "--size"),
        (["--task", "offensive", "--size", "5000"], "--size"),
    ],
)
def test_queue_refuses_bad_options_in_one_line(cli_database, args: list[str], needle: str) -> None:
    result = runner.invoke(app, ["queue", *args, "--json"])
    assert result.exit_code == 2
    assert needle in result.stderr and "Traceback" not in result.output


def test_choose_spreads_random_and_uncertain_picks() -> None:
    texts = [f"topic{i % 7} word{i} filler text {i}" for i in range(200)]
    scores = [i / 200 for i in range(200)]
    picks = choose_for_labelling(texts, scores, threshold=0.5, size=20, random_share=0.25, seed=3)
    assert len(picks) == 20
    assert sum(p.reason == "random" for p in picks) == 5
    uncertain = [p for p in picks if p.reason == "uncertain"]
    assert all(abs(p.score - 0.5) <= 0.1 for p in uncertain)  # from the 30 nearest (2 x 15)
    again = choose_for_labelling(texts, scores, threshold=0.5, size=20, random_share=0.25, seed=3)
    assert again == picks  # a seed makes the draw repeatable
