"""Several server processes as one service (docs/deploy.md), through Redis: device leases
(which process runs a device's tests), requests sent to that process, and who is connected
where. Live data goes through the Socket.IO manager (``sensorhub.realtime.fanout``).

Only imported with ``--message-queue``; Redis comes from the ``[redis]`` extra.
"""

from sensorhub.cluster._assembly import ClusterMember, open_cluster
from sensorhub.cluster._desk import RoutedDesk
from sensorhub.cluster._leases import Leases

__all__ = ["ClusterMember", "Leases", "RoutedDesk", "open_cluster"]
