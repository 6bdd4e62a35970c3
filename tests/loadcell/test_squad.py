"""Z-scores within a group, against values worked out by hand."""

from __future__ import annotations

import pytest

from sensorhub.loadcell.squad import z_scores
from tests._rounding import gamma


def test_z_scores_by_hand() -> None:
    # 2000, 2200, 2400 and one athlete without a value: mean 2200, deviations −200, 0, 200,
    # sample SD = sqrt((200² + 0 + 200²) / 2) = 200, so z = −1, 0, 1.
    found = z_scores([2000.0, None, 2200.0, 2400.0])
    assert found[1] is None
    assert found[0] == pytest.approx(-1.0, abs=gamma(10))
    assert found[2] == pytest.approx(0.0, abs=gamma(10))
    assert found[3] == pytest.approx(1.0, abs=gamma(10))


@pytest.mark.parametrize("values", [[2000.0], [None, 1.0], [5.0, 5.0, 5.0], []])
def test_no_spread_gives_no_z_scores(values: list[float | None]) -> None:
    assert z_scores(values) == [None] * len(values)
