"""Run directories: one folder per (notebook, seed), replaced only when a run succeeds.

A run directory `<out>/runs/seed<k>/<notebook>/` holds everything one execution made:
the notebook's own result files (metrics.json, figures, histories, models), the executed
notebook, its HTML page and its log, and the record `run.json`. The record lists the
SHA-256 of every result file, so a file that goes missing or changes after the run makes
the run stale, and the message names the file.

Runs are built elsewhere and swapped in, like make or Bazel outputs: a run executes into
a scratch folder under `<out>/.work/`; only a successful run replaces the old directory
(two renames, recoverable if the process dies between them); a failed attempt is kept
beside it as `<notebook>.failed/`. Whatever happens to the process, the last good run
stays where it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from fnmatch import fnmatch
from pathlib import Path

RECORD = "run.json"
EXECUTED = "executed.ipynb"  # the executed notebook (local only: its page is committed)
PAGE = "executed.html"  # the executed notebook as a self-contained HTML page
LOG = "executed.log"  # papermill's cell log and the kernel's stderr
ATTEMPT = "attempt.json"  # in a failed attempt: its error and cache key
# What run_all adds to a run directory; everything else there is a result of the notebook.
ARTIFACTS = (RECORD, EXECUTED, PAGE, LOG, ATTEMPT)
WORK = ".work"
# What run_all leaves in its scratch folder so that it never removes a folder of yours.
WORK_MARKER = ".made-by-run_all"
FAILED_SUFFIX = ".failed"

# Result files that stay out of git (see .gitignore): large model files that no report
# number and no other notebook reads, and the executed .ipynb (its HTML page is kept).
# A missing local-only file does not make a run stale (a fresh clone has none); a
# changed one does. Files another notebook reads (notebook 04's encoder) are committed.
LOCAL_ONLY_PATTERNS = ("*.h5", "models/*")


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def result_files(run_dir: Path) -> list[str]:
    """The notebook's result files in `run_dir`, relative, sorted (run_all's own excluded)."""
    return sorted(
        p.relative_to(run_dir).as_posix()
        for p in run_dir.rglob("*")
        if p.is_file() and p.relative_to(run_dir).as_posix() not in ARTIFACTS
    )


def hash_outputs(run_dir: Path) -> dict[str, str]:
    """`{relative path: sha256}` of every result file in `run_dir`."""
    return {rel: file_sha256(run_dir / rel) for rel in result_files(run_dir)}


def is_local_only(rel: str, needed_downstream: frozenset[str] | set[str] = frozenset()) -> bool:
    """True for a result file that is not committed with the report (see the patterns)."""
    if rel in needed_downstream:
        return False
    return any(fnmatch(rel, pattern) for pattern in LOCAL_ONLY_PATTERNS)


def read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_record(run_dir: Path) -> dict | None:
    """The run's record, or None when it is missing, unreadable or not a successful run."""
    record = read_json(run_dir / RECORD)
    if not record or record.get("status") != "ok" or not isinstance(record.get("outputs"), dict):
        return None
    return record


def write_json_atomic(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def damage(run_dir: Path, record: dict, needed_downstream=frozenset()) -> list[str]:
    """What no longer matches the record: `["models/encoder.keras changed", ...]`.

    A committed result file that is missing counts; a local-only file that is missing
    does not (a fresh clone of the report has none), but a changed one does.
    """
    problems = []
    for rel, digest in sorted(record.get("outputs", {}).items()):
        path = run_dir / rel
        if not path.is_file():
            if not is_local_only(rel, needed_downstream):
                problems.append(f"{rel} is missing")
        elif file_sha256(path) != digest:
            problems.append(f"{rel} changed since the run")
    return problems


def failed_dir(run_dir: Path) -> Path:
    return run_dir.with_name(run_dir.name + FAILED_SUFFIX)


def _aside(run_dir: Path) -> Path:
    return run_dir.with_name(f".{run_dir.name}.previous")


def swap_in(new_dir: Path, run_dir: Path) -> None:
    """Make `new_dir` the run directory `run_dir`, replacing the old one.

    Two renames on the same filesystem: old -> aside, new -> final. A process killed
    between them leaves the aside copy, which `recover` puts back.
    """
    aside = _aside(run_dir)
    if aside.exists():
        shutil.rmtree(aside)
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    if run_dir.exists():
        os.replace(run_dir, aside)
    os.replace(new_dir, run_dir)
    shutil.rmtree(aside, ignore_errors=True)


def keep_failed(attempt_dir: Path, run_dir: Path) -> Path:
    """Keep a failed attempt beside the run directory as `<notebook>.failed/`."""
    target = failed_dir(run_dir)
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(attempt_dir, target)
    return target


class ForeignScratch(RuntimeError):
    """`<out>/.work` exists and run_all did not make it: it is not touched."""


def work_dir(out: Path) -> Path:
    """`<out>/.work`, created with run_all's marker; ForeignScratch when a folder of that
    name exists without it."""
    work = out / WORK
    if work.exists() and not (work / WORK_MARKER).is_file():
        raise ForeignScratch(
            f"{work} exists and was not made by run_all (it has no {WORK_MARKER}); run_all "
            "keeps its scratch there and removes it afterwards: move or rename that folder"
        )
    work.mkdir(parents=True, exist_ok=True)
    (work / WORK_MARKER).touch()
    return work


def discard(work: Path) -> None:
    """Remove a run's scratch folder, and `<out>/.work` with it once nothing but its
    marker is left."""
    shutil.rmtree(work, ignore_errors=True)
    parent = work.parent
    if parent.name == WORK and (parent / WORK_MARKER).is_file():
        with contextlib.suppress(OSError):
            if [p.name for p in parent.iterdir()] == [WORK_MARKER]:
                (parent / WORK_MARKER).unlink()
                parent.rmdir()


def recover(out: Path) -> list[str]:
    """Undo what a killed run_all left behind in `out`; returns what was done.

    Call it while holding the output directory's lock (no other run_all is writing):
    an aside copy whose run directory is missing is put back (the process died inside
    `swap_in`), other aside copies and the scratch folder are removed. A `.work` folder
    without run_all's marker is not removed: ForeignScratch.
    """
    done = []
    runs = out / "runs"
    for aside in sorted(runs.glob("*/.*.previous")) if runs.is_dir() else []:
        final = aside.with_name(aside.name[1 : -len(".previous")])
        if final.exists():
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.replace(aside, final)
            rel = final.relative_to(out)
            done.append(f"restored {rel} (a run was interrupted while replacing it)")
    work = out / WORK
    if work.exists() and (work / WORK_MARKER).is_file():
        shutil.rmtree(work, ignore_errors=True)
        done.append(f"removed the scratch folder {work.relative_to(out)} of an interrupted run")
    elif work.exists():
        raise ForeignScratch(
            f"{work} exists and was not made by run_all (it has no {WORK_MARKER}): move or "
            "rename it; run_all keeps its scratch there"
        )
    return done
