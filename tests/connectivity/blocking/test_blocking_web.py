"""The public blocked list and measurement pages, their JSON twins, and ``ooni:`` references."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from marsad.connectivity.blocking.service import blocked_now, import_files
from marsad.core.refs import resolve_ref

from .helpers import EARTHLINK, blockpage, web, write_jsonl


@pytest.fixture
def stored(sessions, tmp_path: Path) -> dict:  # type: ignore[type-arg]
    path = write_jsonl(
        tmp_path / "iq.jsonl",
        [
            web(
                1,
                "https://blocked.example/",
                blocking="http-diff",
                requests=blockpage("Powered By FortiGuard"),
            ),
            web(2, "https://dns.example/", blocking="dns"),
            web(3, "https://open.example/", blocking=False, accessible=True),
        ],
    )
    import_files(sessions, paths=[path], actor="test")
    with sessions() as session:
        return blocked_now(session)


def test_the_public_page_lists_blocked_targets_with_links(client, stored) -> None:
    page = client.get("/connectivity/blocked")
    assert page.status_code == 200
    html = page.text
    assert "https://blocked.example/" in html and "https://dns.example/" in html
    assert "https://open.example/" not in html
    assert f"AS{EARTHLINK}" in html and "EarthLink Telecommunications" in html
    assert "cl.prod_fortiguard_webfilter_poweredby" in html
    for target in stored["networks"][0]["targets"]:
        for m in target["measurements"]:
            assert f'href="{m["url"]}"' in html
            assert m["explorer_url"] in html
    assert "<script" not in html  # works without JavaScript
    assert 'dir="rtl"' in html  # Arabic first


def test_the_json_twin_is_the_same_document(client, stored) -> None:
    assert client.get("/api/v1/connectivity/blocked").json() == stored
    only = client.get("/api/v1/connectivity/blocked?confirmed_only=true").json()
    assert [t["target"] for t in only["networks"][0]["targets"]] == ["https://blocked.example/"]
    html = client.get("/connectivity/blocked?confirmed_only=true").text
    assert "https://dns.example/" not in html


def test_history_api_gives_each_day_per_network(client, stored) -> None:
    doc = client.get(
        "/api/v1/connectivity/history", params={"target": "https://dns.example/"}
    ).json()
    assert doc["networks"] == [
        {
            "asn": EARTHLINK,
            "network": "EarthLink Telecommunications",
            "days": [
                {
                    "day": "2025-03-10",
                    "status": "anomaly",
                    "basis": "measurements",
                    "counts": {"anomaly": 1},
                }
            ],
        }
    ]
    assert client.get("/api/v1/connectivity/history").status_code == 422


def test_bad_filters_are_named_with_a_4xx(client, stored) -> None:
    bad = client.get("/api/v1/connectivity/blocked?since=last-week")
    assert bad.status_code == 422
    assert bad.json()["where"] == "since"
    assert client.get("/connectivity/blocked?country=IRQ").status_code == 422


def test_a_measurement_page_shows_its_evidence(client, stored) -> None:
    entry = stored["networks"][0]["targets"][0]
    link = entry["measurements"][0]
    page = client.get(link["url"])
    assert page.status_code == 200
    assert "cl.prod_fortiguard_webfilter_poweredby" in page.text
    assert link["ref"] in page.text
    twin = client.get(f"/api/v1/connectivity/measurements/{link['uid']}").json()
    assert twin["evidence"]["fingerprint"] == "cl.prod_fortiguard_webfilter_poweredby"
    assert "probe_ip" not in page.text and "127.0.0.1" not in page.text
    missing = client.get("/connectivity/measurements/nope")
    assert missing.status_code == 404
    assert client.get("/api/v1/connectivity/measurements/nope").json()["error"] == (
        "err_connectivity_measurement_not_found"
    )


def test_ooni_references_resolve_through_the_registry(settings, sessions, stored) -> None:
    from marsad.core.errors import InvalidInput
    from marsad.core.plugins import get_registry

    types = get_registry(settings).references()
    link = stored["networks"][0]["targets"][0]["measurements"][0]
    with sessions() as session:
        found = resolve_ref(session, link["ref"], types)
        assert (found.kind, found.url, found.public) == ("ooni", link["url"], True)
        assert "https://blocked.example/" in found.title and "confirmed" in found.title
        by_id = resolve_ref(session, f"ooni:{link['id']}", types)
        assert by_id.ref == link["ref"]
        with pytest.raises(InvalidInput) as caught:
            resolve_ref(session, "ooni:no-such-measurement", types)
        assert caught.value.code == "err_ref_not_found"


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_blocked_page_reads_on_a_phone_and_a_desktop(live_server, browser, stored) -> None:
    shots = Path("/tmp/shots-conn-blocking")
    shots.mkdir(exist_ok=True)
    link = stored["networks"][0]["targets"][0]["measurements"][0]
    for width, height in ((390, 844), (1280, 900)):
        context = browser.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=False
        )
        page = context.new_page()
        page.goto(live_server + "/connectivity/blocked")
        assert page.locator("section.card").count() == 1
        page.screenshot(path=str(shots / f"blocked-{width}.png"), full_page=True)
        # nothing spills out sideways on a phone: the page is no wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.click(f'a[href="{link["url"]}"]')
        expect(page.locator("h1")).to_have_count(1)
        page.screenshot(path=str(shots / f"measurement-{width}.png"), full_page=True)
        context.close()


def test_demo_data_shows_blocking_once(settings, engine, sessions) -> None:
    from marsad.connectivity.blocking.demo import load_demo
    from marsad.core.plugins import DemoContext

    context = DemoContext(settings=settings, engine=engine, sessions=sessions)
    assert load_demo(context) == ["OONI demo measurements stored: 4"]
    assert load_demo(context) == []
    with sessions() as session:
        doc = blocked_now(session, country="IQ")
    statuses = {t["target"]: t["status"] for n in doc["networks"] for t in n["targets"]}
    assert statuses == {
        "https://blocked.example/": "confirmed",
        "https://news.example/": "anomaly",
        "telegram": "anomaly",
    }
