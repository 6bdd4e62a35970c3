"""Seed-compatible entry point: ``python app.py`` starts the server like ``sensorhub serve``."""

import sys

from sensorhub.cli import main

if __name__ == "__main__":
    main(["serve", *sys.argv[1:]])
