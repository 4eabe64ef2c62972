"""A run's key counts its notebook as a run of its profile executes it (aerun.profilecode,
key format 4): a change to what only the smoke profile runs leaves the full runs fresh, a
change to what the full profile runs does not, and anything that could make a test of the
profile wrong leaves the notebook counted as written."""

import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from fixture_notebooks import command
from nbformat.v4 import new_code_cell, new_notebook

from aelib import params
from aerun import codehash, pipeline

ROOT = Path(__file__).resolve().parents[2]

PARAMETERS = 'profile: str = "full"\nsteps: int = 10\nsmoke_steps: int = 2'
SETUP = """%matplotlib inline
from aelib import params
run = params.settings(notebook="a", parameters=params.declared(globals()))
smoke = run.profile == "smoke"
steps = smoke_steps if smoke else steps"""
BODY = """if run.profile == "smoke":
    grid = [1, 2]
else:
    grid = [1, 2, 4, 8]
sizes = [4] if not smoke and steps > 5 else [2]
print(grid, sizes, steps)"""


def _hashes(tmp_path, cells, name="a.ipynb", tagged=0):
    """The code hash of each profile of a notebook of `cells`, the one at index `tagged`
    the parameters cell (None: none is)."""
    path = tmp_path / name
    code = [new_code_cell(c) for c in cells]
    if tagged is not None:
        code[tagged].metadata["tags"] = ["parameters"]
    nbformat.write(new_notebook(cells=code), path)
    return {p: codehash.notebook_code_hash(path, p) for p in ("full", "smoke", "paper")}


def test_a_smoke_only_change_leaves_the_full_key_and_a_full_only_change_the_smoke_key(tmp_path):
    base = _hashes(tmp_path, [PARAMETERS, SETUP, BODY])
    assert base["full"] == base["paper"] != base["smoke"]
    smoke_edit = _hashes(tmp_path, [PARAMETERS, SETUP, BODY.replace("[1, 2]\nelse", "[1]\nelse")])
    assert smoke_edit["full"] == base["full"] and smoke_edit["smoke"] != base["smoke"]
    full_edit = _hashes(tmp_path, [PARAMETERS, SETUP, BODY.replace("[1, 2, 4, 8]", "[1, 2, 4]")])
    assert full_edit["smoke"] == base["smoke"] and full_edit["full"] != base["full"]
    # a flag folded inside `not ... and ...`: the full side keeps `steps > 5`
    cond = _hashes(tmp_path, [PARAMETERS, SETUP, BODY.replace("steps > 5", "steps > 6")])
    assert cond["full"] != base["full"] and cond["smoke"] == base["smoke"]
    # what every profile runs counts for each
    both = _hashes(tmp_path, [PARAMETERS, SETUP, BODY.replace("print(", "print('x', ")])
    assert both["full"] != base["full"] and both["smoke"] != base["smoke"]
    # a magic line counts by its text
    magic = _hashes(tmp_path, [PARAMETERS, SETUP.replace("inline", "agg"), BODY])
    assert magic["full"] != base["full"]


@pytest.mark.parametrize(
    "setup, why",
    [
        (SETUP + "\nsmoke = False", "the flag is bound twice"),
        (SETUP + "\nrun = params.settings(notebook='b', profile='smoke')", "run is bound twice"),
        (SETUP.replace("notebook=", "profile='smoke', notebook="), "settings is told a profile"),
        (SETUP + "\nrun.profile = 'smoke'", "an attribute of run is assigned"),
        (SETUP + "\nexec('smoke = True')", "exec could bind anything"),
        (SETUP + "\nglobals()['smoke'] = True", "globals() is written"),
        (SETUP.replace("from aelib import params", "import aelib.params as params"), "params"),
    ],
)
def test_what_could_make_a_test_of_the_profile_wrong_keeps_the_notebook_as_written(
    tmp_path, setup, why
):
    """Each of these notebooks counts a smoke-only edit in its full runs' key too."""
    full_body = BODY.replace("if run.profile", "if other_profile").replace("not smoke", "flag")
    base = _hashes(tmp_path, [PARAMETERS, setup, f"x = 1 if smoke else 2\n{full_body}"])
    edited = _hashes(tmp_path, [PARAMETERS, setup, f"x = 3 if smoke else 2\n{full_body}"])
    assert edited["full"] != base["full"], why


def test_the_profile_is_tested_through_a_name_only_when_its_one_binding_is_the_parameter(
    tmp_path,
):
    cells = [PARAMETERS, 'x = 1 if profile == "smoke" else 2']
    edited = [PARAMETERS, 'x = 3 if profile == "smoke" else 2']
    assert _hashes(tmp_path, cells)["full"] == _hashes(tmp_path, edited)["full"]
    twice = [PARAMETERS + '\nprofile = "smoke"', 'x = 1 if profile == "smoke" else 2']
    twice_edited = [twice[0], 'x = 3 if profile == "smoke" else 2']
    assert _hashes(tmp_path, twice)["full"] != _hashes(tmp_path, twice_edited)["full"]
    # no parameters cell, or the binding in another cell: papermill's value is not there
    assert (
        _hashes(tmp_path, cells, tagged=None)["full"]
        != (_hashes(tmp_path, edited, tagged=None)["full"])
    )
    moved = ["seed: int = 0", PARAMETERS, 'x = 1 if profile == "smoke" else 2']
    moved_edited = [*moved[:2], 'x = 3 if profile == "smoke" else 2']
    assert _hashes(tmp_path, moved)["full"] != _hashes(tmp_path, moved_edited)["full"]
    # run.profile needs the annotation: params.declared reads the annotated parameters only
    plain = [PARAMETERS.replace("profile: str =", "profile ="), SETUP, "x = 1 if smoke else 2"]
    plain_edited = [*plain[:2], "x = 3 if smoke else 2"]
    assert _hashes(tmp_path, plain)["full"] != _hashes(tmp_path, plain_edited)["full"]
    # a cell that is not Python: the whole notebook counts as written
    odd = [PARAMETERS, "x = 1 if profile == 'smoke' else 2", "%%bash\necho hi"]
    odd_edited = [PARAMETERS, "x = 3 if profile == 'smoke' else 2", "%%bash\necho hi"]
    assert _hashes(tmp_path, odd)["full"] != _hashes(tmp_path, odd_edited)["full"]


def test_run_profile_is_the_profile_parameter(tmp_path):
    """What profilecode relies on: `params.settings(parameters=...)` without `profile=`
    takes the run's profile from the parameters."""
    for profile in ("full", "paper", "smoke"):
        given = {"profile": profile, "seed": 0, "epochs": 1, "batch_size": 8, "out_dir": ""}
        given["out_dir"] = str(tmp_path / profile)
        assert params.settings(notebook="a", parameters=given).profile == profile


def test_every_notebook_that_tests_its_profile_is_specialized():
    """The real notebooks' tests of the profile are all recognized: each one's smoke code
    differs from its full code exactly where it tests the profile."""
    tests_profile = set()
    for spec in pipeline.NOTEBOOKS:
        code = codehash.notebook_code(spec.path)
        if '== "smoke"' in code or '!= "smoke"' in code:
            tests_profile.add(spec.name)
            full = codehash.notebook_code_hash(spec.path, "full")
            assert full != codehash.notebook_code_hash(spec.path, "smoke"), spec.name
    assert {"03_denoising", "06_variational_autoencoder", "07_generative_models"} <= tests_profile


def test_a_smoke_only_edit_of_a_real_notebook_leaves_the_committed_report_fresh(tmp_path):
    """Notebook 08 at smoke attacks with the largest radius only; attacking with two there
    re-runs no run of the committed report (a dry run finds all of them fresh)."""
    notebooks = tmp_path / "notebooks"
    shutil.copytree(pipeline.NOTEBOOK_DIR, notebooks)
    path = notebooks / "08_robustness_and_search.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "epsilons = epsilons[-1:] if smoke" in c.source)
    cell.source = cell.source.replace("epsilons[-1:] if smoke", "epsilons[-2:] if smoke")
    nbformat.write(nb, path)
    spec = pipeline.BY_NAME["08_robustness_and_search"]
    edited = codehash.notebook_code_hash(path, "smoke")
    assert edited != codehash.notebook_code_hash(spec.path, "smoke")
    assert codehash.notebook_code_hash(path, "full") == codehash.notebook_code_hash(
        spec.path, "full"
    )
    dry = subprocess.run(
        command(notebooks, "--dry-run", "--output", str(ROOT / "report")),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert dry.returncode == 0, dry.stdout[-3000:] + dry.stderr[-2000:]
    runs = 3 * len(pipeline.select(None, profile="full"))
    assert f"dry run: {runs} runs: {runs} fresh, 0 stale" in dry.stdout, dry.stdout[-3000:]
    record = json.loads((ROOT / "report/runs/seed0/08_robustness_and_search/run.json").read_text())
    assert record["inputs"]["format"] == 4
