"""Who may do what: tokens, the principal a token stands for, and the rules; no transport here.

Transports (``api/``, ``realtime/``) find the token a client presented, ask the
``Authenticator`` for its ``Principal`` and call ``require_manage`` / ``require_send_as``
where they know what is asked. docs/security.md describes the rules for operators.
"""

from sensorhub.auth._authenticator import Authenticator, DeviceLookup, presented_token
from sensorhub.auth._network import default_allowed_hosts, listens_beyond_loopback
from sensorhub.auth._principal import FULL_ACCESS, Principal
from sensorhub.auth._tokens import hash_token, new_token

__all__ = [
    "Authenticator",
    "DeviceLookup",
    "FULL_ACCESS",
    "Principal",
    "default_allowed_hosts",
    "hash_token",
    "listens_beyond_loopback",
    "new_token",
    "presented_token",
]
