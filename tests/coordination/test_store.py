"""Without --input, coordination reads the posts store: ingest, then detect."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.cli.main import app
from marsad.posts.ingest import ingest_files

MAPPING = "id=id,author=author,text=text,created_at=created_at"


def _posts(path: Path) -> Path:
    start = datetime(2026, 10, 1, tzinfo=UTC)
    rows = []
    # Organic: 60 accounts, each linking its own stories now and then.
    for n in range(300):
        at = start + timedelta(minutes=37 * n)
        rows.append(
            {
                "id": f"o{n}",
                "author": f"user{n % 60}",
                "text": f"خبر اليوم https://news{n % 60}.example/story/{n}",
                "created_at": at.isoformat(),
            }
        )
    # A ring of four accounts pushes the same six links within seconds, day after day.
    for k in range(6):
        at = start + timedelta(days=k, hours=3)
        for j in range(4):
            rows.append(
                {
                    "id": f"r{k}-{j}",
                    "author": f"ring{j}",
                    "text": f"شاهدوا الحقيقة https://campaign.example/p/{k}",
                    "created_at": (at + timedelta(seconds=5 * j)).isoformat(),
                }
            )
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_detect_reads_stored_posts(engine, settings, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = ingest_files(
        fmt="jsonl", paths=[_posts(tmp_path / "p.jsonl")], engine=engine, mapping=MAPPING
    )
    assert result.inserted == 324
    monkeypatch.setenv("MARSAD_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("MARSAD_SECRET_KEY", settings.secret_key)
    out = CliRunner().invoke(app, ["coordination", "detect", "--method", "links", "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["input"]["posts"] == 324
    groups = [sorted(c["accounts"]) for c in doc["clusters"]]
    assert groups == [[f"other:ring{j}" for j in range(4)]]
    # Read from the store, the run is saved, and the summary says under which id (in
    # the operator's language).
    monkeypatch.setenv("MARSAD_LANGUAGE", "ar")
    human = CliRunner().invoke(app, ["coordination", "detect", "--method", "links"])
    assert human.exit_code == 0, human.output
    assert "في مجموعة واحدة" in human.stdout  # one group, in Arabic's singular form
    assert "حُفظت عملية الرصد برقم" in human.stdout
    assert doc["run_id"] not in human.stdout  # a second run, with its own id
