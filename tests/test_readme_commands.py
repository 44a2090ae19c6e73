"""The README's two commands work from a clean clone: `make demo` serves, `make test` is CI's."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.xdist_group("clean-clone")
def test_make_demo_from_a_clean_clone(tmp_path: Path) -> None:
    if shutil.which("make") is None or shutil.which("git") is None:
        pytest.fail("make and git are needed to check the README's commands")
    clone = tmp_path / "marsad"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True, timeout=120)
    # Uncommitted work in this checkout is part of what is being tested.
    for path in subprocess.run(
        ["git", "ls-files", "-m", "-o", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines():
        target = clone / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if (REPO / path).is_file():
            shutil.copy2(REPO / path, target)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MARSAD_", "VIRTUAL_ENV"))}
    env["PATH"] = ":".join(p for p in env["PATH"].split(":") if ".venv" not in p)
    process = subprocess.Popen(
        ["make", "demo", f"DEMO_ARGS=--port {port}"],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 420
        body = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(1)
        assert body is not None, "make demo did not serve /health"
        assert '"status":"ok"' in body.replace(" ", "")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            assert 'dir="rtl"' in r.read().decode()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=30)[0]
    assert "Admin login: username admin  password " in output
    assert (clone / "data" / "marsad.db").exists()
