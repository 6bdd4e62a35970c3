"""Events moved by hand on drop jumps, drop landings and rebound hops; rebound left vs right;
the best rep in each metric's better direction.

Moving an event by k samples of a prescribed motion changes each metric by a derived amount:
times by exactly k·DT (the events sit on samples), flight heights by g·t²/8 of the new flight,
and the impulse take-off velocity by the k samples' (F − W)/m, where F is under the contact
threshold (the athlete is airborne there): between −g·k·DT and (−g + threshold/m)·k·DT.
"""

from __future__ import annotations

import pytest

from sensorhub.devices.jump_curve import GRAVITY, JumpMotion, drop_jump, rebound_hops
from sensorhub.errors import ValidationError
from sensorhub.loadcell.asymmetry import asymmetry
from sensorhub.loadcell.jumps import EventEdit, JumpType, Rep
from sensorhub.loadcell.recorded import summarize_jumps
from tests.loadcell.test_jumps import DT, analyse, metric, only_rep

K = 7  # samples an event is moved by
EPS = 1e-9  # times are sums of sample times: exact up to float rounding
DROP_HEIGHT_M = 0.30


def drop(*edits: EventEdit) -> Rep:
    return only_rep(analyse(drop_jump(), "drop_jump", drop_height_m=DROP_HEIGHT_M, edits=edits))


def height(flight_s: float) -> float:
    return GRAVITY * flight_s**2 / 8


def test_a_later_drop_jump_take_off_lengthens_contact_and_shortens_flight() -> None:
    found = drop()
    take_off = found.events["take_off"] + K * DT
    moved = drop(EventEdit(0, "take_off", take_off))
    contact = metric(found, "contact_time_s") + K * DT
    flight = metric(found, "flight_time_s") - K * DT
    assert moved.events["take_off"] == pytest.approx(take_off, abs=EPS)
    assert metric(moved, "contact_time_s") == pytest.approx(contact, abs=EPS)
    assert metric(moved, "flight_time_s") == pytest.approx(flight, abs=EPS)
    assert metric(moved, "jump_height_flight_m") == pytest.approx(height(flight), rel=1e-9)
    assert metric(moved, "rsi_m_s") == pytest.approx(height(flight) / contact, rel=1e-9)
    dv = metric(moved, "take_off_velocity_m_s") - metric(found, "take_off_velocity_m_s")
    threshold_n = analyse(drop_jump(), "drop_jump", drop_height_m=DROP_HEIGHT_M)
    slack = threshold_n.contact_threshold_n / metric(found, "mass_kg") * K * DT
    assert -GRAVITY * K * DT - EPS <= dv <= -GRAVITY * K * DT + slack


def test_a_later_drop_jump_contact_shortens_contact_only() -> None:
    found = drop()
    moved = drop(EventEdit(0, "contact", found.events["contact"] + K * DT))
    assert metric(moved, "contact_time_s") == pytest.approx(
        metric(found, "contact_time_s") - K * DT, abs=EPS
    )
    assert metric(moved, "flight_time_s") == pytest.approx(metric(found, "flight_time_s"))


def test_a_later_drop_jump_landing_lengthens_the_flight() -> None:
    found = drop()
    moved = drop(EventEdit(0, "landing", found.events["landing"] + K * DT))
    flight = metric(found, "flight_time_s") + K * DT
    assert metric(moved, "flight_time_s") == pytest.approx(flight, abs=EPS)
    assert metric(moved, "jump_height_flight_m") == pytest.approx(height(flight), rel=1e-9)
    assert metric(moved, "contact_time_s") == pytest.approx(metric(found, "contact_time_s"))


def test_a_later_drop_landing_contact_shortens_the_time_to_stabilisation() -> None:
    def landing(*edits: EventEdit) -> Rep:
        motion = drop_jump(rebound=False)
        return only_rep(analyse(motion, "drop_landing", drop_height_m=DROP_HEIGHT_M, edits=edits))

    found = landing()
    moved = landing(EventEdit(0, "contact", found.events["contact"] + K * DT))
    assert moved.events["contact"] == pytest.approx(found.events["contact"] + K * DT, abs=EPS)
    # the same stable sample, reached K samples sooner after the (later) contact
    assert moved.events["stabilised"] == pytest.approx(found.events["stabilised"], abs=EPS)
    assert metric(moved, "time_to_stabilisation_s") == pytest.approx(
        metric(found, "time_to_stabilisation_s") - K * DT, abs=EPS
    )


def hops(*edits: EventEdit, motion: JumpMotion | None = None) -> Rep:
    return only_rep(analyse(motion or rebound_hops(), "rebound", edits=edits))


def test_a_later_hop_take_off_changes_that_hop_only() -> None:
    found = hops()
    hop = 3
    moved = hops(EventEdit(0, "take_off", found.hops[hop]["take_off_s"] + K * DT, hop=hop))
    contact = found.hops[hop]["contact_time_s"] + K * DT
    flight = found.hops[hop]["flight_time_s"] - K * DT
    assert moved.hops[hop]["contact_time_s"] == pytest.approx(contact, abs=EPS)
    assert moved.hops[hop]["flight_time_s"] == pytest.approx(flight, abs=EPS)
    assert moved.hops[hop]["rsi_m_s"] == pytest.approx(height(flight) / contact, rel=1e-9)
    others = [i for i in range(len(found.hops)) if i != hop]
    assert [moved.hops[i]["rsi_m_s"] for i in others] == [found.hops[i]["rsi_m_s"] for i in others]


def test_a_later_hop_contact_shortens_it_and_lengthens_the_flight_before_it() -> None:
    found = hops()
    hop = 4
    moved = hops(EventEdit(0, "contact", found.hops[hop]["contact_s"] + K * DT, hop=hop))
    assert moved.hops[hop]["contact_time_s"] == pytest.approx(
        found.hops[hop]["contact_time_s"] - K * DT, abs=EPS
    )
    assert moved.hops[hop - 1]["flight_time_s"] == pytest.approx(
        found.hops[hop - 1]["flight_time_s"] + K * DT, abs=EPS
    )


@pytest.mark.parametrize(
    ("test", "edit", "words"),
    [
        ("drop_jump", EventEdit(0, "onset", 1.2), "event of a drop_jump test"),
        ("drop_landing", EventEdit(0, "take_off", 1.2), "event of a drop_landing test"),
        ("rebound", EventEdit(0, "take_off", 1.2), "hop is required"),
        ("drop_jump", EventEdit(0, "take_off", 1.2, hop=0), "hop is required"),
        ("rebound", EventEdit(0, "take_off", 1.2, hop=99), "hop 99 does not exist"),
        ("drop_jump", EventEdit(3, "take_off", 1.2), "rep 3 does not exist"),
        ("drop_jump", EventEdit(0, "take_off", 0.5), "leaves its stretch"),
    ],
)
def test_an_event_a_test_type_cannot_move_is_refused_naming_it(
    test: JumpType, edit: EventEdit, words: str
) -> None:
    motion = rebound_hops() if test == "rebound" else drop_jump(rebound=test == "drop_jump")
    with pytest.raises(ValidationError, match=words):
        analyse(motion, test, drop_height_m=DROP_HEIGHT_M, edits=(edit,))


def test_each_rebound_hop_has_left_and_right_contact_numbers_and_their_asymmetry() -> None:
    share = 0.6  # right takes 60 % of every sample: every side number splits 40/60
    set_ = rebound_hops()
    rep = hops(motion=JumpMotion(set_.segments, set_.mass_kg, right_share=share))
    truth = asymmetry(1 - share, share)
    assert truth is not None
    for hop in rep.hops:
        left, right = hop["sides"]["left"], hop["sides"]["right"]
        assert right["contact_peak_force_n"] == pytest.approx(share * hop["peak_force_n"])
        assert left["contact_peak_force_n"] == pytest.approx((1 - share) * hop["peak_force_n"])
        ratio = left["contact_net_impulse_n_s"] / right["contact_net_impulse_n_s"]
        assert ratio == pytest.approx((1 - share) / share, rel=1e-9)
        for name in ("contact_peak_force_n", "contact_net_impulse_n_s"):
            found = hop["asymmetry"][name]
            assert found["percent"] == pytest.approx(truth.percent, rel=1e-9)
            assert found["stronger"] == "right"


def test_a_drop_landings_best_rep_has_the_lowest_peak_landing_force() -> None:
    hard = drop_jump(rebound=False, landing_ms=200)  # same drop absorbed in less time
    soft = drop_jump(rebound=False, landing_ms=300)
    motion = JumpMotion(
        hard.segments + soft.segments, hard.mass_kg, hard.right_share, hard.initial_velocity
    )
    result = analyse(motion, "drop_landing", drop_height_m=DROP_HEIGHT_M)
    forces = [metric(rep, "peak_landing_force_n") for rep in result.reps]
    assert len(forces) == 2 and forces[1] < forces[0]
    summary = summarize_jumps(result)
    assert summary["best_rep"] == 1
    assert summary["peak_landing_force_n"] == forces[1]
