"""Result files a notebook leaves behind: PNG figures, JSON histories and metrics.

Every run folder also holds `run_info.json` (`write_run_info`): the notebook, profile,
seed and parameters that made it, so results of different runs cannot be mixed up.

The report is built from these files, never from numbers typed by hand, so every write
is atomic: the data go to a temporary file in the same folder, which is then renamed
over the final name (`os.replace`). A failure leaves either the old file or nothing,
never half a file.
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from aelib.outputs import metric_ids

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "save_figure",
    "save_history",
    "load_history",
    "write_metrics",
    "read_metrics",
    "write_run_info",
    "read_run_info",
    "provenance_mismatch",
    "upstream_results_problem",
]

METRICS_FILENAME = "metrics.json"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> str:
    """Write `data` to `path` atomically (temp file in the same folder + os.replace).

    The parent folder is created if missing. Returns the path as a string.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600 files; give the result the usual umask-based mode.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return str(path)


def atomic_write_text(path: str | os.PathLike, text: str, *, encoding: str = "utf-8") -> str:
    """`atomic_write_bytes` for text. Returns the path as a string."""
    return atomic_write_bytes(path, text.encode(encoding))


def _with_suffix(name: str, suffix: str) -> str:
    if not isinstance(name, str) or not name or "/" in name or "\\" in name:
        raise ValueError(f"name must be a plain file name without folders, got {name!r}")
    return name if name.endswith(suffix) else name + suffix


def save_figure(fig, out_dir: str | os.PathLike, name: str, *, dpi: int = 110) -> str:
    """Save a matplotlib Figure as `<out_dir>/<name>.png`, atomically.

    The figure is not closed, so a notebook can still display it afterwards.

    Returns:
        The PNG path as a string.
    """
    if not hasattr(fig, "savefig"):
        raise ValueError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return atomic_write_bytes(Path(out_dir) / _with_suffix(name, ".png"), buffer.getvalue())


def _plain(value):
    """Convert NumPy scalars/arrays to JSON types; non-finite floats become None."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def save_history(history: Mapping, out_dir: str | os.PathLike, name: str) -> str:
    """Write a training history (as returned by `aelib.training.train`) to JSON.

    NumPy numbers are converted to Python numbers; NaN/inf (a diverged run) are written
    as null so the file stays valid JSON.

    Returns:
        The path `<out_dir>/<name>.json` as a string.
    """
    if not isinstance(history, Mapping):
        raise ValueError(f"history must be a dict, got {type(history).__name__}")
    text = json.dumps(_plain(history), indent=2, allow_nan=False)
    return atomic_write_text(Path(out_dir) / _with_suffix(name, ".json"), text + "\n")


def load_history(out_dir: str | os.PathLike, name: str) -> dict:
    """Read a history written by `save_history`."""
    path = Path(out_dir) / _with_suffix(name, ".json")
    if not path.is_file():
        raise FileNotFoundError(
            f"No history file at {path}; run the notebook that trains this model first"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def _check_metrics(metrics: Mapping, prefix: str = "") -> dict:
    if not isinstance(metrics, Mapping):
        raise ValueError(f"metrics must be a dict of id -> number, got {type(metrics).__name__}")
    out = {}
    for key, value in metrics.items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"metric ids must be non-empty strings, got {prefix}{key!r}")
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out[key] = _check_metrics(value, prefix=f"{full}.")
            continue
        if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)
        ):
            raise ValueError(f"metric {full!r} must be a number, got {value!r}")
        if not math.isfinite(float(value)):
            raise ValueError(f"metric {full!r} is not a finite number: {value!r}")
        out[key] = int(value) if isinstance(value, (int, np.integer)) else float(value)
    return out


def _flat_ids(metrics: Mapping, prefix: str = ""):
    """The ids of checked metrics, nested ones joined with "."."""
    for key, value in metrics.items():
        if isinstance(value, Mapping):
            yield from _flat_ids(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}"


def write_metrics(
    metrics: Mapping,
    out_dir: str | os.PathLike,
    *,
    filename: str = METRICS_FILENAME,
    merge: bool = False,
    declared: bool = True,
) -> str:
    """Write `metrics` (id -> number, or nested dicts of them) as JSON, atomically.

    Args:
        metrics: e.g. `{"baseline_val_bce": 0.0734, "latent": {"16": 0.114}}`.
        out_dir: the notebook's output folder (created if missing).
        filename: file name inside `out_dir`.
        merge: if True, update the existing file's entries instead of replacing it.
        declared: every id must be declared in `aelib.outputs.metric_ids` (a notebook's
            `metrics.json`, which the report reads); False for a file of other numbers.

    Returns:
        The path as a string.

    Raises:
        ValueError: if a value is not a finite number (NaN, inf, None, text...); the
            message names the offending id (nested ids joined with ".").
        metric_ids.UnknownMetric: an id no template of the schema declares (nothing is
            written).
    """
    checked = _check_metrics(metrics)
    if declared:
        metric_ids.check(_flat_ids(checked))
    path = Path(out_dir) / _with_suffix(filename, ".json")
    if merge and path.is_file():
        existing = json.loads(path.read_text(encoding="utf-8"))
        existing.update(checked)
        checked = existing
    text = json.dumps(checked, indent=2, allow_nan=False)
    return atomic_write_text(path, text + "\n")


def read_metrics(out_dir: str | os.PathLike, *, filename: str = METRICS_FILENAME) -> dict:
    """Read the metrics written by `write_metrics` in `out_dir`.

    Raises:
        FileNotFoundError: if the file is missing (run the notebook that writes it).
    """
    path = Path(out_dir) / _with_suffix(filename, ".json")
    if not path.is_file():
        raise FileNotFoundError(f"No metrics file at {path}; run the notebook that writes it first")
    return json.loads(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------ provenance

RUN_INFO_FILENAME = "run_info.json"


def write_run_info(run, *, out_dir: str | os.PathLike | None = None) -> str:
    """Write `run_info.json` (who made this folder's results) into the run's out_dir.

    `metrics.json` stays numbers only (the report merges it as id -> number); the
    provenance lives beside it: the notebook name, profile, seed, every notebook
    parameter as passed, the effective settings and the aelib version.

    Args:
        run: the `aelib.params.RunSettings` of this run.
        out_dir: where to write; default `run.out_dir`.

    Returns:
        The path as a string.
    """
    if not hasattr(run, "provenance"):
        raise ValueError(f"run must be an aelib.params.RunSettings, got {type(run).__name__}")
    text = json.dumps(_plain(run.provenance()), indent=2, sort_keys=True, default=str)
    return atomic_write_text(Path(out_dir or run.out_dir) / RUN_INFO_FILENAME, text + "\n")


def read_run_info(out_dir: str | os.PathLike) -> dict | None:
    """The `run_info.json` of a run folder, or None when there is none."""
    path = Path(out_dir) / RUN_INFO_FILENAME
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def provenance_mismatch(info: Mapping | None, *, profile: str, seed: int) -> str | None:
    """Why results described by `info` do not belong to a run with `profile` and `seed`.

    Returns:
        None when they match, else a short reason such as
        `"it was made with profile 'smoke', seed 0"`.
    """
    if not info:
        return "it has no provenance (no run_info.json or model .json beside it)"
    made = (info.get("profile"), info.get("seed"))
    if made != (profile, seed):
        return f"it was made with profile {made[0]!r}, seed {made[1]}"
    return None


def upstream_results_problem(
    out_dir: str | os.PathLike, *, profile: str, seed: int, notebook: str, parameter: str
) -> str | None:
    """None when `out_dir` holds `notebook`'s results for this profile and seed, else a
    message saying what is wrong and how to fix it (for an optional comparison).

    Args:
        out_dir: the upstream notebook's out_dir, e.g. notebook 4's `baseline_dir`.
        profile, seed: this run's.
        notebook: the upstream notebook, e.g. `"01_baseline_autoencoder"`.
        parameter: this notebook's parameter that points there, e.g. `"baseline_dir"`.
    """
    out_dir = Path(out_dir)
    fix = (
        f"run notebook {notebook} with profile={profile!r}, seed={seed}, or set {parameter} "
        "to the out_dir of such a run"
    )
    if not (out_dir / METRICS_FILENAME).is_file():
        return f"no results of {notebook} at {out_dir} ({parameter}); to compare, {fix}"
    mismatch = provenance_mismatch(read_run_info(out_dir), profile=profile, seed=seed)
    if mismatch:
        return (
            f"the results at {out_dir} ({parameter}) are not comparable: {mismatch}, this "
            f"run is profile {profile!r}, seed {seed}; to compare, {fix}"
        )
    return None
