"""An account's copy-paste share comes from the latest run over texts, never a store scan."""

from __future__ import annotations

import json
import random
import re
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from marsad.coordination import runs
from marsad.core.db import session_scope
from marsad.posts import read as posts_read
from marsad.posts.ingest import ingest_files
from tests.conftest import csrf_from

MAPPING = "id=id,author=author,text=text,created_at=created_at"
RING = [f"other:paste{j}" for j in range(4)]


def _words(rng: random.Random, n: int) -> str:
    return " ".join("".join(rng.choices(string.ascii_lowercase, k=6)) for _ in range(n))


def _posts(path: Path) -> Path:
    rng = random.Random(7)
    start = datetime(2026, 10, 1, tzinfo=UTC)
    rows: list[dict[str, Any]] = []
    # Twenty ordinary accounts, each writing its own words (and linking its own site).
    for n in range(200):
        rows.append(
            {
                "id": f"o{n}",
                "author": f"user{n % 20}",
                "text": f"{_words(rng, 9)} https://news{n % 20}.example/{n}",
                "created_at": (start + timedelta(minutes=41 * n)).isoformat(),
            }
        )
    # Four accounts paste the same six texts within seconds, and write two of their own.
    for k in range(6):
        text = _words(rng, 10)
        at = start + timedelta(days=k, hours=5)
        for j in range(4):
            rows.append(
                {
                    "id": f"p{k}-{j}",
                    "author": f"paste{j}",
                    "text": text,
                    "created_at": (at + timedelta(seconds=4 * j)).isoformat(),
                }
            )
    for j in range(4):
        for k in range(2):
            rows.append(
                {
                    "id": f"q{j}-{k}",
                    "author": f"paste{j}",
                    "text": _words(rng, 8),
                    "created_at": (start + timedelta(days=k, hours=9, minutes=j)).isoformat(),
                }
            )
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def stored(engine, tmp_path):  # type: ignore[no-untyped-def]
    ingest_files(fmt="jsonl", paths=[_posts(tmp_path / "p.jsonl")], engine=engine, mapping=MAPPING)


def _run(client, methods: list[str]) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/staff/coordination?lang=en")
    started = client.post(
        "/staff/coordination",
        data={"csrf_token": csrf_from(page.text), "methods": methods, "window": "60"},
        follow_redirects=False,
    )
    assert started.status_code == 303
    return str(started.headers["location"]).rsplit("/", 1)[1]


def _copy_paste_cell(html: str) -> str:
    row = html.split("Share of copy-paste", 1)[1]
    return row.split("</tr>", 1)[0]


def test_share_from_the_latest_text_run(admin_client, stored, sessions) -> None:
    page = admin_client.get(f"/staff/coordination/accounts/{RING[0]}?lang=en")
    assert page.status_code == 200
    assert "Not measured yet" in _copy_paste_cell(page.text)

    # A run without the text method measures nothing.
    _run(admin_client, ["links"])
    page = admin_client.get(f"/staff/coordination/accounts/{RING[0]}?lang=en")
    assert "Not measured yet" in _copy_paste_cell(page.text)

    run_id = _run(admin_client, ["text"])
    with session_scope(sessions) as session:
        run = runs.get_run(session, run_id=run_id)
        # Only accounts with a non-zero share are listed: the four that paste.
        assert run.result["copy_paste"] == dict.fromkeys(RING, 0.75)
        when = run.created_at
    cell = _copy_paste_cell(
        admin_client.get(f"/staff/coordination/accounts/{RING[0]}?lang=en").text
    )
    assert "75%" in cell and f"/staff/coordination/runs/{run_id}" in cell
    page = admin_client.get(f"/staff/coordination/accounts/{RING[0]}?lang=en").text
    assert f"/staff/coordination/runs/{run_id}/clusters/1" in page  # the group it is in
    # On screen in Baghdad's time (UTC+3), stored in UTC.
    assert (when + timedelta(hours=3)).strftime("%Y-%m-%d %H:%M") in cell
    organic = _copy_paste_cell(
        admin_client.get("/staff/coordination/accounts/other:user3?lang=en").text
    )
    assert "0%" in organic and "Not measured" not in organic

    # A later run without text does not hide the measurement.
    _run(admin_client, ["links"])
    cell = _copy_paste_cell(
        admin_client.get(f"/staff/coordination/accounts/{RING[1]}?lang=en").text
    )
    assert "75%" in cell and run_id in cell


def test_account_first_seen_after_the_run_is_not_measured(
    admin_client, stored, engine, tmp_path
) -> None:
    _run(admin_client, ["text"])
    late = tmp_path / "late.jsonl"
    late.write_text(
        json.dumps(
            {
                "id": "late1",
                "author": "newcomer",
                "text": "a text the run has never seen at all",
                "created_at": "2026-10-02T10:00:00+00:00",
            }
        ),
        encoding="utf-8",
    )
    ingest_files(fmt="jsonl", paths=[late], engine=engine, mapping=MAPPING)
    page = admin_client.get("/staff/coordination/accounts/other:newcomer?lang=en")
    assert "Posts per day" in page.text
    assert "Not measured yet" in _copy_paste_cell(page.text)


def test_account_page_reads_only_the_account(admin_client, stored, engine, monkeypatch) -> None:
    _run(admin_client, ["text"])
    read: list[int] = []
    reader = posts_read.iter_share_rows

    def counting(**kwargs: Any) -> Any:
        for row in reader(**kwargs):
            read.append(1)
            yield row

    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    monkeypatch.setattr(posts_read, "iter_share_rows", counting)
    event.listen(engine, "before_cursor_execute", record)
    try:
        page = admin_client.get(f"/staff/coordination/accounts/{RING[2]}?lang=en")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert "75%" in _copy_paste_cell(page.text)
    assert len(read) == 8  # the account's own posts, of 240 stored
    on_posts = [s for s in statements if "FROM posts" in s]
    assert on_posts and all("posts.account_id =" in s for s in on_posts), on_posts
    # Run documents are read in parts (clusters, copy-paste shares), never whole:
    # at 1M posts one is about 10 MB, mostly edges.
    uses = [
        m.groups()
        for s in statements
        for m in re.finditer(r"(JSON_EXTRACT\()?coordination_runs\.result\b(\s*(?:->|#>))?", s)
    ]
    assert uses and all(inside or arrow for inside, arrow in uses), statements
