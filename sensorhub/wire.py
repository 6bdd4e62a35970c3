"""Names and limits on the wire: every transport, the firmware and the pages spell them here.

Firmware and apps in the field send and listen for exactly these names and stay inside these
limits: a name is never renamed, only new ones are added.
"""

from __future__ import annotations

from typing import Literal

# --- events the server sends -------------------------------------------------------------
# A processed wearable reading, after it is committed (docs/broadcast.md).
STREAM = "stream"
# A batch of live force-plate samples, before it is committed (docs/broadcast.md).
SENSOR_DATA = "sensor_data"
# A plate's test changed state (started, flushing, idle).
TEST_STATUS = "test_status"
# A test is saved: its file, sample count and analysis summary.
DATA_COMPLETE = "data_complete"
# A rep of a running jump test landed: its headline numbers (docs/jumps.md).
JUMP_REP = "jump_rep"
# Commands to an esp (``{"cmd": "start"|"stop", "session_id"}``) travel as ``message``.
COMMAND = "message"
# The reply to a message the server refused: ``{"message", "code"}``.
ERROR = "error"
# Sent once on connect: ``{"status": "connected"}``.
STATUS = "status"
PONG = "pong"
# A client that stopped reading lost its oldest live frames: ``{"count"}`` since the last notice.
DROPPED = "dropped"
# A wearable's signal batch (BVP, temperature, acceleration), after it is committed, to
# dashboards; the same name as the event a wearable sends it with.
SIGNALS = "signals"
# To the sender of a ``signals`` batch once it is stored (or was already): ``{"device_id",
# "seq", "duplicate"}``; firmware resends a batch until it hears this.
SIGNALS_ACK = "signals_ack"
# A window's features (and its prediction), after they are committed (docs/signals.md).
FEATURES = "features"
# A study session started, stopped or got a phase or label (docs/signals.md).
STUDY = "study"
# Live frames: what a client that falls behind may lose (the data itself is stored).
LIVE_EVENTS = (SENSOR_DATA, STREAM, SIGNALS)

# --- events the server receives ----------------------------------------------------------
# A force-plate message whose kind comes from its keys (``type``, ``samples``, ``done``, ``cmd``).
MESSAGE = "message"
REGISTER = "register"
SAMPLES = "samples"
DONE = "done"
CMD = "cmd"
PING = "ping"
FORCE_PLATE_EVENTS = (MESSAGE, REGISTER, SAMPLES, DONE, CMD)

# The plain WebSocket for firmware without a Socket.IO client.
WEBSOCKET_PATH = "/ws"
# Where python-socketio answers (its default): long-polling requests and its WebSockets.
SOCKETIO_PATH = "/socket.io/"

# --- limits ------------------------------------------------------------------------------
# A name as a coach types it; longer is a paste gone wrong.
MAX_ATHLETE_CHARS = 200
# A paragraph or two of free text per test.
MAX_NOTES_CHARS = 5000
#: What a test is of (``start_test`` / ``cmd`` start): the IMTP, or a jump test (docs/jumps.md).
TestTypeName = Literal["imtp", "cmj", "squat_jump", "drop_jump", "rebound", "drop_landing"]
#: A drop jump's box is at most this high (m); drop jumps are done from 0.2–0.6 m.
MAX_DROP_HEIGHT_M = 2.0
# Free text holds no NUL: PostgreSQL text cannot (SQLite can), so both databases take the
# same strings and a NUL is a 422 naming the field, not a failed write.
TEXT_PATTERN = r"^[^\x00]*$"
NOT_BLANK_TEXT_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"
#: Groups appear in paths (``/api/groups/{group}/squad``): no slashes or URL punctuation.
GROUP_PATTERN = r"^[A-Za-z0-9_ .+-]{1,64}$"
#: What each pattern asks, in words: a 422 says this instead of the regular expression.
PATTERN_MEANINGS = {
    TEXT_PATTERN: "must not contain a NUL character",
    NOT_BLANK_TEXT_PATTERN: "must not be blank (nor contain a NUL character)",
    GROUP_PATTERN: "must be 1 to 64 letters, digits, spaces or _ . + -",
}
# 10 s at 1 kHz in one message: far above what firmware batches (~20 per 20 ms).
MAX_SAMPLES_PER_MESSAGE = 10_000
# Wearable readings per POST /api/sensor_data/batch.
MAX_READINGS_PER_BATCH = 1000
# Seconds of signal per channel in one ``signals`` batch: a minute of offline buffer per retry.
MAX_SIGNAL_SECONDS = 60.0
# Sampling rates (Hz) a channel may declare. BVP needs 16 Hz for the 8 Hz pulse band; the
# Empatica E4 sends BVP 64, temperature 4, acceleration 32.
BVP_HZ = (16.0, 1024.0)
TEMPERATURE_HZ = (0.1, 64.0)
ACC_HZ = (1.0, 1024.0)

# --- physical ranges (docs/contracts.md#physical-ranges) ---------------------------------
# What a sensor can report at all (its full range), not what a body usually gives: a value
# outside is a broken or made-up reading, refused with 422 naming the field.
# Skin temperature, °C: the rated range of the seed's 10 kΩ NTC thermistor (B 3950) and of the
# Empatica E4's (−40…115 °C); an open or shorted thermistor reads 0 °C, inside it.
TEMPERATURE_C = (-40.0, 125.0)
# Acceleration per axis, g: ±16 g is the widest full scale of the MEMS accelerometers wearables
# use (ADXL345, MPU-6050, LSM6DS3); the seed's ADXL335 reads ±5 g at its ADC's ends, the E4 ±2 g.
MAX_ACCELERATION_G = 16.0
# BVP, sensor units: at most a 24-bit ADC's counts (PPG front ends are 18–22 bit: MAX30102,
# AFE4404); the seed sends 0…1, the E4 a few hundred.
MAX_BVP = 2.0**24
