"""The servers the tests start store where ``pytest --database`` says (tests/_postgres.py)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests._postgres import SERVER_DATABASES
from tests._readings import READING
from tests._server import LiveServer


def test_a_posted_reading_lands_in_the_selected_database(
    fresh_server: LiveServer, pytestconfig: pytest.Config
) -> None:
    httpx.post(f"{fresh_server.url}/api/sensor-data", json=READING).raise_for_status()
    if pytestconfig.getoption("database") == "postgresql":
        [_, url] = SERVER_DATABASES.args_for(fresh_server.data_dir)
        assert not (fresh_server.data_dir / "sensorhub.db").exists()
    else:
        url = f"sqlite:///{fresh_server.data_dir / 'sensorhub.db'}"
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM readings")).scalar_one() == 1
    finally:
        engine.dispose()
