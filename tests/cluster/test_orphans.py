"""A test whose process died, with no esp coming back and nobody asking, is still taken over
(its own module: the other modules' processes would adopt it too)."""

from __future__ import annotations

from tests._server import wait_for
from tests.cluster.conftest import StartProcess
from tests.forceplate._clients import (
    new_device,
    record_of,
    start_test_rest,
    status,
    stop_test_rest,
)


def test_a_test_whose_process_died_is_taken_over_unasked(start_process: StartProcess) -> None:
    """No esp comes back and nobody asks: another process still adopts the test (its sweep
    of unfinished tests nobody holds), and a stop sent to it saves the test."""
    quick = {"SENSORHUB_LEASE_TTL_S": "1"}
    a = start_process("orphan-a", **quick)
    b = start_process("orphan-b", **quick)
    device = new_device()
    response, session_id = start_test_rest(a, device)
    assert response.status_code == 200, response.text
    a.kill()

    def adopted() -> bool:
        return any("event=test_adopted" in line and device in line for line in b.log().splitlines())

    wait_for(adopted, timeout=20)
    assert (status(b, device)["state"], status(b, device)["session_id"]) == ("running", session_id)
    assert stop_test_rest(b, device).status_code == 200
    wait_for(lambda: record_of(b, session_id)["state"] == "complete")
