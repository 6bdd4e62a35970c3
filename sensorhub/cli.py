"""The ``sensorhub`` command; ``python -m sensorhub`` and ``python app.py`` call it."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import Any

import click
import uvicorn

from sensorhub import __version__
from sensorhub.config import Settings, ensure_data_dir, load_settings
from sensorhub.errors import ConfigError, SensorhubError
from sensorhub.logs import configure_logging


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sensorhub")
def main() -> None:
    """sensorhub: the backend ESP32 force plates and wearables talk to."""


@main.command()
@click.option("--host", help="Interface to listen on.  [default: 0.0.0.0]")
@click.option("--port", type=int, help="TCP port.  [default: 5000]")
@click.option(
    "--data-dir", type=click.Path(path_type=Path), help="Where data lives. [default: ./data]"
)
@click.option("--db", help="SQLAlchemy URL. [default: SQLite file in the data dir]")
@click.option("--model", type=click.Path(path_type=Path), help="Keras .h5 stress model.")
@click.option("--cors-origins", help="Comma-separated allowed origins.  [default: *]")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]))
@click.option("--access-log/--no-access-log", default=None, help="Log every request.")
@click.option(
    "--rate-limit", "rate_limit_per_s", type=float, help="Requests/s per client; 0 = off."
)
@click.option("--config", type=click.Path(path_type=Path), help="TOML settings file.")
def serve(config: Path | None, **flags: Any) -> None:
    """Start the service (every option also reads SENSORHUB_<NAME>)."""
    try:
        settings = load_settings(flags, config_file=config)
        configure_logging(settings.log_level)
        _preflight(settings)
    except SensorhubError as exc:
        raise click.ClickException(exc.message) from exc
    from sensorhub.server import create_app  # heavy imports only when serving

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=settings.access_log,
        server_header=False,
        timeout_graceful_shutdown=5,
    )


def _preflight(settings: Settings) -> None:
    """Catch the common mistakes before uvicorn starts, each as one line."""
    ensure_data_dir(settings)
    _check_port_free(settings.host, settings.port)
    from sensorhub.server import load_configured_model

    load_configured_model(settings)


def _check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # Same option uvicorn sets, so a socket in TIME_WAIT does not count as "in use".
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ConfigError(f"port {port} on {host} is already in use") from exc
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
