"""Where a webhook may point: not at the server's own machine or network, unless allowed.

A rule's webhook makes the server send a POST wherever the URL says, and the
attempts page shows what answered: pointed at ``127.0.0.1:6379``, at a router's
admin page or at a cloud's metadata address, it would turn the alerts into a
probe of the network Marsad runs in. So, unless
``MARSAD_ALERTS_ALLOW_PRIVATE_WEBHOOKS`` is on (an internal chat server), a URL
whose host is a loopback, private, link-local, multicast or reserved address
is refused when the rule is added (an address, or ``localhost``) and when an
alert is sent (a name, resolved then; every address it resolves to must be
public).

A name could resolve to a public address when checked and a private one when
connected to (DNS rebinding); the check narrows what a rule can reach, it does
not pin the connection.
"""

from __future__ import annotations

import ipaddress
import socket

from marsad.core.errors import InvalidInput

__all__ = ["check_host", "refused_reason"]

_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def _blocked(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def check_host(host: str) -> None:
    """Refuse (InvalidInput, ``err_alert_webhook_private``) a local host given as such.

    Names other than ``localhost`` are checked when an alert is sent
    (:func:`refused_reason`): resolving them here could fail offline, or
    block a request on DNS.
    """
    name = host.rstrip(".").lower()
    address = _literal(name)
    if name in _LOCAL_NAMES or name.endswith(".localhost") or (address and _blocked(address)):
        raise InvalidInput(
            "err_alert_webhook_private",
            f"{host!r} is on this server's own machine or network; webhooks go to public "
            "addresses unless MARSAD_ALERTS_ALLOW_PRIVATE_WEBHOOKS is on",
            "webhook",
        )


def refused_reason(host: str, port: int) -> str | None:
    """Why a webhook to ``host`` must not be sent now, or None (also when it does not resolve).

    A name that does not resolve is left to the HTTP client, which reports it.
    """
    try:
        check_host(host)
    except InvalidInput as exc:
        return exc.message
    if _literal(host) is not None:
        return None
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    for *_ignored, sockaddr in found:
        address = _literal(str(sockaddr[0]))
        if address is not None and _blocked(address):
            return (
                f"{host!r} resolves to {address}, on this server's own network; webhooks go to "
                "public addresses unless MARSAD_ALERTS_ALLOW_PRIVATE_WEBHOOKS is on"
            )
    return None
