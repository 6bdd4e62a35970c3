"""The coach's side: athletes, their sessions and trends, the squad (issue 12)."""

from sensorhub.athletes._book import AthleteBook
from sensorhub.athletes._history import squad_csv

__all__ = ["AthleteBook", "squad_csv"]
