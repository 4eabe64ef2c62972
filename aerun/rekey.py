"""`run_all --rekey`: a refactor proven not to change a number keeps its runs.

Runs whose only changed inputs are `aelib` code or notebook code (`cachekeys.
code_only_change`) would re-run for hours after a move or a rename. This module runs the
smoke profile twice instead: once with the code their keys were made at (a `git
worktree` of the commit in their record) and once with today's, under coverage, and
records the new key only when

- every record it would touch says its tree was clean at that commit, and that commit's
  code gives the code hashes the record holds;
- every metric and every result file (by `cachekeys.content_digest`) of every smoke run
  is the same under both; and
- every function or method whose normalized code changed was executed by today's smoke
  run (import-time code counts when its module was imported).

Otherwise it re-keys nothing and names the first difference, or the changed function
smoke never reached. It proves what the smoke profile executes: a branch that only the
full profile takes (`if run.beyond_paper` under a larger data size, say) is not proven
by it, except that the function holding it must have run; a notebook whose change lies
entirely in code a smoke run skips (`aerun.profilecode`: the same code for a smoke run
before and after) is refused.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aerun import cachekeys, codehash, pipeline, rundirs
from aerun.gitrepo import git, uncommitted

SMOKE_SEED = 0
COVERAGE_STARTUP = """\
# Written by aerun.rekey: measure which aelib code this kernel executes.
import atexit as _atexit
import os as _os

import coverage as _coverage

_cov = _coverage.Coverage(
    data_file=_os.environ["AELIB_REKEY_COVERAGE"], data_suffix=True,
    source=[_os.environ["AELIB_REKEY_SOURCE"]],
)
_cov.start()


def _save():
    _cov.stop()
    _cov.save()


_atexit.register(_save)
"""


class Refused(Exception):
    """The re-key does not hold; the message names the first reason."""


@dataclass
class Candidate:
    """A run stale only in code: its record, today's inputs and key."""

    seed: int
    spec: object
    run_dir: Path
    record: dict
    inputs: dict
    key: str
    commit: str = ""
    changed: list[str] = field(default_factory=list)


@dataclass
class SmokeRun:
    """The smoke profile run by one code tree: its run directories and, when measured,
    `{absolute file: executed line numbers}`."""

    runs_dir: Path
    executed: dict[str, set[int]] | None = None


# execute(tree, notebooks, out, measure, reuse): `reuse` maps notebooks to run directories
# of another smoke run, placed in the output first (see `smoke`).
Executor = Callable[[Path, list[str], Path, bool, dict[str, Path]], SmokeRun]


def clean_head(root: Path = pipeline.ROOT) -> str:
    """HEAD, when aelib/ and notebooks/ have no uncommitted change; else Refused."""
    try:
        dirty = uncommitted(root)
        head = git("rev-parse", "HEAD", cwd=root)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise Refused(f"--rekey needs a git checkout ({exc})") from None
    if dirty:
        first = dirty[0]
        raise Refused(
            f"{first} has uncommitted changes: commit the refactor first, the re-key records "
            "the commit whose code it proves"
        )
    return head


def keyed_commit(record: dict) -> str:
    """The commit whose code made a record's key; Refused when the record does not say
    its tree was clean there."""
    host = record.get("host") or {}
    commit = record.get("keyed_at") or host.get("git_commit")
    dirty = record.get("keyed_dirty", host.get("git_dirty"))
    if not commit or commit == "unknown":
        raise Refused("its record does not say which commit made it")
    if dirty is not False:
        say_dirty = "was dirty" if dirty else "does not say whether the tree was clean"
        raise Refused(f"its record {say_dirty} at {commit[:12]}: its key cannot be reproduced")
    return commit


def code_inputs(
    spec, tree: Path, key_format: int = cachekeys.KEY_FORMAT, profile: str | None = None
) -> dict:
    """The notebook and aelib code hashes `tree` gives `spec`'s notebook for a run of
    `profile`, as key format `key_format` counts them."""
    notebook = tree / "notebooks" / f"{spec.name}.ipynb"
    if not notebook.is_file():
        raise Refused(f"{tree.name} has no notebooks/{notebook.name}")
    return {
        "notebook": cachekeys.notebook_hash(notebook, profile, key_format),
        "aelib": cachekeys.aelib_hash(notebook, tree / "aelib", key_format),
    }


def _profile(candidate: Candidate) -> str | None:
    return (candidate.record["inputs"].get("parameters") or {}).get("profile")


def reproduces(candidate: Candidate, tree: Path) -> str | None:
    """None when `tree`'s code gives the candidate's recorded code hashes, else what differs."""
    recorded = candidate.record["inputs"]
    got = code_inputs(
        candidate.spec, tree, recorded.get("format", cachekeys.KEY_FORMAT), _profile(candidate)
    )
    if got["notebook"] != recorded.get("notebook"):
        return f"notebooks/{candidate.spec.name}.ipynb"
    want = recorded.get("aelib") or {}
    for name in sorted({*want, *got["aelib"]}):
        if want.get(name) != got["aelib"].get(name):
            return name
    return None


def _smoke_code(notebook: Path) -> str | None:
    """The code hash of what a smoke run of `notebook` executes; None when it is gone."""
    return codehash.notebook_code_hash(notebook, "smoke") if notebook.is_file() else None


def changed_functions(old_tree: Path, new_tree: Path, files: list[str]) -> list[tuple]:
    """`[(file, qualified name, first line)]` of today's parts whose code changed.

    A function or method whose normalized code is the same as one of the same name
    anywhere in the old tree's aelib/ moved unchanged (a module split, a package made of a
    module) and is not listed; the top-level code of its new module (its imports and
    constants) is, and must have run."""
    old_parts: dict[str, set[str]] = {}
    for path in sorted((old_tree / "aelib").rglob("*.py")):
        for name, (dump, _) in codehash.functions(path.read_text()).items():
            old_parts.setdefault(name, set()).add(dump)
    changed = []
    for rel in files:
        new_path, old_path = new_tree / rel, old_tree / rel
        if not new_path.is_file():
            continue  # a removed module: nothing of it can run today
        new = codehash.functions(new_path.read_text())
        old = codehash.functions(old_path.read_text()) if old_path.is_file() else {}
        for name, (dump, line) in new.items():
            if old.get(name, (None,))[0] == dump:
                continue
            if line is not None and dump in old_parts.get(name, ()):
                continue  # moved, its code unchanged
            changed.append((rel, name, line))
    return changed


def _closure(names: set[str]) -> list[str]:
    """`names` and every notebook upstream of them, in pipeline order."""
    wanted = set(names)
    for spec in reversed(pipeline.NOTEBOOKS):
        if spec.name in wanted:
            wanted.update(spec.depends_on)
    return [s.name for s in pipeline.NOTEBOOKS if s.name in wanted]


def smoke(
    tree: Path,
    notebooks: list[str],
    out: Path,
    measure: bool,
    reuse: dict[str, Path] | None = None,
) -> SmokeRun:
    """Run the smoke profile of `notebooks` with the code in `tree` (its own run_all.py,
    its aelib first on the path); with `measure`, under coverage of its aelib.

    `reuse`: {notebook: run directory} of another smoke run, copied into the output first;
    `tree`'s run_all keeps each one its own cache key finds up to date (the same code,
    parameters, data and upstream results) and runs the others again, as any run_all does.
    """
    out.mkdir(parents=True, exist_ok=True)
    runs = out / "report" / "runs" / f"seed{SMOKE_SEED}"
    for name, run_dir in (reuse or {}).items():
        shutil.copytree(run_dir, runs / name)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    coverage_dir = out / "coverage"
    if measure:
        startup = out / "ipython" / "profile_default" / "startup"
        startup.mkdir(parents=True)
        (startup / "00-aelib-rekey-coverage.py").write_text(COVERAGE_STARTUP)
        coverage_dir.mkdir(parents=True)
        env.update(
            IPYTHONDIR=str(out / "ipython"),
            AELIB_REKEY_COVERAGE=str(coverage_dir / "data"),
            AELIB_REKEY_SOURCE=str(tree / "aelib"),
        )
    log = out / "run_all.log"
    cmd = [
        sys.executable,
        str(tree / "run_all.py"),
        "--profile",
        "smoke",
        "--seed",
        str(SMOKE_SEED),
        "--output",
        str(out / "report"),
        "--workers",
        "2",
        "--threads-per-run",
        "1",
        "--only",
        *notebooks,
    ]
    with open(log, "w") as handle:
        code = subprocess.run(cmd, cwd=tree, env=env, stdout=handle, stderr=subprocess.STDOUT)
    if code.returncode != 0:
        tail = "".join(log.read_text().splitlines(keepends=True)[-5:])
        raise Refused(f"the smoke run with the code in {tree} failed (log {log}):\n{tail}")
    executed = None
    if measure:
        import coverage

        combined = coverage.Coverage(data_file=str(coverage_dir / "data"))
        combined.combine([str(coverage_dir)], keep=True)
        measured = combined.get_data()
        executed = {f: set(measured.lines(f) or ()) for f in measured.measured_files()}
    return SmokeRun(runs, executed)


def _same_record(a: Path, b: Path) -> bool:
    """Whether two run directories hold the same record (one was copied, not run again)."""
    try:
        return (a / rundirs.RECORD).read_bytes() == (b / rundirs.RECORD).read_bytes()
    except OSError:
        return False


def compare_runs(name: str, old_dir: Path, new_dir: Path) -> tuple[int, int]:
    """(metrics, files) that match between two smoke runs of `name`; Refused at the first
    difference."""
    old_files, new_files = rundirs.result_files(old_dir), rundirs.result_files(new_dir)
    for rel in sorted(set(old_files) ^ set(new_files)):
        side = "the new" if rel in new_files else "the old"
        raise Refused(f"{name}: only {side} code writes {rel}")
    metrics = 0
    if "metrics.json" in old_files:
        old_m = json.loads((old_dir / "metrics.json").read_text())
        new_m = json.loads((new_dir / "metrics.json").read_text())
        for metric in sorted(set(old_m) | set(new_m)):
            if old_m.get(metric) != new_m.get(metric):
                raise Refused(
                    f"{name}: metric {metric} is {old_m.get(metric)!r} with the old code, "
                    f"{new_m.get(metric)!r} with the new"
                )
        metrics = len(old_m)
    for rel in old_files:
        if cachekeys.content_digest(old_dir / rel) != cachekeys.content_digest(new_dir / rel):
            raise Refused(f"{name}: result file {rel} differs between the old and the new code")
    return metrics, len(old_files)


def prove(
    candidates: list[Candidate],
    head: str,
    work: Path,
    *,
    root: Path = pipeline.ROOT,
    execute: Executor = smoke,
    say=print,
) -> list[dict]:
    """Prove every candidate's code change; returns each one's re-key note (the order of
    `candidates`). Raises Refused, having written nothing, when the proof fails."""
    for c in candidates:
        try:
            c.commit = keyed_commit(c.record)
        except Refused as exc:
            raise Refused(f"{_label(c)}: {exc}") from None
        if cachekeys.cache_key(c.record.get("inputs") or {}) != c.record.get("key"):
            raise Refused(f"{_label(c)}: its record's inputs do not give its key")
    trees: dict[str, Path] = {}
    try:
        for commit in dict.fromkeys(c.commit for c in candidates):
            tree = work / f"tree-{commit[:12]}"
            try:
                git("worktree", "add", "--detach", "--force", str(tree), commit, cwd=root)
            except subprocess.CalledProcessError as exc:
                raise Refused(f"commit {commit[:12]} cannot be checked out: {exc.stderr}") from None
            trees[commit] = tree
        # Each run's own commit must give its recorded key; then one commit per group of
        # runs whose recorded code it also gives is enough for the old smoke run.
        for c in candidates:
            differs = reproduces(c, trees[c.commit])
            if differs:
                raise Refused(
                    f"{_label(c)}: commit {c.commit[:12]}'s {differs} does not give the code "
                    "hash its record holds"
                )
        groups: dict[str, list[Candidate]] = {}
        for c in candidates:
            home = next((k for k in groups if reproduces(c, trees[k]) is None), c.commit)
            groups.setdefault(home, []).append(c)
        say(f"rekey: smoke profile with today's code ({head[:12]}), under coverage")
        wanted = _closure({c.spec.name for c in candidates})
        new = execute(root, wanted, work / "new", True)
        old_runs = {}
        for commit, members in groups.items():
            proven = {c.spec.name for c in members}
            names = _closure(proven)
            # The upstream runs of those under proof come from today's smoke run: where the
            # old code's run_all finds one up to date (its code did not change), it is not
            # run again; the runs under proof always are.
            reuse = {n: new.runs_dir / n for n in names if n not in proven}
            say(f"rekey: smoke profile with the code the runs were keyed at ({commit[:12]})")
            old = execute(trees[commit], names, work / f"old-{commit[:12]}", False, reuse)
            for name in reuse:
                if _same_record(new.runs_dir / name, old.runs_dir / name):
                    say(f"rekey: {name}: today's smoke run reused (its code did not change)")
            old_runs[commit] = old
        notes = {}
        matched: dict[tuple[str, str], tuple[int, int]] = {}
        for commit, members in groups.items():
            for c in members:
                pair = (commit, c.spec.name)
                if pair not in matched:
                    matched[pair] = compare_runs(
                        c.spec.name,
                        old_runs[commit].runs_dir / c.spec.name,
                        new.runs_dir / c.spec.name,
                    )
                files = sorted(
                    f
                    for f in {*c.record["inputs"].get("aelib", {}), *c.inputs["aelib"]}
                    if c.record["inputs"].get("aelib", {}).get(f) != c.inputs["aelib"].get(f)
                    and f in c.inputs["aelib"]  # a file no longer counted has nothing to prove
                )
                changed = changed_functions(trees[commit], root, files)
                for rel, qualname, line in changed:
                    lines = (new.executed or {}).get(str((root / rel).resolve()))
                    ran = bool(lines) and (line is None or line in lines)
                    if not ran:
                        raise Refused(
                            f"{_label(c)}: {rel}: {qualname} changed and the smoke profile "
                            "never executed it"
                        )
                notebook, profile = f"notebooks/{c.spec.name}.ipynb", _profile(c)
                recorded_format = c.record["inputs"].get("format", cachekeys.KEY_FORMAT)
                today = cachekeys.notebook_hash(root / notebook, profile, recorded_format)
                if c.record["inputs"].get("notebook") != today:  # counted as its record counts
                    if (
                        isinstance(profile, str)
                        and profile != "smoke"
                        and _smoke_code(trees[commit] / notebook) == _smoke_code(root / notebook)
                    ):
                        raise Refused(
                            f"{_label(c)}: {notebook} changed only where a smoke run does "
                            f"not go (code for profile {profile!r}): the smoke profile "
                            "cannot prove it"
                        )
                    changed.append((notebook, "code cells", None))
                metrics, nfiles = matched[pair]
                notes[id(c)] = {
                    "how": "proven by the smoke profile (run_all --rekey)",
                    "from_commit": commit,
                    "to_commit": head,
                    "metrics_matched": metrics,
                    "files_matched": nfiles,
                    "functions_changed": [f"{rel}:{name}" for rel, name, _ in changed],
                }
        return [notes[id(c)] for c in candidates]
    finally:
        for tree in trees.values():
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(tree)], cwd=root, capture_output=True
            )
        subprocess.run(["git", "worktree", "prune"], cwd=root, capture_output=True)


def apply(candidates: list[Candidate], notes: list[dict], head: str, when: str) -> None:
    """Record the proven key in each candidate's run.json."""
    for c, note in zip(candidates, notes, strict=True):
        record = dict(c.record)
        record.update(
            key=c.key,
            inputs=c.inputs,
            keyed_at=head,
            keyed_dirty=False,
            rekeyed=[*record.get("rekeyed", []), {**note, "when": when}],
        )
        rundirs.write_json_atomic(c.run_dir / rundirs.RECORD, record)


def _label(c: Candidate) -> str:
    return f"{c.spec.name} seed {c.seed}"
