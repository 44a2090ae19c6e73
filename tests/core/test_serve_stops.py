"""`marsad serve` (and so `make demo`) ends cleanly when asked to stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

MARSAD = [sys.executable, "-c", "from marsad.cli.main import main; main()"]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serve_exits_zero_on_ctrl_c_or_sigterm(tmp_path: Path, stop: signal.Signals) -> None:
    env = {
        **os.environ,
        "MARSAD_DATA_DIR": str(tmp_path),
        "MARSAD_DATABASE_URL": f"sqlite:///{tmp_path / 'marsad.db'}",
        "MARSAD_SECRET_KEY": "x" * 40,
        "MARSAD_ENV": "dev",
    }
    env.pop("MARSAD_CONFIG_FILE", None)
    upgraded = subprocess.run(  # noqa: S603 - our own CLI
        [*MARSAD, "db", "upgrade"], env=env, cwd=tmp_path, capture_output=True, timeout=120
    )
    assert upgraded.returncode == 0, upgraded.stderr
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603 - our own CLI
        [*MARSAD, "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        server.send_signal(stop)
        _out, err = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, err.decode()
    assert b"Traceback" not in err
