"""Force-plate message parsing: kinds, JSON strings, and which samples a batch keeps."""

from __future__ import annotations

from typing import Any

import pytest

from sensorhub.errors import ValidationError
from sensorhub.realtime.messages import kind_of, parse_object, parse_samples


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ({"type": "esp"}, "register"),
        ({"samples": []}, "samples"),
        ({"done": True}, "done"),
        ({"cmd": "start"}, "cmd"),
    ],
)
def test_kind_comes_from_the_keys(message: dict[str, Any], kind: str) -> None:
    assert kind_of(message) == kind


def test_unknown_message_names_the_expected_keys() -> None:
    with pytest.raises(ValidationError, match="type, samples, done, cmd or t0"):
        kind_of({"hello": 1})


@pytest.mark.parametrize("payload", ['{"type": "esp"}', b'{"type": "esp"}', {"type": "esp"}])
def test_object_may_arrive_as_dict_or_json_text(payload: Any) -> None:
    assert parse_object(payload) == {"type": "esp"}


@pytest.mark.parametrize(
    ("payload", "reason"),
    [("{not json", "not valid JSON"), ("[1, 2]", "JSON object"), (42, "JSON object")],
)
def test_non_objects_are_refused(payload: Any, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        parse_object(payload)


def test_bad_samples_are_filtered_out_and_named() -> None:
    batch = {
        "samples": [
            {"t": 0, "l": 1, "r": 2},
            {"t": 1, "l": "x", "r": 2},
            {"t": 2, "l": 1},
            {"t": 3, "l": float("nan"), "r": 2},
            {"t": 4, "l": True, "r": 2},
            {"t": 5, "l": 10**400, "r": 2},
            [6, 1, 2],
            {"t": 7, "l": 1e300, "r": -2.5},
        ]
    }
    valid, problems = parse_samples(batch)
    assert valid == [(0, 1, 2), (7, 1e300, -2.5)]
    assert problems == [
        "samples[1].l: must be a number",
        "samples[2].r: field required",
        "samples[3].l: must be a finite number",
        "samples[4].l: must be a number",
        "samples[5].l: must be a finite number",
        "samples[6]: must be an object {t, l, r}",
    ]


def test_samples_must_be_a_list() -> None:
    with pytest.raises(ValidationError, match="samples: must be a list"):
        parse_samples({"samples": {"t": 0}})
