"""Notebook parameters: run profiles and validation with clear messages.

Every notebook has a `parameters` cell; its next cell calls `check_*` functions from
here so that a bad value stops the run at the parameters step, with a message saying
which parameter is wrong and what is allowed.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# What each profile changes. `full` is the paper's setting and leaves the notebook's own
# parameters alone; `smoke` shrinks the data and caps epochs so a notebook runs in well
# under a minute on two CPU cores (used by the test suite, numbers not comparable).
# `paper` is `full` without the analyses beyond the paper (`beyond_paper`: PCA, the d = 2
# designs, denoising quality and sweeps, anomaly detection, the Dense(128) head, label
# efficiency, confusion matrices): the quickest honest run of Tables 3.2.1.1, 3.2.2.1 and
# Figures 3.4.1-3.4.6. Notebooks ask `RunSettings.include_beyond_paper()` before each such
# analysis; a skipped one prints `SKIPPED_BEYOND_PAPER` and writes nothing.
PROFILES: dict[str, dict] = {
    "full": {
        "train_size": None,
        "test_size": None,
        "max_epochs": None,
        "tsne_points": 10_000,
        "beyond_paper": True,
    },
    "paper": {
        "train_size": None,
        "test_size": None,
        "max_epochs": None,
        "tsne_points": 10_000,
        "beyond_paper": False,
    },
    "smoke": {
        "train_size": 512,
        "test_size": 256,
        "max_epochs": 1,
        "tsne_points": 200,
        "beyond_paper": True,
    },
}

# The line a skipped analysis prints, with the profile that skipped it.
SKIPPED_BEYOND_PAPER = "skipped: beyond the paper (profile {profile!r})"


# Where a notebook run with an empty `out_dir` writes, relative to the notebook's folder
# (the kernel's working directory): one folder per profile and seed, as run_all keeps
# `runs/seed<k>/<notebook>/`, so smoke and full results never mix.
DEFAULT_RESULTS_DIR = "results"


@dataclass(frozen=True)
class RunSettings:
    """The effective settings of one notebook run, after applying the profile.

    `notebook` and `parameters` (every notebook parameter as passed) are what
    `aelib.outputs.results.write_run_info` and `aelib.outputs.saving.save_model` record as
    provenance.
    """

    profile: str
    seed: int
    epochs: int
    batch_size: int
    train_size: int | None
    test_size: int | None
    tsne_points: int
    out_dir: Path
    notebook: str | None = None
    parameters: dict = field(default_factory=dict, compare=False, hash=False)
    beyond_paper: bool = True

    def include_beyond_paper(self, what: str = "") -> bool:
        """Whether to run an analysis the paper does not have (False in `paper`).

        When it is skipped, prints one line saying so (`SKIPPED_BEYOND_PAPER`, then
        `what` if given), so the executed notebook shows where the analysis would be.

        Args:
            what: what is skipped, e.g. `"the Dense(128) head"`, for a cell that runs
                only part of its work.

        Returns:
            `beyond_paper`.
        """
        if not self.beyond_paper:
            line = SKIPPED_BEYOND_PAPER.format(profile=self.profile)
            print(line + (f": {what}" if what else ""))
        return self.beyond_paper

    def provenance(self) -> dict:
        """Who made a result: notebook, profile, seed, parameters, effective settings."""
        from aelib import __version__

        effective = {
            "profile": self.profile,
            "seed": self.seed,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "train_size": self.train_size,
            "test_size": self.test_size,
            "tsne_points": self.tsne_points,
            "beyond_paper": self.beyond_paper,
            "out_dir": str(self.out_dir),
        }
        return {
            "notebook": self.notebook,
            "profile": self.profile,
            "seed": self.seed,
            "parameters": dict(self.parameters),
            "settings": effective,
            "aelib_version": __version__,
        }

    def subset(self, x: np.ndarray, y: np.ndarray | None = None, *, split: str = "train"):
        """The first `train_size` / `test_size` rows (all rows in `full`)."""
        n = self.train_size if split == "train" else self.test_size
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        if n is None:
            return x if y is None else (x, y)
        return x[:n] if y is None else (x[:n], y[:n])


def check_profile(profile: str, *, allowed: tuple[str, ...] | None = None, reason: str = "") -> str:
    """`profile` if it is a known profile (and one of `allowed`, when given), else
    ValueError. `reason` says why a notebook runs only in `allowed` (e.g. a notebook
    wholly beyond the paper, which the `paper` profile does not run)."""
    if profile not in PROFILES:
        raise ValueError(
            f"unknown profile {profile!r}: use one of {sorted(PROFILES)} "
            "(full = the paper's settings and the analyses beyond it, paper = the paper's "
            "experiments only, smoke = tiny run for tests)"
        )
    if allowed is not None and profile not in allowed:
        raise ValueError(
            f"profile {profile!r} does not run this notebook"
            + (f" ({reason})" if reason else "")
            + f": use one of {list(allowed)}"
        )
    return profile


def is_int(value) -> bool:
    """Whether `value` is an integer (Python or NumPy), not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def check_int(name: str, value, *, minimum: int = 1) -> int:
    """`value` as an int >= minimum, else ValueError naming the parameter. The one integer
    check of the library: models, training and evaluation use it too."""
    if not is_int(value):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def as_list(name: str, values) -> list:
    """A list parameter as a list, also when it came as text: `papermill -p` passes
    strings, so `-p latent_dims "[2, 8]"` (JSON) and `-p latent_dims 2,8` both give a
    list, and `-p latent2_variants plain` gives `["plain"]`. (`-y 'latent_dims: [2, 8]'`
    passes a real list.) Numbers written as text become ints."""
    if isinstance(values, bytes):
        values = values.decode()
    if isinstance(values, str):
        text = values.strip()
        if text.startswith("["):
            try:
                values = json.loads(text)
            except ValueError:
                raise ValueError(
                    f"{name}: {values!r} is not a JSON list; write it as [2, 8] or 2,8"
                ) from None
        else:
            values = [item.strip() for item in text.split(",") if item.strip()]
            values = [int(v) if v.lstrip("-").isdigit() else v for v in values]
    if not isinstance(values, (list, tuple)):
        raise ValueError(
            f"{name} must be a list, e.g. [2, 8] (or 2,8 with papermill -p), got {values!r}"
        )
    return list(values)


def check_int_list(name: str, values, *, minimum: int = 1) -> list[int]:
    """`values` (a list, or its text as `as_list` reads it) as ints >= minimum."""
    try:
        values = as_list(name, values)
    except ValueError:
        raise ValueError(
            f"{name} must be a list of integers >= {minimum}, got {values!r}"
        ) from None
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


def default_out_dir(notebook: str, profile: str, seed: int) -> Path:
    """`results/<profile>/seed<seed>/<notebook>`: where a run with an empty `out_dir` writes.

    Relative to the working directory, which for a notebook is its own folder, so
    JupyterLab runs land in `notebooks/results/...` (git-ignored).
    """
    if not isinstance(notebook, str) or not notebook or "/" in notebook or "\\" in notebook:
        raise ValueError(f"notebook must be a notebook file stem, got {notebook!r}")
    return Path(DEFAULT_RESULTS_DIR) / profile / f"seed{seed}" / notebook


def upstream_path(value: str | os.PathLike, notebook: str, run: RunSettings, inside: str = "."):
    """`value`, or when it is empty the default location of `notebook`'s run for `run`'s
    profile and seed (plus `inside`, e.g. `"models/encoder.keras"`).

    This is how notebook 4 finds notebook 1's results and notebook 5 notebook 4's
    encoder when they run with their defaults; run_all always passes explicit paths.
    """
    if value is not None and str(value).strip():
        return Path(value)
    base = default_out_dir(notebook, run.profile, run.seed)
    return base if inside in ("", ".") else base / inside


def check_out_dir(out_dir: str | os.PathLike, *, name: str = "out_dir") -> Path:
    """Create `out_dir` if needed and make sure files can be written in it.

    Raises:
        ValueError: naming the parameter, the path, the reason and the fix, when the
            folder cannot be created (a file in the way, no permission, ...) or is not
            writable.
    """
    out = Path(out_dir)
    fix = f"set {name} to a folder you can write to, or leave it empty for the default"
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=out, prefix=".write-test-")
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        reason = err.strerror or type(err).__name__
        if isinstance(err, FileExistsError) or (out.exists() and not out.is_dir()):
            reason = "a file is in the way (it must be a folder)"
        elif isinstance(err, NotADirectoryError):
            reason = "part of the path is a file, not a folder"
        raise ValueError(
            f"{name} = {str(out_dir)!r} is not usable: cannot create or write to {out} "
            f"({reason}). Fix: {fix}."
        ) from None  # the message says it all: no chained traceback
    return out


_TYPES = {int: "an integer", float: "a number", str: "text", bool: "True or False"}


def declared(namespace) -> dict:
    """Every parameter of a notebook, as its parameters cell declares it, with the value
    it has now: `{name: value}` in the cell's order.

    The parameters cell (tagged `parameters`, papermill's contract) declares each
    parameter once, as `name: type = default  # help`; Python records the annotations in
    the notebook's `__annotations__`, and papermill's injected cell assigns new values
    after it. So the notebook passes `globals()` and writes no list of its parameters a
    second time. Each value is checked against its annotation (an int is no bool, a float
    any number, a list may come as text from `papermill -p`: `as_list`); the values are
    returned as passed, for the record, and the notebook's own checks convert them.

    Raises:
        ValueError: no parameter is declared (the parameters cell has not run), or a value
            does not have its declared type; the message names the parameter.
    """
    annotations = dict(namespace.get("__annotations__") or {})
    if not annotations:
        raise ValueError(
            "no parameters declared: run the notebook's parameters cell first (each "
            "parameter is declared there as `name: type = value  # help`)"
        )
    values = {}
    for name, kind in annotations.items():
        if name not in namespace:
            raise ValueError(f"parameter {name} is declared but has no value")
        value = namespace[name]
        origin = getattr(kind, "__origin__", kind)
        if origin is list:
            as_list(name, value)
        elif kind is int and not is_int(value):
            raise ValueError(f"{name} must be an integer, got {value!r}")
        elif kind is float and (
            isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating))
        ):
            raise ValueError(f"{name} must be a number, got {value!r}")
        elif kind in (str, bool) and not isinstance(value, kind):
            raise ValueError(f"{name} must be {_TYPES[kind]}, got {value!r}")
        values[name] = value
    return values


def settings(
    *,
    notebook: str | None = None,
    parameters: dict | None = None,
    profile: str | None = None,
    seed: int | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    out_dir: str | os.PathLike | None = None,
) -> RunSettings:
    """Validate the common parameters, apply the profile, and create `out_dir`.

    `profile`, `seed`, `epochs`, `batch_size` and `out_dir` default to their entries in
    `parameters` (a notebook passes `parameters=params.declared(globals())` only).

    Args:
        profile: "full", "paper" (full without the analyses beyond the paper) or
            "smoke".
        seed: non-negative integer.
        epochs: training epochs, >= 1 (capped at 1 in `smoke`).
        batch_size: >= 1.
        out_dir: directory for metrics.json, figures, histories and models; empty:
            `default_out_dir(notebook, profile, seed)`, i.e.
            `results/<profile>/seed<seed>/<notebook>`.
        notebook: the notebook's file stem, e.g. `"05_fashion_transfer"` (needed for
            an empty `out_dir`, and recorded as provenance).
        parameters: every notebook parameter as passed, recorded as provenance.

    Returns:
        The effective `RunSettings`.

    Raises:
        ValueError: naming the parameter and what is allowed; for `out_dir`, also the
            path, why it is unusable and the fix.
    """
    given = dict(parameters or {})
    profile = given.get("profile") if profile is None else profile
    seed = given.get("seed") if seed is None else seed
    epochs = given.get("epochs") if epochs is None else epochs
    batch_size = given.get("batch_size") if batch_size is None else batch_size
    out_dir = given.get("out_dir", "") if out_dir is None else out_dir
    check_profile(profile)
    seed = check_int("seed", seed, minimum=0)
    epochs = check_int("epochs", epochs)
    batch_size = check_int("batch_size", batch_size)
    if out_dir is None or not str(out_dir).strip():
        if notebook is None:
            raise ValueError(
                "out_dir must be a directory path, got an empty string (an empty out_dir "
                "needs the notebook name to pick results/<profile>/seed<seed>/<notebook>)"
            )
        out_dir = default_out_dir(notebook, profile, seed)
    spec = PROFILES[profile]
    if spec["max_epochs"] is not None:
        epochs = min(epochs, spec["max_epochs"])
    out = check_out_dir(out_dir)
    return RunSettings(
        profile=profile,
        seed=seed,
        epochs=epochs,
        batch_size=batch_size,
        train_size=spec["train_size"],
        test_size=spec["test_size"],
        tsne_points=spec["tsne_points"],
        out_dir=out,
        notebook=notebook,
        parameters=dict(parameters or {}),
        beyond_paper=spec["beyond_paper"],
    )
