"""Every error sensorhub raises on purpose, with a stable ``code`` and an HTTP ``status``.

::

    SensorhubError
     ├── ConfigError                  a setting is unusable (exit at start-up, never an HTTP reply)
     ├── ValidationError        422   input has the wrong shape or values
     │    ├── PayloadTooLarge   413   the body is over the configured limit
     │    └── UnsupportedMediaType 415 the body is not sent as the route's content type
     ├── Unauthorized           401   auth is on and the request has no valid token
     ├── Forbidden              403   the token (or the page's origin) may not do this
     │    ├── OriginNotAllowed        a page on another origin asked to act or open a socket
     │    └── HostNotAllowed          the request names a host that is not this server's
     ├── RequestTimeout         408   the request's body did not arrive in time
     ├── NotFoundError          404   the thing asked for does not exist
     │    ├── TestNotFound            no stored test has that id
     │    ├── AthleteNotFound         no athlete has that id
     │    ├── NoReading               the device has sent no samples yet
     │    ├── StudyNotFound           no study session has that id
     │    └── ModelNotFound           no registered model has that version
     ├── SamplesRemoved         410   retention removed the test's raw samples (its analysis stays)
     ├── ConflictError          409   the request clashes with the current state
     │    ├── SessionRunning          a test already runs on that device
     │    ├── NoSessionRunning        no test runs on that device
     │    ├── PlateNotReady           its recent samples cannot tare or calibrate it
     │    ├── PlateLoaded             tare asked of a loaded plate, not confirmed
     │    ├── StudyRunning            a study session already records that wearable
     │    ├── StudyStopped            the study session has stopped: no more marks
     │    ├── BatchReused             a signal batch's (device, boot, seq) holds other samples
     │    ├── AnalysisFrozen          a test's raw samples are gone: it cannot be analysed again
     │    ├── AthleteHasTests         deleting an athlete would delete tests, not asked for
     │    └── TestHasNoAthlete        only an athlete's test can be excluded from their history
     ├── RateLimited            429   the client sends faster than allowed
     │    └── TooManyConnections      its address (or everyone) holds the most sockets allowed
     ├── ModelError                   a stress model cannot be read or run
     │    └── UnsupportedLayer        the model uses a layer our NumPy runner lacks
     ├── StorageError           503   the database did not take the write
     │    └── StorageUnavailable      it cannot now (locked, full, gone); retry later
     ├── OwnerUnreachable       503   the process running the device's tests cannot answer now
     │    └── DeviceMoved             this process just handed the device to another one
     └── DeviceError                  a link to a device or a forwarding target failed
          ├── SerialPortError         a serial port cannot be opened, read or written
          └── ForwardError            a forwarded message did not reach the server

Transports render these in exactly one handler each; other modules translate foreign
exceptions (SQLAlchemy, h5py, pydantic, pyserial, httpx) into these, chained ``from exc``.
"""

from __future__ import annotations


class SensorhubError(Exception):
    """Base of all sensorhub errors."""

    code = "error"
    status = 500

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        # When set, the client may try again after this many seconds (HTTP ``Retry-After``).
        self.retry_after_s = retry_after_s


class ConfigError(SensorhubError):
    """Raised when a setting cannot be used (bad path, unreadable model, port in use)."""

    code = "config_error"


class ValidationError(SensorhubError):
    """Raised when input has the wrong shape or values; the message names the field."""

    code = "validation_error"
    status = 422


class PayloadTooLarge(ValidationError):
    """Raised when a request body is over the configured limit."""

    code = "payload_too_large"
    status = 413


class Unauthorized(SensorhubError):
    """Raised when auth is on and a request or connection brings no valid token."""

    code = "unauthorized"
    status = 401


class Forbidden(SensorhubError):
    """Raised when a valid token asks for something its holder may not do."""

    code = "forbidden"
    status = 403


class OriginNotAllowed(Forbidden):
    """Raised when a web page on an origin not configured asks to change something or to
    open a socket."""

    code = "origin_not_allowed"


class HostNotAllowed(Forbidden):
    """Raised when a request that acts, or opens a socket, names a ``Host`` that is not one
    of this server's (DNS rebinding)."""

    code = "host_not_allowed"


class RequestTimeout(SensorhubError):
    """Raised when a request's body does not arrive within the configured time."""

    code = "request_timeout"
    status = 408


class NotFoundError(SensorhubError):
    """Raised when the requested resource does not exist."""

    code = "not_found"
    status = 404


class SamplesRemoved(SensorhubError):
    """Raised when a test's raw samples (or CSV) are asked for after retention removed them:
    gone on purpose, not a test that recorded none."""

    code = "samples_removed"
    status = 410


class ConflictError(SensorhubError):
    """Raised when a request clashes with the current state."""

    code = "conflict"
    status = 409


class RateLimited(SensorhubError):
    """Raised when a client exceeds its request rate."""

    code = "rate_limited"
    status = 429


class TooManyConnections(RateLimited):
    """Raised when a socket would pass the connections allowed per address or overall."""

    code = "too_many_connections"


class ModelError(SensorhubError):
    """Raised when a stress model cannot be read or run."""

    code = "model_error"


class UnsupportedLayer(ModelError):
    """Raised when a model contains a layer the NumPy runner does not implement."""

    code = "unsupported_layer"


class StorageError(SensorhubError):
    """Raised when the database does not accept a write."""

    code = "storage_error"
    status = 503


class OwnerUnreachable(SensorhubError):
    """Raised when, with several server processes, the one running a device's tests cannot be
    reached (it is being replaced): nothing was done, and the same request may be retried."""

    code = "owner_unreachable"
    status = 503


class DeviceMoved(OwnerUnreachable):
    """Raised when this process handed the device to another one while a request waited:
    the request is sent on there (docs/deploy.md)."""

    code = "device_moved"


class StorageUnavailable(StorageError):
    """Raised when the database cannot commit now (locked, full, removed, unreachable): the
    request was not stored, and the same request may be sent again later."""

    code = "storage_unavailable"


class DeviceError(SensorhubError):
    """Raised when a link to a device, or from it to the server, fails."""

    code = "device_error"


class SerialPortError(DeviceError):
    """Raised when a serial port cannot be opened, read or written (e.g. it was unplugged)."""

    code = "serial_port_error"


class ForwardError(DeviceError):
    """Raised when a forwarded message does not reach the server (network, 5xx, rate limit)."""

    code = "forward_error"


class SessionRunning(ConflictError):
    """Raised when a test is started on a device whose test is still running or flushing."""

    code = "session_running"


class NoSessionRunning(ConflictError):
    """Raised when a test is stopped on a device with no running test."""

    code = "no_session_running"


class PlateNotReady(ConflictError):
    """Raised when a plate's last second of samples cannot tare or calibrate it (none came,
    or the channel reads its zero): the request is fine, the plate's state is not."""

    code = "plate_not_ready"


class PlateLoaded(ConflictError):
    """Raised when a plate with a load on it is to be tared without the request confirming
    it; the message names the load (docs/plates.md#tare-under-load)."""

    code = "plate_loaded"


class TestNotFound(NotFoundError):
    """Raised when no stored test has the requested id."""

    __test__ = False  # not a pytest test class, despite the name
    code = "test_not_found"


class NoReading(NotFoundError):
    """Raised when a device has sent no sample yet (or too few for the request)."""

    code = "no_reading"


class StudyNotFound(NotFoundError):
    """Raised when no study session has the requested id."""

    code = "study_not_found"


class ModelNotFound(NotFoundError):
    """Raised when no registered window model has the requested version."""

    code = "model_not_found"


class StudyRunning(ConflictError):
    """Raised when a study session is started on a wearable another one is recording."""

    code = "study_running"


class StudyStopped(ConflictError):
    """Raised when a phase or label is added to a study session that has stopped."""

    code = "study_stopped"


class AnalysisFrozen(ConflictError):
    """Raised when a test whose raw samples retention removed is to be analysed again or
    have its events moved: its saved analysis is all there is."""

    code = "analysis_frozen"


class BatchReused(ConflictError):
    """Raised when a signal batch repeats a stored (device_id, boot, seq) with other samples:
    not a replay, so neither stored over the first nor acknowledged as a duplicate."""

    code = "batch_reused"


class AthleteNotFound(NotFoundError):
    """Raised when no athlete has the requested id."""

    code = "athlete_not_found"


class ReliabilityStudyNotFound(NotFoundError):
    """Raised when no recorded reliability study has the requested id."""

    code = "reliability_study_not_found"


class AthleteHasTests(ConflictError):
    """Raised when an athlete with tests is deleted without asking for the tests to go too."""

    code = "athlete_has_tests"


class TestHasNoAthlete(ConflictError):
    """Raised when a test that belongs to no athlete is excluded from an athlete's history."""

    __test__ = False  # not a pytest test class, despite the name
    code = "test_has_no_athlete"


class UnsupportedMediaType(ValidationError):
    """Raised when a body comes with another content type than the route takes."""

    code = "unsupported_media_type"
    status = 415
