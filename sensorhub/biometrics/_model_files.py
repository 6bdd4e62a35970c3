"""Where a saved Keras model's attributes and weights come from: its ``.h5`` file, read with
h5py, or, for the bundled demo models, the ``.npz`` copy the training scripts write beside it.

h5py costs ~12 MB of resident memory and ~0.1 s to import; a server on the bundled models reads
their NumPy copies and never loads it. Any other model file (``--model``, ``./stress_model.h5``)
is read from its ``.h5``, as Keras wrote it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from sensorhub.lazy import lazy_module

if TYPE_CHECKING:
    import h5py
else:
    h5py = lazy_module("h5py")  # loaded by the first .h5 read

BUNDLED_MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
# The file attributes the runner reads; a NumPy copy keeps them as text.
ATTRIBUTES = ("model_config", "keras_version")
# Keras's group of per-layer weight groups; in a NumPy copy, the array of the layer names, and
# each weight stored as "model_weights/<layer>/<short name>".
WEIGHTS = "model_weights"

Weights = dict[str, npt.NDArray[Any]]


class ModelContents(Protocol):
    """An open model file, as the runner reads it."""

    def attribute(self, key: str) -> object | None: ...

    def has_weights(self) -> bool: ...

    def layer_weights(self, layer: str) -> Weights:
        """A layer's weights keyed by short name ("kernel", "moving_mean", ...); {} if none."""
        ...


@contextmanager
def open_model_file(path: Path) -> Iterator[ModelContents]:
    """``path``'s contents: from its NumPy copy for a bundled model, else from the .h5."""
    copy = numpy_copy(path)
    if copy is not None:
        with np.load(copy) as arrays:
            yield _NumpyCopy(arrays)
    else:
        with h5py.File(path, "r") as file:
            yield _H5File(file)


def numpy_copy(path: Path) -> Path | None:
    """The NumPy copy of a bundled model; None for a model file anywhere else."""
    copy = path.with_suffix(".npz")
    return copy if path.resolve().parent == BUNDLED_MODELS_DIR and copy.is_file() else None


def write_numpy_copy(h5_path: Path) -> Path:
    """Writes ``h5_path``'s attributes and weights, as the runner reads them, to the ``.npz``
    beside it; returns its path."""
    # Any: numpy's stub would match a dict's values against savez's own bool parameter too.
    arrays: dict[str, Any] = {}
    with h5py.File(h5_path, "r") as file:
        contents = _H5File(file)
        for key in ATTRIBUTES:
            value = contents.attribute(key)
            if value is not None:
                arrays[key] = np.asarray(text(value))
        if contents.has_weights():
            layers = list(file[WEIGHTS])
            arrays[WEIGHTS] = np.asarray(layers)
            for layer in layers:
                for name, value in contents.layer_weights(layer).items():
                    arrays[f"{WEIGHTS}/{layer}/{name}"] = value
    copy = h5_path.with_suffix(".npz")
    np.savez_compressed(copy, **arrays)
    return copy


def text(value: object) -> str:
    return value.decode("utf-8") if isinstance(value, bytes | np.bytes_) else str(value)


class _NumpyCopy:
    def __init__(self, arrays: Any) -> None:  # numpy's NpzFile
        self._arrays = arrays

    def attribute(self, key: str) -> object | None:
        return str(self._arrays[key]) if key in self._arrays else None

    def has_weights(self) -> bool:
        return WEIGHTS in self._arrays

    def layer_weights(self, layer: str) -> Weights:
        prefix = f"{WEIGHTS}/{layer}/"
        return {
            key.removeprefix(prefix): self._arrays[key]
            for key in self._arrays.files
            if key.startswith(prefix)
        }


class _H5File:
    def __init__(self, file: h5py.File) -> None:
        self._file = file

    def attribute(self, key: str) -> object | None:
        value: object | None = self._file.attrs.get(key)
        return value

    def has_weights(self) -> bool:
        return WEIGHTS in self._file

    def layer_weights(self, layer: str) -> Weights:
        """Keras 2 stores 'dense/kernel:0' under the layer's group, Keras 3
        'model/dense/kernel'; the last path part without ':0' is the same in both."""
        root = self._file[WEIGHTS]
        if layer not in root:
            return {}
        group = root[layer]
        names = _string_list(group.attrs, "weight_names")
        datasets = [group[name] for name in names] if names else _datasets_under(group)
        return {_short_weight_name(ds.name): np.asarray(ds[()]) for ds in datasets}


def _string_list(attrs: h5py.AttributeManager, key: str) -> list[str]:
    """A list attribute, joined from 'key0', 'key1', ... when Keras had to split it."""
    if key in attrs:
        return [text(item) for item in attrs[key]]
    items: list[str] = []
    chunk = 0
    while f"{key}{chunk}" in attrs:
        items.extend(text(item) for item in attrs[f"{key}{chunk}"])
        chunk += 1
    return items


def _datasets_under(group: h5py.Group) -> list[h5py.Dataset]:
    found: list[h5py.Dataset] = []

    def collect(_name: str, obj: object) -> None:  # returning non-None would stop the visit
        if isinstance(obj, h5py.Dataset):
            found.append(obj)

    group.visititems(collect)
    return found


def _short_weight_name(dataset_path: str) -> str:
    return dataset_path.rsplit("/", 1)[-1].split(":", 1)[0]
