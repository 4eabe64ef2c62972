"""Notebook parameters: run profiles and validation with clear messages.

Every notebook has a `parameters` cell; its next cell calls `check_*` functions from
here so that a bad value stops the run at the parameters step, with a message saying
which parameter is wrong and what is allowed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# What each profile changes. `full` is the paper's setting and leaves the notebook's own
# parameters alone; `smoke` shrinks the data and caps epochs so a notebook runs in well
# under a minute on two CPU cores (used by the test suite, numbers not comparable).
PROFILES: dict[str, dict] = {
    "full": {"train_size": None, "test_size": None, "max_epochs": None, "tsne_points": 10_000},
    "smoke": {"train_size": 512, "test_size": 256, "max_epochs": 1, "tsne_points": 200},
}


@dataclass(frozen=True)
class RunSettings:
    """The effective settings of one notebook run, after applying the profile."""

    profile: str
    seed: int
    epochs: int
    batch_size: int
    train_size: int | None
    test_size: int | None
    tsne_points: int
    out_dir: Path

    def subset(self, x: np.ndarray, y: np.ndarray | None = None, *, split: str = "train"):
        """The first `train_size` / `test_size` rows (all rows in `full`)."""
        n = self.train_size if split == "train" else self.test_size
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        if n is None:
            return x if y is None else (x, y)
        return x[:n] if y is None else (x[:n], y[:n])


def check_profile(profile: str) -> str:
    if profile not in PROFILES:
        raise ValueError(
            f"unknown profile {profile!r}: use one of {sorted(PROFILES)} "
            "(full = the paper's settings, smoke = tiny run for tests)"
        )
    return profile


def check_int(name: str, value, *, minimum: int = 1) -> int:
    """`value` as an int >= minimum, else ValueError naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def check_int_list(name: str, values, *, minimum: int = 1) -> list[int]:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ValueError(f"{name} must be a list of integers >= {minimum}, got {values!r}")
    values = list(values)
    if not values:
        raise ValueError(f"{name} must not be empty")
    return [check_int(f"{name}[{i}]", v, minimum=minimum) for i, v in enumerate(values)]


def check_fraction(name: str, value, *, low: float = 0.0, high: float = 1.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number in [{low}, {high}], got {value!r}")
    if not low <= float(value) <= high:
        raise ValueError(f"{name} must be in [{low}, {high}], got {value}")
    return float(value)


def check_existing_file(name: str, path: str, *, hint: str = "") -> Path:
    p = Path(path)
    if not p.is_file():
        msg = f"{name} points to {str(p)!r}, which does not exist"
        raise FileNotFoundError(msg + (f"; {hint}" if hint else ""))
    return p


def settings(
    *, profile: str, seed: int, epochs: int, batch_size: int, out_dir: str | os.PathLike
) -> RunSettings:
    """Validate the common parameters, apply the profile, and create `out_dir`.

    Args:
        profile: "full" or "smoke".
        seed: non-negative integer.
        epochs: training epochs, >= 1 (capped at 1 in `smoke`).
        batch_size: >= 1.
        out_dir: directory for metrics.json, figures, histories and models.

    Returns:
        The effective `RunSettings`.
    """
    check_profile(profile)
    seed = check_int("seed", seed, minimum=0)
    epochs = check_int("epochs", epochs)
    batch_size = check_int("batch_size", batch_size)
    if not out_dir or not str(out_dir).strip():
        raise ValueError("out_dir must be a directory path, got an empty string")
    spec = PROFILES[profile]
    if spec["max_epochs"] is not None:
        epochs = min(epochs, spec["max_epochs"])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return RunSettings(
        profile=profile,
        seed=seed,
        epochs=epochs,
        batch_size=batch_size,
        train_size=spec["train_size"],
        test_size=spec["test_size"],
        tsne_points=spec["tsne_points"],
        out_dir=out,
    )
