"""Forwarded headers, honoured only from the proxies named in ``MARSAD_TRUSTED_PROXIES``.

Anyone can send ``X-Forwarded-For``. Trusting it from every client (or, as
uvicorn does by default, from 127.0.0.1, where a local reverse proxy *and* any
local attacker connect from) lets a client pick the address the per-address
limits count, and so escape them. ``marsad serve`` therefore runs uvicorn with
its proxy handling off and this middleware decides instead: when the
connection comes from a trusted proxy, the client is the right-most address
in ``X-Forwarded-For`` that is not itself a trusted proxy, and the scheme is
``X-Forwarded-Proto``; from anyone else both headers are ignored.

The address only lives in the request's scope while it is handled: the rate
limiter keeps a keyed hash of it in memory, and nothing stores or logs it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str) -> list[Network]:
    """Addresses or networks separated by commas (``10.0.0.5, 192.168.0.0/24``)."""
    return [
        ipaddress.ip_network(part.strip(), strict=False)
        for part in value.split(",")
        if part.strip()
    ]


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address: str | None, networks: Iterable[Network]) -> bool:
    parsed = _address(address) if address else None
    return parsed is not None and any(parsed in net for net in networks)


def forwarded_client(forwarded_for: str, networks: list[Network]) -> str | None:
    """The client address in an ``X-Forwarded-For`` value sent by a trusted proxy, or None."""
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        parsed = _address(hop)
        if parsed is None:
            return None  # garbage: keep the proxy's own address
        if not any(parsed in net for net in networks):
            return str(parsed)
    return str(_address(hops[0])) if hops else None


class TrustedProxyMiddleware:
    """Take the client address and scheme from forwarded headers, from trusted proxies only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            networks = _networks(scope["app"])
            client = scope.get("client")
            if networks and client and _trusted(client[0], networks):
                headers = dict(scope.get("headers", ()))
                forwarded = headers.get(b"x-forwarded-for")
                if forwarded:
                    address = forwarded_client(forwarded.decode("latin-1"), networks)
                    if address:
                        scope["client"] = (address, 0)
                proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").strip().lower()
                if proto in ("http", "https"):
                    scope["scheme"] = proto
        await self.app(scope, receive, send)


def _networks(app: object) -> list[Network]:
    state = app.state  # type: ignore[attr-defined]
    cached = getattr(state, "trusted_proxies", None)
    if cached is None:
        cached = state.trusted_proxies = parse_networks(state.settings.trusted_proxies)
    return cached
