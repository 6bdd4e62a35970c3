"""Wearable domain: readings, derived values and the stress model (plain Python + NumPy)."""

from sensorhub.biometrics._model_files import write_numpy_copy
from sensorhub.biometrics.readings import (
    Predictor,
    ProcessedReading,
    Reading,
    acceleration_magnitude,
    classify,
    process_readings,
)
from sensorhub.biometrics.stress_model import (
    BUNDLED_MODEL_PATH,
    StressModel,
    find_stress_model,
    load_stress_model,
)
from sensorhub.biometrics.window_model import (
    BUNDLED_WINDOW_MODEL_PATH,
    WindowModel,
    WindowScorer,
    find_window_model,
    is_demo_model,
    load_window_model,
)

__all__ = [
    "BUNDLED_MODEL_PATH",
    "BUNDLED_WINDOW_MODEL_PATH",
    "Predictor",
    "ProcessedReading",
    "Reading",
    "StressModel",
    "WindowModel",
    "WindowScorer",
    "acceleration_magnitude",
    "classify",
    "find_stress_model",
    "find_window_model",
    "is_demo_model",
    "load_stress_model",
    "load_window_model",
    "process_readings",
    "write_numpy_copy",
]
