"""The ``sensorhub`` command; ``python -m sensorhub`` and ``python app.py`` call it."""

from __future__ import annotations

import errno
import json
import socket
from pathlib import Path
from typing import Any

import click
import uvicorn

from sensorhub import __version__
from sensorhub.config import Settings, ensure_data_dir, load_settings
from sensorhub.errors import ConfigError, SensorhubError
from sensorhub.loadcell import (
    AnalysisParams,
    OnsetMethod,
    analyze_recording,
    format_report,
    read_force_file,
)
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
        ws_max_size=settings.max_body_bytes,  # one /ws frame may be as large as one body
        timeout_graceful_shutdown=5,
    )


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--weigh-start", type=float, help="Start of the 1 s weighing window, s.")
@click.option("--onset-time", type=float, help="Onset by hand, s (overrides --onset).")
@click.option("--onset", type=click.Choice(["sd", "fixed"]), default="sd", show_default=True)
@click.option("--threshold", type=float, help="Fixed onset threshold above weight, N.")
@click.option("--sd-multiplier", type=float, help="k in weight ± k·SD for --onset sd.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
def analyze(
    file: Path,
    weigh_start: float | None,
    onset_time: float | None,
    onset: OnsetMethod,
    threshold: float | None,
    sd_multiplier: float | None,
    as_json: bool,
) -> None:
    """Analyse an IMTP force-time CSV (ours: t,l,r; or Time (s),Force (N) and left/right files).

    Times are seconds from the first sample.
    """
    options = {"threshold_n": threshold, "sd_multiplier": sd_multiplier}
    try:
        params = AnalysisParams(
            weigh_start_s=weigh_start,
            onset_method="manual" if onset_time is not None else onset,
            onset_time_s=onset_time,
            **{name: value for name, value in options.items() if value is not None},
        )
        result = analyze_recording(read_force_file(file), params)
    except SensorhubError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else format_report(result))


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
