"""Tests that need an outside service: a failure under CI, a skip with the reason elsewhere.

``.ci/run`` installs or starts every service the suite uses (Chromium, PostgreSQL, Redis,
nginx, Mosquitto, poppler) and ``make test`` the dev extra's packages, so under ``CI=true`` a
missing one is a broken machine, and a silent skip would report a pass for tests that never
ran.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import NoReturn

import pytest

CI_VALUES = {"1", "true", "yes"}


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in CI_VALUES


def require_service(name: str, reason: str) -> NoReturn:
    """Stop the current test because ``name`` is missing; ``reason`` says how to get it."""
    message = f"{name} is not available: {reason}"
    if under_ci():
        pytest.fail(f"{message} (CI is set: .ci/run must provide {name})", pytrace=False)
    pytest.skip(message)


def require_module(name: str, reason: str) -> ModuleType:
    """``import name``, or stop the test as ``require_service`` does: a package of the dev
    extra that is missing under CI is a broken install, not a reason to skip."""
    try:
        return importlib.import_module(name)
    except ImportError:
        require_service(name, reason)
