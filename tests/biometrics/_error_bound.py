"""A worst-case bound on the rounding error of a stress model's forward pass, for test tolerances.

The standard model of floating-point arithmetic (Higham, *Accuracy and Stability of Numerical
Algorithms*, 2nd ed., §2.2, §3.1): every operation is done exactly and then rounded,
fl(a ∘ b) = (a ∘ b)(1 + δ) with |δ| ≤ u, the unit roundoff (2⁻²⁴ in float32, 2⁻⁵³ in float64);
n roundings in a row stay within γₙ = nu / (1 − nu). So a Dense unit's k products and k additions
(its bias included), summed in *any* order by any BLAS kernel (an FMA only removes roundings),
land within γ_{k+1} · (Σ|wᵢxᵢ| + |b|) of the exact value. An error already in x reaches the
next layer through |W|, then through the activation at most times its Lipschitz constant.

The bound is evaluated along the actual forward pass (our float64 values stand in for the exact
ones; the difference is second order), row by row, for the layers the fixture models use.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from sensorhub.biometrics import _layers as layers
from sensorhub.biometrics.stress_model import _read_model_file
from tests._rounding import gamma

FloatArray = npt.NDArray[np.float64]

U32 = float(np.finfo(np.float32).eps) / 2
U64 = float(np.finfo(np.float64).eps) / 2

# How much an error in an activation's input can grow: |f(a) − f(b)| ≤ L · |a − b|.
LIPSCHITZ = {"linear": 1.0, "relu": 1.0, "tanh": 1.0, "sigmoid": 0.25}
# Roundings inside one activation, relative to its output: sigmoid's exp, add and divide, plus
# one more for exp itself, which libm and Eigen compute to about one ulp, not half of one.
ACTIVATION_ROUNDINGS = {"linear": 0, "relu": 0, "tanh": 2, "sigmoid": 4}


def forward_error_bound(path: Path, rows: npt.ArrayLike, u: float) -> FloatArray:
    """For each row, how far a pass with unit roundoff ``u`` can be from the exact output."""
    specs, _ = _read_model_file(path)
    x = np.asarray(rows, dtype=np.float32).astype(np.float64)
    error = np.zeros_like(x)
    for spec in specs:
        forward = layers.build_layer(spec).forward
        if forward is None:
            continue
        y = forward(x)
        error = _layer_error(spec, x, y, error, u)
        x = y
    return error.reshape(-1)


def _layer_error(
    spec: layers.LayerSpec, x: FloatArray, y: FloatArray, error: FloatArray, u: float
) -> FloatArray:
    if spec.class_name == "Dense":
        return _dense_error(spec, x, y, error, u)
    if spec.class_name == "Activation":
        return _activation_error(layers.activation_name(spec.config.get("activation")), y, error, u)
    if spec.class_name == "Normalization":
        # (x − mean) / std, and std = √variance itself rounded: three roundings of the output.
        variance = spec.weight("variance").reshape(-1)
        std = np.maximum(np.sqrt(variance), layers.KERAS_EPSILON)
        return error / std + gamma(3, u) * np.abs(y)
    if spec.class_name == "BatchNormalization":
        return _batch_normalization_error(spec, x, error, u)
    raise AssertionError(
        f"no error bound for {spec.class_name}: extend tests/biometrics/_error_bound"
    )


def _dense_error(
    spec: layers.LayerSpec, x: FloatArray, y: FloatArray, error: FloatArray, u: float
) -> FloatArray:
    kernel = np.abs(spec.weight("kernel"))
    bias = np.abs(spec.weight("bias")) if spec.config.get("use_bias", True) else 0.0
    k = kernel.shape[0]
    pre_activation = error @ kernel + gamma(k + 1, u) * (np.abs(x) @ kernel + bias)
    name = layers.activation_name(spec.config.get("activation"))
    return _activation_error(name, y, pre_activation, u)


def _activation_error(name: str, y: FloatArray, error: FloatArray, u: float) -> FloatArray:
    if name not in LIPSCHITZ:
        raise AssertionError(f"no error bound for activation {name}")
    return LIPSCHITZ[name] * error + gamma(ACTIVATION_ROUNDINGS[name], u) * np.abs(y)


def _batch_normalization_error(
    spec: layers.LayerSpec, x: FloatArray, error: FloatArray, u: float
) -> FloatArray:
    # Folded as x · inv + (beta − mean · inv), inv = gamma / √(variance + ε): inv carries three
    # roundings (add, square root, multiply), each term up to two more, the sum one: six at most.
    epsilon = float(spec.config.get("epsilon", 1e-3))
    scale = spec.weight("gamma") if spec.config.get("scale", True) else 1.0
    inv = np.abs(scale / np.sqrt(spec.weight("moving_variance") + epsilon))
    beta = np.abs(spec.weight("beta")) if spec.config.get("center", True) else 0.0
    magnitude = np.abs(x) * inv + np.abs(spec.weight("moving_mean")) * inv + beta
    out: FloatArray = error * inv + gamma(6, u) * magnitude
    return out
