"""Which plate a request without ``device_id`` addresses (docs/plates.md)."""

from __future__ import annotations

from sensorhub.presence import DEFAULT_DEVICE, Presence


def _with_esps(*devices: str) -> Presence:
    presence = Presence()
    for n, device in enumerate(devices):
        presence.connect(f"esp-{n}")
        presence.register(f"esp-{n}", "esp", device)
    presence.connect("viewer")
    presence.register("viewer", "browser", "watched-plate")  # a viewer streams nothing
    return presence


def test_a_named_device_is_always_the_one_addressed() -> None:
    assert _with_esps("plate-1").addressed_device("plate-9") == "plate-9"


def test_without_a_name_the_only_connected_plate_is_addressed() -> None:
    assert _with_esps("plate-1").addressed_device(None) == "plate-1"
    assert _with_esps("plate-1", "plate-1").addressed_device(None) == "plate-1"  # two boards


def test_without_a_name_and_no_single_plate_default_is_addressed() -> None:
    assert _with_esps().addressed_device(None) == DEFAULT_DEVICE
    assert _with_esps("plate-1", "plate-2").addressed_device(None) == DEFAULT_DEVICE
