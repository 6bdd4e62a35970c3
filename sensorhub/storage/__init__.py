"""Storage: schema, the one group-commit writer, and queries."""

from sensorhub.storage._migrations import SCHEMA_VERSION
from sensorhub.storage._readings import ReadingQuery
from sensorhub.storage._storage import Storage
from sensorhub.storage._writer import Barrier, Writer, WriteTask

__all__ = ["Barrier", "ReadingQuery", "SCHEMA_VERSION", "Storage", "WriteTask", "Writer"]
