"""Keras layers and activations as NumPy functions, for the stress model's forward pass.

Each supported layer is turned, once at load time, into a closure over its weights, so a
prediction is a handful of NumPy calls with no dictionary look-ups.

Precision: weights and hyperparameters keep the float32 values Keras stores and uses, widened
exactly to float64, and all arithmetic runs in float64. A reading costs microseconds either way,
and float64 makes the result independent of the CPU and BLAS to ~1e-15 (float32 sums taken in
another order differed by 1e-6 between machines). Our outputs are then the float32 model's exact
outputs to float64 round-off; Keras, computing in float32, differs from them by float32 round-off.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from sensorhub.errors import ModelError, UnsupportedLayer

FloatArray = npt.NDArray[np.float64]
Activation = Callable[[FloatArray], FloatArray]
Forward = Callable[[FloatArray], FloatArray]

# Keras's backend.epsilon(): the floor Normalization puts under sqrt(variance), as the float32
# value Keras computes with.
KERAS_EPSILON = float(np.float32(1e-7))
# float64 constants keep every result float64 (and say so to the type checker).
_ZERO, _ONE = np.float64(0), np.float64(1)

_INSTALL_HINT = "install the [keras] extra (pip install 'sensorhub[keras]')"


@dataclass(frozen=True)
class LayerSpec:
    """One layer as read from the file: its config and its weights keyed by short name."""

    class_name: str
    name: str
    config: Mapping[str, Any]
    weights: Mapping[str, npt.NDArray[Any]]
    # Some activations changed meaning between Keras 2 and 3 (hard_sigmoid).
    keras_major: int

    def label(self) -> str:
        return f"model layer '{self.name}' ({self.class_name})"

    def weight(self, short_name: str) -> FloatArray:
        try:
            value = self.weights[short_name]
        except KeyError:
            raise ModelError(f"{self.label()} has no '{short_name}' weight in the file") from None
        return as_stored(value)

    def unsupported(self, detail: str = "") -> UnsupportedLayer:
        return unsupported_layer(self.class_name, self.name, detail)


def as_stored(values: npt.ArrayLike) -> FloatArray:
    """A weight or setting as the float32 Keras holds, widened exactly for float64 arithmetic."""
    return np.asarray(values, dtype=np.float32).astype(np.float64)


def unsupported_layer(class_name: str, name: str, detail: str = "") -> UnsupportedLayer:
    """The error that sends a model to the Keras fallback, naming the layer and why."""
    return UnsupportedLayer(
        f"model layer '{name}' ({class_name}){detail} is not supported by the NumPy runner; "
        f"{_INSTALL_HINT}"
    )


class LayerStep(NamedTuple):
    """A built layer: its forward function (None when it is the identity at inference)."""

    forward: Forward | None
    # How many features the layer expects, when its weights tell (used to infer input width).
    in_width: int | None


# --- activations -------------------------------------------------------------------------
# Each takes and returns float64 and never overflows with a warning: extreme logits are
# normal input for a sigmoid and must not turn into RuntimeWarnings in a server log.


def linear(x: FloatArray) -> FloatArray:
    return x


def relu(x: FloatArray) -> FloatArray:
    return np.maximum(x, _ZERO)


def sigmoid(x: FloatArray) -> FloatArray:
    # exp(709) is just below float64's largest value; below -709 the result is < 1e-307 anyway.
    out: FloatArray = _ONE / (_ONE + np.exp(-np.maximum(x, np.float64(-709))))
    return out


def tanh(x: FloatArray) -> FloatArray:
    return np.tanh(x)


def softmax(x: FloatArray) -> FloatArray:
    shifted = np.exp(x - x.max(axis=-1, keepdims=True))
    out: FloatArray = shifted / shifted.sum(axis=-1, keepdims=True)
    return out


def elu(x: FloatArray) -> FloatArray:
    # np.where evaluates both branches; the minimum keeps expm1 away from overflow.
    return np.where(x > 0, x, np.expm1(np.minimum(x, _ZERO)))


_SELU_ALPHA = np.float64(1.6732632423543772848170429916717)
_SELU_SCALE = np.float64(1.0507009873554804934193349852946)


def selu(x: FloatArray) -> FloatArray:
    return _SELU_SCALE * np.where(x > 0, x, _SELU_ALPHA * np.expm1(np.minimum(x, _ZERO)))


def erf(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Error function, Abramowitz & Stegun 7.1.26: absolute error below 1.5e-7 (no SciPy)."""
    t = 1.0 / (1.0 + 0.3275911 * np.abs(x))
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return np.sign(x) * (1.0 - poly * np.exp(-x * x))


_INV_SQRT2 = 1 / math.sqrt(2)


def gelu(x: FloatArray) -> FloatArray:
    # Keras's "gelu" is the exact erf form (approximate=False) in both Keras 2 and 3.
    return 0.5 * x * (1.0 + erf(x * _INV_SQRT2))


def swish(x: FloatArray) -> FloatArray:
    return x * sigmoid(x)


def softplus(x: FloatArray) -> FloatArray:
    # log(exp(x) + exp(0)) without overflow.
    return np.logaddexp(x, _ZERO)


def softsign(x: FloatArray) -> FloatArray:
    out: FloatArray = np.divide(x, _ONE + np.abs(x))
    return out


def leaky_relu(x: FloatArray) -> FloatArray:
    # The activation function's default slope (0.2 in Keras 3 and tf.nn); the LeakyReLU
    # *layer* has its own default (0.3) and is not handled here.
    out: FloatArray = np.maximum(x, np.float64(0.2) * x)
    return out


def hard_sigmoid_keras2(x: FloatArray) -> FloatArray:
    out: FloatArray = np.clip(np.float64(0.2) * x + np.float64(0.5), _ZERO, _ONE)
    return out


def hard_sigmoid_keras3(x: FloatArray) -> FloatArray:
    # Keras 3 redefined it as relu6(x + 3) / 6: a different slope from Keras 2's 0.2.
    out: FloatArray = np.divide(np.clip(x + np.float64(3), _ZERO, np.float64(6)), np.float64(6))
    return out


def exponential(x: FloatArray) -> FloatArray:
    # Keras returns inf on overflow too; we just keep the warning out of the log.
    with np.errstate(over="ignore"):
        return np.exp(x)


ACTIVATIONS: Mapping[str, Activation] = {
    "linear": linear,
    "relu": relu,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "softmax": softmax,
    "elu": elu,
    "selu": selu,
    "gelu": gelu,
    "swish": swish,
    "silu": swish,
    "softplus": softplus,
    "softsign": softsign,
    "leaky_relu": leaky_relu,
    "exponential": exponential,
}


def activation_name(value: object) -> str:
    """The activation's name as Keras 2 (a string) or Keras 3 (sometimes a dict) stores it."""
    if value is None:
        return "linear"
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("config"), str):
        return str(value["config"])
    return repr(value)


def activation_for(spec: LayerSpec, value: object) -> Activation:
    name = activation_name(value)
    if name == "hard_sigmoid":
        return hard_sigmoid_keras2 if spec.keras_major < 3 else hard_sigmoid_keras3
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise spec.unsupported(f" with activation '{name}'") from None


# --- layers ------------------------------------------------------------------------------


def _dense(spec: LayerSpec) -> LayerStep:
    if spec.config.get("quantization_config") or "Quantized" in str(spec.config.get("dtype")):
        raise spec.unsupported(" (quantized)")
    kernel = spec.weight("kernel")
    if kernel.ndim != 2:
        raise ModelError(f"{spec.label()} has a kernel of shape {kernel.shape}, not 2-D")
    activation = activation_for(spec, spec.config.get("activation"))
    if not spec.config.get("use_bias", True):
        return LayerStep(lambda x: activation(x @ kernel), kernel.shape[0])
    bias = spec.weight("bias")

    def dense(x: FloatArray) -> FloatArray:
        out = x @ kernel
        out += bias
        return activation(out)

    return LayerStep(dense, kernel.shape[0])


def _activation(spec: LayerSpec) -> LayerStep:
    return LayerStep(activation_for(spec, spec.config.get("activation")), None)


def _on_feature_axis(axis: object) -> bool:
    """Whether a layer's `axis` setting means "per feature" for (batch, features) input."""
    if isinstance(axis, list | tuple):
        return len(axis) == 1 and axis[0] in (-1, 1)
    return axis in (-1, 1)


def _per_feature(values: FloatArray) -> FloatArray:
    """Flattens stored statistics ((3,), (1, 3) or a scalar) to broadcast over features."""
    return values.reshape(-1) if values.size > 1 else values.reshape(())


def _normalization_stats(spec: LayerSpec) -> tuple[FloatArray, FloatArray]:
    # adapt() stores mean/variance as weights; Normalization(mean=..., variance=...) keeps
    # them in the config instead and stores no weights.
    if "mean" in spec.weights:
        return spec.weight("mean"), spec.weight("variance")
    mean, variance = spec.config.get("mean"), spec.config.get("variance")
    if mean is None or variance is None:
        raise ModelError(f"{spec.label()} has no mean/variance, neither as weights nor in config")
    return as_stored(mean), as_stored(variance)


def _normalization(spec: LayerSpec) -> LayerStep:
    axis = spec.config.get("axis", -1)
    if axis is not None and not _on_feature_axis(axis):
        raise spec.unsupported(f" with axis={axis}")
    mean, variance = (_per_feature(v) for v in _normalization_stats(spec))
    # Keras divides by max(sqrt(variance), epsilon), not sqrt(variance + epsilon).
    std = np.maximum(np.sqrt(variance), KERAS_EPSILON)
    in_width = mean.size if mean.ndim else None
    if spec.config.get("invert", False):
        return LayerStep(lambda x: mean + x * std, in_width)

    def normalize(x: FloatArray) -> FloatArray:
        out: FloatArray = np.divide(x - mean, std)
        return out

    return LayerStep(normalize, in_width)


def _batch_normalization(spec: LayerSpec) -> LayerStep:
    if not _on_feature_axis(spec.config.get("axis", -1)):
        raise spec.unsupported(f" with axis={spec.config.get('axis')}")
    epsilon = as_stored(spec.config.get("epsilon", 1e-3))
    mean, variance = spec.weight("moving_mean"), spec.weight("moving_variance")
    # Folded the way tf.nn.batch_normalization does it: x * inv + (beta - mean * inv).
    inv = 1 / np.sqrt(variance + epsilon)
    if spec.config.get("scale", True):
        inv = inv * spec.weight("gamma")
    beta = spec.weight("beta") if spec.config.get("center", True) else _ZERO
    shift = beta - mean * inv
    return LayerStep(lambda x: x * inv + shift, mean.size)


def _identity(spec: LayerSpec) -> LayerStep:
    return LayerStep(None, None)


# Flatten is the identity here because the runner only takes (batch, features) input.
# The dropout and noise layers only act while training.
_BUILDERS: Mapping[str, Callable[[LayerSpec], LayerStep]] = {
    "Activation": _activation,
    "AlphaDropout": _identity,
    "BatchNormalization": _batch_normalization,
    "Dense": _dense,
    "Dropout": _identity,
    "Flatten": _identity,
    "GaussianDropout": _identity,
    "GaussianNoise": _identity,
    "InputLayer": _identity,
    "Normalization": _normalization,
}


def require_supported(class_name: str, name: str) -> None:
    """Raises UnsupportedLayer when the runner has no implementation of this layer class."""
    if class_name not in _BUILDERS:
        raise unsupported_layer(class_name, name)


def build_layer(spec: LayerSpec) -> LayerStep:
    require_supported(spec.class_name, spec.name)
    return _BUILDERS[spec.class_name](spec)
