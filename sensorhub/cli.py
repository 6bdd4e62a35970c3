"""The ``sensorhub`` command; ``python -m sensorhub`` and ``python app.py`` call it."""

from __future__ import annotations

import errno
import json
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from sensorhub import __version__
from sensorhub.auth import hash_token, new_token
from sensorhub.collector import kept_for_good
from sensorhub.errors import ConfigError, SensorhubError
from sensorhub.lazy import absent
from sensorhub.loadcell import (
    AnalysisParams,
    FlagCode,
    OnsetMethod,
    analyze_recording,
    format_report,
    ranking_metric,
    read_force_file,
)
from sensorhub.loadcell.jumps import (
    JUMP_TYPES,
    JumpParams,
    JumpType,
    analyze_jumps,
    format_jump_report,
)
from sensorhub.logs import configure_logging
from sensorhub.types import JSONDict

if TYPE_CHECKING:  # imported where used: pydantic would add ~0.1 s to `sensorhub analyze`
    from sensorhub.config import Settings
    from sensorhub.devices.jump_curve import SimulatedJump
    from sensorhub.storage import Storage

_T = TypeVar("_T")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sensorhub")
def main() -> None:
    """sensorhub: the backend ESP32 force plates and wearables talk to."""


def _settings(config: Path | None, flags: dict[str, Any], *, own_port: bool = True) -> Settings:
    """Settings from every source, logging set up, and the usual mistakes caught; one line each.

    ``own_port``: the port must be free (not for a worker serving its parent's socket).
    """
    from sensorhub.config import load_settings

    try:
        settings = load_settings(flags, config_file=config)
        configure_logging(settings.log_level)
        _preflight(settings, own_port=own_port)
    except SensorhubError as exc:
        raise click.ClickException(exc.message) from exc
    return settings


@main.command()
@click.option("--host", help="Interface to listen on.  [default: 0.0.0.0]")
@click.option("--port", type=int, help="TCP port.  [default: 5000]")
@click.option(
    "--data-dir", type=click.Path(path_type=Path), help="Where data lives. [default: ./data]"
)
@click.option("--db", help="SQLAlchemy URL. [default: SQLite file in the data dir]")
@click.option("--model", type=click.Path(path_type=Path), help="Keras .h5 stress model.")
@click.option("--cors-origins", help="Comma-separated allowed origins.  [default: *]")
@click.option(
    "--allowed-hosts",
    help="Comma-separated host names requests may name (DNS rebinding). "
    "[default: localhost, this machine's names, --host; any IP address]",
)
@click.option(
    "--api-token",
    help="Require this token (16+ characters) on the API; prefer SENSORHUB_API_TOKEN, "
    "which other users cannot see in the process list.",
)
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]))
@click.option("--access-log/--no-access-log", default=None, help="Log every request.")
@click.option(
    "--rate-limit", "rate_limit_per_s", type=float, help="Requests/s per client; 0 = off."
)
@click.option("--serial", help="Also read JSON lines from this serial port (a USB device).")
@click.option("--serial-baud", type=int, help="Baud rate for --serial.  [default: 115200]")
@click.option("--mqtt", help="Also take devices' messages from this broker: mqtt://host:1883.")
@click.option(
    "--message-queue",
    help="Redis URL shared by several server processes (docs/deploy.md); none: one process.",
)
@click.option(
    "--trusted-proxies",
    help="Comma-separated proxy addresses whose X-Forwarded-For is believed. [default: none]",
)
@click.option(
    "--workers", type=int, help="Server processes sharing the port; >1 needs --message-queue."
)
@click.option("--config", type=click.Path(path_type=Path), help="TOML settings file.")
@click.option("--fd", type=int, hidden=True, help="A worker's inherited socket (--workers).")
def serve(config: Path | None, fd: int | None, **flags: Any) -> None:
    """Start the service (every option also reads SENSORHUB_<NAME>)."""
    settings = _settings(config, flags, own_port=fd is None)
    if settings.workers > 1:
        from sensorhub.workers import run_workers

        run_workers(settings.workers, settings.host, settings.port, _serve_arguments())
        return
    with kept_for_good():
        with absent(_unused_by_the_server(settings)):
            from sensorhub.server import serve_until_interrupted, uvicorn_server  # heavy: late

        server = uvicorn_server(settings)
    serve_until_interrupted(server, fd=fd)


def _unused_by_the_server(settings: Settings) -> tuple[str, ...]:
    """What python-socketio would import, if installed, for a server process that never uses
    it: its clients' libraries (requests, websocket-client; ~8 MB and ~0.1 s), and Redis's
    (~7 MB) unless ``--message-queue`` needs it."""
    clients = ("requests", "websocket")
    return clients if settings.message_queue is not None else (*clients, "redis")


def _serve_arguments() -> list[str]:
    """This ``serve`` command line, for its workers; ``python app.py`` omits the ``serve``."""
    arguments = sys.argv[1:]
    return arguments if arguments[:1] == ["serve"] else ["serve", *arguments]


@main.group()
def token() -> None:
    """Per-device tokens (used once the server has an API token; docs/security.md)."""


# The same storage options as ``serve``, so a token lands in the database the server reads.
_storage_options = (
    click.option(
        "--data-dir", type=click.Path(path_type=Path), help="Where data lives. [default: ./data]"
    ),
    click.option("--db", help="SQLAlchemy URL. [default: SQLite file in the data dir]"),
    click.option("--config", type=click.Path(path_type=Path), help="TOML settings file."),
)


def _test_type_option(help_text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return click.option(
        "--test",
        "test_type",
        type=click.Choice(["imtp", *JUMP_TYPES]),
        default="imtp",
        show_default=True,
        help=f"{help_text} (jumps: docs/jumps.md).",
    )


def _recording_options(command: Callable[..., None]) -> Callable[..., None]:
    """--test and --drop-height: what a recording is of."""
    command = click.option(
        "--drop-height", type=float, help="Drop jump or landing: box height, m."
    )(command)
    return _test_type_option("What the recording is of")(command)


def _athlete_options(command: Callable[..., None]) -> Callable[..., None]:
    """--test and --reps: what a simulated plate's athlete does on each start."""
    command = click.option(
        "--reps", type=click.IntRange(1, 20), default=1, show_default=True, help="Jumps per start."
    )(command)
    return _test_type_option("What the athlete does on each start")(command)


def _with_storage_options(command: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(_storage_options):
        command = option(command)
    return command


@token.command("create")
@click.option("--device", "device_id", required=True, help="The device the token sends as.")
@_with_storage_options
def token_create(device_id: str, config: Path | None, **flags: Any) -> None:
    """Make a token for one device; it is printed once, as the last line."""
    import pydantic

    from sensorhub.contracts import DeviceId

    try:
        pydantic.TypeAdapter(DeviceId).validate_python(device_id)
    except pydantic.ValidationError as exc:
        message = "--device: 1-64 characters: letters, digits and ._:-"
        raise click.ClickException(message) from exc
    secret = new_token()
    token_id = _with_storage(
        config, flags, lambda s: s.tokens.create(device_id, hash_token(secret), time.time())
    )
    click.echo(
        f"token {token_id} for device {device_id!r}; shown only now (only its hash is kept):"
    )
    click.echo(secret)


@token.command("list")
@_with_storage_options
def token_list(config: Path | None, **flags: Any) -> None:
    """Every device token: id, device, created, revoked (never the token itself)."""
    records = _with_storage(config, flags, lambda s: s.tokens.all())
    click.echo(f"{'id':>4}  {'device':<24} {'created (UTC)':<20} revoked (UTC)")
    for record in records:
        revoked = "-" if record.revoked_at is None else _utc(record.revoked_at)
        click.echo(
            f"{record.id:>4}  {record.device_id:<24} {_utc(record.created_at):<20} {revoked}"
        )


@token.command("revoke")
@click.argument("token_id", type=click.IntRange(min=1))
@_with_storage_options
def token_revoke(token_id: int, config: Path | None, **flags: Any) -> None:
    """Revoke a device token by its id (see ``token list``)."""
    if not _with_storage(config, flags, lambda s: s.tokens.revoke(token_id, time.time())):
        raise click.ClickException(f"no active token with id {token_id}")
    click.echo(f"token {token_id} revoked")


@main.group()
def db() -> None:
    """The database itself (docs/postgresql.md)."""


@db.command("migrate-to")
@click.argument("target_url")
@_with_storage_options
def db_migrate_to(target_url: str, config: Path | None, **flags: Any) -> None:
    """Copy the database ``serve`` would use into TARGET_URL (an empty or schema-only database,
    e.g. postgresql+psycopg://user@host/sensorhub), keeping ids, and verify every table."""
    from sensorhub.config import load_settings
    from sensorhub.storage import migrate_to  # heavy: import late

    try:
        settings = load_settings(flags, config_file=config)
        checks = migrate_to(settings.database_url, target_url)
    except SensorhubError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"{'table':<16} {'rows':>10} {'checksum':<18} {'target':<18} result")
    for check in checks:
        result = "ok" if check.matches else f"MISMATCH ({check.target_rows} rows in target)"
        click.echo(
            f"{check.table:<16} {check.source_rows:>10} {check.source_checksum:<18} "
            f"{check.target_checksum:<18} {result}"
        )
    if not all(check.matches for check in checks):
        raise click.ClickException("the copy differs from the source (see above)")
    click.echo("every table copied and verified")


def _with_storage(
    config: Path | None, flags: dict[str, Any], work: Callable[[Storage], Awaitable[_T]]
) -> _T:
    """Open the configured database, run ``work`` on it, close it; errors are one line."""
    import asyncio

    from sensorhub.config import ensure_data_dir, load_settings
    from sensorhub.storage import Storage  # heavy: import late

    async def run() -> _T:
        storage = Storage(settings.database_url)
        await storage.open()
        try:
            return await work(storage)
        finally:
            await storage.close()

    try:
        settings = load_settings(flags, config_file=config)
        ensure_data_dir(settings)
        return asyncio.run(run())
    except SensorhubError as exc:
        raise click.ClickException(exc.message) from exc


def _utc(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds))


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--weigh-start", type=float, help="Start of the 1 s weighing window, s.")
@click.option("--onset-time", type=float, help="Onset by hand, s (overrides --onset).")
@click.option(
    "--onset", type=click.Choice(["sd", "fixed", "bw_pct"]), default="sd", show_default=True
)
@click.option("--threshold", type=float, help="Fixed onset threshold above weight, N.")
@click.option("--sd-multiplier", type=float, help="k in weight ± k·SD for --onset sd.")
@click.option("--bw-pct", type=float, help="% of body weight above weight for --onset bw_pct.")
@click.option(
    "--baseline",
    is_flag=True,
    help="Against the resting baseline, no body weight (a load cell in series with the bar; "
    "Chronojump files always are).",
)
@_recording_options
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
def analyze(
    file: Path,
    weigh_start: float | None,
    onset_time: float | None,
    onset: OnsetMethod,
    threshold: float | None,
    sd_multiplier: float | None,
    bw_pct: float | None,
    baseline: bool,
    test_type: str,
    drop_height: float | None,
    as_json: bool,
) -> None:
    """Analyse a force-time CSV (ours: t,l,r; or Time (s),Force (N) and left/right files): an
    IMTP, or with --test the jumps in it.

    Times are seconds from the first sample.
    """
    if test_type != "imtp":
        imtp_only: dict[str, object] = {
            "--weigh-start": weigh_start,
            "--onset-time": onset_time,
            "--threshold": threshold,
            "--sd-multiplier": sd_multiplier,
            "--bw-pct": bw_pct,
            "--baseline": baseline or None,
        }
        _analyze_jumps(file, test_type, drop_height, as_json, imtp_only)
        return
    options: dict[str, Any] = {
        "threshold_n": threshold,
        "sd_multiplier": sd_multiplier,
        "body_weight_pct": bw_pct,
    }
    try:
        recording = read_force_file(file)
        params = AnalysisParams(
            weigh_start_s=weigh_start,
            onset_method="manual" if onset_time is not None else onset,
            onset_time_s=onset_time,
            reference="baseline" if baseline or recording.series else "body_weight",
            **{name: value for name, value in options.items() if value is not None},
        )
        result = analyze_recording(recording, params)
    except SensorhubError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else format_report(result))
    for flag in result.flags:
        if flag.code == FlagCode.NO_PULL:  # printed, but no metrics: a script must not go on
            raise click.ClickException(f"no analysis possible: {flag.reason}")


def _analyze_jumps(
    file: Path,
    test_type: str,
    drop_height: float | None,
    as_json: bool,
    imtp_only: dict[str, object],
) -> None:
    given = [flag for flag, value in imtp_only.items() if value is not None]
    if given:
        raise click.UsageError(f"{', '.join(given)} applies to --test imtp only")
    try:
        recording = read_force_file(file)
        params = JumpParams(test_type=cast("JumpType", test_type), drop_height_m=drop_height)
        if recording.left is not None and recording.right is not None:
            result = analyze_jumps(recording.t_ms, recording.left, recording.right, params=params)
        else:
            result = analyze_jumps(recording.t_ms, total=recording.total, params=params)
    except SensorhubError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else format_jump_report(result))


@main.command()
@click.option("--port", type=int, default=5000, show_default=True)
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    help="Where the demo keeps its data.  [default: a new temporary folder]",
)
@_athlete_options
def demo(port: int, host: str, data_dir: Path | None, test_type: str, reps: int) -> None:
    """Serve on the embedded defaults with a simulated force plate and wearable; the plate
    pulls (an IMTP) or jumps (--test cmj) on each start."""
    from sensorhub.devices.demo import PlateAct, simulated_devices
    from sensorhub.server import serve_until_interrupted, uvicorn_server

    folder = data_dir or Path(tempfile.mkdtemp(prefix="sensorhub-demo-"))
    click.echo(f"sensorhub demo: data in {folder}")
    flags = {"port": port, "host": host, "data_dir": folder, "log_level": "warning"}
    settings = _settings(None, flags)
    server = uvicorn_server(settings)
    token = settings.api_token.get_secret_value() if settings.api_token else None
    # Composed here, above both: the devices only need the server's address and readiness.
    jump = None if test_type == "imtp" else cast("SimulatedJump", test_type)
    act = PlateAct(jump, reps)
    with simulated_devices(host, port, lambda: server.started, token=token, plate=act):
        serve_until_interrupted(server)


# A token on the command line shows in `ps`: the environment variable is the better home.
device_token_option = click.option(
    "--token",
    envvar="SENSORHUB_DEVICE_TOKEN",
    help="Token to send when the server has auth on (or SENSORHUB_DEVICE_TOKEN).",
)


@main.command("serial")
@click.option("--port", default="/dev/ttyUSB0", show_default=True, help="Serial port.")
@click.option("--baud", type=int, default=115200, show_default=True)
@click.option("--url", default="http://localhost:5000", show_default=True, help="sensorhub server.")
@click.option(
    "--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info"
)
@device_token_option
def serial_command(port: str, baud: int, url: str, log_level: str, token: str | None) -> None:
    """Forward newline-delimited JSON from a USB device to a running sensorhub.

    Survives unplugging (reopens with backoff); bad lines are counted and logged.
    """
    import asyncio  # here, not at the top: `sensorhub analyze` starts quicker without it

    from sensorhub.devices import run_serial_forwarder

    configure_logging(log_level)
    try:
        asyncio.run(run_serial_forwarder(port, baud, url, token=token))
    except SensorhubError as exc:
        raise click.ClickException(exc.message) from exc


@main.group()
def simulate() -> None:
    """Simulated devices that talk to a running sensorhub like real ones."""


@simulate.command("forceplate")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True)
@click.option("--device-id", default="plate-1", show_default=True)
@click.option("--rate", type=click.FloatRange(1, 10_000), default=1000, show_default=True)
@click.option("--batch", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--mass", type=click.FloatRange(20, 300), default=80, show_default=True, help="kg")
@click.option("--asymmetry", type=click.FloatRange(-50, 50), default=0, show_default=True, help="%")
@click.option(
    "--peak-net", type=click.FloatRange(min=1), help="Peak net force, N. [default: 2 × weight]"
)
@click.option(
    "--transport", type=click.Choice(["socketio", "ws"]), default="socketio", show_default=True
)
@click.option("--adc", is_flag=True, help="Send raw ADC counts (offset 8388608, 0.01 N/count).")
@_athlete_options
@device_token_option
def simulate_forceplate(
    url: str,
    device_id: str,
    rate: float,
    batch: int,
    mass: float,
    asymmetry: float,
    peak_net: float | None,
    transport: str,
    adc: bool,
    test_type: str,
    reps: int,
    token: str | None,
) -> None:
    """A force-plate esp: quiet standing, an IMTP (or jumps) on start, flush and done on stop."""
    from sensorhub.devices.esp_link import open_link
    from sensorhub.devices.forceplate_sim import (
        ForcePlateSimulator,
        PlateSettings,
        run_forceplate,
    )
    from sensorhub.devices.imtp_curve import AdcOutput, Athlete

    athlete = Athlete(mass_kg=mass, asymmetry_pct=asymmetry, peak_net_n=peak_net)
    jump = None if test_type == "imtp" else cast("SimulatedJump", test_type)
    settings = PlateSettings(rate, batch, AdcOutput() if adc else None)
    simulator = ForcePlateSimulator(athlete, settings, jump=jump, reps=reps)
    click.echo(f"simulated force plate {device_id!r} streaming to {url} over {transport}")
    _until_interrupted(
        lambda stop: run_forceplate(
            lambda on_command: open_link(transport, url, device_id, on_command, token),
            simulator,
            stop,
        )
    )


@simulate.command("wearable")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True)
@click.option("--device-id", default="wearable-1", show_default=True)
@click.option("--rate", type=click.FloatRange(0.1, 200), default=4, show_default=True, help="Hz")
@click.option("--stress-episodes", is_flag=True, help="120 s calm, then 90 s stressed, repeating.")
@click.option("--count", type=click.IntRange(min=1), help="Stop after this many readings.")
@click.option(
    "--signals",
    is_flag=True,
    help="Stream the signals (BVP 64 Hz, temperature 4 Hz, acceleration 32 Hz) in 1 s batches "
    "instead of readings (the same simulated wearer either way).",
)
@click.option(
    "--offline-for",
    type=click.FloatRange(min=0),
    default=0,
    help="With --signals: keep the Wi-Fi down this many seconds after the start, buffering "
    "the batches, then back-fill them oldest first.",
)
@device_token_option
def simulate_wearable(
    url: str,
    device_id: str,
    rate: float,
    stress_episodes: bool,
    count: int | None,
    signals: bool,
    offline_for: float,
    token: str | None,
) -> None:
    """A wrist wearable posting BVP, skin temperature and acceleration."""
    from sensorhub.devices.wearable_sim import WearableSimulator

    if signals:
        _simulate_signals(url, device_id, stress_episodes, count, offline_for, token)
        return
    wearable = WearableSimulator(url, device_id, rate, stress_episodes, token=token)
    click.echo(f"simulated wearable {device_id!r} posting to {url} at {rate} Hz")
    _until_interrupted(lambda stop: wearable.run(stop, count))
    click.echo(f"{wearable.sent} readings accepted, {wearable.failed} failed")


def _simulate_signals(
    url: str,
    device_id: str,
    episodes: bool,
    count: int | None,
    offline_for_s: float,
    token: str | None,
) -> None:
    from sensorhub.devices.signal_sim import SignalSimulator

    wearable = SignalSimulator(url, device_id, episodes, token=token, offline_for_s=offline_for_s)
    click.echo(f"simulated wearable {device_id!r} (boot {wearable.boot}) streaming to {url}")
    _until_interrupted(lambda stop: wearable.run(stop, count))
    click.echo(
        f"{wearable.sent} batches accepted, {wearable.failed} failed, "
        f"{wearable.dropped} dropped from the full buffer"
    )


def _until_interrupted(work: Callable[[threading.Event], None]) -> None:
    """Run ``work(stop)`` until it returns or Ctrl-C / SIGTERM sets ``stop``."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        work(stop)
    except (OSError, ConnectionError) as exc:
        raise click.ClickException(f"cannot reach the server: {exc}") from exc


def _preflight(settings: Settings, *, own_port: bool = True) -> None:
    """Catch the common mistakes before uvicorn starts, each as one line."""
    from sensorhub.config import ensure_data_dir

    ensure_data_dir(settings)
    if own_port:
        _check_port_free(settings.host, settings.port)
    # The server's own choice of model (server.load_configured_model), without importing the
    # server: ``serve`` imports it later, leaving out what it never uses.
    from sensorhub.biometrics import find_stress_model, load_stress_model

    load_stress_model(*find_stress_model(settings.model, Path.cwd()))
    if settings.message_queue is not None:
        _check_message_queue(settings.message_queue.get_secret_value())


def _check_message_queue(url: str) -> None:
    try:
        import redis
    except ImportError as exc:
        hint = "pip install 'sensorhub[redis]'"
        raise ConfigError(f"--message-queue needs the redis package: {hint}") from exc
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3) as client:
            client.ping()
    except (redis.RedisError, OSError) as exc:
        raise ConfigError(f"cannot reach the message queue: {exc}") from exc


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


@main.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--athlete-id", type=int, required=True, help="The athlete the recording is of.")
@click.option("--recorded-at", help="When it was recorded, ISO 8601 with zone (default: now).")
@click.option("--notes", help="Notes to keep with the test.")
@_recording_options
@click.option("--url", default="http://127.0.0.1:5000", show_default=True, help="sensorhub server.")
@click.option(
    "--token",
    envvar="SENSORHUB_API_TOKEN",
    help="API token when the server has auth on (or SENSORHUB_API_TOKEN).",
)
def import_command(
    file: Path,
    athlete_id: int,
    recorded_at: str | None,
    notes: str | None,
    test_type: str,
    drop_height: float | None,
    url: str,
    token: str | None,
) -> None:
    """Import a recording made with another tool (Chronojump force sensor, Hawkin, PASCO,
    Time (s),Force (N), ours) into an athlete's history on a running server, analysed as an
    IMTP or (--test) a jump."""
    import urllib.error
    import urllib.parse
    import urllib.request

    params = {
        "filename": file.name,
        "recorded_at": recorded_at,
        "notes": notes,
        "test_type": test_type,
        "drop_height_m": drop_height,
    }
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    headers = {"Content-Type": "text/csv"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    target = f"{url.rstrip('/')}/api/athletes/{athlete_id}/imports?{query}"
    request = urllib.request.Request(target, file.read_bytes(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            test = json.loads(response.read())["data"]
    except urllib.error.HTTPError as exc:
        raise click.ClickException(_error_message(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"cannot reach {url}: {exc}") from exc
    summary = test["summary"] or {}
    flags = ", ".join(summary.get("flags", [])) or "none"
    click.echo(
        f"test {test['id']} ({test['source']}, {test['sample_count']} samples), flags: {flags}"
    )
    if not summary or summary.get(ranking_metric(test_type)) is None:
        # Stored (the samples are kept), but there is nothing to count: say so and fail.
        found = "pull" if test_type == "imtp" else test_type
        raise click.ClickException(
            f"test {test['id']} was stored but has no analysis: no {found} found in {file.name}"
        )


def _error_message(exc: Any) -> str:
    """The server's error message from an HTTP error reply, else its status."""
    try:
        return str(json.loads(exc.read())["message"])
    except (ValueError, KeyError, TypeError):
        return f"HTTP {exc.code}"


# --- Backups (docs/operations.md#backups) ---


@main.command("backup")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@_with_storage_options
def backup_command(archive: Path, config: Path | None, **flags: Any) -> None:
    """Write ARCHIVE (.tar.gz): the SQLite database as of one moment, taken while the server
    runs, every test CSV and their SHA-256 sums."""
    from sensorhub.backup import backup_data_dir, sqlite_file
    from sensorhub.config import load_settings

    try:
        settings = load_settings(flags, config_file=config)
        summary = backup_data_dir(
            sqlite_file(settings.database_url), settings.test_data_dir, archive
        )
    except SensorhubError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"{summary.archive}: {summary.files} files, {summary.total_bytes} bytes")


@main.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--data-dir", type=click.Path(path_type=Path), help="Where data lives. [default: ./data]"
)
@click.option("--config", type=click.Path(path_type=Path), help="TOML settings file.")
@click.option("--replace", is_flag=True, help="Overwrite a data dir that is not empty.")
def restore_command(
    archive: Path, config: Path | None, replace: bool, data_dir: Path | None
) -> None:
    """Unpack a backup into an empty data dir (stop the server first), checking every file."""
    from sensorhub.backup import restore_data_dir
    from sensorhub.config import load_settings

    try:
        settings = load_settings({"data_dir": data_dir}, config_file=config)
        count = restore_data_dir(archive, settings.data_dir, replace=replace)
    except SensorhubError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"{count} files restored into {settings.data_dir}")


class _NoDashboards:
    """A command has no live clients to push to."""

    async def emit(self, event: str, data: JSONDict, *, room: str | None = None) -> None:
        return None


@main.command("import-e4")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--participant", required=True, help="The participant's pseudonym, e.g. P07.")
@click.option(
    "--phases",
    default="",
    help="The phase each tag begins, in order, e.g. baseline,stress,recovery; other tags "
    "become labels.",
)
@click.option("--device-id", help="[default: e4:<participant>:<start>]")
@_with_storage_options
def import_e4(
    directory: Path,
    participant: str,
    phases: str,
    device_id: str | None,
    config: Path | None,
    **flags: Any,
) -> None:
    """Import an Empatica E4 export (BVP.csv, TEMP.csv, ACC.csv, tags.csv) as a study session,
    windowed as live signals are; straight into the database, any length."""
    import re

    from sensorhub.physio import SlidingWindows
    from sensorhub.physio.e4 import E4FormatError, read_e4_dir
    from sensorhub.server import window_scorer
    from sensorhub.signals import SignalPipeline
    from sensorhub.studies import import_recording, imported_device_id

    if re.fullmatch(r"[A-Za-z0-9._-]{1,64}", participant) is None:
        raise click.ClickException("--participant: 1-64 letters, digits and . _ - (a pseudonym)")
    try:
        recording = read_e4_dir(directory)
    except E4FormatError as exc:
        raise click.ClickException(str(exc)) from exc
    from sensorhub.config import load_settings

    try:
        settings = load_settings(flags, config_file=config)
    except SensorhubError as exc:
        raise click.ClickException(exc.message) from exc

    async def work(storage: Storage) -> Any:
        windows = SlidingWindows(settings.signal_window_s, settings.signal_step_s)
        scorer = window_scorer(settings)
        pipeline = SignalPipeline(storage, _NoDashboards(), windows, scorer)
        try:
            return await import_recording(
                storage, pipeline, device_id or imported_device_id(participant, recording),
                participant, recording, [p for p in phases.split(",") if p],
            )  # fmt: skip
        finally:
            await pipeline.close()

    imported = _with_storage(config, flags, work)
    s = imported.session
    click.echo(
        f"study session {s.id}: participant {s.participant}, device {s.device_id}, "
        f"{_utc(s.started_at)} to {_utc(s.stopped_at or s.started_at)} UTC, "
        f"{imported.batches} batches, {imported.phases} phases, {imported.labels} labels"
    )


@main.group()
def model() -> None:
    """Window stress models: train over study sessions, list (docs/research.md)."""


@model.command("train")
@click.option("--session", "sessions", type=int, multiple=True, required=True,
              help="A study session to train on; repeat for each.")  # fmt: skip
@click.option("--target", default="phase", show_default=True,
              help="'phase' (stress vs the other phases) or label:NAME>=X.")  # fmt: skip
@click.option("--relative/--absolute", default=False,
              help="Features relative to each participant's baseline phase.")  # fmt: skip
@click.option("--name", default="stress", show_default=True, help="The model's name.")
@_with_storage_options
def model_train(
    sessions: tuple[int, ...], target: str, relative: bool, name: str, config: Path | None,
    **flags: Any,
) -> None:  # fmt: skip
    """Train a window model, evaluate it leaving one participant out, register it with its
    report (needs the [train] extra); `sensorhub serve` picks it up once activated."""
    from sensorhub.config import load_settings
    from sensorhub.learning import ModelRegistry, SessionWindows, Target, train_and_register
    from sensorhub.studies import Studies

    try:
        settings = load_settings(flags, config_file=config)
        chosen = Target.parse(target)
    except SensorhubError as exc:
        raise click.ClickException(exc.message) from exc

    async def work(storage: Storage) -> list[SessionWindows]:
        studies = Studies(storage, _NoDashboards())
        return [SessionWindows(*await studies.windows(i)) for i in dict.fromkeys(sessions)]

    chosen_sessions = _with_storage(config, flags, work)
    try:
        registered = train_and_register(
            ModelRegistry(settings.data_dir), chosen_sessions, chosen, relative, name
        )
    except ImportError as exc:
        raise click.ClickException(
            "training needs the [train] extra: pip install 'sensorhub[train]'"
        ) from exc
    except SensorhubError as exc:
        raise click.ClickException(exc.message) from exc
    e = registered.meta["evaluation"]
    pooled, mixed = e["pooled"], e["not_held_out"]
    click.echo(
        f"{registered.name}: {e['participants']} participants, {registered.meta['windows']} windows"
    )
    click.echo(
        f"leave one participant out: balanced accuracy {pooled['balanced_accuracy']:.3f}, "
        f"F1 {pooled['f1']:.3f}, ROC AUC {pooled['roc_auc']:.3f}"
    )
    click.echo(
        "not holding participants out (inflated): balanced accuracy "
        f"{mixed['balanced_accuracy']:.3f}"
    )
    if e["too_few_participants"]:
        click.echo(
            f"warning: fewer than {e['min_participants']} participants: "
            "these figures say little about a new person"
        )
    click.echo(f"report: {ModelRegistry(settings.data_dir).report_path(registered.version)}")


@model.command("list")
@_with_storage_options
def model_list(config: Path | None, **flags: Any) -> None:
    """Registered window models, newest first; * marks the active one."""
    from sensorhub.config import load_settings
    from sensorhub.learning import ModelRegistry

    registry = ModelRegistry(load_settings(flags, config_file=config).data_dir)
    active = registry.active_version()
    for m in registry.models():
        pooled = m.meta["evaluation"]["pooled"]
        mark = "*" if m.version == active else " "
        people = len(m.meta["participants"])
        click.echo(f"{mark} {m.name:<16} {m.meta['target']:<12} participants {people:>3}  "
                   f"LOPO balanced accuracy {pooled['balanced_accuracy']:.3f}")  # fmt: skip
