"""Study sessions on wearables (issue 13): start, stop, phases and labels, and the session
export. The plain session data (marks, phases) is in sensorhub.physio.study."""

from sensorhub.studies._imports import (
    ImportedSession,
    batch_payloads,
    import_recording,
    imported_device_id,
)
from sensorhub.studies._service import Studies, mark_payload, session_payload

__all__ = [
    "ImportedSession",
    "Studies",
    "batch_payloads",
    "import_recording",
    "imported_device_id",
    "mark_payload",
    "session_payload",
]
