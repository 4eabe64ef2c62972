"""Temporaries of a fetch: where they go, who may remove them, and when.

Everything a fetch of `<name>` writes before the final rename lies in the data directory,
under names that start with `.<name>.`:

- `.<name>.lock`: the per-dataset lock (`_lock.FileLock`), held for the whole fetch;
- `.<name>.partial-XXXXXXXX/`: scratch folders for downloads and extractions
  (`scratch_dir`), removed when the source is done with them;
- `.<name>.npz.XXXXXXXXXXXX.tmp`: the cache file being written (`_cache.atomic_open`).

A fetch that is killed (SIGKILL, power loss) leaves the last two behind. Every start
(`load_data`, `dataset_info`) takes the dataset's lock and, holding it, removes them:
holding the lock means no other process is fetching that dataset, so whatever temporary
of that dataset exists was left by a dead one. When another process holds the lock,
`load_data` waits for it (and then usually finds the verified cache it wrote) and
`dataset_info` leaves its temporaries alone.

Earlier versions staged downloads in `aelib-XXXXXXXX` folders in the system temp
directory, which a kill left there for good. `remove_legacy_temp_dirs` removes those, but
only the ones that are certainly such leftovers: named exactly so, owned by this user,
holding only files such a fetch writes, and unchanged for `LEGACY_MIN_AGE_S` (no fetch
runs that long, and those versions took no lock that could tell). The same rule covers the
folders this version stages there when the data directory cannot be written.
"""

from __future__ import annotations

import contextlib
import contextvars
import fnmatch
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from aelib.datasets._formats import IDX_FILES
from aelib.datasets._lock import FileLock

logger = logging.getLogger("aelib.datasets")

Say = Callable[[str], None]

# Prefix of the system-temp folders of earlier versions (and of the unwritable-cache case).
LEGACY_PREFIX = "aelib-"
# tempfile.TemporaryDirectory(prefix="aelib-"): the prefix, then 8 characters.
_LEGACY_NAME = re.compile(r"aelib-[a-z0-9_]{8}")
# What a legacy folder may hold (top level); anything else and it is left alone.
_LEGACY_ENTRIES = (
    "mnist.npz",
    *IDX_FILES.values(),
    "dataset-fashion-mnist.deb",
    "dataset-fashion-mnist_*.deb",
    "requirements.txt",
    "wheel",
)
# A legacy folder must be unchanged for this long before it is removed (seconds).
LEGACY_MIN_AGE_S = 3600.0

# The data directory and dataset that `scratch_dir` stages in; set by `fetching`.
_STAGING: contextvars.ContextVar[tuple[Path, str] | None] = contextvars.ContextVar(
    "aelib_datasets_staging", default=None
)
# System temp directories already searched for legacy folders by this process.
_legacy_checked: set[str] = set()


def lock_path(data_dir: Path, name: str) -> Path:
    """The lock file of `name`'s fetch: `<data_dir>/.<name>.lock`."""
    return Path(data_dir) / f".{name}.lock"


def stale_candidates(data_dir: Path, name: str) -> list[Path]:
    """The temporaries of `name` in `data_dir` (stale only if nobody holds the lock)."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return []
    patterns = (f".{name}.partial-*", f".{name}.npz.*.tmp")
    return sorted(p for pattern in patterns for p in data_dir.glob(pattern))


def remove_stale_temporaries(data_dir: Path, name: str) -> list[tuple[Path, int]]:
    """Removes `name`'s temporaries from `data_dir`. Call only while holding its lock.

    Returns:
        (path, size in bytes) of each removed file or folder. What cannot be removed is
        logged and skipped.
    """
    removed = []
    for path in stale_candidates(data_dir, name):
        size = _size(path)
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except FileNotFoundError:
            continue
        except OSError as err:
            logger.warning("could not remove the stale temporary %s: %s", path, err)
            continue
        removed.append((path, size))
    return removed


@contextlib.contextmanager
def fetching(data_dir: Path, name: str, say: Say) -> Iterator[list[tuple[Path, int]]]:
    """Holds `name`'s lock, after removing stale temporaries, and stages scratch there.

    Creates `data_dir` if needed. If another process holds the lock, logs a warning and
    waits. If the lock cannot be taken because the directory cannot be written, goes on
    without it: nothing can be staged or left there then, and `scratch_dir` uses the
    system temp directory.

    Yields:
        The stale temporaries removed, as `remove_stale_temporaries` returns them.
    """
    lock = FileLock(lock_path(data_dir, name))
    try:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        if not lock.acquire(blocking=False):
            logger.warning(
                "another process is fetching %s into %s; waiting for it to finish (it holds %s)",
                name,
                data_dir,
                lock.path,
            )  # shown without verbose=True, like the bad-cache warning
            lock.acquire()
    except OSError as err:
        say(f"cannot lock {lock.path} ({err}); staging downloads in the system temp dir")
        logger.info("cannot lock %s (%s); not staging in the data dir", lock.path, err)
        token = _STAGING.set(None)
        try:
            yield []
        finally:
            _STAGING.reset(token)
        return
    try:
        removed = remove_stale_temporaries(data_dir, name)
        _report(removed, say)
        token = _STAGING.set((Path(data_dir), name))
        try:
            yield removed
        finally:
            _STAGING.reset(token)
    finally:
        lock.release()


def clean_if_idle(data_dir: Path, name: str) -> tuple[bool, list[tuple[Path, int]]]:
    """Removes `name`'s stale temporaries unless a fetch of it is running; never waits.

    Does not create `data_dir`.

    Returns:
        (busy, removed): busy is True if another process holds the lock (its temporaries
        are then left alone); removed as `remove_stale_temporaries` returns it.
    """
    if not Path(data_dir).is_dir():
        return False, []
    lock = FileLock(lock_path(data_dir, name))
    try:
        if not lock.acquire(blocking=False):
            return True, []
    except OSError:  # unwritable directory: nothing can have been staged there by us
        return False, []
    try:
        removed = remove_stale_temporaries(data_dir, name)
    finally:
        lock.release()
    _report(removed, lambda message: None)
    return False, removed


@contextlib.contextmanager
def scratch_dir() -> Iterator[Path]:
    """A fresh folder for one source's downloads, removed afterwards.

    Inside `fetching`: `<data_dir>/.<name>.partial-XXXXXXXX`, where the next start finds
    it if this process is killed. Elsewhere (the data directory cannot be written, or a
    source is called directly): `aelib-XXXXXXXX` in the system temp directory.
    """
    staging = _STAGING.get()
    tmp = None
    if staging is not None:
        data_dir, name = staging
        try:
            tmp = tempfile.TemporaryDirectory(prefix=f".{name}.partial-", dir=data_dir)
        except OSError as err:  # e.g. a read-only data dir whose lock file already exists
            logger.info("cannot stage in %s (%s); using the system temp dir", data_dir, err)
    if tmp is None:
        tmp = tempfile.TemporaryDirectory(prefix=LEGACY_PREFIX)
    with tmp as path:
        yield Path(path)


def remove_legacy_temp_dirs(*, now: float | None = None) -> list[Path]:
    """Removes abandoned `aelib-XXXXXXXX` folders from the system temp directory.

    Searches each temp directory once per process. See the module docstring for which
    folders count as abandoned; all others are left alone.

    Returns:
        The folders removed.
    """
    temp_root = tempfile.gettempdir()
    if temp_root in _legacy_checked:
        return []
    _legacy_checked.add(temp_root)
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(temp_root))
    except OSError:
        return []
    for entry in entries:
        if not _LEGACY_NAME.fullmatch(entry.name):
            continue
        path = Path(entry.path)
        try:
            if not _is_abandoned_legacy_dir(path, now):
                continue
            shutil.rmtree(path)
        except OSError as err:
            logger.info("left %s in place: %s", path, err)
            continue
        removed.append(path)
        logger.info("removed %s, left in the temp dir by an interrupted aelib fetch", path)
    return removed


def _is_abandoned_legacy_dir(path: Path, now: float) -> bool:
    st = path.lstat()
    if not path.is_dir() or path.is_symlink():
        return False
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    newest = st.st_mtime
    for child in path.iterdir():
        if not any(fnmatch.fnmatchcase(child.name, p) for p in _LEGACY_ENTRIES):
            return False
        newest = max(newest, child.lstat().st_mtime)
        if child.is_dir() and not child.is_symlink():
            newest = max([newest, *(c.lstat().st_mtime for c in child.iterdir())])
    return now - newest >= LEGACY_MIN_AGE_S


def _size(path: Path) -> int:
    try:
        if path.is_dir() and not path.is_symlink():
            return sum(p.lstat().st_size for p in path.rglob("*"))
        return path.lstat().st_size
    except OSError:
        return 0


def _report(removed: list[tuple[Path, int]], say: Say) -> None:
    for path, size in removed:
        message = f"removed {path} ({size / 1e6:.1f} MB), left by an interrupted fetch"
        logger.info(message)
        say(message)
