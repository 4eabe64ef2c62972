"""run_all --rekey: the proof's decisions, on a small git project with a fake smoke run.

The real smoke runs (a git worktree, run_all, coverage inside the kernels) are proven end
to end in tests/test_run_all_cache.py; here the executor reads the tree's code directly,
so that each refusal is checked in a second.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from aerun import cachekeys, codehash, pipeline, rekey, rundirs

HELPERS = '''"""Helpers."""


def scale(x):
    return x * SIGMA


def unused(x):
    return x - 1


SIGMA = 0.5
'''


def _git(root, *args):
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def _commit(root, message="change"):
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", message)
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    (root / "aelib").mkdir(parents=True)
    (root / "aelib" / "__init__.py").write_text("")
    (root / "aelib" / "noise.py").write_text(HELPERS)
    (root / "notebooks").mkdir()
    nb = new_notebook(cells=[new_code_cell("from aelib import noise\nnoise.scale(2)")])
    nbformat.write(nb, root / "notebooks" / "a.ipynb")
    _git(root, "init", "-q")
    base = _commit(root, "base")
    spec = pipeline.NotebookSpec("a", "A", ("mnist",))
    monkeypatch.setattr(pipeline, "NOTEBOOK_DIR", root / "notebooks")
    monkeypatch.setattr(pipeline, "NOTEBOOKS", (spec,))
    monkeypatch.setattr(cachekeys, "data_hashes", lambda names: {})
    runs = tmp_path / "report" / "runs" / "seed0"
    runs.mkdir(parents=True)

    def inputs():
        return cachekeys.cache_inputs(
            spec, {"seed": 0}, runs, aelib_dir=root / "aelib", versions={"numpy": "1"}
        )

    run_dir = runs / "a"
    run_dir.mkdir()
    (run_dir / "metrics.json").write_text("{}")
    old = inputs()
    record = {
        "status": "ok",
        "key": cachekeys.cache_key(old),
        "inputs": old,
        "outputs": rundirs.hash_outputs(run_dir),
        "host": {"git_commit": base, "git_dirty": False},
        "keyed_at": base,
        "keyed_dirty": False,
    }
    rundirs.write_json_atomic(run_dir / rundirs.RECORD, record)
    return {"root": root, "spec": spec, "inputs": inputs, "record": record, "run_dir": run_dir}


def fake_smoke(ran=("scale",)):
    """An executor whose metric is `scale(2)` of the tree's code and whose coverage says
    that the functions in `ran` (and the module's import) executed."""

    def execute(tree: Path, names, out: Path, measure: bool, reuse=None):
        value = subprocess.run(
            [sys.executable, "-c", "from aelib import noise; print(noise.scale(2))"],
            env={**os.environ, "PYTHONPATH": str(tree)},
            cwd=tree,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        run = out / "runs" / "a"
        run.mkdir(parents=True)
        (run / "metrics.json").write_text(json.dumps({"a.value": float(value)}))
        executed = {}
        for path in (tree / "aelib").glob("*.py"):
            lines = {1}
            for name, (_, line) in codehash.functions(path.read_text()).items():
                if name in ran and line:
                    lines.add(line)
            executed[str(path.resolve())] = lines
        return rekey.SmokeRun(out / "runs", executed)

    return execute


def _prove(project, tmp_path, execute):
    head = rekey.clean_head(project["root"])
    new = project["inputs"]()
    c = rekey.Candidate(
        0, project["spec"], project["run_dir"], project["record"], new, cachekeys.cache_key(new)
    )
    assert cachekeys.code_only_change(project["record"]["inputs"], new)
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    return c, rekey.prove([c], head, work, root=project["root"], execute=execute, say=lambda m: 0)


def test_a_pure_move_is_rekeyed(project, tmp_path):
    root = project["root"]
    (root / "aelib" / "scaling.py").write_text("def scale(x, sigma):\n    return x * sigma\n")
    (root / "aelib" / "noise.py").write_text(
        HELPERS.replace(
            "def scale(x):\n    return x * SIGMA", "def scale(x):\n    return _s(x, SIGMA)"
        )
        + "\nfrom aelib.scaling import scale as _s  # noqa: E402\n"
    )
    _commit(root, "move")
    c, notes = _prove(project, tmp_path, fake_smoke())
    assert notes[0]["metrics_matched"] == 1 and notes[0]["files_matched"] == 1
    assert "aelib/noise.py:scale" in notes[0]["functions_changed"]
    rekey.apply([c], notes, "HEAD", "now")
    record = json.loads((project["run_dir"] / rundirs.RECORD).read_text())
    assert record["key"] == c.key and record["rekeyed"][-1]["from_commit"] == c.commit


def test_a_change_that_alters_a_number_is_refused_with_the_metric(project, tmp_path):
    (project["root"] / "aelib" / "noise.py").write_text(HELPERS.replace("0.5", "0.6"))
    _commit(project["root"])
    with pytest.raises(rekey.Refused, match="metric a.value is 1.0 with the old code, 1.2"):
        _prove(project, tmp_path, fake_smoke())


def test_a_change_smoke_never_runs_is_refused_with_the_function(project, tmp_path):
    (project["root"] / "aelib" / "noise.py").write_text(HELPERS.replace("x - 1", "x - 2"))
    _commit(project["root"])
    with pytest.raises(rekey.Refused, match="aelib/noise.py: unused changed and the smoke"):
        _prove(project, tmp_path, fake_smoke(ran=("scale",)))


def test_a_dirty_record_or_tree_is_refused(project, tmp_path):
    (project["root"] / "aelib" / "noise.py").write_text(HELPERS + "\nEXTRA = 1\n")
    with pytest.raises(rekey.Refused, match="aelib/noise.py has uncommitted changes"):
        rekey.clean_head(project["root"])
    _commit(project["root"])
    project["record"]["keyed_dirty"] = True
    with pytest.raises(rekey.Refused, match="was dirty at"):
        _prove(project, tmp_path, fake_smoke())
    del project["record"]["keyed_dirty"], project["record"]["host"]["git_dirty"]
    with pytest.raises(rekey.Refused, match="does not say whether the tree was clean"):
        _prove(project, tmp_path, fake_smoke())


def test_a_commit_that_does_not_give_the_recorded_key_is_refused(project, tmp_path):
    project["record"]["inputs"] = {**project["record"]["inputs"], "notebook": "elsewhere"}
    project["record"]["key"] = cachekeys.cache_key(project["record"]["inputs"])
    (project["root"] / "aelib" / "noise.py").write_text(HELPERS + "\nEXTRA = 1\n")
    _commit(project["root"])
    with pytest.raises(rekey.Refused, match="notebooks/a.ipynb does not give the code hash"):
        _prove(project, tmp_path, fake_smoke())


def test_a_function_moved_with_its_code_is_not_a_change_its_new_module_is(project, tmp_path):
    """A module split: `unused` moves unchanged to another module and smoke never calls
    it; that is no change to prove. Its new module's top-level code is, and ran (it was
    imported); a function whose code changed on the way must still have run."""
    root = project["root"]
    (root / "aelib" / "extra.py").write_text("def unused(x):\n    return x - 1\n")
    (root / "aelib" / "noise.py").write_text(
        HELPERS.replace("def unused(x):\n    return x - 1\n", "")
        + "\nfrom aelib.extra import unused  # noqa: E402,F401\n"
    )
    _commit(root, "split")
    changed = rekey.changed_functions(
        _worktree(project, tmp_path), root, ["aelib/extra.py", "aelib/noise.py"]
    )
    names = [f"{rel}:{name}" for rel, name, _ in changed]
    assert "aelib/extra.py:unused" not in names
    assert "aelib/extra.py:<module>" in names and "aelib/noise.py:<module>" in names
    (root / "aelib" / "extra.py").write_text("def unused(x):\n    return x - 2\n")
    changed = rekey.changed_functions(_worktree(project, tmp_path), root, ["aelib/extra.py"])
    assert ("aelib/extra.py", "unused", 2) in changed


def _worktree(project, tmp_path):
    """The tree of the commit the project's record was keyed at, checked out."""
    tree = Path(tempfile.mkdtemp(dir=tmp_path)) / "old"
    commit = project["record"]["host"]["git_commit"]
    _git(project["root"], "worktree", "add", "--detach", "--force", str(tree), commit)
    return tree


PROFILED = [
    'profile: str = "full"',
    "from aelib import noise, params\n"
    'run = params.settings(notebook="a", parameters=params.declared(globals()))\n'
    'smoke = run.profile == "smoke"\n'
    "steps = 2 if smoke else 10",
    "noise.scale(steps)",
]


def test_a_notebook_change_only_a_full_run_executes_is_refused(project, tmp_path):
    """The smoke runs match whatever the full side of a notebook says: a change there alone
    is not proven by them. A change to the smoke side alone leaves the full key as it was."""
    root, spec, run_dir = project["root"], project["spec"], project["run_dir"]

    def write(cells):
        nb = new_notebook(cells=[new_code_cell(c) for c in cells])
        nb.cells[0].metadata["tags"] = ["parameters"]
        nbformat.write(nb, root / "notebooks" / "a.ipynb")

    def inputs():
        return cachekeys.cache_inputs(
            spec,
            {"seed": 0, "profile": "full"},
            run_dir.parent,
            aelib_dir=root / "aelib",
            versions={"numpy": "1"},
        )

    write(PROFILED)
    base = _commit(root, "a notebook that tests its profile")
    old = inputs()
    record = {**project["record"], "inputs": old, "key": cachekeys.cache_key(old)}
    record.update(host={"git_commit": base, "git_dirty": False}, keyed_at=base)
    write([c.replace("2 if smoke", "3 if smoke") for c in PROFILED])
    assert inputs() == old  # the smoke side alone: the full run is fresh
    write([c.replace("else 10", "else 11") for c in PROFILED])
    head = _commit(root, "the full side")
    new = inputs()
    assert cachekeys.code_only_change(old, new)
    c = rekey.Candidate(0, spec, run_dir, record, new, cachekeys.cache_key(new))
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    with pytest.raises(rekey.Refused, match="changed only where a smoke run does not go"):
        rekey.prove([c], head, work, root=root, execute=fake_smoke(), say=lambda m: 0)
