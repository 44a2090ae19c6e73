"""Forwarded headers count only from MARSAD_TRUSTED_PROXIES: a forged one cannot dodge the limit."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from marsad.core.errors import ConfigError
from marsad.core.settings import load_settings
from tests.conftest import use_report_settings

LIMIT = 3
REPORT = {"title": "Checkpoint", "category": "threat"}


def _post(client, forwarded_for: str | None) -> int:  # type: ignore[no-untyped-def]
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/api/v1/reports", json=REPORT, headers=headers).status_code


@pytest.mark.parametrize("peer", ["203.0.113.9", "127.0.0.1"])
def test_forged_forwarded_for_is_ignored_without_trusted_proxies(app, peer):  # type: ignore[no-untyped-def]
    use_report_settings(app, reports_rate_limit=LIMIT)
    with TestClient(app, client=(peer, 40000)) as client:
        codes = [_post(client, f"198.51.100.{n}") for n in range(LIMIT + 1)]
    # A different forged address each time, yet one connection's address is what counts.
    assert codes == [201] * LIMIT + [429]


def test_trusted_proxy_passes_the_real_client_on(app, settings):  # type: ignore[no-untyped-def]
    app.state.settings = settings.model_copy(update={"trusted_proxies": "127.0.0.1, 10.0.0.0/8"})
    use_report_settings(app, reports_rate_limit=LIMIT)
    with TestClient(app, client=("127.0.0.1", 40000)) as proxy:
        first = [_post(proxy, "198.51.100.1") for _ in range(LIMIT + 1)]
        other = _post(proxy, "198.51.100.2")
        # A client that prepends a made-up hop is still counted by its own address,
        # the right-most one not belonging to a trusted proxy.
        forged_chain = _post(proxy, "6.6.6.6, 198.51.100.1, 10.1.2.3")
    assert first == [201] * LIMIT + [429]
    assert other == 201
    assert forged_chain == 429
    with TestClient(app, client=("203.0.113.9", 40000)) as stranger:
        # Not a trusted proxy: its header is ignored and it has its own allowance.
        assert _post(stranger, "198.51.100.1") == 201


def test_an_invalid_trusted_proxy_is_a_config_error():
    with pytest.raises(ConfigError) as caught:
        load_settings(trusted_proxies="127.0.0.1, proxy.example.org")
    assert caught.value.where == "MARSAD_TRUSTED_PROXIES"
    assert "proxy.example.org" in caught.value.message


def test_marsad_serve_ignores_forwarded_for_from_loopback(settings, engine):  # type: ignore[no-untyped-def]  # noqa: ARG001
    """The real server: uvicorn must not rewrite the client from a header sent to 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "MARSAD_ENV": "test",
        "MARSAD_DATA_DIR": str(settings.data_dir),
        "MARSAD_DATABASE_URL": settings.resolved_database_url,
        "MARSAD_SECRET_KEY": settings.secret_key,
        "MARSAD_REPORTS_RATE_LIMIT": str(LIMIT),
        "MARSAD_TRUSTED_PROXIES": "",
        "MARSAD_JOBS_EMBEDDED_SCHEDULER": "false",  # no periodic job (some use the network)
    }
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "marsad.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            try:
                httpx.get(base + "/health", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "marsad serve did not start"
                time.sleep(0.3)
        with httpx.Client(base_url=base, timeout=30) as client:
            codes = [_post(client, f"198.51.100.{n}") for n in range(LIMIT + 1)]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert codes == [201] * LIMIT + [429]
