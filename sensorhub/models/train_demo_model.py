"""Train the bundled DEMO stress model on synthetic data, in pure NumPy, and save it as .h5.

This is NOT a physiological model. Its labels come from a toy rule (``label_rule`` below,
the same rule the test fixtures were trained with) so that the server has a model that runs
out of the box. The file is written in the layout tf.keras 2.15 uses for ``model.save("x.h5")``,
so Keras 2 and Keras 3 load it as well as sensorhub's NumPy runner; beside it, the same
attributes and weights as a NumPy ``.npz``, which the server reads the bundled models from
(it then starts without h5py).

    python -m sensorhub.models.train_demo_model [--output PATH] [--seed N] [--epochs N]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import numpy.typing as npt

from sensorhub.biometrics import load_stress_model, write_numpy_copy

Array = npt.NDArray[np.float64]

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "stress_model_demo.h5"
SEED = 2024
N_TRAIN, N_HELD_OUT = 20_000, 5_000
HIDDEN_UNITS = (16, 8)
EPOCHS, BATCH_SIZE, LEARNING_RATE = 30, 128, 3e-3
KERAS_EPSILON = 1e-7  # Keras's backend.epsilon(), used by Normalization and Adam
# The Keras version whose .h5 layout we write (the fixtures' stress_model_keras2_norm.h5).
KERAS_VERSION = "2.15.0"
RULE = (
    "synthetic: bvp~N(0,50), temperature~U(29.5,36.5) C, acc~|N(1,0.5)| g; stressed if "
    "0.04*(|bvp|-35) - (temp-33) + 2*(acc-1) + N(0,0.5) > 0 (toy rule, not physiological)"
)


def label_rule(features: Array) -> Array:
    """The noiseless stress score of the toy rule; > 0 means "Stressed"."""
    bvp, temperature, acceleration = features.T
    score: Array = 0.04 * (np.abs(bvp) - 35) - (temperature - 33) + 2 * (acceleration - 1)
    return score


def synthetic_readings(rng: np.random.Generator, n: int) -> tuple[Array, Array]:
    """(n, 3) features [bvp, temperature, acceleration_magnitude] and 0/1 labels, per RULE."""
    features = np.column_stack(
        [rng.normal(0, 50, n), rng.uniform(29.5, 36.5, n), np.abs(rng.normal(1, 0.5, n))]
    )
    labels = (label_rule(features) + rng.normal(0, 0.5, n) > 0).astype(np.float64)
    return features, labels


# --- the network: Normalization -> Dense(16, relu) -> Dense(8, relu) -> Dense(1, sigmoid) ---


def glorot_uniform(rng: np.random.Generator, fan_in: int, fan_out: int) -> Array:
    limit = np.sqrt(6 / (fan_in + fan_out))  # Keras's default Dense initializer
    return rng.uniform(-limit, limit, (fan_in, fan_out))


def init_dense(rng: np.random.Generator, widths: Sequence[int]) -> list[Array]:
    """[kernel, bias, kernel, bias, ...] for Dense layers of the given widths."""
    params: list[Array] = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:], strict=True):
        params += [glorot_uniform(rng, fan_in, fan_out), np.zeros(fan_out)]
    return params


def standardise(features: Array, mean: Array, variance: Array) -> Array:
    # Exactly what the Keras Normalization layer computes at inference.
    return (features - mean) / np.maximum(np.sqrt(variance), KERAS_EPSILON)


def forward(params: Sequence[Array], x: Array) -> tuple[list[Array], Array]:
    """Hidden activations (for backprop) and the output logits."""
    activations = [x]
    for kernel, bias in zip(params[:-2:2], params[1:-2:2], strict=True):
        activations.append(np.maximum(activations[-1] @ kernel + bias, 0))
    return activations, activations[-1] @ params[-2] + params[-1]


def sigmoid(z: Array) -> Array:
    return 0.5 * (1 + np.tanh(0.5 * z))  # overflow-free logistic


def gradients(params: Sequence[Array], x: Array, y: Array) -> list[Array]:
    """Gradients of mean binary cross-entropy with respect to each parameter."""
    activations, logits = forward(params, x)
    delta = (sigmoid(logits[:, 0]) - y)[:, None] / len(y)
    grads: list[Array] = []
    for layer in reversed(range(len(params) // 2)):
        grads[:0] = [activations[layer].T @ delta, delta.sum(axis=0)]
        if layer:
            delta = (delta @ params[2 * layer].T) * (activations[layer] > 0)
    return grads


def adam_step(
    params: list[Array], grads: list[Array], moments: list[Array], squares: list[Array], step: int
) -> None:
    """One Adam update in place, with Keras's defaults but the learning rate."""
    beta1, beta2 = 0.9, 0.999
    rate = LEARNING_RATE * np.sqrt(1 - beta2**step) / (1 - beta1**step)
    for param, grad, moment, square in zip(params, grads, moments, squares, strict=True):
        moment += (1 - beta1) * (grad - moment)
        square += (1 - beta2) * (grad * grad - square)
        param -= rate * moment / (np.sqrt(square) + KERAS_EPSILON)


def train(rng: np.random.Generator, x: Array, y: Array, epochs: int) -> list[Array]:
    """Minibatch Adam on binary cross-entropy."""
    params = init_dense(rng, [x.shape[1], *HIDDEN_UNITS, 1])
    moments = [np.zeros_like(p) for p in params]
    squares = [np.zeros_like(p) for p in params]
    step = 0
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            step += 1
            adam_step(params, gradients(params, x[batch], y[batch]), moments, squares, step)
    return params


def accuracy(params: Sequence[Array], x: Array, y: Array) -> float:
    return float(np.mean((forward(params, x)[1][:, 0] > 0) == (y > 0.5)))


# --- the .h5 file, laid out as tf.keras 2.15 writes it ---------------------------------------


def _dense_config(name: str, units: int, activation: str) -> dict[str, Any]:
    def initializer(class_name: str, config: dict[str, Any]) -> dict[str, Any]:
        return {
            "module": "keras.initializers",
            "class_name": class_name,
            "config": config,
            "registered_name": None,
        }

    return {
        "class_name": "Dense",
        "config": {
            "name": name,
            "trainable": True,
            "dtype": "float32",
            "units": units,
            "activation": activation,
            "use_bias": True,
            "kernel_initializer": initializer("GlorotUniform", {"seed": None}),
            "bias_initializer": initializer("Zeros", {}),
            "kernel_regularizer": None,
            "bias_regularizer": None,
            "activity_regularizer": None,
            "kernel_constraint": None,
            "bias_constraint": None,
        },
    }


def model_config(n_features: int, dense_names: Sequence[str]) -> dict[str, Any]:
    widths = [*HIDDEN_UNITS, 1]
    activations = ["relu"] * len(HIDDEN_UNITS) + ["sigmoid"]
    input_config = {
        "batch_input_shape": [None, n_features],
        "dtype": "float32",
        "sparse": False,
        "ragged": False,
        "name": "input_1",
    }
    # mean/variance stay null here: like adapt(), we store them as the layer's weights.
    norm_config = {
        "name": "normalization",
        "trainable": True,
        "dtype": "float32",
        "axis": [-1],
        "invert": False,
        "mean": None,
        "variance": None,
    }
    layers = [
        {"class_name": "InputLayer", "config": input_config},
        {"class_name": "Normalization", "config": norm_config},
        *map(_dense_config, dense_names, widths, activations),
    ]
    return {"class_name": "Sequential", "config": {"name": "stress_model_demo", "layers": layers}}


def training_config() -> dict[str, Any]:
    adam = {
        "name": "Adam",
        "weight_decay": None,
        "clipnorm": None,
        "global_clipnorm": None,
        "clipvalue": None,
        "use_ema": False,
        "ema_momentum": 0.99,
        "ema_overwrite_frequency": None,
        "jit_compile": False,
        "is_legacy_optimizer": False,
        "learning_rate": LEARNING_RATE,
        "beta_1": 0.9,
        "beta_2": 0.999,
        "epsilon": KERAS_EPSILON,
        "amsgrad": False,
    }
    accuracy_metric = {
        "class_name": "MeanMetricWrapper",
        "config": {"name": "accuracy", "dtype": "float32", "fn": "binary_accuracy"},
    }
    return {
        "loss": "binary_crossentropy",
        "metrics": [[accuracy_metric]],
        "weighted_metrics": None,
        "loss_weights": None,
        "optimizer_config": {"class_name": "Custom>Adam", "config": adam},
    }


def _write_layer(group: h5py.Group, weights: dict[str, npt.NDArray[Any]]) -> None:
    # Keras writes names as bytes; an empty list becomes an empty float64 attribute.
    group.attrs["weight_names"] = [name.encode("utf8") for name in weights]
    for name, value in weights.items():
        dataset = group.create_dataset(name, value.shape, dtype=value.dtype)
        dataset[()] = value


def write_keras2_h5(
    path: Path, mean: Array, variance: Array, count: int, params: Sequence[Array]
) -> None:
    """The model as tf.keras 2.15 saves it to ``path``, and its NumPy copy beside it."""
    dense_names = ["dense"] + [f"dense_{i}" for i in range(1, len(params) // 2)]
    layer_weights: dict[str, dict[str, npt.NDArray[Any]]] = {
        "normalization": {
            "mean:0": mean.astype(np.float32),
            "variance:0": variance.astype(np.float32),
            "count:0": np.array(count, dtype=np.int64),
        }
    }
    for name, kernel, bias in zip(dense_names, params[::2], params[1::2], strict=True):
        layer_weights[name] = {
            f"{name}/kernel:0": kernel.astype(np.float32),
            f"{name}/bias:0": bias.astype(np.float32),
        }
    with h5py.File(path, "w") as file:
        file.attrs["backend"] = "tensorflow"
        file.attrs["keras_version"] = KERAS_VERSION
        file.attrs["model_config"] = json.dumps(model_config(len(mean), dense_names)).encode()
        file.attrs["training_config"] = json.dumps(training_config()).encode()
        weights_root = file.create_group("model_weights")
        weights_root.attrs["layer_names"] = [name.encode("utf8") for name in layer_weights]
        weights_root.attrs["backend"] = b"tensorflow"
        weights_root.attrs["keras_version"] = KERAS_VERSION.encode()
        for name in sorted(layer_weights):
            _write_layer(weights_root.create_group(name), layer_weights[name])
        _write_layer(weights_root.create_group("top_level_model_weights"), {})
    write_numpy_copy(path)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    x_train, y_train = synthetic_readings(rng, N_TRAIN)
    x_held_out, y_held_out = synthetic_readings(rng, N_HELD_OUT)
    # What Normalization.adapt() stores: per-feature mean and population variance.
    mean, variance = x_train.mean(axis=0), x_train.var(axis=0)
    params = train(rng, standardise(x_train, mean, variance), y_train, args.epochs)
    write_keras2_h5(args.output, mean, variance, N_TRAIN, params)

    print(f"rule: {RULE}")
    print(
        f"training accuracy: {accuracy(params, standardise(x_train, mean, variance), y_train):.3f}"
    )
    held_out = accuracy(params, standardise(x_held_out, mean, variance), y_held_out)
    print(f"held-out accuracy: {held_out:.3f}")
    # Read the file back the way the server will, to catch a layout or float32 slip now.
    reloaded = load_stress_model(args.output).predict_proba(x_held_out)
    expected = sigmoid(forward(params, standardise(x_held_out, mean, variance))[1][:, 0])
    print(f"reloaded with the NumPy runner: max |diff| {np.max(np.abs(reloaded - expected)):.1e}")
    print(f"wrote {args.output} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
