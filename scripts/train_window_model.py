"""Train the bundled DEMO window model: a small MLP over window features, on synthetic data.

Each example is a minute of signals from the simulated wearer (sensorhub.physio.wearer) in a
state drawn between calm and stressed, with person-to-person spread; its label is whether the
state is more than half-way to stressed. The features are computed exactly as the server
computes them (physio.window_features). It is a demo: it learns the simulator, not people.

    .venv/bin/python scripts/train_window_model.py   # ~1–2 min; writes the .h5 and .json
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from sensorhub.biometrics import BUNDLED_WINDOW_MODEL_PATH, load_window_model
from sensorhub.models.train_demo_model import (
    accuracy,
    standardise,
    train,
    write_keras2_h5,
)
from sensorhub.physio import FEATURE_NAMES, Channel, WindowSignals, window_features
from sensorhub.physio.wearer import CALM, STRESSED, SimulatedWearer, blend

SEED = 2026
N_TRAIN, N_HELD_OUT = 1200, 300
EPOCHS = 60
RULE = (
    "synthetic: a minute of the simulated wearer in a state share~U(0,1) of the way from calm "
    f"({CALM.hr_bpm:g} bpm, RMSSD {CALM.rmssd_ms:g} ms, {CALM.temperature_c:g} C) to stressed "
    f"({STRESSED.hr_bpm:g} bpm, {STRESSED.rmssd_ms:g} ms, {STRESSED.temperature_c:g} C), each "
    "person offset by HR N(0,6) bpm, RMSSD x LogN(0,0.25), skin N(0,0.5) C, the skin starting "
    "U(0,1) of the way from its calm temperature to the state's; stressed if "
    "share > 0.5 (demo)"
)


def example(rng: np.random.Generator) -> tuple[list[float], float] | None:
    share = float(rng.uniform(0, 1))
    state = blend(CALM, STRESSED, share)
    skin_offset = rng.normal(0, 0.5)
    state = replace(
        state,
        hr_bpm=state.hr_bpm + rng.normal(0, 6),
        rmssd_ms=state.rmssd_ms * float(np.exp(rng.normal(0, 0.25))),
        temperature_c=state.temperature_c + skin_offset,
    )
    # The skin follows a change of state over minutes (τ 180 s), so a minute may find it
    # anywhere between the person's calm temperature and the state's, still on its way.
    settled = float(rng.uniform(0, 1))
    calm_skin = CALM.temperature_c + skin_offset
    skin = calm_skin + settled * (state.temperature_c - calm_skin)
    wearer = SimulatedWearer(int(rng.integers(2**31)), temperature_c=skin)
    signals = wearer.signals(0.0, 60.0, state)
    acc = np.column_stack([signals["acc"][axis] for axis in "xyz"])
    features = window_features(
        WindowSignals(
            bvp=Channel(signals["bvp"]["hz"], np.array(signals["bvp"]["values"])),
            temperature=Channel(
                signals["temperature"]["hz"], np.array(signals["temperature"]["values"])
            ),
            acc=Channel(signals["acc"]["hz"], acc),
        )
    )
    vector = features.vector()
    return None if vector is None else (vector, float(share > 0.5))


def dataset(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    rows: list[list[float]] = []
    labels: list[float] = []
    while len(rows) < n:
        made = example(rng)
        if made is not None:  # a poor window has no features, as on the server
            rows.append(made[0])
            labels.append(made[1])
    return np.array(rows), np.array(labels)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=BUNDLED_WINDOW_MODEL_PATH)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--train", type=int, default=N_TRAIN)
    parser.add_argument("--held-out", type=int, default=N_HELD_OUT)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    x_train, y_train = dataset(rng, args.train)
    x_held_out, y_held_out = dataset(rng, args.held_out)
    mean, variance = x_train.mean(axis=0), x_train.var(axis=0)
    params = train(rng, standardise(x_train, mean, variance), y_train, EPOCHS)
    write_keras2_h5(args.output, mean, variance, len(x_train), params)
    sidecar = {
        "inputs": "window",
        "features": list(FEATURE_NAMES),
        "demo": True,
        "trained_on": RULE,
        "script": "scripts/train_window_model.py",
        "seed": args.seed,
    }
    args.output.with_suffix(".json").write_text(json.dumps(sidecar, indent=2) + "\n")

    print(f"rule: {RULE}")
    train_accuracy = accuracy(params, standardise(x_train, mean, variance), y_train)
    held_out = accuracy(params, standardise(x_held_out, mean, variance), y_held_out)
    print(f"training accuracy: {train_accuracy:.3f}, held-out accuracy: {held_out:.3f}")
    reloaded = load_window_model(args.output)  # read back the way the server will
    print(f"reloaded: {reloaded.name}, {len(reloaded.features)} features")
    print(f"wrote {args.output} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
