"""import-signals and detect-outages as a user runs them, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from sqlalchemy import func, select

from marsad.connectivity.outages.models import ConnectivityEvent
from marsad.connectivity.outages.synthetic import generate, score, write_csv

from .conftest import run_cli

# Made-up ASNs of the generator renamed to real Iraqi networks of both regions.
RENAME = {"AS64512": "AS21277", "AS64513": "AS50710", "AS64514": "AS203214",
          "AS64515": "AS48492", "AS64516": "AS58322", "AS64517": "AS199739"}  # fmt: skip


def _signals(tmp_path: Path) -> tuple[Path, list]:  # type: ignore[type-arg]
    generated = generate(networks=6, days=21, outages=6, seed=23)
    series = [
        type(s)(
            s.entity_type,
            RENAME.get(s.entity_code, s.entity_code),
            s.source,
            s.timestamps,
            s.values,
        )  # fmt: skip
        for s in generated.series
    ]
    path = tmp_path / "signals.csv"
    write_csv(series, path)
    return path, generated.planted


def test_import_then_detect_finds_the_planted_events(cli_env, tmp_path, sessions) -> None:  # type: ignore[no-untyped-def]
    path, planted = _signals(tmp_path)
    code, doc, err = run_cli("import-signals", str(path), "--json")
    assert code == 0, err
    assert doc["rejected"] == 0 and doc["points"] > 80_000
    code, doc, err = run_cli("detect-outages", "--json")
    assert code == 0, err
    assert list(doc) == ["events"]
    found = [(_epoch(e["start"]), _epoch(e["end"]), e["scope"]) for e in doc["events"]]
    precision, recall = score(found, planted)
    assert precision >= 0.9 and recall >= 0.9
    regional = [e for e in doc["events"] if e["scope"] == "regional"]
    # The generator's Kurdistan networks (every third) are Newroz and IQ Networks here.
    assert any(set(e["entities"]) == {"AS21277", "AS48492"} for e in regional)
    assert any(
        set(e["entities"]) == {"AS50710", "AS203214", "AS58322", "AS199739"} for e in regional
    )
    with sessions() as session:
        stored = session.scalar(select(func.count()).select_from(ConnectivityEvent))
    assert stored == len(doc["events"])
    # Importing and detecting again doubles nothing.
    assert run_cli("import-signals", str(path), "--json")[0] == 0
    code, again, _ = run_cli("detect-outages", "--json")
    assert again == doc
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ConnectivityEvent)) == stored


def _epoch(text: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def test_bad_rows_are_rejected_with_file_and_row_and_the_rest_is_kept(cli_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "messy.csv"
    path.write_text(
        "entity_type,entity_code,source,timestamp,value\n"
        "asn,AS50710,bgp,1780000200,10\n"
        "asn,AS50710,bgp,1780000000,11\n"  # out of order: sorted, kept
        "asn,AS50710,bgp,1780000200,12\n"  # duplicate timestamp
        "planet,X,bgp,1780000500,1\n"
        "asn,AS50710,bgp,yesterday,1\n"
        "asn,AS50710,bgp,2026-05-29T00:10:00Z,\n"  # a missing value: a gap
        "asn,AS50710,bgp,1780000900,-3\n"
        "asn,AS50710\n",
        encoding="utf-8",
    )
    code, doc, err = run_cli("import-signals", str(path), "--json")
    assert code == 3, err
    result = doc["files"][0]
    assert result["points"] == 2 and result["gaps"] == 1 and result["reordered"] == 1
    reasons = {e["where"]: e["reason"] for e in result["errors"]}
    assert reasons["messy.csv: row 4"].startswith("duplicate timestamp")
    assert "entity_type" in reasons["messy.csv: row 5"]
    assert "timestamp" in reasons["messy.csv: row 6"]
    assert "≥ 0" in reasons["messy.csv: row 8"]
    assert "cells" in reasons["messy.csv: row 9"]


def test_a_file_without_the_columns_is_refused_in_one_line(cli_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "wrong.csv"
    path.write_text("time,value\n1,2\n", encoding="utf-8")
    code, doc, err = run_cli("import-signals", str(path), "--json")
    assert code == 2 and doc is None
    assert "wrong.csv: row 1" in err and "entity_type" in err and "Traceback" not in err


def test_ioda_api_json_and_jsonl_are_read(cli_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ioda = tmp_path / "ioda.json"
    ioda.write_text(
        json.dumps(
            {
                "data": [
                    [
                        {
                            "entityType": "asn",
                            "entityCode": "50710",
                            "datasource": "bgp",
                            "from": 1780000000,
                            "until": 1780000900,
                            "step": 300,
                            "values": [5, None, 7],
                        }
                    ]
                ]
            }  # fmt: skip
        ),
        encoding="utf-8",
    )
    code, doc, err = run_cli("import-signals", str(ioda), "--json")
    assert code == 0, err
    assert doc["files"][0]["points"] == 2 and doc["files"][0]["gaps"] == 1
    lines = tmp_path / "rows.jsonl"
    lines.write_text(
        '{"entity_type": "country", "entity_code": "iq", "source": "bgp", '
        '"timestamp": 1780000000, "value": 3}\nnot json\n',
        encoding="utf-8",
    )
    code, doc, _ = run_cli("import-signals", str(lines), "--json")
    assert code == 3
    assert doc["files"][0]["errors"][0]["where"] == "rows.jsonl: line 2"


def test_each_new_detected_event_is_announced_once(sessions, settings) -> None:  # type: ignore[no-untyped-def]
    from marsad.connectivity.outages import service
    from marsad.connectivity.outages.store import write_series
    from marsad.core.db import session_scope
    from marsad.core.settings import Settings

    # The module the registry loads by name (pytest may import this file under another name).
    listener = importlib.import_module("tests.connectivity.outages.listener")
    listening = Settings(
        **{**settings.model_dump(), "plugins": "tests.connectivity.outages.listener"}
    )
    generated = generate(networks=4, days=14, outages=3, seed=4)
    listener.HEARD.clear()
    with session_scope(sessions) as session:
        write_series(session, generated.series)
        document = service.detect_outages(session, actor="test", settings=listening)
    heard = [payload for name, payload in listener.HEARD if name == "connectivity.outage"]
    assert len(heard) == document["created"] == len(document["events"]) == 3
    assert {p["scope"] for p in heard} == {e["scope"] for e in document["events"]}
    assert set(heard[0]) == {"event_id", "scope", "entities", "start", "end"}
    with session_scope(sessions) as session:
        service.detect_outages(session, actor="test", settings=listening)
    assert len(listener.HEARD) == 3  # nothing new, nothing announced again


def _import(sessions, path, errors: list[BaseException]) -> None:  # type: ignore[no-untyped-def]
    """Import a signals file in its own transaction (a thread's body); keep what it raised."""
    from marsad.connectivity.outages import service
    from marsad.core.db import session_scope

    try:
        with session_scope(sessions) as session:
            service.import_signals(session, path=path, actor="test")
    except BaseException as exc:  # noqa: BLE001 - reported by the caller's assertion
        errors.append(exc)


def test_two_imports_of_one_series_at_once_store_it_once(sessions, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import threading

    from marsad.connectivity.outages.store import read_series

    generated = generate(networks=2, days=10, outages=1, seed=9, sources=("bgp",), country=False)
    path = tmp_path / "same.csv"
    write_csv(generated.series, path)
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_import, args=(sessions, path, errors)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sessions() as session:
        stored = read_series(session)
    assert [len(s.timestamps) for s in stored] == [len(s.timestamps) for s in generated.series]


def test_a_writer_waits_its_turn_behind_a_long_import_whatever_the_lock_timeout(  # type: ignore[no-untyped-def]
    settings, engine, tmp_path
) -> None:
    """On PostgreSQL the connections' lock_timeout is for web requests, not queued writers."""
    import threading
    import time

    from sqlalchemy import text

    from marsad.connectivity.outages.store import WRITE_LOCK, read_series
    from marsad.core.db import make_engine, session_factory
    from marsad.core.settings import Settings

    quick = Settings(**{**settings.model_dump(), "postgres_lock_timeout": 0.2})
    sessions = session_factory(make_engine(quick), quick)
    generated = generate(networks=2, days=10, outages=1, seed=4, sources=("bgp",), country=False)
    path = tmp_path / "queued.csv"
    write_csv(generated.series, path)
    errors: list[BaseException] = []
    with engine.connect() as other:  # another import holding the writers' lock for 1 s
        if engine.dialect.name == "postgresql":
            other.execute(text("SELECT pg_advisory_lock(:key)"), {"key": WRITE_LOCK})
        queued = threading.Thread(target=_import, args=(sessions, path, errors))
        queued.start()
        time.sleep(1.0)
        if engine.dialect.name == "postgresql":
            other.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": WRITE_LOCK})
        other.commit()
    queued.join(timeout=60)
    assert errors == []
    with sessions() as session:
        assert [len(s.timestamps) for s in read_series(session)] == [
            len(s.timestamps) for s in generated.series
        ]
