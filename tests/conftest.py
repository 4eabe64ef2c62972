"""Shared fixtures: one real smoke report of a copy of the project, made once per run; the
slow tests first.

`smoke_project` is a copy of the project in a git repository of its own with its smoke
report (tests/smoke_build.py, about 100 s); `project_copy` gives each test its own copy of
that, report included, to edit code or prose in without touching this checkout;
tests/aerun/test_run_all.py works on a copy of its report. Nothing writes to the shared
project itself.

The suite runs on pytest-xdist workers (`make test`: `-n 2`): the first worker that asks
for the smoke project makes it, under a file lock in the folder all workers share, and the
others wait for it and read it, so it is made once per test run either way.
"""

from __future__ import annotations

import os

# As run_all gives every notebook's process (aerun/cluster.py, KERNEL_DEFAULTS): plain pages
# for NumPy's large arrays, here and in every process a test starts. Before NumPy's import.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

import json
import shutil
from pathlib import Path

import pytest
import smoke_build
from filelock import FileLock
from smoke_build import Project

import aerun  # noqa: F401  (before any test module imports nbformat: see aerun/__init__.py)


def _base(tmp_path_factory, worker_id) -> Path:
    """The smoke project's folder: under xdist, in the folder every worker shares."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent
    base = shared / "smoke-project"
    base.mkdir(exist_ok=True)
    return base


@pytest.fixture(scope="session")
def smoke_project(tmp_path_factory, worker_id) -> Project:
    base = _base(tmp_path_factory, worker_id)
    said = base / smoke_build.SAID
    with FileLock(base / ".lock"):  # the first worker makes it, the others wait for it
        if not said.is_file():
            smoke_build.make(base)
    made = json.loads(said.read_text())
    assert made["returncode"] == 0, made["stdout"][-3000:] + made["stderr"][-3000:]
    project = Project(base / "project")
    project.seconds, project.stdout, project.stderr = (
        made["seconds"],
        made["stdout"],
        made["stderr"],
    )
    return project


@pytest.fixture
def project_copy(smoke_project, tmp_path) -> Project:
    root = tmp_path / "project"
    shutil.copytree(smoke_project.root, root, symlinks=True)
    return Project(root)


def pytest_collection_modifyitems(config, items):
    """The tests that execute notebooks (`slow`) first, each group in its collected order.

    pytest-xdist hands tests out in this order as workers come free: the smoke project is
    started at once (its two notebook processes keep both cores busy; a worker that waits
    for it costs nothing), the long tests run while short ones are still left, and the
    hundreds of unit tests of a few seconds or less fill the end, so neither worker idles
    long while the other finishes a long test."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
