"""MQTT devices (``serve --mqtt mqtt://host:1883``): a thin transport over a broker.

Devices publish to ``sensorhub/<device_id>/<kind>`` (the kinds are ``TOPIC_KINDS``); the
server publishes commands to ``sensorhub/<device_id>/cmd``, retained status to
``sensorhub/<device_id>/status`` and refusals to ``sensorhub/<device_id>/error``.
docs/mqtt.md has the whole contract.
"""

from sensorhub.mqtt._bridge import MqttBridge, mqtt_bridge
from sensorhub.mqtt._topics import TOPIC_KINDS, BrokerAddress, device_topic, parse_broker_url

__all__ = [
    "BrokerAddress",
    "MqttBridge",
    "TOPIC_KINDS",
    "device_topic",
    "mqtt_bridge",
    "parse_broker_url",
]
