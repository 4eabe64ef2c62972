"""Model files: save in both the native `.keras` format and HDF5 (as the paper did).

Files are written under a temporary name in the target folder and moved into place with
`os.replace`, so a crash or a full disk never leaves a half-written model under the
final name. `load_model` turns the two usual failures (file not there yet, file
damaged) into messages that say what to do.
"""

from __future__ import annotations

import os
import uuid
import warnings
from pathlib import Path

import keras

__all__ = ["save_model", "load_model"]

_FORMATS = ("keras", "h5")


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


def save_model(model: keras.Model, out_dir: str | os.PathLike, name: str) -> dict[str, str]:
    """Write `model` to `<out_dir>/<name>.keras` and `<out_dir>/<name>.h5`, atomically.

    Each file is first written to a hidden temporary file in `out_dir` and then renamed
    over the final name; on any error the temporary file is removed and an existing
    older file of that name is left untouched.

    Args:
        model: a Keras model (nested sub-models such as the encoder are kept, so
            `loaded.get_layer("encoder")` works).
        out_dir: folder to write into; created if missing.
        name: file stem, e.g. `"baseline_autoencoder"`.

    Returns:
        `{"keras": path, "h5": path}` as strings.
    """
    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a keras.Model, got {type(model).__name__}")
    name = _check_name(name)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for fmt in _FORMATS:
        final = out / f"{name}.{fmt}"
        # Keras picks the format from the suffix, so the temporary name keeps it.
        tmp = out / f".{name}.tmp-{uuid.uuid4().hex[:8]}.{fmt}"
        try:
            with warnings.catch_warnings():
                # HDF5 is "legacy" for Keras 3; we write it on purpose, as the paper did.
                warnings.filterwarnings("ignore", message=".*HDF5.*legacy.*")
                warnings.filterwarnings("ignore", message=".*legacy.*HDF5.*")
                model.save(str(tmp))
            os.replace(tmp, final)
        finally:
            if tmp.exists():
                tmp.unlink()
        paths[fmt] = str(final)
    return paths


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
            "this model (aelib.saving.save_model)"
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
