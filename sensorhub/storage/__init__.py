"""Storage: schema, the one group-commit writer, queries and test CSV files."""

from sensorhub.storage._alerts import AlertRecord
from sensorhub.storage._athletes import AthleteQuery, AthleteRecord, AthleteStore, DeleteOutcome
from sensorhub.storage._csvfiles import TestFiles, csv_lines
from sensorhub.storage._imports import IMPORT_DEVICE, ImportTest
from sensorhub.storage._migrations import SCHEMA_VERSION
from sensorhub.storage._readings import ReadingQuery, ReadingStore
from sensorhub.storage._reliability import CreateReliabilityStudy, ReliabilityStudyRecord
from sensorhub.storage._retention import RAW_SIGNALS, READINGS, WINDOWS, Kept, MinuteRecord
from sensorhub.storage._signals import StoredBatch, WindowQuery, WindowRecord
from sensorhub.storage._storage import Storage
from sensorhub.storage._tests import TestQuery, TestRecord, TestStore
from sensorhub.storage._tokens import TokenRecord
from sensorhub.storage._transfer import TableCheck, migrate_to
from sensorhub.storage._writer import Barrier, Writer, WriteTask

__all__ = [
    "AlertRecord",
    "AthleteQuery",
    "AthleteRecord",
    "AthleteStore",
    "Barrier",
    "CreateReliabilityStudy",
    "DeleteOutcome",
    "IMPORT_DEVICE",
    "ImportTest",
    "Kept",
    "MinuteRecord",
    "RAW_SIGNALS",
    "READINGS",
    "ReadingQuery",
    "ReadingStore",
    "ReliabilityStudyRecord",
    "SCHEMA_VERSION",
    "Storage",
    "StoredBatch",
    "TableCheck",
    "TestFiles",
    "TestQuery",
    "TestRecord",
    "TestStore",
    "TokenRecord",
    "WINDOWS",
    "WindowQuery",
    "WindowRecord",
    "WriteTask",
    "Writer",
    "csv_lines",
    "migrate_to",
]
