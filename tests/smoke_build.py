"""The session's smoke project (tests/conftest.py).

`make(BASE)` copies run_all.py, aelib/, aerun/, aereport/ and notebooks/ into
BASE/project, a git repository of their own, commits them, runs the smoke profile there
(every notebook, seed 0, two single-thread workers, about 100 s here, in the
environment a JupyterLab kernel has: tests/test_notebooks.py reads each executed notebook's
stderr) and, last, writes what run_all said to BASE/run_all.json (atomically: a reader sees
all of it or nothing).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("run_all.py", "aelib", "aerun", "aereport", "notebooks", ".gitignore")
SAID = "run_all.json"  # BASE/run_all.json: {"returncode", "seconds", "stdout", "stderr"}
# Set under pytest, never in JupyterLab: ipykernel forwards the C-level stderr into the
# cells only when it does not see PYTEST_CURRENT_TEST; JupyterLab does not set
# TF_CPP_MIN_LOG_LEVEL (aelib.tfquiet does, in the kernel, when it is unset).
JUPYTERLAB_UNSET = ("PYTEST_CURRENT_TEST", "TF_CPP_MIN_LOG_LEVEL")


class Project:
    """A copy of the project in `root` with its smoke report in `root/report`."""

    def __init__(self, root: Path):
        self.root = root
        self.report = root / "report"

    def run_all(
        self, *args: str, timeout: float = 600, as_in_jupyterlab: bool = False
    ) -> subprocess.CompletedProcess:
        """`python run_all.py --profile smoke --output report ARGS` with this copy's code.

        `as_in_jupyterlab`: without the variables JupyterLab's kernels do not see
        (`JUPYTERLAB_UNSET`), so that ipykernel forwards what TensorFlow's C++ code writes
        to the process's stderr into the cells, as JupyterLab shows it."""
        env = {**os.environ, "PYTHONPATH": str(self.root)}
        if as_in_jupyterlab:
            env = {k: v for k, v in env.items() if k not in JUPYTERLAB_UNSET}
        return subprocess.run(
            [
                sys.executable,
                "run_all.py",
                "--profile",
                "smoke",
                "--output",
                str(self.report),
                "--workers",
                "2",
                "--threads-per-run",
                "1",
                *args,
            ],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def git(self, *args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    def commit(self, message: str) -> str:
        self.git("add", "-A", "aelib", "aerun", "aereport", "notebooks", "run_all.py")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text()
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1))


def make(base: Path) -> None:
    """Copy the project into `base/project`, commit it, run its smoke report, and write
    what run_all said to `base/run_all.json`."""
    root = base / "project"
    root.mkdir()
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, root / name)
    project = Project(root)
    project.git("init", "-q")
    project.commit("the project as tested")
    start = time.monotonic()
    proc = project.run_all(as_in_jupyterlab=True)
    said = {
        "returncode": proc.returncode,
        "seconds": time.monotonic() - start,
        "stdout": proc.stdout,
        "stderr": proc.stderr,
    }
    partial = base / f"{SAID}.partial"
    partial.write_text(json.dumps(said))
    partial.replace(base / SAID)
