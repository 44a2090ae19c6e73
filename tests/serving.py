"""A real `marsad serve` process, for the tests of the server itself: signals, logs, threads."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

MARSAD = [sys.executable, "-c", "from marsad.cli.main import main; main()"]


def free_port() -> int:
    """A loopback port nothing listens on (the kernel's pick)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(
    env: Mapping[str, str],
    *,
    cwd: Path | None = None,
    stderr: Any = subprocess.PIPE,
    upgrade: bool = False,
    wait: float = 60.0,
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Run `marsad serve` on a free port until /health answers; yield it and its base URL.

    ``upgrade`` runs `marsad db upgrade` first. The server is killed on the
    way out if the test has not stopped it itself.
    """
    if upgrade:
        upgraded = subprocess.run(  # noqa: S603 - our own CLI
            [*MARSAD, "db", "upgrade"], env=env, cwd=cwd, capture_output=True, timeout=120
        )
        assert upgraded.returncode == 0, upgraded.stderr
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - our own CLI
        [*MARSAD, "serve", "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    try:
        deadline = time.monotonic() + wait
        while True:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            try:
                urllib.request.urlopen(base + "/health", timeout=1)  # noqa: S310 - loopback
                break
            except OSError:
                assert time.monotonic() < deadline, "marsad serve did not start"
                time.sleep(0.2)
        yield server, base
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)
