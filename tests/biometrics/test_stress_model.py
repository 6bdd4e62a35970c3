"""The stress model: reading Keras .h5 files with h5py and running them in NumPy."""

from __future__ import annotations

import importlib.util
import json
import math
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import sensorhub.biometrics
from sensorhub.biometrics import (
    BUNDLED_MODEL_PATH,
    StressModel,
    find_stress_model,
    load_stress_model,
)
from sensorhub.biometrics import _layers as layers
from sensorhub.biometrics.stress_model import NumpyStressModel
from sensorhub.errors import ModelError, UnsupportedLayer
from sensorhub.models import train_demo_model
from tests.biometrics._error_bound import U32, U64, forward_error_bound
from tests.conftest import FIXTURES

MODEL_FIXTURES = FIXTURES / "models"
EXPECTED = json.loads((MODEL_FIXTURES / "expected_predictions.json").read_text())
FIXTURE_INPUTS = np.array(EXPECTED["inputs"], dtype=np.float32)
KERAS_INSTALLED = importlib.util.find_spec("keras") is not None

# Readings spread wider than the training data, so every branch of every layer is used.
_rng = np.random.default_rng(42)
READINGS = np.column_stack(
    [_rng.normal(0, 60, 200), _rng.uniform(28, 38, 200), np.abs(_rng.normal(1, 0.7, 200))]
).astype(np.float32)


def as_float32(values: npt.ArrayLike) -> npt.NDArray[np.float32]:
    return np.asarray(values, dtype=np.float32)


def as_float64(values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    return np.asarray(values, dtype=np.float64)


# --- building small .h5 files by hand --------------------------------------------------------


def layer(class_name: str, name: str, **config: Any) -> dict[str, Any]:
    return {"class_name": class_name, "config": {"name": name, **config}}


def input_layer(width: int) -> dict[str, Any]:
    return layer("InputLayer", "input_1", batch_input_shape=[None, width], dtype="float32")


def write_model(
    path: Path,
    model_layers: Sequence[Mapping[str, Any]],
    weights: Mapping[str, Mapping[str, Sequence[Any] | float]] | None = None,
    *,
    keras_version: str = "2.15.0",
) -> Path:
    """A minimal Keras-style Sequential .h5: model_config plus model_weights/<layer>/<name>."""
    config = {"class_name": "Sequential", "config": {"name": "probe", "layers": model_layers}}
    write_h5(path, config, weights or {}, keras_version=keras_version)
    return path


def write_h5(
    path: Path,
    config: Mapping[str, Any],
    weights: Mapping[str, Mapping[str, Sequence[Any] | float]],
    *,
    keras_version: str = "2.15.0",
) -> None:
    with h5py.File(path, "w") as file:
        file.attrs["keras_version"] = keras_version
        file.attrs["model_config"] = json.dumps(config)
        root = file.create_group("model_weights")
        for layer_name, named in weights.items():
            group = root.create_group(layer_name)
            group.attrs["weight_names"] = [name.encode() for name in named]
            for name, value in named.items():
                group.create_dataset(name, data=as_float32(value))


def dense_weights(
    name: str, kernel: Sequence[Sequence[float]], bias: Sequence[float]
) -> dict[str, dict[str, Any]]:
    return {name: {f"{name}/kernel:0": kernel, f"{name}/bias:0": bias}}


def single_layer_model(
    tmp_path: Path, probe: Mapping[str, Any], weights: Mapping[str, Any] | None = None
) -> Path:
    """One feature in, one out: predict_proba then returns the layer's raw output."""
    return write_model(tmp_path / "probe.h5", [input_layer(1), probe], weights)


def run(path: Path, rows: Sequence[Sequence[float]]) -> npt.NDArray[np.float64]:
    return NumpyStressModel.from_file(path).predict_proba(as_float32(rows))


def edit_config(source: Path, target: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of `source` whose model_config JSON went through `edit(config)`."""
    shutil.copyfile(source, target)
    with h5py.File(target, "r+") as file:
        config = json.loads(file.attrs["model_config"])
        edit(config)
        file.attrs["model_config"] = json.dumps(config)
    return target


# --- the fixture models ----------------------------------------------------------------------


@pytest.mark.parametrize("file_name", sorted(EXPECTED["models"]))
def test_fixture_models_reproduce_keras_outputs(file_name: str) -> None:
    expected = EXPECTED["models"][file_name]
    path = MODEL_FIXTURES / file_name
    model = load_stress_model(path)

    probabilities = model.predict_proba(FIXTURE_INPUTS)

    assert model.backend == "numpy"
    assert model.input_features == 3
    assert probabilities.shape == (len(FIXTURE_INPUTS),)
    # Keras computed the expected outputs in float32 and we compute in float64: each is within
    # its forward_error_bound of the exact output, so they are within the sum (the JSON holds the
    # float32 outputs exactly, so it adds nothing). This worst case, per row, is 4e-6 to 7e-5:
    # wider than the 1e-5 the fixture suggests, but it holds for Keras on any CPU; the observed
    # gaps are about 1 % of it, and the labels below must match exactly anyway.
    bound = forward_error_bound(path, FIXTURE_INPUTS, U32) + forward_error_bound(
        path, FIXTURE_INPUTS, U64
    )
    assert np.all(np.abs(probabilities - expected["outputs"]) <= bound)
    labels = ["Stressed" if p > 0.5 else "Calm" for p in probabilities]
    assert labels == expected["labels"]


@pytest.mark.parametrize(
    "path", [*(MODEL_FIXTURES / name for name in sorted(EXPECTED["models"])), BUNDLED_MODEL_PATH]
)
def test_a_batch_predicts_what_the_rows_predict_one_by_one(path: Path) -> None:
    model = load_stress_model(path)

    batch = model.predict_proba(READINGS)
    one_by_one = np.concatenate([model.predict_proba(row[None, :]) for row in READINGS])

    # Not bit-identical: BLAS sums a matrix-vector and a matrix-matrix product in different
    # orders, and another CPU picks other kernels. Both are within the float64 bound of the exact
    # output, so within twice it of each other (about 1e-13 here, whatever the BLAS).
    bound = 2 * forward_error_bound(path, READINGS, U64)
    assert np.all(np.abs(batch - one_by_one) <= bound)


def test_model_describes_itself(tmp_path: Path) -> None:
    model = load_stress_model(MODEL_FIXTURES / "stress_model_keras2.h5", source="cwd")

    assert isinstance(model, StressModel)
    assert (model.name, model.source, model.backend) == ("stress_model_keras2.h5", "cwd", "numpy")
    assert model.path == MODEL_FIXTURES / "stress_model_keras2.h5"
    assert "stress_model_keras2.h5" in repr(model)


@pytest.mark.parametrize("shape", [(3,), (2, 4), (2, 3, 1), (1, 2)])
def test_features_of_the_wrong_shape_are_refused(shape: tuple[int, ...]) -> None:
    model = load_stress_model(MODEL_FIXTURES / "stress_model_keras2.h5")

    with pytest.raises(ModelError, match=r"shape \(n, 3\)"):
        model.predict_proba(np.zeros(shape, dtype=np.float32))


def test_an_empty_batch_gives_no_probabilities() -> None:
    model = load_stress_model(MODEL_FIXTURES / "stress_model_keras2.h5")

    assert model.predict_proba(np.zeros((0, 3))).shape == (0,)


def test_float64_and_list_features_are_accepted() -> None:
    model = load_stress_model(MODEL_FIXTURES / "stress_model_keras2.h5")
    expected = model.predict_proba(FIXTURE_INPUTS)

    # Features are rounded to float32 first, so these are the same inputs: the same bits out.
    np.testing.assert_array_equal(model.predict_proba(FIXTURE_INPUTS.astype(np.float64)), expected)
    np.testing.assert_array_equal(model.predict_proba(EXPECTED["inputs"]), expected)


# --- the bundled demo model ------------------------------------------------------------------


def test_bundled_demo_model_follows_its_training_rule() -> None:
    model = load_stress_model(BUNDLED_MODEL_PATH, source="bundled")
    # By the rule: high |bvp|, cool skin, much movement is stressed; the opposite is calm.
    stressed, calm = [120.0, 30.0, 2.5], [0.0, 36.0, 1.0]

    p_stressed, p_calm = model.predict_proba([stressed, calm])

    assert p_stressed > 0.9
    assert p_calm < 0.1


def test_bundled_demo_model_agrees_with_the_rule_on_fresh_data() -> None:
    model = load_stress_model(BUNDLED_MODEL_PATH)
    features, labels = train_demo_model.synthetic_readings(np.random.default_rng(7), 5000)

    probabilities = model.predict_proba(features)

    assert np.all((probabilities >= 0) & (probabilities <= 1))
    # The rule adds N(0, 0.5) noise, so even the rule itself scores ~95% on its own labels.
    assert np.mean((probabilities > 0.5) == (labels > 0.5)) > 0.9


@settings(max_examples=50, deadline=None)
@given(
    arrays(
        np.float32,
        st.tuples(st.integers(1, 20), st.just(3)),
        elements=st.floats(-1e6, 1e6, width=32),
    )
)
def test_any_finite_reading_gives_a_probability_without_warnings(
    features: npt.NDArray[np.float32],
) -> None:
    probabilities = load_stress_model(BUNDLED_MODEL_PATH).predict_proba(features)

    assert np.all((probabilities >= 0) & (probabilities <= 1))


def test_training_script_writes_what_keras_2_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "demo.h5"

    train_demo_model.main(["--epochs", "1", "--output", str(output)])

    assert "training accuracy" in capsys.readouterr().out
    assert h5_layout(output) == h5_layout(MODEL_FIXTURES / "stress_model_keras2_norm.h5")
    assert load_stress_model(output).predict_proba(FIXTURE_INPUTS).shape == (5,)


def h5_layout(path: Path) -> dict[str, Any]:
    """What a Keras loader depends on: attribute names with their HDF5 types, and where each
    layer group keeps its weights (the layer's own name replaced by "L")."""

    def attr_types(obj: h5py.HLObject) -> dict[str, tuple[int, int | None]]:
        types = {}
        for key in obj.attrs:
            h5_type = obj.attrs.get_id(key).get_type()
            charset = h5_type.get_cset() if isinstance(h5_type, h5py.h5t.TypeStringID) else None
            types[key] = (h5_type.get_class(), charset)
        return types

    with h5py.File(path) as file:
        weights_root = file["model_weights"]
        weight_paths: set[str] = set()
        for name, group in weights_root.items():
            group.visit(lambda member, name=name: weight_paths.add(member.replace(name, "L")))
        return {
            "root": attr_types(file),
            "model_weights": attr_types(weights_root),
            "layer_groups": {str(attr_types(group)) for group in weights_root.values()},
            "weight_paths": weight_paths,
        }


# --- models the runner cannot run -------------------------------------------------------------


def add_conv1d(config: dict[str, Any]) -> None:
    conv = layer("Conv1D", "conv1d", filters=4, kernel_size=2, activation="relu")
    config["config"]["layers"].insert(1, conv)


def test_an_unsupported_layer_is_named(tmp_path: Path) -> None:
    path = edit_config(MODEL_FIXTURES / "stress_model_keras2.h5", tmp_path / "conv.h5", add_conv1d)

    with pytest.raises(UnsupportedLayer, match=r"'conv1d' \(Conv1D\).*\[keras\] extra"):
        NumpyStressModel.from_file(path)


@pytest.mark.skipif(KERAS_INSTALLED, reason="with keras installed, Keras runs the model instead")
def test_without_keras_an_unsupported_layer_fails_to_load(tmp_path: Path) -> None:
    path = edit_config(MODEL_FIXTURES / "stress_model_keras2.h5", tmp_path / "conv.h5", add_conv1d)

    with pytest.raises(UnsupportedLayer, match=r"'conv1d' \(Conv1D\)"):
        load_stress_model(path)


def test_an_unsupported_activation_is_named(tmp_path: Path) -> None:
    def use_mish(config: dict[str, Any]) -> None:
        config["config"]["layers"][1]["config"]["activation"] = "mish"

    path = edit_config(MODEL_FIXTURES / "stress_model_keras2.h5", tmp_path / "mish.h5", use_mish)

    with pytest.raises(UnsupportedLayer, match=r"'dense' \(Dense\) with activation 'mish'"):
        NumpyStressModel.from_file(path)


@pytest.mark.parametrize("content", [b"", b"not an HDF5 file at all\n" * 10])
def test_a_file_that_is_not_hdf5_is_a_model_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "stress_model.h5"
    path.write_bytes(content)

    with pytest.raises(ModelError, match=str(path)) as caught:
        load_stress_model(path)

    assert isinstance(caught.value.__cause__, OSError)


def test_a_missing_file_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="nothing.h5"):
        load_stress_model(tmp_path / "nothing.h5")


def test_an_hdf5_file_without_model_config_is_a_model_error(tmp_path: Path) -> None:
    path = tmp_path / "weights_only.h5"
    with h5py.File(path, "w") as file:
        file.create_dataset("dense/kernel:0", data=np.ones((3, 1)))

    with pytest.raises(ModelError, match="no model_config"):
        load_stress_model(path)


def test_a_config_that_is_not_json_is_a_model_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.h5"
    with h5py.File(path, "w") as file:
        file.attrs["model_config"] = "{not json"

    with pytest.raises(ModelError, match="not valid JSON") as caught:
        load_stress_model(path)

    assert isinstance(caught.value.__cause__, json.JSONDecodeError)


def test_a_model_without_weights_is_a_model_error(tmp_path: Path) -> None:
    path = tmp_path / "no_weights.h5"
    shutil.copyfile(MODEL_FIXTURES / "stress_model_keras2.h5", path)
    with h5py.File(path, "r+") as file:
        del file["model_weights"]

    with pytest.raises(ModelError, match="no model_weights"):
        load_stress_model(path)


def test_a_missing_weight_is_named(tmp_path: Path) -> None:
    path = write_model(tmp_path / "m.h5", [input_layer(3), layer("Dense", "dense", units=1)])

    with pytest.raises(ModelError, match=r"'dense' \(Dense\) has no 'kernel'"):
        load_stress_model(path)


def test_weights_that_do_not_fit_together_fail_at_load(tmp_path: Path) -> None:
    model_layers = [input_layer(3), layer("Dense", "dense", units=1)]
    path = write_model(tmp_path / "m.h5", model_layers, dense_weights("dense", [[1.0]] * 4, [0]))

    with pytest.raises(ModelError, match="do not fit") as caught:
        load_stress_model(path)

    assert isinstance(caught.value.__cause__, ValueError)


def test_a_model_with_two_outputs_is_refused(tmp_path: Path) -> None:
    model_layers = [input_layer(1), layer("Dense", "dense", units=2)]
    path = write_model(tmp_path / "m.h5", model_layers, dense_weights("dense", [[1, 2]], [0, 0]))

    with pytest.raises(ModelError, match="2 outputs"):
        load_stress_model(path)


def test_an_input_that_is_not_a_vector_is_refused(tmp_path: Path) -> None:
    sequence_input = layer("InputLayer", "input_1", batch_input_shape=[None, 10, 3])
    path = write_model(tmp_path / "m.h5", [sequence_input, layer("Flatten", "flatten")])

    with pytest.raises(ModelError, match=r"\(None, 10, 3\)"):
        load_stress_model(path)


# --- layers ---------------------------------------------------------------------------------


def test_normalization_stats_may_live_in_the_config(tmp_path: Path) -> None:
    source = MODEL_FIXTURES / "stress_model_keras2_norm.h5"
    path = tmp_path / "config_stats.h5"
    shutil.copyfile(source, path)
    with h5py.File(path, "r+") as file:
        group = file["model_weights/normalization"]
        mean, variance = group["mean:0"][()].tolist(), group["variance:0"][()].tolist()
        del file["model_weights/normalization"]
        config = json.loads(file.attrs["model_config"])
        config["config"]["layers"][1]["config"].update(mean=mean, variance=variance)
        file.attrs["model_config"] = json.dumps(config)

    # The same float32 values reach the same code on the same batch: the same bits.
    np.testing.assert_array_equal(run(path, READINGS.tolist()), run(source, READINGS.tolist()))


@pytest.mark.parametrize(
    ("invert", "variance", "expected"),
    [
        (False, 4.0, (7.0 - 3.0) / 2.0),
        # Keras floors the standard deviation at epsilon, it does not add epsilon.
        (False, 0.0, (7.0 - 3.0) / 1e-7),
        (True, 4.0, 3.0 + 7.0 * 2.0),
        (True, 0.0, 3.0 + 7.0 * 1e-7),
    ],
)
def test_normalization_matches_keras(
    tmp_path: Path, invert: bool, variance: float, expected: float
) -> None:
    probe = layer("Normalization", "norm", axis=[-1], invert=invert, mean=None, variance=None)
    weights = {"norm": {"mean:0": [3.0], "variance:0": [variance], "count:0": 10}}

    [out] = run(single_layer_model(tmp_path, probe, weights), [[7.0]])

    assert out == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("center", "scale", "expected"),
    [
        (True, True, 2.0 * (7.0 - 3.0) / math.sqrt(4.0 + 0.5) + 1.0),
        (False, True, 2.0 * (7.0 - 3.0) / math.sqrt(4.0 + 0.5)),
        (True, False, (7.0 - 3.0) / math.sqrt(4.0 + 0.5) + 1.0),
        (False, False, (7.0 - 3.0) / math.sqrt(4.0 + 0.5)),
    ],
)
def test_batch_normalization_uses_its_epsilon_and_flags(
    tmp_path: Path, center: bool, scale: bool, expected: float
) -> None:
    probe = layer("BatchNormalization", "bn", axis=[1], epsilon=0.5, center=center, scale=scale)
    named = {"moving_mean:0": [3.0], "moving_variance:0": [4.0]}
    named |= {"gamma:0": [2.0]} if scale else {}
    named |= {"beta:0": [1.0]} if center else {}

    [out] = run(single_layer_model(tmp_path, probe, {"bn": named}), [[7.0]])

    assert out == pytest.approx(expected, rel=1e-6)


def test_dense_without_bias(tmp_path: Path) -> None:
    dense = layer("Dense", "dense", units=1, activation="linear", use_bias=False)
    weights = {"dense": {"dense/kernel:0": [[2.0], [3.0]]}}
    path = write_model(tmp_path / "m.h5", [input_layer(2), dense], weights)

    assert run(path, [[1.0, 10.0]]).tolist() == [32.0]


@pytest.mark.parametrize(
    "class_name", ["Dropout", "AlphaDropout", "GaussianDropout", "GaussianNoise", "Flatten"]
)
def test_training_only_and_shape_layers_are_the_identity(tmp_path: Path, class_name: str) -> None:
    probe = layer(class_name, "probe", rate=0.5, stddev=1.0)

    assert run(single_layer_model(tmp_path, probe), [[7.0], [-2.0]]).tolist() == [7.0, -2.0]


@pytest.mark.parametrize(
    ("keras_version", "expected"), [("2.15.0", 0.2 * 1.5 + 0.5), ("3.15.1", 1.5 / 6 + 0.5)]
)
def test_hard_sigmoid_follows_the_keras_version_that_wrote_the_file(
    tmp_path: Path, keras_version: str, expected: float
) -> None:
    probe = layer("Activation", "act", activation="hard_sigmoid")
    path = write_model(tmp_path / "m.h5", [input_layer(1), probe], keras_version=keras_version)

    assert run(path, [[1.5]])[0] == pytest.approx(expected)


def test_keras3_activation_dicts_are_understood(tmp_path: Path) -> None:
    as_dict = {"module": "keras.activations", "class_name": "function", "config": "tanh"}
    probe = layer("Activation", "act", activation=as_dict)

    assert run(single_layer_model(tmp_path, probe), [[0.5]])[0] == pytest.approx(math.tanh(0.5))


def test_keras3_weight_names_and_split_name_lists_are_read(tmp_path: Path) -> None:
    path = tmp_path / "m.h5"
    model_layers = [input_layer(2), layer("Dense", "dense", units=1)]
    write_model(path, model_layers)
    with h5py.File(path, "r+") as file:
        group = file["model_weights"].create_group("dense")
        # Keras 3 nests weights under the model name; Keras splits long name lists in chunks.
        group.attrs["weight_names0"] = [b"m/dense/kernel"]
        group.attrs["weight_names1"] = [b"m/dense/bias"]
        group.create_dataset("m/dense/kernel", data=as_float32([[2.0], [3.0]]))
        group.create_dataset("m/dense/bias", data=as_float32([1.0]))

    assert run(path, [[1.0, 10.0]]).tolist() == [33.0]


def test_weights_are_found_without_a_weight_names_list(tmp_path: Path) -> None:
    model_layers = [input_layer(2), layer("Dense", "dense", units=1)]
    path = write_model(tmp_path / "m.h5", model_layers, dense_weights("dense", [[2], [3]], [1]))
    with h5py.File(path, "r+") as file:
        del file["model_weights/dense"].attrs["weight_names"]

    assert run(path, [[1.0, 10.0]]).tolist() == [33.0]


def test_input_width_is_inferred_when_the_file_does_not_declare_it(tmp_path: Path) -> None:
    dense = layer("Dense", "dense", units=1)  # no InputLayer, no batch_input_shape
    path = write_model(tmp_path / "m.h5", [dense], dense_weights("dense", [[2], [3]], [1]))

    assert NumpyStressModel.from_file(path).input_features == 2


# --- Functional models --------------------------------------------------------------------------


def functional_layer(
    class_name: str, name: str, parents: list[str], keras3: bool, **config: Any
) -> dict[str, Any]:
    if keras3:
        tensors = [
            {"class_name": "__keras_tensor__", "config": {"keras_history": [parent, 0, 0]}}
            for parent in parents
        ]
        nodes: list[Any] = [{"args": tensors, "kwargs": {}}] if parents else []
    else:
        nodes = [[[parent, 0, 0, {}] for parent in parents]] if parents else []
    return {**layer(class_name, name, **config), "name": name, "inbound_nodes": nodes}


def functional_model(tmp_path: Path, keras3: bool, hidden_parents: list[str]) -> Path:
    """input -> hidden (relu) -> out (sigmoid), with the layers listed out of order."""
    chain = [
        functional_layer("Dense", "out", ["hidden"], keras3, units=1, activation="sigmoid"),
        functional_layer("Dense", "hidden", hidden_parents, keras3, units=2, activation="relu"),
        functional_layer("InputLayer", "features", [], keras3, batch_shape=[None, 2]),
    ]
    refs: Any = (
        (["features", 0, 0], ["out", 0, 0]) if keras3 else ([["features", 0, 0]], [["out", 0, 0]])
    )
    inner = {"name": "f", "layers": chain, "input_layers": refs[0], "output_layers": refs[1]}
    weights = {
        **dense_weights("hidden", [[1, -1], [2, 0.5]], [0, 1]),
        **dense_weights("out", [[1], [-2]], [0.5]),
    }
    path = tmp_path / f"functional_{keras3}.h5"
    write_h5(path, {"class_name": "Functional", "config": inner}, weights)
    return path


@pytest.mark.parametrize("keras3", [False, True], ids=["keras2", "keras3"])
def test_a_linear_functional_model_runs(tmp_path: Path, keras3: bool) -> None:
    x = np.array([[1.0, 2.0], [-3.0, 0.5]])
    hidden = np.maximum(x @ np.array([[1, -1], [2, 0.5]]) + [0, 1], 0)
    expected = 1 / (1 + np.exp(-(hidden @ np.array([[1], [-2]]) + 0.5)))

    out = run(functional_model(tmp_path, keras3, ["features"]), x.tolist())

    np.testing.assert_allclose(out, expected[:, 0], rtol=1e-6)


@pytest.mark.parametrize("keras3", [False, True], ids=["keras2", "keras3"])
def test_a_branching_functional_model_is_unsupported(tmp_path: Path, keras3: bool) -> None:
    path = functional_model(tmp_path, keras3, ["features", "features"])

    with pytest.raises(UnsupportedLayer, match=r"'hidden' \(Dense\) with several inputs"):
        NumpyStressModel.from_file(path)


# --- activations against known values ---------------------------------------------------------

KNOWN_ACTIVATIONS = [
    ("linear", [-2.0, 0.0, 3.0], [-2.0, 0.0, 3.0]),
    ("relu", [-2.0, 0.0, 3.0], [0.0, 0.0, 3.0]),
    ("sigmoid", [0.0, math.log(3), -math.log(3)], [0.5, 0.75, 0.25]),
    ("sigmoid", [-1000.0, 1000.0], [0.0, 1.0]),
    ("tanh", [0.5, -1.0], [0.46211715726000974, -0.7615941559557649]),
    ("elu", [-1.0, 2.0, -1000.0], [math.exp(-1) - 1, 2.0, -1.0]),
    ("selu", [1.0, -1.0], [1.0507009873554805, -1.1113307378125625]),
    (
        "gelu",
        [1.0, -1.0, 2.0, 0.0],
        [0.8413447460685429, -0.15865525393145707, 1.9544997361036416, 0.0],
    ),
    ("swish", [1.0, -1.0], [0.7310585786300049, -0.2689414213699951]),
    ("silu", [2.0], [1.7615941559557646]),
    ("softplus", [0.0, 1.0, 1000.0, -1000.0], [math.log(2), 1.3132616875182228, 1000.0, 0.0]),
    ("softsign", [1.0, -3.0], [0.5, -0.75]),
    ("leaky_relu", [-1.0, 2.0], [-0.2, 2.0]),
    ("exponential", [0.0, 1.0, 1000.0], [1.0, math.e, math.inf]),
]


# An activation is at most four float64 roundings (u each) and two calls of exp, tanh, log1p or
# expm1, which libm and NumPy's SIMD loops give to within a few ulps (4 · 2u allowed per call).
ACTIVATION_RTOL = 4 * U64 + 2 * 4 * 2 * U64
# Where the exact value is 0, sigmoid stops at its floor 1 / (1 + e^709) ≈ 1e-308 (see sigmoid).
SIGMOID_FLOOR = 1 / (1 + math.exp(709))
# Abramowitz & Stegun 7.1.26's published absolute error; gelu(x) = x/2 · (1 + erf(x/√2)) carries
# it times |x|/2.
ERF_ABS_ERROR = 1.5e-7


@pytest.mark.parametrize(("name", "inputs", "expected"), KNOWN_ACTIVATIONS)
def test_activation_known_values(name: str, inputs: list[float], expected: list[float]) -> None:
    out = layers.ACTIVATIONS[name](as_float64(inputs))

    assert out.dtype == np.float64
    erf_part = ERF_ABS_ERROR * max(map(abs, inputs)) / 2 if name == "gelu" else 0.0
    np.testing.assert_allclose(out, expected, rtol=ACTIVATION_RTOL, atol=SIGMOID_FLOOR + erf_part)


def test_softmax_known_values() -> None:
    out = layers.softmax(as_float64([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]]))

    expected = [[0.09003057317038046, 0.24472847105479767, 0.6652409557748219], [1 / 3] * 3]
    np.testing.assert_allclose(out, expected, rtol=ACTIVATION_RTOL)


def test_hard_sigmoid_known_values() -> None:
    x = as_float64([-10.0, -1.0, 0.0, 2.0, 10.0])

    np.testing.assert_allclose(
        layers.hard_sigmoid_keras2(x), [0.0, 0.3, 0.5, 0.9, 1.0], rtol=ACTIVATION_RTOL
    )
    np.testing.assert_allclose(
        layers.hard_sigmoid_keras3(x), [0.0, 1 / 3, 0.5, 5 / 6, 1.0], rtol=ACTIVATION_RTOL
    )


def test_erf_stays_within_its_published_error_bound() -> None:
    x = np.linspace(-6, 6, 24_001)

    error = np.abs(layers.erf(x) - np.vectorize(math.erf)(x))

    assert error.max() < ERF_ABS_ERROR


# --- finding the model -------------------------------------------------------------------------


def test_explicit_model_comes_first(tmp_path: Path) -> None:
    (tmp_path / "stress_model.h5").touch()
    (tmp_path / "mine.h5").touch()

    assert find_stress_model(Path("mine.h5"), tmp_path) == (tmp_path / "mine.h5", "cli")
    assert find_stress_model(tmp_path / "mine.h5", Path("/elsewhere")) == (
        tmp_path / "mine.h5",
        "cli",
    )


def test_model_in_the_working_directory_comes_next(tmp_path: Path) -> None:
    (tmp_path / "stress_model.h5").touch()

    assert find_stress_model(None, tmp_path) == (tmp_path / "stress_model.h5", "cwd")


def test_bundled_model_is_the_default(tmp_path: Path) -> None:
    path, source = find_stress_model(None, tmp_path)

    assert (path, source) == (BUNDLED_MODEL_PATH, "bundled")
    assert path.is_file()


def test_a_missing_explicit_model_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "stress_model.h5").touch()

    with pytest.raises(ModelError, match="typo.h5"):
        find_stress_model(Path("typo.h5"), tmp_path)


def test_an_explicit_model_that_is_a_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="is not a file"):
        find_stress_model(tmp_path, tmp_path)


def test_stress_model_names_are_exported() -> None:
    exported = sensorhub.biometrics.__all__

    assert exported == sorted(exported)
    for name in ["BUNDLED_MODEL_PATH", "StressModel", "find_stress_model", "load_stress_model"]:
        assert name in exported
        assert hasattr(sensorhub.biometrics, name)


# --- real Keras, when installed -------------------------------------------------------------------


# Keras's torch backend converts outputs with a NumPy 2 deprecated __array__ call.
@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_real_keras_loads_the_bundled_model_and_agrees() -> None:
    keras = pytest.importorskip("keras", reason="the [keras] extra is not installed")

    keras_model = keras.models.load_model(BUNDLED_MODEL_PATH, compile=False)

    expected = np.asarray(keras_model.predict_on_batch(READINGS)).reshape(-1)
    ours = load_stress_model(BUNDLED_MODEL_PATH).predict_proba(READINGS)
    # Keras in float32, we in float64: see test_fixture_models_reproduce_keras_outputs.
    bound = forward_error_bound(BUNDLED_MODEL_PATH, READINGS, U32) + forward_error_bound(
        BUNDLED_MODEL_PATH, READINGS, U64
    )
    assert np.all(np.abs(ours - expected) <= bound)


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_keras_runs_models_the_numpy_runner_cannot(tmp_path: Path) -> None:
    keras = pytest.importorskip("keras", reason="the [keras] extra is not installed")
    path = tmp_path / "conv.h5"
    conv_layers = [keras.layers.Reshape((3, 1)), keras.layers.Conv1D(2, 2), keras.layers.Flatten()]
    dense = keras.layers.Dense(1, activation="sigmoid")
    keras.Sequential([keras.Input(shape=(3,)), *conv_layers, dense]).save(path)

    model = load_stress_model(path)

    assert model.backend == "keras"
    assert model.input_features == 3
    probabilities = model.predict_proba(FIXTURE_INPUTS)
    assert probabilities.shape == (5,)
    assert np.all((probabilities >= 0) & (probabilities <= 1))
