"""Device tokens live in the database: one created or revoked from the command line counts on
every process, a revocation within each process's token cache time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests._server import REPO, wait_for
from tests.cluster.conftest import StartProcess
from tests.forceplate._clients import new_device

API_TOKEN = "a-test-api-token-0123456789"
READING = {"bvp": 0.5, "temperature": 36.1, "acceleration": {"x": 0, "y": 0, "z": 1}}


def token_command(database_url: str, data_dir: Path, *arguments: str) -> str:
    command = [sys.executable, "-m", "sensorhub", "token", *arguments]
    command += ["--db", database_url, "--data-dir", str(data_dir)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=60, check=True)
    return done.stdout.strip().splitlines()[-1]


def post_reading(url: str, token: str, device_id: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    body = {**READING, "device_id": device_id}
    return httpx.post(url + "/api/sensor-data", json=body, headers=headers, timeout=10).status_code


def test_a_device_token_works_on_every_process_and_its_revocation_reaches_them_all(
    start_process: StartProcess, shared_db: str, tmp_path: Path
) -> None:
    env = {"SENSORHUB_API_TOKEN": API_TOKEN, "SENSORHUB_TOKEN_CACHE_S": "1"}
    processes = [start_process(f"tok{i}", **env) for i in range(2)]
    device = new_device("wrist")
    token = token_command(shared_db, tmp_path, "create", "--device", device)
    assert [post_reading(p.url, token, device) for p in processes] == [200, 200]
    row = token_command(shared_db, tmp_path, "list")  # the only token: the last line
    assert device in row, row
    token_command(shared_db, tmp_path, "revoke", row.split()[0])
    for process in processes:
        wait_for(lambda process=process: post_reading(process.url, token, device) == 401)
