"""Topic names and broker URLs: the parsing ``serve --mqtt`` and the bridge rely on."""

from __future__ import annotations

import pytest

from sensorhub.config import load_settings
from sensorhub.errors import ConfigError, ValidationError
from sensorhub.mqtt import TOPIC_KINDS, BrokerAddress, device_topic, parse_broker_url
from sensorhub.mqtt._topics import parse_topic, subscriptions


def test_every_device_topic_kind_is_subscribed_and_parses_back() -> None:
    assert subscriptions() == [f"sensorhub/+/{kind}" for kind in TOPIC_KINDS]
    for kind in TOPIC_KINDS:
        assert parse_topic(device_topic("plate-1", kind)) == ("plate-1", kind)


@pytest.mark.parametrize(
    "topic", ["sensorhub/plate-1/cmd", "sensorhub/plate-1", "other/plate-1/reading", "a/b/c/d"]
)
def test_a_topic_that_is_not_a_device_message_is_refused(topic: str) -> None:
    with pytest.raises(ValidationError, match="expected sensorhub/<device_id>/<kind>"):
        parse_topic(topic)


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("mqtt://broker.lan", BrokerAddress("broker.lan", 1883, None, None)),
        ("mqtt://10.0.0.2:1884", BrokerAddress("10.0.0.2", 1884, None, None)),
        ("mqtt://hub:p%40ss@broker:1883", BrokerAddress("broker", 1883, "hub", "p@ss")),
    ],
)
def test_broker_urls(url: str, address: BrokerAddress) -> None:
    assert parse_broker_url(url) == address


@pytest.mark.parametrize("url", ["mqtts://broker", "http://broker", "mqtt://", "mqtt://b:99999"])
def test_a_broker_url_we_cannot_use_is_one_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match="--mqtt"):
        parse_broker_url(url)


@pytest.mark.parametrize("url", ["mqtts://broker", "broker:1883", "mqtt://"])
def test_the_setting_refuses_what_is_not_an_mqtt_url(url: str) -> None:
    with pytest.raises(ConfigError, match="'mqtt'"):
        load_settings({"mqtt": url}, environ={})
