"""Force plates, one unit per job, all sharing one ``PlateStates``:

- ``TestRecorder``: live samples and the test lifecycle (start, stop, flush, done, save);
- ``TestArchive``: stored tests (saving, recovery at start-up, re-analysis, deletion, the
  latest test of a device);
- ``PlateViews``: the read-only payloads (status, summary, latest sample, session data);
- ``PlateCalibration``: tare, calibrate against a known mass, set directly;
- ``PlateDesk``: what transports ask, by device; ``LocalDesk`` answers it here
  (``sensorhub.cluster``'s desk routes it between processes, by ``Ownership``).

``open_plates`` builds them, loads calibrations and recovers interrupted tests.
"""

from sensorhub.plates._archive import TestArchive
from sensorhub.plates._assembly import Plates, open_plates
from sensorhub.plates._calibration import PlateCalibration
from sensorhub.plates._desk import LocalDesk, PlateDesk
from sensorhub.plates._ownership import Ownership, SoleOwner
from sensorhub.plates._payloads import sample_dicts
from sensorhub.plates._recorder import FIRST_SAVE_RETRY_S, PLATE_IDLE_S, TestRecorder
from sensorhub.plates._states import PlateStates
from sensorhub.plates._timing import ManualTimer, MonotonicTimer, Timer
from sensorhub.plates._views import PlateViews

__all__ = [
    "FIRST_SAVE_RETRY_S",
    "LocalDesk",
    "ManualTimer",
    "MonotonicTimer",
    "Ownership",
    "PLATE_IDLE_S",
    "PlateCalibration",
    "PlateDesk",
    "PlateStates",
    "PlateViews",
    "Plates",
    "SoleOwner",
    "TestArchive",
    "TestRecorder",
    "Timer",
    "open_plates",
    "sample_dicts",
]
