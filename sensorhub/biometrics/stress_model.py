"""The wearable's stress model: a Keras ``.h5`` file read with h5py and run in NumPy (the
bundled demo models are read from their NumPy copies, ``_model_files.py``).

TensorFlow takes 40-60 ms per ``model.predict`` and 1.5 GB on disk; the small MLPs used here
run in ~10 µs as a few NumPy calls. Files written by Keras 2 (tf.keras) and by Keras 3's
legacy HDF5 save both load. A model with a layer we lack falls back to real Keras when the
optional ``[keras]`` extra is installed, and otherwise fails with ``UnsupportedLayer``.

Features are ``[bvp, temperature, acceleration_magnitude]``; the output is the probability
of "Stressed" (the model's single sigmoid unit).
"""

from __future__ import annotations

import importlib.util
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np
import numpy.typing as npt

from sensorhub.biometrics._layers import (
    FloatArray,
    Forward,
    LayerSpec,
    build_layer,
    require_supported,
    unsupported_layer,
)
from sensorhub.biometrics._model_files import (
    BUNDLED_MODELS_DIR,
    WEIGHTS,
    ModelContents,
    open_model_file,
    text,
)
from sensorhub.errors import ModelError, UnsupportedLayer

__all__ = [
    "BUNDLED_MODEL_PATH",
    "CWD_MODEL_NAME",
    "KerasStressModel",
    "NumpyStressModel",
    "StressModel",
    "find_stress_model",
    "load_stress_model",
]

logger = logging.getLogger(__name__)

BUNDLED_MODEL_PATH = BUNDLED_MODELS_DIR / "stress_model_demo.h5"
# A user's own model, picked up from the working directory as the original server did.
CWD_MODEL_NAME = "stress_model.h5"


class StressModel(ABC):
    """A loaded stress model, as the server uses it (the health endpoint shows these fields)."""

    backend: str  # "numpy" or "keras"

    def __init__(self, path: Path, source: str, input_features: int) -> None:
        self.path = path
        self.name = path.name
        self.source = source  # how it was found: "cli", "cwd" or "bundled"
        self.input_features = input_features

    def predict_proba(self, features: npt.ArrayLike) -> FloatArray:
        """Probability of "Stressed" for each row of an (n, input_features) array: shape (n,).

        Features are rounded to float32, the input dtype the model was trained and saved with,
        so float32 and float64 callers get the same answer.
        """
        rows = np.asarray(features, dtype=np.float32).astype(np.float64)
        if rows.ndim != 2 or rows.shape[1] != self.input_features:
            raise ModelError(
                f"stress model {self.name} takes an array of shape (n, {self.input_features}); "
                f"got shape {rows.shape}"
            )
        return self._predict(rows)

    @abstractmethod
    def _predict(self, rows: FloatArray) -> FloatArray:
        """The forward pass on already validated rows (float32 values, held as float64)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, source={self.source!r})"


class NumpyStressModel(StressModel):
    """A Keras model's forward pass as NumPy closures: float64 over the stored float32 weights."""

    backend = "numpy"

    def __init__(
        self, path: Path, source: str, input_features: int, forwards: Sequence[Forward]
    ) -> None:
        super().__init__(path, source, input_features)
        self._forwards = tuple(forwards)

    @classmethod
    def from_file(cls, path: Path, source: str = "cli") -> NumpyStressModel:
        specs, declared_width = _read_model_file(path)
        steps = [build_layer(spec) for spec in specs]
        width = declared_width or next((s.in_width for s in steps if s.in_width), None)
        if width is None:
            raise ModelError(f"stress model {path}: cannot tell how many input features it takes")
        forwards = [step.forward for step in steps if step.forward is not None]
        model = cls(path, source, width, forwards)
        model._check_runs()
        return model

    def _predict(self, rows: FloatArray) -> FloatArray:
        for forward in self._forwards:
            rows = forward(rows)
        return rows.reshape(-1)

    def _check_runs(self) -> None:
        """One dry run at load, so mismatched weights fail now and not on the first reading."""
        try:
            out = self._predict(np.zeros((1, self.input_features)))
        except ValueError as exc:
            raise ModelError(f"stress model {self.path}: its weights do not fit: {exc}") from exc
        if out.shape != (1,):
            raise ModelError(
                f"stress model {self.path} gives {out.size} outputs per reading; "
                "a stress model has one sigmoid output"
            )


class KerasStressModel(StressModel):
    """The fallback for layers the NumPy runner lacks: real Keras (the ``[keras]`` extra)."""

    backend = "keras"

    def __init__(self, path: Path, source: str, model: Any) -> None:
        super().__init__(path, source, _keras_input_width(model, path))
        self._model = model

    @classmethod
    def from_file(cls, path: Path, source: str = "cli") -> KerasStressModel:
        try:
            import keras  # optional and slow to import: only when a model needs it

            model = keras.models.load_model(str(path), compile=False)
        # Keras raises many unrelated types here (ValueError, TypeError, ImportError when
        # no backend is installed, ...); the log already says why Keras was needed.
        except Exception as exc:
            raise ModelError(f"Keras cannot load stress model {path}: {exc}") from exc
        return cls(path, source, model)

    def _predict(self, rows: FloatArray) -> FloatArray:
        # predict_on_batch skips predict()'s per-call dataset machinery.
        # Keras computes in float32 whatever it is given; widened to match the NumPy runner.
        out = np.asarray(self._model.predict_on_batch(rows.astype(np.float32)), dtype=np.float64)
        return out.reshape(-1)


def _keras_input_width(model: Any, path: Path) -> int:
    in_shape, out_shape = getattr(model, "input_shape", None), getattr(model, "output_shape", None)
    if not (_is_batch_of_vectors(in_shape) and _is_batch_of_vectors(out_shape)):
        raise ModelError(
            f"stress model {path} maps {in_shape} to {out_shape}; "
            "a stress model maps (None, features) to (None, 1)"
        )
    if out_shape[-1] != 1:
        raise ModelError(f"stress model {path} gives {out_shape[-1]} outputs; it needs one")
    return int(in_shape[-1])


def _is_batch_of_vectors(shape: object) -> TypeGuard[tuple[Any, int]]:
    return isinstance(shape, tuple) and len(shape) == 2 and isinstance(shape[-1], int)


def load_stress_model(path: Path, source: str = "cli") -> StressModel:
    """Loads a Keras .h5 stress model, in NumPy when it can, else in Keras if installed."""
    try:
        return NumpyStressModel.from_file(path, source)
    except UnsupportedLayer as exc:
        if importlib.util.find_spec("keras") is None:
            raise
        logger.warning("%s; loading %s with Keras instead (much slower)", exc, path)
        return KerasStressModel.from_file(path, source)


def find_stress_model(explicit: Path | None, cwd: Path) -> tuple[Path, str]:
    """Which model file to use and why: ``--model``, else ./stress_model.h5, else the demo."""
    if explicit is not None:
        path = cwd / explicit  # an absolute `explicit` stays as it is
        if not path.is_file():
            problem = "is not a file" if path.exists() else "does not exist"
            raise ModelError(f"stress model file {path} {problem}")
        return path, "cli"
    local = cwd / CWD_MODEL_NAME
    if local.is_file():
        return local, "cwd"
    return BUNDLED_MODEL_PATH, "bundled"


# --- reading the .h5 file ----------------------------------------------------------------


def _read_model_file(path: Path) -> tuple[list[LayerSpec], int | None]:
    """The layers in forward order with their weights, and the input width the file declares."""
    try:
        with open_model_file(path) as contents:
            config = _model_config(contents, path)
            layer_configs = _forward_order(config, path)
            for layer in layer_configs:
                require_supported(layer["class_name"], _layer_name(layer))
            keras_major = _keras_major(contents.attribute("keras_version"))
            if not contents.has_weights():
                raise ModelError(f"{path} has a model config but no {WEIGHTS} group")
            specs = [_layer_spec(layer, contents, keras_major) for layer in layer_configs]
            return specs, _declared_input_width(config, layer_configs, path)
    except (OSError, KeyError, ValueError, TypeError) as exc:
        # OSError: missing file or not HDF5; the rest: a config or weight layout we can't read.
        raise ModelError(f"cannot read stress model {path}: {exc}") from exc


def _model_config(contents: ModelContents, path: Path) -> dict[str, Any]:
    raw = contents.attribute("model_config")
    if raw is None:
        raise ModelError(
            f"{path} has no model_config: not a Keras model saved with model.save(...h5)"
        )
    try:
        config = json.loads(text(raw))
    except ValueError as exc:
        raise ModelError(f"{path}: model_config is not valid JSON: {exc}") from exc
    if not isinstance(config, dict) or "class_name" not in config:
        raise ModelError(f"{path}: model_config is not a Keras model config")
    return config


def _keras_major(version: object) -> int:
    """The Keras major version that wrote the file; files without one predate Keras 3."""
    try:
        return int(text(version).split(".")[0])
    except ValueError:
        return 2


def _layer_name(layer: Mapping[str, Any]) -> str:
    # Functional configs name layers at the top level, Sequential ones only inside config.
    return str(layer.get("name") or layer["config"]["name"])


def _forward_order(config: Mapping[str, Any], path: Path) -> list[Mapping[str, Any]]:
    class_name = config["class_name"]
    inner = config["config"]
    if class_name == "Sequential":
        # Keras < 2.4 stored a Sequential's config as the bare list of layers.
        return list(inner if isinstance(inner, list) else inner["layers"])
    if class_name in ("Functional", "Model"):
        return _linear_chain(inner, path)
    raise unsupported_layer(class_name, str(inner.get("name", "model")), " as a whole model")


def _linear_chain(inner: Mapping[str, Any], path: Path) -> list[Mapping[str, Any]]:
    """A Functional model's layers from input to output, if they form a single chain."""
    layers = {_layer_name(layer): layer for layer in inner["layers"]}
    inputs, outputs = _tensor_refs(inner["input_layers"]), _tensor_refs(inner["output_layers"])
    if len(inputs) != 1 or len(outputs) != 1:
        raise ModelError(
            f"{path} has {len(inputs)} inputs and {len(outputs)} outputs; "
            "a stress model has one of each"
        )
    chain = [layers[outputs[0]]]
    while parents := _inbound_layer_names(chain[-1]):
        if len(parents) != 1:
            layer = chain[-1]
            raise unsupported_layer(layer["class_name"], _layer_name(layer), " with several inputs")
        if len(chain) > len(layers):
            raise ModelError(f"{path}: the layer graph has a cycle")
        chain.append(layers[parents[0]])
    chain.reverse()
    if _layer_name(chain[0]) != inputs[0]:
        raise ModelError(f"{path}: the output does not lead back to the input {inputs[0]!r}")
    return chain


def _tensor_refs(value: Sequence[Any]) -> list[str]:
    """Layer names in input_layers/output_layers: [name, 0, 0] or [[name, 0, 0], ...]."""
    if value and isinstance(value[0], str):
        return [value[0]]
    return [ref[0] for ref in value]


def _inbound_layer_names(layer: Mapping[str, Any]) -> list[str]:
    nodes = layer.get("inbound_nodes") or []
    if len(nodes) > 1:
        raise unsupported_layer(layer["class_name"], _layer_name(layer), " used more than once")
    return list(_history_names(nodes))


def _history_names(node: object) -> Iterator[str]:
    """Names of the layers feeding a node, in Keras 2 or Keras 3 node format."""
    if isinstance(node, Mapping):
        if node.get("class_name") == "__keras_tensor__":  # Keras 3: {"keras_history": [...]}
            yield str(node["config"]["keras_history"][0])
        else:
            for value in node.values():
                yield from _history_names(value)
    elif isinstance(node, list):
        if len(node) >= 3 and isinstance(node[0], str) and isinstance(node[1], int):
            yield node[0]  # Keras 2: [name, node_index, tensor_index, kwargs]
        else:
            for item in node:
                yield from _history_names(item)


def _declared_input_width(
    config: Mapping[str, Any], layers: Sequence[Mapping[str, Any]], path: Path
) -> int | None:
    """The feature count from the input shape; None when the file leaves it open."""
    first = layers[0]["config"] if layers else {}
    inner = config["config"] if isinstance(config["config"], Mapping) else {}
    shape = (
        first.get("batch_shape")  # Keras 3 InputLayer
        or first.get("batch_input_shape")  # Keras 2 InputLayer or first layer
        or inner.get("build_input_shape")  # Keras 3 Sequential without an InputLayer
    )
    if shape is None:
        return None
    if len(shape) != 2:
        raise ModelError(
            f"{path} takes input of shape {tuple(shape)}; the runner takes (batch, features)"
        )
    return int(shape[1]) if shape[1] is not None else None


def _layer_spec(layer: Mapping[str, Any], contents: ModelContents, keras_major: int) -> LayerSpec:
    name = _layer_name(layer)
    weights = contents.layer_weights(name)
    return LayerSpec(layer["class_name"], name, layer["config"], weights, keras_major)
