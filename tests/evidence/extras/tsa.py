"""A real RFC 3161 time-stamping authority on loopback, for the tests: ``openssl ts -reply``.

The test makes its own CA and TSA certificate with the openssl command line,
then answers every POSTed ``TimeStampReq`` with what ``openssl ts -reply``
signs. Nothing is mocked: the tokens are the bytes a real TSA would send.
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CONFIG = """\
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/ca.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256

[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash

[ v3_tsa ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
"""


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_pki(folder: Path, *, name: str = "Marsad Test") -> Path:
    """A CA and a TSA certificate it issued, in ``folder``; returns the openssl config."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "tsa.cnf"
    config.write_text(CONFIG.format(dir=folder))
    # The same TSA, configured to accept SHA-512 imprints only: it answers "rejection".
    picky = CONFIG.format(dir=folder).replace(
        "digests = sha256, sha384, sha512", "digests = sha512"
    )
    (folder / "tsa-sha512-only.cnf").write_text(picky)
    (folder / "serial").write_text("01\n")
    _openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
             "-out", "ca.key", cwd=folder)  # fmt: skip
    _openssl("req", "-new", "-x509", "-key", "ca.key", "-out", "ca.crt", "-days", "30",
             "-subj", f"/CN={name} CA", "-config", str(config), "-extensions", "v3_ca",
             cwd=folder)  # fmt: skip
    _openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
             "-out", "tsa.key", cwd=folder)  # fmt: skip
    _openssl("req", "-new", "-key", "tsa.key", "-out", "tsa.csr", "-subj", f"/CN={name} TSA",
             cwd=folder)  # fmt: skip
    _openssl("x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "tsa.crt", "-days", "30", "-extfile", str(config),
             "-extensions", "v3_tsa", cwd=folder)  # fmt: skip
    return config


@dataclass
class LocalTsa:
    """A running TSA: its URL, its CA certificate file, and a switch to refuse requests."""

    url: str
    ca_file: Path
    folder: Path
    server: ThreadingHTTPServer
    requests: int = 0
    refuse: bool = False
    reject: bool = False

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_tsa(folder: Path) -> LocalTsa:
    """Make the PKI in ``folder`` and serve ``openssl ts -reply`` on a loopback port."""
    config = make_pki(folder)
    lock = threading.Lock()
    holder: dict[str, LocalTsa] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server name
            tsa = holder["tsa"]
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock, tempfile.TemporaryDirectory() as tmp:
                tsa.requests += 1
                query, reply = Path(tmp, "q.tsq"), Path(tmp, "r.tsr")
                query.write_bytes(body)
                if tsa.refuse:
                    # A TSA in trouble: up, but answering an HTTP error.
                    code, data = 503, b"service unavailable"
                else:
                    used = folder / "tsa-sha512-only.cnf" if tsa.reject else config
                    done = subprocess.run(
                        ["openssl", "ts", "-reply", "-config", str(used), "-queryfile",
                         str(query), "-out", str(reply)],
                        capture_output=True, check=False,
                    )  # fmt: skip
                    ok = done.returncode == 0 and reply.exists()
                    code, data = (200, reply.read_bytes()) if ok else (500, done.stderr)
            self.send_response(code)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tsa = LocalTsa(
        url=f"http://127.0.0.1:{server.server_address[1]}/tsr",
        ca_file=folder / "ca.crt",
        folder=folder,
        server=server,
    )
    holder["tsa"] = tsa
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return tsa


def closed_port_url() -> str:
    """A loopback URL on which nothing listens (a TSA that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsr"
