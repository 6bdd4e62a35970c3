"""The coach's side: athletes, their sessions and trends, the squad (issue 12)."""

from sensorhub.athletes._book import AthleteBook

__all__ = ["AthleteBook"]
