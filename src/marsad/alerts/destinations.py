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

A name could resolve to a public address when checked and a private one a
moment later, when the HTTP client would resolve it again to connect (DNS
rebinding). So the name is resolved once, by :func:`checked_addresses`, and the
sender connects to the addresses it checked, never to the name
(:mod:`marsad.alerts.delivery`).
"""

from __future__ import annotations

import ipaddress
import socket

from marsad.core.errors import InvalidInput

__all__ = ["Unsendable", "check_host", "checked_addresses"]


class Unsendable(Exception):  # noqa: N818 - an outcome recorded on the attempt, not a crash
    """A webhook that is not sent now; the message is what its attempt records."""


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
    (:func:`checked_addresses`): resolving them here could fail offline, or
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


def checked_addresses(host: str, port: int, *, allow_private: bool = False) -> list[str]:
    """The addresses a webhook to ``host`` may connect to: resolved once, now, and checked.

    The sender connects to these, in order, and to nothing else. Raises
    Unsendable for a host on this server's own machine or network (unless
    ``allow_private``), and for a name that does not resolve.
    """
    if not allow_private:
        try:
            check_host(host)
        except InvalidInput as exc:
            raise Unsendable(f"refused: {exc.message}") from None
    if _literal(host) is not None:
        return [host.strip("[]")]
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Unsendable(f"{host!r} does not resolve: {exc}") from None
    addresses = list(dict.fromkeys(str(sockaddr[0]) for *_ignored, sockaddr in found))
    if not allow_private:
        for text in addresses:
            address = _literal(text)
            if address is None or _blocked(address):
                raise Unsendable(
                    f"refused: {host!r} resolves to {text}, on this server's own network; "
                    "webhooks go to public addresses unless MARSAD_ALERTS_ALLOW_PRIVATE_WEBHOOKS "
                    "is on"
                )
    return addresses
