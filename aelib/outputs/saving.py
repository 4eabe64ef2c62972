"""Model files: save in both the native `.keras` format and HDF5 (as the paper did).

A model saved with `provenance=` (a run's `RunSettings.provenance()`) gets a sidecar
`<name>.json` beside `<name>.keras` and `<name>.h5`: the notebook, profile, seed and
parameters that made it. A notebook that loads another notebook's model checks it with
`check_upstream_model`, so a 1-epoch smoke encoder is never used in a full run.

Files are written under a temporary name in the target folder and moved into place with
`os.replace`, so a crash or a full disk never leaves a half-written model under the
final name. `load_model` turns the two usual failures (file not there yet, file
damaged) into messages that say what to do.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping
from pathlib import Path

import keras

from aelib import tfquiet
from aelib.outputs import results

__all__ = [
    "save_model",
    "load_model",
    "provenance_path",
    "read_provenance",
    "check_upstream_model",
]

_FORMATS = ("keras", "h5")

# Keras 3 logs this (through absl, as a WARNING) on every .h5 save. We write HDF5 on
# purpose, next to the native file, because the paper did; the notice is no news here.
_HDF5_LEGACY_NOTICE = "You are saving your model as an HDF5 file"


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name or name in (".", ".."):
        raise ValueError(f"name must be a non-empty file stem such as 'baseline_ae', got {name!r}")
    if "/" in name or "\\" in name or os.sep in name:
        raise ValueError(f"name must be a plain file stem without folders, got {name!r}")
    if name.endswith((".keras", ".h5")):
        raise ValueError(
            f"name must not include an extension (both .keras and .h5 are written), got {name!r}"
        )
    return name


def save_model(
    model: keras.Model,
    out_dir: str | os.PathLike,
    name: str,
    *,
    provenance: Mapping | None = None,
) -> dict[str, str]:
    """Write `model` to `<out_dir>/<name>.keras` and `<out_dir>/<name>.h5`, atomically.

    Each file is first written to a hidden temporary file in `out_dir` and then renamed
    over the final name; on any error the temporary file is removed and an existing
    older file of that name is left untouched.

    Args:
        model: a Keras model (nested sub-models such as the encoder are kept, so
            `loaded.get_layer("encoder")` works).
        out_dir: folder to write into; created if missing.
        name: file stem, e.g. `"baseline_autoencoder"`.
        provenance: who made the model, normally `run.provenance()`; written to the
            sidecar `<name>.json` after both model files. Without it, an older
            sidecar of that name is removed (it would describe another model).

    Returns:
        `{"keras": path, "h5": path}` (plus `"provenance": path` when given) as strings.
    """
    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a keras.Model, got {type(model).__name__}")
    if provenance is not None and not isinstance(provenance, Mapping):
        raise ValueError(f"provenance must be a dict, got {type(provenance).__name__}")
    name = _check_name(name)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sidecar = out / f"{name}.json"
    # Removed first: a crash while the model files change leaves no provenance (the
    # model is then refused or retrained downstream), never the old model's.
    sidecar.unlink(missing_ok=True)
    paths = {}
    for fmt in _FORMATS:
        final = out / f"{name}.{fmt}"
        # Keras picks the format from the suffix, so the temporary name keeps it.
        tmp = out / f".{name}.tmp-{uuid.uuid4().hex[:8]}.{fmt}"
        try:
            with tfquiet.dropping_log_records("absl", _HDF5_LEGACY_NOTICE):
                model.save(str(tmp))
            os.replace(tmp, final)
        finally:
            if tmp.exists():
                tmp.unlink()
        paths[fmt] = str(final)
    if provenance is not None:
        text = json.dumps(dict(provenance), indent=2, sort_keys=True, default=str)
        paths["provenance"] = results.atomic_write_text(sidecar, text + "\n")
    return paths


def provenance_path(path: str | os.PathLike) -> Path:
    """The provenance sidecar of a model file: `models/encoder.keras` -> `models/encoder.json`."""
    return Path(path).with_suffix(".json")


def read_provenance(path: str | os.PathLike) -> dict | None:
    """The provenance saved with the model at `path`, or None when it has none."""
    sidecar = provenance_path(path)
    if not sidecar.is_file():
        return None
    try:
        info = json.loads(sidecar.read_text(encoding="utf-8"))
    except ValueError:
        return None
    return info if isinstance(info, dict) else None


def check_upstream_model(
    path: str | os.PathLike,
    *,
    profile: str,
    seed: int,
    notebook: str,
    parameter: str,
    fallback_parameter: str | None = None,
    fallback: bool = False,
) -> str | None:
    """Check that the model at `path` was made by `notebook` with this profile and seed.

    Args:
        path: the model file (`.keras` or `.h5`), e.g. notebook 5's `encoder_path`.
        profile, seed: this run's.
        notebook: the notebook that makes the model, e.g. `"04_improved_autoencoder"`.
        parameter: this notebook's parameter holding `path`, e.g. `"encoder_path"`.
        fallback_parameter: the parameter that lets this notebook train the model
            itself instead, e.g. `"train_encoder_if_missing"` (named in the fix).
        fallback: that parameter's value. True: return the reason instead of raising.

    Returns:
        None when the model can be used; with `fallback=True`, otherwise the reason it
        cannot (missing, no provenance, another profile or seed).

    Raises:
        FileNotFoundError: with `fallback=False`, when there is no file at `path`.
        ValueError: with `fallback=False`, when the model has no provenance or comes from
            another profile or seed; the message names both and the fixes.
    """
    path = Path(path)
    fixes = [
        f"run notebook {notebook} with profile={profile!r}, seed={seed}",
        f"set {parameter} to a model made with them",
    ]
    if fallback_parameter:
        fixes.append(f"set {fallback_parameter}=True to train one here")
    fix = "; or ".join(fixes)
    if not path.is_file():
        reason = f"{parameter} points to {str(path)!r}, which does not exist"
        if fallback:
            return reason
        raise FileNotFoundError(f"{reason}; {fix}")
    mismatch = results.provenance_mismatch(read_provenance(path), profile=profile, seed=seed)
    if mismatch is None:
        return None
    reason = (
        f"{parameter}: the model at {str(path)!r} cannot be used here: {mismatch}, but this "
        f"run is profile {profile!r}, seed {seed}"
    )
    if fallback:
        return reason
    raise ValueError(f"{reason}. Fix: {fix}.")


def load_model(
    path: str | os.PathLike, *, compile: bool = False, hint: str | None = None
) -> keras.Model:
    """Load a model written by `save_model` (either the `.keras` or the `.h5` file).

    Args:
        path: path to a `.keras` or `.h5` file.
        compile: also restore the optimizer/loss (not needed for inference or for
            `aelib.training.train`, which compiles anyway).
        hint: extra advice appended to the "not found" message, e.g.
            `"run notebook 04_improved_autoencoder first or pass encoder_path=..."`.

    Returns:
        The keras Model.

    Raises:
        FileNotFoundError: if `path` does not exist (the message names the path and
            how to produce it).
        ValueError: if the file exists but cannot be read as a Keras model (the
            message names the file and suggests deleting it and re-running).
    """
    path = Path(path)
    if not path.is_file():
        advice = hint or (
            "produce it by running the notebook that trains and saves "
            "this model (aelib.outputs.saving.save_model)"
        )
        raise FileNotFoundError(f"No model file at {path}: {advice}")
    if path.suffix not in (".keras", ".h5", ".hdf5"):
        raise ValueError(f"Model file {path} must end in .keras or .h5")
    try:
        return keras.saving.load_model(str(path), compile=compile)
    except Exception as err:  # corrupt zip / HDF5, truncated file, wrong content...
        raise ValueError(
            f"Could not read the model file {path} ({type(err).__name__}: {err}). "
            "It may be damaged or incomplete; delete it and re-run the notebook that "
            "writes it."
        ) from err
