"""The coach's side: athletes, their sessions and trends, the squad (issue 12)."""

from sensorhub.athletes._book import AthleteBook, StudyFields
from sensorhub.athletes._history import exclusion, squad_columns, squad_csv
from sensorhub.athletes._imports import TestKind
from sensorhub.athletes._period import Period, ReliabilityStudy

__all__ = [
    "AthleteBook",
    "Period",
    "ReliabilityStudy",
    "StudyFields",
    "TestKind",
    "exclusion",
    "squad_columns",
    "squad_csv",
]
