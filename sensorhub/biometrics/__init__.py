"""Wearable biometrics: reading validation, features and the stress model."""

from sensorhub.biometrics.stress_model import (
    BUNDLED_MODEL_PATH,
    StressModel,
    find_stress_model,
    load_stress_model,
)

__all__ = [
    "BUNDLED_MODEL_PATH",
    "StressModel",
    "find_stress_model",
    "load_stress_model",
]
