"""What run_all asks git: what is uncommitted, cheaply, in a fresh clone too."""

import os
import subprocess
import time

from aerun import gitrepo


def _git(cwd, *args):
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_a_fresh_clone_runs_the_clean_filter_once_not_at_every_question(tmp_path):
    """A fresh clone's files are racily clean: each `git diff` would pass every notebook
    through the nbstripout filter again. `uncommitted` refreshes the index first."""
    origin = tmp_path / "origin"
    (origin / "notebooks").mkdir(parents=True)
    (origin / "notebooks" / "a.ipynb").write_text("{}\n")
    (origin / ".gitattributes").write_text("*.ipynb filter=counting\n")
    _git(origin, "init", "-q")
    _git(origin, "add", "-A")
    _git(origin, "commit", "-q", "-m", "one notebook")
    _git(tmp_path, "clone", "-q", str(origin), "clone")
    clone = tmp_path / "clone"
    # As a checkout leaves them, seconds later: the index written in the instant the file
    # was, so git cannot trust the file's stat data and reads it again at every question.
    notebook = clone / "notebooks" / "a.ipynb"
    # (Ten seconds ago, so that an index written now is later by the clock's seconds.)
    past = time.time() - 10
    os.utime(notebook, (past, past))
    _git(clone, "update-index", "-q", "--refresh")  # the index records that time ...
    os.utime(clone / ".git" / "index", (past, past))  # ... and was written then
    calls = tmp_path / "filter-calls"
    _git(clone, "config", "filter.counting.clean", f"sh -c 'echo x >> {calls}; cat'")

    assert gitrepo.uncommitted(clone) == []
    first = calls.read_text().count("x") if calls.exists() else 0
    for _ in range(3):
        assert gitrepo.uncommitted(clone) == []
    assert (calls.read_text().count("x") if calls.exists() else 0) == first
    # A real change is still seen, through the filter.
    notebook.write_text('{"changed": 1}\n')
    assert gitrepo.uncommitted(clone) == ["notebooks/a.ipynb"]
