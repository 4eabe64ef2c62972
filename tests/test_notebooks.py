"""The committed notebooks: clean, documented, thin, and strict about their parameters."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from aelib.params import PROFILES
from aerun import pipeline

NOTEBOOKS = [spec.path for spec in pipeline.NOTEBOOKS]


ROOT = Path(__file__).resolve().parents[1]


def _git(*args, cwd=ROOT, env=None, check=True):
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert not check or result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result


def _assert_no_outputs(nb, what):
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, what


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_has_no_outputs(path):
    """What git stores (the index, and HEAD) has no outputs. The working copy may have them
    after Run All in JupyterLab: the nbstripout filter strips them when the file is staged."""
    rel = "./" + path.resolve().relative_to(ROOT).as_posix()
    revisions = [":"]  # the index: what the next commit stores
    if _git("cat-file", "-e", f"HEAD:{rel}", check=False).returncode == 0:
        revisions.append("HEAD:")
    for rev in revisions:
        blob = _git("show", f"{rev}{rel}").stdout
        _assert_no_outputs(nbformat.reads(blob, as_version=4), f"{rev}{rel}")


def test_git_filter_strips_outputs_when_staging(tmp_path):
    """After Run All + save, git diff is empty and staging stores no outputs, with the nbstripout
    filter configured the way `make env` configures it (tools/ensure_env.sh), in a new
    repository holding this checkout's .gitattributes, independent of any global git config."""
    repo = tmp_path / "repo"
    rel = "notebooks/01_baseline_autoencoder.ipynb"
    copied = (
        ".gitattributes",
        "tools/ensure_env.sh",
        "tools/jupyter/strip_keys.txt",
        "tools/git/strip_notebook.py",
        rel,
    )
    for name in copied:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, repo / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
    )

    def git(*args, check=True):
        return _git(*args, cwd=repo, env=env, check=check)

    git("init", "--quiet")
    configure = ["bash", "tools/ensure_env.sh", "--git-filter", sys.executable]
    configured = subprocess.run(configure, cwd=repo, env=env, capture_output=True, text=True)
    assert configured.returncode == 0, configured.stderr
    attributes = git("check-attr", "filter", "diff", "--", rel).stdout
    assert attributes == f"{rel}: filter: nbstripout\n{rel}: diff: ipynb\n"
    assert "--keep-id" in git("config", "--local", "filter.nbstripout.clean").stdout
    git("add", ".")
    git("commit", "--quiet", "-m", "notebook")
    committed = git("show", f"HEAD:{rel}").stdout
    _assert_no_outputs(nbformat.reads(committed, as_version=4), f"committed {rel}")

    # Run All + save: outputs and execution counts in every code cell.
    nb = nbformat.read(repo / rel, as_version=4)
    for count, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        cell.execution_count = count + 1
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="epoch 1/1\n")]
    nbformat.write(nb, repo / rel)
    assert '"epoch 1/1' in (repo / rel).read_text()

    # Only outputs changed: git diff shows nothing, and staging changes nothing. (Before
    # `git add`, git status may still list the file: its size changed, so git flags it
    # without running the filter.)
    diff = git("diff", "--exit-code", check=False)
    assert (diff.returncode, diff.stdout) == (0, "")
    git("add", rel)
    assert git("status", "--porcelain").stdout == ""
    assert git("diff", "--cached", "--exit-code", check=False).returncode == 0
    staged = git("show", f":{rel}").stdout
    assert staged == committed
    _assert_no_outputs(nbformat.reads(staged, as_version=4), f"staged {rel}")

    # A change to the notebook's source is still a change.
    nb.cells[0].source += "\nOne more line."
    nbformat.write(nb, repo / rel)
    assert git("status", "--porcelain").stdout == f" M {rel}\n"
    git("add", rel)
    staged = nbformat.reads(git("show", f":{rel}").stdout, as_version=4)
    assert staged.cells[0].source.endswith("One more line.")
    _assert_no_outputs(staged, f"staged {rel}")


def test_the_git_filter_is_nbstripout_without_its_slow_import(tmp_path):
    """tools/git/strip_notebook.py, the filter `make env` configures, prints what
    `python -m nbstripout` prints, and never imports rfc3987_syntax (a second of CPU in
    every git command that looks at a notebook)."""
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        cell.execution_count = 1
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="epoch 1/1\n")]
    saved = tmp_path / "saved.ipynb"
    nbformat.write(nb, saved)
    keys = " ".join((ROOT / "tools" / "jupyter" / "strip_keys.txt").read_text().split())
    options = ["--keep-id", "--extra-keys", keys, "-t", str(saved)]
    plain = subprocess.run(
        [sys.executable, "-m", "nbstripout", *options], capture_output=True, text=True
    )
    ours = subprocess.run(
        [sys.executable, "-X", "importtime", str(ROOT / "tools/git/strip_notebook.py"), *options],
        capture_output=True,
        text=True,
    )
    assert plain.returncode == ours.returncode == 0, plain.stderr + ours.stderr
    assert ours.stdout == plain.stdout and "epoch 1/1" not in ours.stdout
    assert ours.stdout == _git("show", f"HEAD:{NOTEBOOKS[0].relative_to(ROOT).as_posix()}").stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in ours.stderr.splitlines()}
    assert "nbformat" in imported
    # the name is looked up (and found absent); its parsers are never built
    assert "lark" not in imported and "rfc3987_syntax.syntax_helpers" not in imported


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_parameter_is_typed_and_documented(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    lines = [ln for ln in tagged[0].source.splitlines() if ln.strip()]
    inferred = {p["name"]: p for p in papermill.inspect_notebook(str(path)).values()}
    assert len(inferred) == len(lines), "a parameter line papermill cannot parse"
    for name in ("profile", "seed", "out_dir", "data_dir", "epochs", "batch_size"):
        assert name in inferred, f"{path.name} lacks {name}"
    for p in inferred.values():
        assert p["inferred_type_name"] != "None" and p["help"], p


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_stay_thin(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        code = "\n".join(ln for ln in cell.source.splitlines() if not ln.startswith("%"))
        tree = ast.parse(code)
        defs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        assert not defs, f"{path.name}: move definitions into aelib"
    assert sum(c.cell_type == "markdown" for c in nb.cells) >= 4


def _run(path: Path, tmp_path: Path, **parameters):
    return papermill.execute_notebook(
        str(path),
        str(tmp_path / f"{path.stem}.out.ipynb"),
        parameters={"profile": "smoke", "out_dir": str(tmp_path / "out"), **parameters},
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )


def _parameters_cell_index(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    return next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))


@pytest.mark.slow
@pytest.mark.parametrize(
    "notebook, parameters, message",
    [
        ("01_baseline_autoencoder", {"profile": "fast"}, "unknown profile 'fast'"),
        ("02_latent_sweep", {"latent_dims": [2, 0]}, r"latent_dims\[1\] must be an integer >= 1"),
        (
            "03_denoising",
            {"salt_pepper_amount": 1.5},
            r"salt_pepper_amount must be in \[0.0, 1.0\]",
        ),
        (
            "05_fashion_transfer",
            {"encoder_path": "missing/encoder.keras", "train_encoder_if_missing": False},
            "encoder_path points to 'missing/encoder.keras', which does not exist",
        ),
    ],
)
def test_bad_parameters_stop_at_the_parameters_step(tmp_path, notebook, parameters, message):
    import re

    path = pipeline.BY_NAME[notebook].path
    with pytest.raises(papermill.PapermillExecutionError) as info:
        _run(path, tmp_path, **parameters)
    assert re.search(message, info.value.evalue), info.value.evalue
    executed = nbformat.read(tmp_path / f"{path.stem}.out.ipynb", as_version=4)
    code = [c for c in executed.cells if c.cell_type == "code"]
    failed = [
        i for i, c in enumerate(code) if any(o.get("output_type") == "error" for o in c.outputs)
    ]
    injected = next(
        i for i, c in enumerate(code) if "injected-parameters" in c.metadata.get("tags", [])
    )
    # The cell right after the injected parameters validates them; nothing after it ran.
    assert failed == [injected + 1]
    assert all(c.execution_count is None for c in code[injected + 2 :])
    assert not (tmp_path / "out" / "metrics.json").exists()


def test_a_notebook_left_out_of_a_profile_refuses_it_first():
    """A notebook whose spec leaves out a profile (06, 07 and 08, the paper profile) stops at the
    parameters step in that profile: the cell after the parameters calls
    `params.check_profile(profile, allowed=<the spec's profiles>)` before anything else
    (what `check_profile` raises is tested in tests/test_params.py)."""
    left_out = [s for s in pipeline.NOTEBOOKS if set(s.profiles) != set(PROFILES)]
    assert [s.name for s in left_out] == [
        "06_variational_autoencoder",
        "07_generative_models",
        "08_robustness_and_search",
    ]
    for spec in left_out:
        nb = nbformat.read(spec.path, as_version=4)
        source = nb.cells[_parameters_cell_index(spec.path) + 1].source
        code = "\n".join(ln for ln in source.splitlines() if not ln.startswith("%"))
        tree = ast.parse(code)
        imports = (ast.Import, ast.ImportFrom)
        statements = [s for s in tree.body if not isinstance(s, imports)]
        first = statements[0].value
        assert isinstance(first, ast.Call) and first.func.attr == "check_profile", spec.name
        allowed = next(k.value for k in first.keywords if k.arg == "allowed")
        assert tuple(ast.literal_eval(allowed)) == spec.profiles, spec.name


def _stderr_outputs(nb) -> list[str]:
    return [
        f"cell {i}: {o.get('text', '')}"
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        for o in c.outputs
        if o.get("output_type") == "stream" and o.get("name") == "stderr"
    ]


@pytest.mark.slow
def test_every_smoke_run_leaves_its_cells_free_of_stderr(smoke_project):
    """Every notebook of the session's smoke report (tests/conftest.py) ran in a kernel
    that sees the environment a JupyterLab kernel sees (tests/smoke_build.py: no
    PYTEST_CURRENT_TEST, so ipykernel forwards TensorFlow's C-level stderr into the cells,
    and no TF_CPP_MIN_LOG_LEVEL before aelib sets it), and not one cell shows a line on
    stderr: a notebook run in JupyterLab shows no red noise."""
    for path in NOTEBOOKS:
        run_dir = smoke_project.report / "runs" / "seed0" / path.stem
        executed = nbformat.read(run_dir / "executed.ipynb", as_version=4)
        assert executed.metadata["papermill"]["parameters"]["profile"] == "smoke"
        stderr = _stderr_outputs(executed)
        assert not stderr, f"{path.name} wrote to stderr:\n" + "\n".join(stderr)


@pytest.mark.slow
def test_a_smoke_run_with_defaults_keeps_profiles_apart_and_stderr_clean(
    tmp_path, monkeypatch, smoke_project
):
    """A notebook at smoke with its defaults, as in JupyterLab: papermill's command line in
    a kernel without TF_CPP_MIN_LOG_LEVEL, results under results/smoke/seed0/<notebook>/,
    and not one line on stderr. The notebook is 05, which finds notebook 04's encoder
    (copied from the smoke report) where 04 writes it by default; every notebook finds its
    default folder the same way (`params.settings`), and the smoke report reads every
    notebook's stderr."""
    import json
    import time

    name = "05_fashion_transfer"
    encoder_dir = "results/smoke/seed0/04_improved_autoencoder/models"
    smoke_models = smoke_project.report / "runs" / "seed0" / "04_improved_autoencoder" / "models"
    (tmp_path / encoder_dir).mkdir(parents=True)
    for model in ("encoder.keras", "encoder.json"):
        shutil.copy2(smoke_models / model, tmp_path / encoder_dir / model)
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)  # JupyterLab does not set it
    # ipykernel forwards C-level stderr (TensorFlow's C++ logs) into the cells, as
    # JupyterLab shows it, only when it does not see PYTEST_CURRENT_TEST.
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    start = time.monotonic()
    proc = subprocess.run(  # papermill's command line, in a process of its own
        [sys.executable, "-m", "papermill", str(pipeline.BY_NAME[name].path)]
        + [str(tmp_path / f"{name}.out.ipynb"), "-p", "profile", "smoke"]
        + ["-k", "python3", "--cwd", str(tmp_path), "--no-progress-bar"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, f"{name}:\n{proc.stderr[-3000:]}"
    print(f"{name} at smoke with its defaults: {time.monotonic() - start:.1f}s")
    executed = nbformat.read(tmp_path / f"{name}.out.ipynb", as_version=4)
    stderr = _stderr_outputs(executed)
    assert not stderr, f"{name} wrote to stderr:\n" + "\n".join(stderr)
    run_dir = tmp_path / "results" / "smoke" / "seed0" / name
    info = json.loads((run_dir / "run_info.json").read_text())
    assert (info["notebook"], info["profile"], info["seed"]) == (name, "smoke", 0)
    assert info["parameters"]["profile"] == "smoke" and info["parameters"]["out_dir"] == ""
    transfer = json.loads((run_dir / "metrics.json").read_text())
    assert transfer["fashion.transfer.encoder_trained_here"] == 0  # notebook 4's was used
    assert not (tmp_path / "results" / "full").exists()


@pytest.mark.slow
def test_encoder_from_another_profile_is_refused_at_the_parameters_step(tmp_path):
    import json

    models_dir = tmp_path / "results" / "full" / "seed0" / "04_improved_autoencoder" / "models"
    models_dir.mkdir(parents=True)
    (models_dir / "encoder.keras").write_bytes(b"not read: the provenance is checked first")
    (models_dir / "encoder.json").write_text(json.dumps({"profile": "full", "seed": 0}))
    path = pipeline.BY_NAME["05_fashion_transfer"].path
    with pytest.raises(papermill.PapermillExecutionError) as info:
        _run(
            path,
            tmp_path,
            encoder_path=str(models_dir / "encoder.keras"),
            train_encoder_if_missing=False,
        )
    message = info.value.evalue
    assert info.value.ename == "ValueError"
    assert "profile 'full', seed 0" in message and "profile 'smoke', seed 0" in message
    assert "run notebook 04_improved_autoencoder with profile='smoke', seed=0" in message
    assert "train_encoder_if_missing=True" in message
    executed = nbformat.read(tmp_path / f"{path.stem}.out.ipynb", as_version=4)
    code = [c for c in executed.cells if c.cell_type == "code"]
    injected = next(
        i for i, c in enumerate(code) if "injected-parameters" in c.metadata.get("tags", [])
    )
    assert any(o.get("output_type") == "error" for o in code[injected + 1].outputs)
    assert all(c.execution_count is None for c in code[injected + 2 :])


def test_beyond_the_paper_figures_are_skipped_in_the_paper_profile():
    """The figures the report shows only outside the paper profile are saved in cells that
    the paper profile skips (`if run.include_beyond_paper():`); the paper's figures are not."""
    from aereport import render

    beyond = (
        {(spec[0], spec[1]) for specs in render.BEYOND_FIGURES.values() for spec in specs}
        | render.PAPER_PROFILE_SKIPPED_FIGURES
        | {("05_fashion_transfer", "label_efficiency.png")}
    )
    paper = set(render.FIGURES.values())

    def saving_cells(notebook, filename):
        nb = nbformat.read(pipeline.BY_NAME[notebook].path, as_version=4)
        name = f'"{filename.removesuffix(".png")}"'
        return [c.source for c in nb.cells if "save_figure" in c.source and name in c.source]

    for notebook, filename in sorted(beyond):
        if not pipeline.BY_NAME[notebook].runs_in("paper"):
            continue  # the whole notebook refuses the paper profile (tested above)
        cells = saving_cells(notebook, filename)
        assert cells, (notebook, filename)
        assert all(s.startswith("if run.include_beyond_paper(") for s in cells), filename
    for notebook, filename in sorted(paper):
        cells = saving_cells(notebook, filename)
        assert cells and not any("include_beyond_paper" in s for s in cells), filename
