"""One notebook execution: a kernel that did not start is retried once, a notebook's own
error never is; the outcome names the failing cell."""

import papermill
import pytest
from nbformat.v4 import new_code_cell, new_notebook, writes

from aerun import notebook_run


class NotebookError(Exception):
    """Like papermill's PapermillExecutionError: carries the notebook's exception."""

    def __init__(self):
        super().__init__("boom")
        self.ename, self.evalue, self.traceback = "ValueError", "boom", []
        self.exec_count, self.cell_index = 7, 1  # its run count and its place (0-based)


@pytest.fixture
def task(tmp_path):
    nb = tmp_path / "nb.ipynb"
    nb.write_text(writes(new_notebook(cells=[new_code_cell("x = 1")])))
    return {
        "notebook": str(nb),
        "parameters": {},
        "cwd": str(tmp_path),
        "run_dir": str(tmp_path / "run"),
        "timeout": 60,
    }


def _papermill(monkeypatch, *errors):
    calls = []

    def fake(*args, **kwargs):
        calls.append(kwargs)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]

    monkeypatch.setattr(papermill, "execute_notebook", fake)
    return calls


@pytest.mark.parametrize(
    "message",
    [
        "Kernel didn't respond in 60 seconds",
        # The kernel process exited while starting: a port race with another kernel.
        "Kernel died before replying to kernel_info",
    ],
)
def test_a_kernel_that_did_not_start_is_retried_once(task, monkeypatch, message):
    calls = _papermill(monkeypatch, RuntimeError(message))
    outcome = notebook_run.execute(task)
    assert len(calls) == 2 and outcome["status"] == "ok" and outcome["error"] is None


def test_a_second_start_failure_is_reported(task, monkeypatch):
    error = RuntimeError("Kernel didn't respond in 60 seconds")
    calls = _papermill(monkeypatch, error, error)
    outcome = notebook_run.execute(task)
    assert len(calls) == 2 and outcome["status"] == "failed"
    assert "Kernel didn't respond" in outcome["error"]["evalue"]


def test_a_notebook_error_is_never_retried(task, monkeypatch):
    calls = _papermill(monkeypatch, NotebookError())
    outcome = notebook_run.execute(task)
    assert len(calls) == 1 and outcome["status"] == "failed"
    assert (outcome["error"]["ename"], outcome["error"]["cell"]) == ("ValueError", "2")
