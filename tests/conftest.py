"""Shared fixtures: one real smoke report of a copy of the project, made once per run.

`smoke_project` copies run_all.py, aelib/ and notebooks/ into a git repository of their
own, commits them, and runs the smoke profile there (all six notebooks, seed 0, two
single-thread workers as run_all's default here, about 80 s). `project_copy` gives each
test its own copy of that, report included, to edit code or prose in without touching
this checkout; tests/test_run_all.py works on a copy of its report.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("run_all.py", "aelib", "aerun", "aereport", "notebooks", ".gitignore")


class Project:
    """A copy of the project in `root` with its smoke report in `root/report`."""

    def __init__(self, root: Path):
        self.root = root
        self.report = root / "report"

    def run_all(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        """`python run_all.py --profile smoke --output report ARGS` with this copy's code."""
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
            env={**os.environ, "PYTHONPATH": str(self.root)},
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


@pytest.fixture(scope="session")
def smoke_project(tmp_path_factory) -> Project:
    root = tmp_path_factory.mktemp("smoke-project") / "project"
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
    proc = project.run_all()
    project.seconds = time.monotonic() - start
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    project.stdout, project.stderr = proc.stdout, proc.stderr
    return project


@pytest.fixture
def project_copy(smoke_project, tmp_path) -> Project:
    root = tmp_path / "project"
    shutil.copytree(smoke_project.root, root, symlinks=True)
    return Project(root)
