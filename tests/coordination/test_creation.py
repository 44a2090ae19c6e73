"""Account creation dates: bursts of new accounts, groups created together, copy-paste share."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from marsad.coordination import runs
from marsad.coordination.cli import app
from marsad.coordination.creation import DAY, creation_bursts, group_creation
from marsad.coordination.service import detect_coordination
from marsad.coordination.signals import account_signals, copy_paste_share
from marsad.coordination.table import PostTable
from tests.conftest import csrf_from
from tests.coordination.test_store import MAPPING, _posts

T0 = 1_500_000_000
runner = CliRunner()


def _organic(seed: int, n: int, *, years: float = 3, growth: float = 0.0) -> np.ndarray:
    """Creation times over ``years``, uniform or growing as ``exp(growth · t / span)``."""
    rng = np.random.default_rng(seed)
    u = rng.random(n)
    frac = u if growth == 0 else np.log1p(u * np.expm1(growth)) / growth
    return (T0 + frac * years * 365 * DAY).astype(np.int64)


def test_a_registration_drive_is_a_burst_and_nothing_else_is() -> None:
    organic = _organic(1, 3000)
    farm = (T0 // DAY + 400) * DAY + np.random.default_rng(2).integers(0, 3 * DAY, size=60)
    bursts = creation_bursts(np.concatenate([organic, farm]))
    assert len(bursts) == 1
    (burst,) = bursts
    assert burst.start <= farm.min() and burst.end + DAY > farm.max()
    assert burst.accounts > 4 * burst.expected
    doc = burst.to_json()
    assert doc["days"] <= 4 and set(doc) == {
        "start",
        "end",
        "days",
        "accounts",
        "expected",
        "surprise",
    }


@pytest.mark.parametrize("seed", range(12))
def test_organic_creation_with_growth_has_no_burst(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    created = _organic(seed, int(rng.integers(200, 20_000)), years=5, growth=3.0)
    assert creation_bursts(created) == []


def test_bursts_need_data_and_a_baseline() -> None:
    assert creation_bursts([]) == []
    assert creation_bursts([T0] * 4) == []
    # Everyone created on one day: no days around it to compare with.
    assert creation_bursts([T0 + k for k in range(50)]) == []


def test_a_group_created_together_is_concentrated_and_a_random_one_is_not() -> None:
    organic = _organic(3, 3000)
    farm = (T0 // DAY + 400) * DAY + np.random.default_rng(4).integers(0, 3 * DAY, size=60)
    created = {f"o{i}": int(t) for i, t in enumerate(organic)}
    created |= {f"f{i}": int(t) for i, t in enumerate(farm)}
    bursts = creation_bursts(np.fromiter(created.values(), dtype=np.int64))
    members = [f"f{i}" for i in range(8)] + ["o1", "o2", "unknown"]
    made = group_creation(members, created, bursts=bursts)
    assert made.members == 11 and made.dated == 10 and made.together >= 8
    assert made.concentrated and made.surprise > 5 and made.in_bursts == 8
    scattered = group_creation([f"o{i}" for i in range(12)], created, bursts=bursts)
    assert not scattered.concentrated and scattered.surprise < 2
    nothing = group_creation(["x", "y"], created)
    assert nothing.dated == 0 and not nothing.concentrated
    assert nothing.to_json()["start"] is None


def _ring_table() -> PostTable:
    rows = []
    for k in range(6):
        for j in range(4):
            rows.append(
                {
                    "account_id": f"ring{j}",
                    "post_id": f"r{k}-{j}",
                    "timestamp": 10_000 * k + 5 * j,
                    "url": f"https://campaign.example/p/{k}",
                }
            )
    for n in range(200):
        rows.append(
            {
                "account_id": f"user{n % 40}",
                "post_id": f"o{n}",
                "timestamp": 977 * n,
                "url": f"https://news.example/{n}",
            }
        )
    return PostTable.from_rows(rows)


def test_detect_adds_creation_keys_only_when_creation_times_are_given() -> None:
    table = _ring_table()
    plain = detect_coordination(table, methods=["links"]).to_json()
    assert "creation_bursts" not in plain and "creation" not in plain["clusters"][0]
    created = {f"user{i}": T0 + i * 9 * DAY for i in range(40)}
    created |= {f"ring{j}": T0 + 200 * DAY + j * 3600 for j in range(4)}
    doc = detect_coordination(table, methods=["links"], created=created).to_json()
    assert set(plain) < set(doc) and doc["input"]["dated_accounts"] == 44
    assert doc["creation_bursts"] == []  # four accounts are not a burst
    (cluster,) = doc["clusters"]
    assert set(plain["clusters"][0]) | {"creation"} == set(cluster)
    assert cluster["creation"]["together"] == 4 and cluster["creation"]["concentrated"]


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _posts_csv(path: Path) -> Path:
    rows = [[r["post_id"], r["account_id"], r["timestamp"], r["url"]] for r in _ring_rows()]
    return _write(path, ["post_id", "account_id", "timestamp", "url"], rows)


def _ring_rows() -> list[dict[str, object]]:
    table = _ring_table()
    return [
        {
            "post_id": table.post_id[i],
            "account_id": table.accounts[table.account[i]],
            "timestamp": int(table.time[i]),
            "url": table.url[i],
        }
        for i in range(len(table))
    ]


def test_cli_detect_with_accounts_file(tmp_path: Path) -> None:
    posts = _posts_csv(tmp_path / "posts.csv")
    accounts = _write(
        tmp_path / "accounts.csv",
        ["account_id", "registered_at"],
        [[f"user{i}", T0 + i * 9 * DAY] for i in range(40)]
        + [[f"ring{j}", f"2018-01-0{j + 1}T10:00:00Z"] for j in range(4)],
    )
    args = ["detect", "--input", str(posts), "--method", "links", "--accounts", str(accounts)]
    out = runner.invoke(app, [*args, "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["creation_bursts"] == []
    creation = doc["clusters"][0]["creation"]
    assert creation["start"] == "2018-01-01" and creation["end"] == "2018-01-04"


def _error(args: list[str]) -> tuple[int, str]:
    out = runner.invoke(app, args)
    return out.exit_code, out.output


def test_cli_accounts_file_errors_are_one_line(tmp_path: Path) -> None:
    posts = _posts_csv(tmp_path / "posts.csv")
    base = ["detect", "--input", str(posts), "--method", "links", "--json", "--accounts"]
    bad = _write(
        tmp_path / "bad.csv",
        ["account_id", "created_at"],
        [["user1", "2020-01-01"], ["user2", "last spring"]],
    )
    code, out = _error([*base, str(bad)])
    assert code == 2 and "row 2" in out and "created_at 'last spring'" in out
    assert "Traceback" not in out and len(out.strip().splitlines()) == 1
    undated = _write(tmp_path / "undated.csv", ["account_id", "handle"], [["user1", "u"]])
    code, out = _error([*base, str(undated)])
    assert code == 2 and "no account has a created_at or registered_at" in out
    nameless = _write(tmp_path / "nameless.csv", ["id", "created_at"], [["user1", "2020"]])
    code, out = _error([*base, str(nameless)])
    assert code == 2 and "account_id" in out
    code, out = _error([*base, str(tmp_path / "nope.csv")])
    assert code == 2 and "no such file" in out


def test_copy_paste_share_counts_only_other_accounts_texts() -> None:
    text = "the same message pasted word for word by many accounts today"
    rows = [
        {"account_id": "p1", "timestamp": 1, "text": text},
        {"account_id": "p1", "timestamp": 2, "text": "something entirely of my own making here"},
        {"account_id": "p2", "timestamp": 3, "text": text},
        # Repeating oneself is not copy-paste from another account.
        {"account_id": "solo", "timestamp": 4, "text": "my own slogan said again and again"},
        {"account_id": "solo", "timestamp": 5, "text": "my own slogan said again and again"},
    ]
    table = PostTable.from_rows(rows)
    share = dict(zip(table.accounts.tolist(), copy_paste_share(table).tolist(), strict=True))
    assert share == {"p1": 0.5, "p2": 1.0, "solo": 0.0}
    assert "copy_paste" in account_signals(table)
    assert "copy_paste" not in account_signals(table, copy_paste=False)
    no_text = PostTable.from_rows([{"account_id": "a", "timestamp": 1, "url": "x.com/1"}])
    assert np.isnan(copy_paste_share(no_text)).all()
    # Detection with the text method lists the same shares, non-zero ones only.
    doc = detect_coordination(table, methods=["text"]).to_json()
    assert doc["copy_paste"] == {"p1": 0.5, "p2": 1.0}
    with_links = PostTable.from_rows(
        [*rows, {"account_id": "p3", "timestamp": 6, "url": "x.com/1"}]
    )
    assert "copy_paste" not in detect_coordination(with_links, methods=["links"]).to_json()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_store_registration_times_absent_or_present(
    engine, sessions, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from marsad.coordination.params import RunParams
    from marsad.core.db import session_scope
    from marsad.posts import read as posts_read
    from marsad.posts.ingest import ingest_files

    ingest_files(fmt="jsonl", paths=[_posts(tmp_path / "p.jsonl")], engine=engine, mapping=MAPPING)
    with session_scope(sessions) as session:
        # Today's store: no registered_at key (or None) -> no creation keys at all.
        assert runs.store_registered(session) is None
    run = runs.start_run(sessions, actor="t", params=RunParams(methods=["links"]))
    assert "creation_bursts" not in run.result
    assert "creation" not in run.result["clusters"][0]

    real = posts_read.iter_account_profiles

    def with_registration(*, session):  # type: ignore[no-untyped-def]
        for row in real(session=session):
            name = row["account_id"]
            number = int(name.removeprefix("other:").removeprefix("ring").removeprefix("user"))
            day = 900 + number if "ring" in name else 13 * number
            yield {**row, "registered_at": T0 + day * DAY if name != "other:user1" else None}

    monkeypatch.setattr(posts_read, "iter_account_profiles", with_registration)
    with session_scope(sessions) as session:
        created = runs.store_registered(session)
        assert created is not None and "other:ring0" in created and "other:user1" not in created
    run = runs.start_run(sessions, actor="t", params=RunParams(methods=["links"]))
    assert run.result["creation_bursts"] == []
    assert run.result["clusters"][0]["creation"]["concentrated"]


def test_cluster_and_run_pages_show_creation(admin_client, engine, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from marsad.posts import read as posts_read
    from marsad.posts.ingest import ingest_files

    ingest_files(fmt="jsonl", paths=[_posts(tmp_path / "p.jsonl")], engine=engine, mapping=MAPPING)
    real = posts_read.iter_account_profiles

    def with_registration(*, session):  # type: ignore[no-untyped-def]
        for row in real(session=session):
            name = row["account_id"]
            number = int(name.removeprefix("other:").removeprefix("ring").removeprefix("user"))
            day = 900 + number if "ring" in name else 13 * number
            yield {**row, "registered_at": T0 + day * DAY}

    monkeypatch.setattr(posts_read, "iter_account_profiles", with_registration)
    page = admin_client.get("/staff/coordination?lang=en")
    started = admin_client.post(
        "/staff/coordination",
        data={"csrf_token": csrf_from(page.text), "methods": ["links"], "window": "60"},
        follow_redirects=False,
    )
    run_url = started.headers["location"]
    assert "Bursts of new accounts" in admin_client.get(run_url + "?lang=en").text
    cluster = admin_client.get(f"{run_url}/clusters/1?lang=en").text
    assert "When the accounts were created" in cluster
    assert "4 of the 4 members with a known creation date" in cluster
    assert "Created together" in cluster
