"""Whether a listening address reaches beyond this machine."""

from __future__ import annotations

import ipaddress
import socket


def listens_beyond_loopback(host: str) -> bool:
    """True for 0.0.0.0, a LAN address or a name; False for 127.x, ::1 and localhost."""
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a host name: it may resolve to anything


WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


def default_allowed_hosts(host: str) -> tuple[str, ...]:
    """The names a server listening on ``host`` answers to by default: localhost, this
    machine's own names (as given by the OS, and ``.local`` for mDNS) and ``host`` itself
    when it is a name. (Addresses pass ``api.AllowedHosts`` anyway.)"""
    machine = socket.gethostname()
    names = {"localhost", machine, f"{machine}.local", socket.getfqdn(machine)}
    if host not in WILDCARD_HOSTS:
        names.add(host)
    return tuple(sorted(name.lower() for name in names if name))
