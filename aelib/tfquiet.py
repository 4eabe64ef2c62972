"""Keep TensorFlow's start-up chatter out of notebook cells.

JupyterLab shows anything a kernel writes to stderr as a red box, and TensorFlow writes
several lines there when it is imported (absl's "All log messages before
absl::InitializeLog() ...", oneDNN and CPU-feature notices). None of them is an error.

`install()` (run by `import aelib`, which every notebook does before TensorFlow is
first imported) does two things:

- sets `TF_CPP_MIN_LOG_LEVEL=3` (TensorFlow's C++ log lines off) unless the environment
  already sets it, so a user can still ask for everything with `TF_CPP_MIN_LOG_LEVEL=0`.
  Level 2 is not enough: TensorFlow 2.21 logs `E0000 ... node_def_util.cc:682] NodeDef
  mentions attribute use_unbounded_threadpool ...` at ERROR level while `model.fit`
  builds Keras' input pipeline under op determinism (its Python side sets an attribute
  its own C++ op does not declare; the attribute is ignored). That line has no cause in
  this project to remove, and real failures still raise Python exceptions;
- while that level hides INFO (>= 1), runs the first `import tensorflow` with the
  process's stderr (file descriptor 2) pointed at /dev/null. TensorFlow 2.21 logs the
  oneDNN notice and absl's pre-initialisation line from two shared libraries that
  ignore `TF_CPP_MIN_LOG_LEVEL`; nothing else writes to that descriptor during the
  import, and Python exceptions still propagate as usual.

`dropping_log_records` silences one known, harmless Python log message inside a block
(used around the deliberate HDF5 save and around `fit`, see there).

Numerics are untouched: `TF_ENABLE_ONEDNN_OPTS` and every other setting are left alone.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import logging
import os
import sys

__all__ = ["install", "native_stderr_silenced", "dropping_log_records"]

LOG_LEVEL_VARIABLE = "TF_CPP_MIN_LOG_LEVEL"
DEFAULT_LOG_LEVEL = "3"


@contextlib.contextmanager
def native_stderr_silenced():
    """Point file descriptor 2 at /dev/null inside the block, then restore it."""
    try:
        sys.stderr.flush()
    except (AttributeError, ValueError, OSError):
        pass
    try:
        saved = os.dup(2)
    except OSError:  # no stderr descriptor at all: nothing to silence
        yield
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
        finally:
            os.close(devnull)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _DropMessages(logging.Filter):
    def __init__(self, texts: tuple[str, ...]):
        super().__init__()
        self.texts = texts

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not all(text in message for text in self.texts)


@contextlib.contextmanager
def dropping_log_records(logger_name: str, *texts: str):
    """Inside the block, drop the records of `logger_name` whose message contains every
    one of `texts`; everything else is logged as usual."""
    logger = logging.getLogger(logger_name)
    dropper = _DropMessages(texts)
    logger.addFilter(dropper)
    try:
        yield
    finally:
        logger.removeFilter(dropper)


class _QuietTensorFlowImport(importlib.abc.MetaPathFinder):
    """Finds `tensorflow` like the normal path finder, but runs its import silenced."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "tensorflow":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def quiet_exec_module(module):
            with native_stderr_silenced():
                exec_module(module)

        spec.loader.exec_module = quiet_exec_module
        return spec


def _log_level() -> int:
    try:
        return int(os.environ.get(LOG_LEVEL_VARIABLE, "0"))
    except ValueError:
        return 0


def install() -> None:
    """Quiet TensorFlow's start-up (see the module docstring); safe to call twice."""
    os.environ.setdefault(LOG_LEVEL_VARIABLE, DEFAULT_LOG_LEVEL)
    if "tensorflow" in sys.modules or _log_level() < 1:
        return
    if not any(isinstance(f, _QuietTensorFlowImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorFlowImport())
