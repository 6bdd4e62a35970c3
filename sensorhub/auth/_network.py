"""Whether a listening address reaches beyond this machine."""

from __future__ import annotations

import ipaddress


def listens_beyond_loopback(host: str) -> bool:
    """True for 0.0.0.0, a LAN address or a name; False for 127.x, ::1 and localhost."""
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a host name: it may resolve to anything
