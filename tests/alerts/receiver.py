"""A real HTTP receiver on loopback for the webhook tests: up, down, slow or refusing."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class Receiver:
    """Records every POST (headers and body); answers ``status`` after ``delay`` seconds.

    ``down()`` closes the socket so connections are refused; ``up()`` listens
    again on the same port. It listens on ``address`` (another loopback address
    than 127.0.0.1 too), and over TLS when given a server context; then
    ``server_names`` records the name each client asked for (SNI).
    """

    def __init__(
        self, address: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None
    ) -> None:
        if not port:
            with socket.socket() as sock:
                sock.bind((address, 0))
                port = sock.getsockname()[1]
        self.address = address
        self.port = port
        self.url = f"http://{address}:{self.port}/hook"
        self.received: list[dict[str, Any]] = []
        self.server_names: list[str | None] = []
        self.status = 200
        self.delay = 0.0
        self.tls = tls
        if tls is not None:
            tls.sni_callback = lambda _sock, name, _context: self.server_names.append(name)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def up(self) -> Receiver:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if owner.delay:
                    time.sleep(owner.delay)
                owner.received.append(
                    {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                )
                try:
                    self.send_response(owner.status)
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender gave up waiting (the slow receiver's test)

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer((self.address, self.port), Handler)
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def tls_for(name: str, folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context with a certificate for ``name`` only (no address), and its CA's file.

    A client that trusts the CA accepts the certificate only when it checks it
    against ``name``: against the address it connected to, it fails.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)

    def certificate(subject: str, key: Any, issuer: str, signer: Any, ca: bool) -> Any:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
        else:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False
            )
        return builder.sign(signer, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = certificate("Marsad test CA", ca_key, "Marsad test CA", ca_key, ca=True)
    leaf = certificate(name, key, "Marsad test CA", ca_key, ca=False)
    pem = serialization.Encoding.PEM
    ca_file, chain, key_file = folder / "ca.pem", folder / "chain.pem", folder / "key.pem"
    ca_file.write_bytes(ca.public_bytes(pem))
    chain.write_bytes(leaf.public_bytes(pem))
    key_file.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain, key_file)
    return context, ca_file
