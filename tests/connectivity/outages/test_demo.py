"""The demo's connectivity sample: events on the timeline and a calendar that matches some."""

from __future__ import annotations

from marsad.connectivity.outages.demo import load_demo


def test_demo_sample_fills_the_timeline_once(sessions, client) -> None:  # type: ignore[no-untyped-def]
    lines = load_demo(sessions)
    assert lines[0].startswith("connectivity signals stored: ")
    assert load_demo(sessions) == []  # a second `marsad demo` adds nothing
    events = client.get("/api/v1/connectivity/events").json()["events"]
    assert {e["scope"] for e in events} == {"national", "regional", "network"}
    from marsad.connectivity.outages import schedule

    with sessions() as session:
        match = schedule.match(session)
    assert len(match["announced_and_measured"]) == 1
    assert len(match["announced_not_measured"]) == 1
    assert match["measured_not_announced"]
