"""Settings: defaults < config file (TOML) < ``SENSORHUB_*`` environment < command-line flags."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
)

from sensorhub.errors import ConfigError

LogLevel = Literal["debug", "info", "warning", "error"]
ENV_PREFIX = "SENSORHUB_"
MIN_API_TOKEN_CHARS = 16
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class Settings(BaseModel):
    """Everything an operator can tune. Field docs double as ``--help`` and README text."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # 0.0.0.0 like the seeds: ESP32 boards on the gym LAN must be able to reach the server.
    host: str = "0.0.0.0"
    port: int = Field(5000, ge=1, le=65535)
    data_dir: Path = Path("data")
    db: str | None = Field(None, description="SQLAlchemy URL; default: SQLite in the data dir")
    model: Path | None = Field(None, description="Keras .h5 stress model to load")
    window_model: Path | None = Field(
        None, description="Keras .h5 window model with its .json sidecar (docs/signals.md)"
    )
    cors_origins: tuple[str, ...] = ("*",)
    # Host names a request that acts or opens a socket may name (DNS rebinding, docs/security.md);
    # empty: localhost, this machine's names and --host. An IP address always passes.
    allowed_hosts: tuple[str, ...] = ()
    # Set: every route but /api/health and the pages needs a token (docs/security.md).
    # SecretStr: never shown by repr or in a validation message.
    api_token: SecretStr | None = None
    # A device token found valid is trusted this long before it is looked up again: how
    # late a revocation reaches a running server.
    token_cache_s: float = Field(5.0, ge=0, le=3600)
    log_level: LogLevel = "info"
    access_log: bool = False
    # 1 MiB: a 1000-reading batch is ~150 KiB; anything far larger is a mistake or an attack.
    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    # Per client address, and a whole club behind one NAT or reverse proxy shares one: a
    # wearable posts 4/s (the firmware's 250 ms), so 100 of them plus dashboards stay far
    # below 2000/s, while one runaway client is still held to about what a small server can
    # take. 0 turns the limit off (benchmarks, trusted networks).
    rate_limit_per_s: float = Field(2000.0, ge=0)
    rate_limit_burst: int = Field(4000, ge=1)
    # Per device, whatever the transport: a 1 kHz plate sends ~20-50 batches/s, a wearable
    # 4-50 readings/s. 0 turns the limit off.
    device_rate_limit_per_s: float = Field(100.0, ge=0)
    device_rate_limit_burst: int = Field(200, ge=1)
    # Live sockets (Socket.IO and /ws): a club has a few plates and tablets; 0 means no limit.
    max_connections: int = Field(500, ge=0)
    max_connections_per_address: int = Field(50, ge=0)
    # Live frames one client may fall behind by before its oldest are dropped (and it is told):
    # ~2.5 s of 10 plates at 1 kHz in 50-sample batches. 0 means no bound.
    send_queue_frames: int = Field(500, ge=0)
    # Slowloris: each request's headers must arrive within this many seconds of their first
    # byte; an ESP32 sends them in one go. (uvicorn alone waits for ever.)
    request_head_timeout_s: float = Field(10.0, gt=0, le=300)
    # ... and its body within this many seconds of the head: 1 MiB (the body limit) at a slow
    # 64 kB/s Wi-Fi link takes 16 s; a client dripping a byte a second is cut off.
    request_body_timeout_s: float = Field(30.0, gt=0, le=600)
    # Group commit: the writer commits whatever queued while the previous commit ran, up to
    # this many items; waiting longer than that buys no throughput but costs latency.
    writer_batch_max: int = Field(1000, ge=1)
    # Producers wait (never drop) when this many writes are pending: bounded memory.
    writer_backlog_max: int = Field(10_000, ge=1)
    # The longest a write waits for the database before the client gets 503 + Retry-After
    # ("not stored"): below an ESP32 HTTP client's ~5 s timeout, so it learns the outcome.
    storage_timeout_s: float = Field(3.0, gt=0, le=60)
    # After a stop, a test still takes the esp's samples until it sends `done` or is silent
    # this long: enough for an ESP32 to empty its buffer over a slow Wi-Fi link.
    flush_grace_s: float = Field(2.0, gt=0, le=60)
    # Wearable signal windows (docs/signals.md): WESAD's 60 s window; a 5 s step keeps the
    # HR/RMSSD chart moving at the cost of 12 windows per minute per device.
    signal_window_s: float = Field(60.0, ge=10, le=600)
    signal_step_s: float = Field(5.0, ge=1, le=600)
    # The sliding windows hold up to a window of samples per device (~1.8 MB at 1024 Hz BVP):
    # at most this many devices, each forgotten after this long without a batch (its windows
    # then begin again, as after a restart). A study runs a handful of wearables at once.
    signal_devices_max: int = Field(64, ge=1, le=10_000)
    signal_device_idle_s: float = Field(600.0, gt=0, le=86_400)
    # A plate with no test and nothing heard for this long is forgotten (docs/plates.md).
    plate_device_idle_s: float = Field(600.0, gt=0, le=86_400)
    # A USB-connected device read inside the server (the seed's optional serial listener).
    serial: str | None = Field(None, description="serial port, e.g. /dev/ttyUSB0")
    serial_baud: int = Field(115200, gt=0)
    # Devices over an MQTT broker (docs/mqtt.md); the client id names the broker session
    # that keeps messages while sensorhub is away, so it must stay the same across restarts.
    mqtt: str | None = Field(None, description="MQTT broker, e.g. mqtt://127.0.0.1:1883")
    mqtt_client_id: str = Field("sensorhub", min_length=1, max_length=64)
    # Whether this process takes the broker's messages. ``--workers N`` sets it for the first
    # child only: one subscriber keeps each device's messages in order in one process, and
    # its restarts resume the one broker session (the others would take it over in turn).
    mqtt_subscriber: bool = True
    # Several processes (docs/deploy.md): live data, device presence, test ownership and
    # commands go through this Redis; None keeps everything inside this one process.
    message_queue: SecretStr | None = Field(None, description="redis://host:6379/0")
    # Every Redis key and channel starts with it, so deployments (and tests) can share a Redis.
    message_queue_prefix: str = Field("sensorhub", pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    # A process that dies holds its devices' tests this long at most before another takes
    # them over; renewed four times per period while in use.
    lease_ttl_s: float = Field(5.0, ge=0.5, le=60)
    # Proxies (addresses or CIDR networks) whose X-Forwarded-For names the client: per-address
    # rate and connection limits then count the client, not the proxy. None trusted by
    # default (uvicorn alone would trust loopback): any local program could pose as anyone.
    trusted_proxies: tuple[str, ...] = ()
    # Server processes sharing the port (``serve --workers``); more than one needs the queue.
    workers: int = Field(1, ge=1, le=64)

    # --- Alerts (docs/operations.md#alerts); each rule is off at 0 ---
    # A device that sent before and has been silent this many minutes (during alert_hours).
    alert_device_silent_min: float = Field(0.0, ge=0)
    # Local times of day silence counts, e.g. "07:00-22:00" (a club is closed at night).
    alert_hours: str | None = Field(
        None, pattern=r"^([01]?\d|2[0-3]):[0-5]\d-([01]?\d|2[0-4]):[0-5]\d$"
    )
    # A wearable whose windows have all been poor (no usable pulse), or all predicted
    # stressed at alert_stress_probability or more, for this many minutes.
    alert_windows_poor_min: float = Field(0.0, ge=0)
    alert_stress_min: float = Field(0.0, ge=0)
    alert_stress_probability: float = Field(0.5, gt=0, le=1)
    # An idle, unloaded plate reading this many newtons or more from zero needs a re-tare
    # (docs/operations.md#plate-drift); 0 turns it off.
    alert_plate_drift_n: float = Field(20.0, ge=0)
    # JSON POSTed at each alert's start and end (http:// or https://).
    alert_webhook: str | None = Field(None, pattern=r"^https?://\S+$")
    alert_webhook_attempts: int = Field(5, ge=1, le=20)
    # The pause before the second attempt, doubled before each next one (1+2+4+8 s by default).
    alert_webhook_pause_s: float = Field(1.0, ge=0, le=300)
    # How often the rules are checked: the alerts' resolution in time.
    alert_check_s: float = Field(10.0, ge=0.05, le=600)

    # --- Retention and backups (docs/operations.md); nothing is deleted unless set ---
    # Raw wearable signals (and per-reading rows) older than this many days become per-minute
    # aggregates; windows older than this go. 0 keeps them all.
    retain_raw_signals_days: float = Field(0.0, ge=0)
    retain_readings_days: float = Field(0.0, ge=0)
    retain_windows_days: float = Field(0.0, ge=0)
    # Finished force-plate tests started longer ago than this many days lose their raw
    # samples and CSV file; their analysis, metrics, events and trial stay. 0 keeps them all.
    retain_plate_samples_days: float = Field(0.0, ge=0)
    # A backup of the data dir (SQLite) this often into backup_dir, keeping the newest
    # backup_keep; 0 makes none.
    backup_every_h: float = Field(0.0, ge=0)
    backup_keep: int = Field(7, ge=1)
    backup_dir: Path | None = Field(None, description="default: <data_dir>/backups")
    # How often retention and the backup schedule are looked at.
    upkeep_check_s: float = Field(600.0, ge=0.05, le=86_400)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        return _split_commas(value)

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: Any) -> Any:
        return _split_commas(value)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: Any) -> Any:
        return _split_commas(value)

    @field_validator("mqtt")
    @classmethod
    def _mqtt_url(cls, value: str | None) -> str | None:
        if value is not None and not (value.startswith("mqtt://") and len(value) > 7):
            raise ValueError("must look like mqtt://host:1883")
        return value

    @field_validator("api_token")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        # A short token can be guessed: refuse it rather than trust it.
        if value is not None and len(value.get_secret_value()) < MIN_API_TOKEN_CHARS:
            raise ValueError(f"must be at least {MIN_API_TOKEN_CHARS} characters")
        return value

    @field_validator("message_queue")
    @classmethod
    def _redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(REDIS_SCHEMES):
            raise ValueError(f"must be a Redis URL ({', '.join(REDIS_SCHEMES)}...)")
        return value

    @field_validator("workers")
    @classmethod
    def _workers_share_a_queue(cls, value: int, info: ValidationInfo) -> int:
        if value > 1 and info.data.get("message_queue") is None:
            raise ValueError("more than one process needs --message-queue (docs/deploy.md)")
        if value > 1 and info.data.get("serial") is not None:
            raise ValueError(
                "--serial reads one port, which several processes cannot share: run one "
                "process with --serial, or `sensorhub serial` forwarding to the cluster"
            )
        return value

    @property
    def database_url(self) -> str:
        return self.db or f"sqlite:///{(self.data_dir / 'sensorhub.db').resolve()}"

    @property
    def test_data_dir(self) -> Path:
        return self.data_dir / "test_data"


def _split_commas(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


def load_settings(
    flags: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Merge every source in priority order and validate once; errors are one line."""
    environ = os.environ if environ is None else environ
    config_file = config_file or _env_path(environ.get(ENV_PREFIX + "CONFIG"))
    merged: dict[str, Any] = {}
    if config_file is not None:
        merged.update(_read_config_file(config_file))
    merged.update(_from_environ(environ))
    merged.update({k: v for k, v in (flags or {}).items() if v is not None})
    try:
        return Settings(**merged)
    except pydantic.ValidationError as exc:
        raise ConfigError(_describe(exc)) from exc


def _env_path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    return {key.replace("-", "_"): value for key, value in data.items()}


def _from_environ(environ: Mapping[str, str]) -> dict[str, str]:
    fields = set(Settings.model_fields)
    found = {}
    for key, value in environ.items():
        name = key.removeprefix(ENV_PREFIX).lower()
        # An empty variable means "not set", as shells make unsetting awkward.
        if key.startswith(ENV_PREFIX) and name in fields and value:
            found[name] = value
    return found


def _describe(exc: pydantic.ValidationError) -> str:
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "settings"
    return f"invalid setting {field!r}: {first['msg']}"


def ensure_data_dir(settings: Settings) -> None:
    """Create the data dir and prove it is writable, or fail with one clear line."""
    probe = settings.data_dir / ".write-test"
    try:
        settings.test_data_dir.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(
            f"data dir {settings.data_dir} is not writable: {exc.strerror or exc}"
        ) from exc
