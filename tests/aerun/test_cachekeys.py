"""Keys on what can change a number: normalized code, code cells, early cutoff, format 1."""

import ast
import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from aerun import cachekeys, cluster, codehash, pipeline, rundirs, runstate

ROOT = Path(__file__).resolve().parents[2]


def test_docstrings_comments_and_formatting_do_not_count(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("def f(x):\n    return x + 1\n")
    before = codehash.module_hash(path)
    path.write_text(
        '"""A module."""\n\n\ndef f(x):  # add one\n    """One more."""\n\n'
        "    return (x +\n            1)\n"
    )
    assert codehash.module_hash(path) == before
    path.write_text("def f(x):\n    return x + 2\n")  # one token
    assert codehash.module_hash(path) != before


def test_a_notebook_counts_by_its_code_cells(tmp_path):
    path = tmp_path / "n.ipynb"

    def write(*cells):
        nbformat.write(new_notebook(cells=list(cells)), path)
        return codehash.notebook_code_hash(path)

    base = write(new_markdown_cell("Intro"), new_code_cell("x = 1\nprint(x)"))
    assert write(new_markdown_cell("Another intro."), new_code_cell("x = 1\nprint(x)")) == base
    assert write(new_code_cell("x = 1  # one\nprint(x)")) == base
    assert write(new_code_cell("x = 2\nprint(x)")) != base
    assert write(new_code_cell("%matplotlib inline\nx = 1")) != write(new_code_cell("x = 1"))


def test_no_aelib_code_reads_docstrings():
    """Docstrings are dropped from the keys: no code may compute anything from them."""
    readers = []
    for path in sorted((ROOT / "aelib").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr == "__doc__":
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.Name) and node.id == "__doc__":
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr == "getdoc":
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert readers == []


def test_the_worker_fingerprint_and_the_keys_count_aelib_alike():
    fingerprint = cluster.environment_fingerprint()["aelib"]
    library = codehash.sources_fingerprint(codehash.AELIB_DIR)
    assert {k: v for k, v in fingerprint.items() if k.startswith("aelib/")} == library
    # a worker also runs the machinery and renders its run's page: both are compared too
    assert "aerun/notebook_run.py" in fingerprint and "aereport/render.py" in fingerprint
    spec = pipeline.BY_NAME["03_denoising"]
    for name, digest in cachekeys.aelib_hash(spec.path, codehash.AELIB_DIR).items():
        assert fingerprint[name] == digest


def test_changed_functions_are_named():
    old = (
        "def f():\n    return 1\n\n\ndef g():\n    return 2\n\n\n"
        "class C:\n    def m(self):\n        return 3\n"
    )
    new = old.replace("return 3", "return 4").replace("return 1", '"""Doc."""\n    return 1')
    a, b = codehash.functions(old), codehash.functions(new)
    assert [name for name in b if a.get(name, (None,))[0] != b[name][0]] == ["C.m"]
    assert b["C.m"][1] == 12 and b["<module>"][1] is None


def test_content_digest_ignores_save_dates_and_wall_times(tmp_path):
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    first, second = tmp_path / "a.keras", tmp_path / "b.keras"
    model.save(first)
    import time

    time.sleep(1.1)  # the zip entries' times and metadata.json's date_saved move on
    model.save(second)
    assert rundirs.file_sha256(first) != rundirs.file_sha256(second)
    assert cachekeys.content_digest(first) == cachekeys.content_digest(second)
    model.layers[0].kernel.assign(model.layers[0].kernel + 1.0)
    model.save(second)
    assert cachekeys.content_digest(first) != cachekeys.content_digest(second)

    h1, h2 = tmp_path / "h1.json", tmp_path / "h2.json"
    h1.write_text(json.dumps({"loss": [0.5], "seconds": [3.1], "train_seconds": 3.0}))
    h2.write_text(json.dumps({"loss": [0.5], "seconds": [4.7], "train_seconds": 4.2}))
    assert cachekeys.content_digest(h1) == cachekeys.content_digest(h2)
    h2.write_text(json.dumps({"loss": [0.6], "seconds": [4.7], "train_seconds": 4.2}))
    assert cachekeys.content_digest(h1) != cachekeys.content_digest(h2)


# ---------------------------------------------------------------- runstate on a fake world


@pytest.fixture
def world(tmp_path, monkeypatch):
    """Two notebooks, b reading a's model, with an aelib of their own."""
    pkg = tmp_path / "aelib"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "noise.py").write_text("SIGMA = 0.5\n")
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    for name in ("a", "b"):
        cells = [new_markdown_cell(f"# {name}"), new_code_cell("from aelib import noise")]
        nbformat.write(new_notebook(cells=cells), nbdir / f"{name}.ipynb")
    monkeypatch.setattr(codehash, "AELIB_DIR", pkg)
    monkeypatch.setattr(pipeline, "NOTEBOOK_DIR", nbdir)
    monkeypatch.setattr(cachekeys, "data_hashes", lambda names: {"mnist": {"x": "h"}})
    monkeypatch.setattr(cachekeys, "package_versions", lambda *imports: {"numpy": "1"})
    a = pipeline.NotebookSpec("a", "A", ("mnist",))
    b = pipeline.NotebookSpec("b", "B", ("mnist",), upstream={"enc": ("a", "m.keras")})
    monkeypatch.setattr(pipeline, "NOTEBOOKS", (a, b))
    runs = tmp_path / "runs" / "seed0"
    runs.mkdir(parents=True)
    return {"pkg": pkg, "nbdir": nbdir, "a": a, "b": b, "runs": runs}


def _run(spec, runs: Path, outputs: dict[str, str], inputs: dict) -> Path:
    """A successful run of `spec` with `outputs` as its result files, keyed on `inputs`."""
    run_dir = runs / spec.name
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir()
    for rel, text in outputs.items():
        (run_dir / rel).write_text(text)
    rundirs.write_json_atomic(
        run_dir / rundirs.RECORD,
        {
            "status": "ok",
            "key": cachekeys.cache_key(inputs),
            "inputs": inputs,
            "outputs": rundirs.hash_outputs(run_dir),
            "host": {"git_commit": "abc", "git_dirty": False},
        },
    )
    return run_dir


def _fresh_run(w, spec, outputs):
    inputs = cachekeys.cache_inputs(spec, {"seed": 0}, w["runs"])
    return _run(spec, w["runs"], outputs, inputs)


def test_an_upstream_rerun_with_the_same_files_leaves_the_downstream_fresh(world):
    w = world
    _fresh_run(w, w["a"], {"m.keras": "weights", "m.json": "{}", "metrics.json": '{"x": 1}'})
    _fresh_run(w, w["b"], {"metrics.json": '{"y": 1}'})
    assert runstate.check(w["b"], {"seed": 0}, w["runs"] / "b").stale is None
    # a runs again: another key, another metric b does not read, the same model
    _run(
        w["a"],
        w["runs"],
        {"m.keras": "weights", "m.json": "{}", "metrics.json": '{"x": 2}'},
        {"other": "inputs"},
    )
    assert runstate.check(w["b"], {"seed": 0}, w["runs"] / "b").stale is None
    _run(w["a"], w["runs"], {"m.keras": "other weights", "m.json": "{}"}, {"other": "inputs"})
    state = runstate.check(w["b"], {"seed": 0}, w["runs"] / "b")
    assert state.stale == "upstream a's m.keras changed" and not state.rekeyable


def test_a_code_change_is_stale_and_named_a_docstring_is_not(world):
    w = world
    _fresh_run(w, w["a"], {"metrics.json": "{}"})
    (w["pkg"] / "noise.py").write_text('"""Noise."""\nSIGMA = 0.5  # the default\n')
    assert runstate.check(w["a"], {"seed": 0}, w["runs"] / "a").stale is None
    (w["pkg"] / "noise.py").write_text("SIGMA = 0.6\n")
    state = runstate.check(w["a"], {"seed": 0}, w["runs"] / "a")
    assert state.stale == "aelib/noise.py changed" and state.rekeyable
    state = runstate.check(w["a"], {"seed": 1}, w["runs"] / "a")
    assert "its parameters changed" in state.stale and not state.rekeyable


def test_a_damaged_record_says_so(world):
    run_dir = world["runs"] / "a"
    run_dir.mkdir()
    for text in ("{", "[]", "null"):
        (run_dir / rundirs.RECORD).write_text(text)
        assert runstate.check(world["a"], {}, run_dir).stale == "its record run.json is unreadable"
    (run_dir / rundirs.RECORD).unlink()
    assert runstate.check(world["a"], {}, run_dir).stale == "never ran"


def test_a_format_1_record_is_rekeyed_in_place_when_its_inputs_match(world):
    w = world
    old_a = cachekeys.format1_inputs(w["a"], {"seed": 0}, w["runs"], w["pkg"])
    run_a = _run(w["a"], w["runs"], {"m.keras": "w", "m.json": "{}"}, old_a)
    old_b = cachekeys.format1_inputs(w["b"], {"seed": 0}, w["runs"], w["pkg"])
    run_b = _run(w["b"], w["runs"], {"metrics.json": "{}"}, old_b)
    v1_key_b = cachekeys.cache_key(old_b)

    dry = runstate.check(w["b"], {"seed": 0}, run_b, write=False)
    assert dry.stale is None and f"format 1 to {cachekeys.KEY_FORMAT}" in dry.notes[0]
    assert json.loads((run_b / rundirs.RECORD).read_text())["key"] == v1_key_b  # not written

    for spec, run_dir in ((w["a"], run_a), (w["b"], run_b)):
        assert runstate.check(spec, {"seed": 0}, run_dir).stale is None
        record = json.loads((run_dir / rundirs.RECORD).read_text())
        assert record["inputs"]["format"] == cachekeys.KEY_FORMAT
        assert record["key"] == cachekeys.cache_key(record["inputs"])
        assert f"key format 1 -> {cachekeys.KEY_FORMAT}" in record["rekeyed"][0]["how"]
    assert json.loads((run_b / rundirs.RECORD).read_text())["key_v1"] == v1_key_b
    assert runstate.check(w["b"], {"seed": 0}, run_b).notes == []  # once is enough


def test_a_format_1_record_whose_inputs_changed_is_stale(world):
    w = world
    old = cachekeys.format1_inputs(w["a"], {"seed": 0}, w["runs"], w["pkg"])
    run_a = _run(w["a"], w["runs"], {"metrics.json": "{}"}, old)
    (w["pkg"] / "noise.py").write_text("SIGMA = 0.5  # a comment is bytes to format 1\n")
    state = runstate.check(w["a"], {"seed": 0}, run_a)
    assert state.stale.startswith("recorded under key format 1") and not state.rekeyable
    assert "format" not in json.loads((run_a / rundirs.RECORD).read_text())["inputs"]


def test_a_prose_edit_leaves_the_run_fresh_and_reaches_its_page(tmp_path):
    """The committed page of 03 takes a new markdown sentence; its code cells stay."""
    from aereport.prose import PageMismatch, merge_prose

    committed = ROOT / "report" / "runs" / "seed0" / "03_denoising" / rundirs.PAGE
    page = tmp_path / rundirs.PAGE
    shutil.copy(committed, page)
    source = pipeline.BY_NAME["03_denoising"].path
    assert merge_prose(page, source) is False  # the same prose: the page stays as it is
    assert page.read_bytes() == committed.read_bytes()
    nb = nbformat.read(source, as_version=4)
    next(c for c in nb.cells if c.cell_type == "markdown").source += "\n\nA sentence added later."
    edited = tmp_path / "03_denoising.ipynb"
    nbformat.write(nb, edited)
    assert codehash.notebook_code_hash(edited) == codehash.notebook_code_hash(source)
    assert merge_prose(page, edited) is True
    html = page.read_text()
    assert "A sentence added later." in html
    assert html.count("data:image/png") == committed.read_text().count("data:image/png")
    nb.cells.append(new_code_cell("print('a new cell')"))
    nbformat.write(nb, edited)
    with pytest.raises(PageMismatch, match="code cells"):
        merge_prose(page, edited)


def test_a_package_counts_by_its_init_and_a_format_2_record_is_rekeyed_in_place(world):
    """Format 3 counts an imported package by its __init__.py (and what that imports), so a
    new module in the package leaves notebooks that do not import it fresh; a format-2
    record whose format-2 inputs still match goes to format 3 with nothing run."""
    w = world
    sub = w["pkg"] / "evaluation"
    sub.mkdir()
    (sub / "__init__.py").write_text("")
    (sub / "metrics.py").write_text("FLOOR = 0.06\n")
    nb = w["nbdir"] / "a.ipynb"
    cells = [new_code_cell("from aelib.evaluation import metrics")]
    nbformat.write(new_notebook(cells=cells), nb)
    now = cachekeys.cache_inputs(w["a"], {"seed": 0}, w["runs"])
    assert sorted(now["aelib"]) == [
        "aelib/__init__.py",
        "aelib/evaluation/__init__.py",
        "aelib/evaluation/metrics.py",
    ]
    (sub / "generative.py").write_text("K = 3\n")
    assert cachekeys.cache_inputs(w["a"], {"seed": 0}, w["runs"]) == now
    # a record made under format 2 counted generative.py too
    old = {**now, "format": 2, "aelib": cachekeys.aelib_hash(nb, w["pkg"], 2)}
    assert "aelib/evaluation/generative.py" in old["aelib"]
    run_a = _run(w["a"], w["runs"], {"metrics.json": "{}"}, old)
    dry = runstate.check(w["a"], {"seed": 0}, run_a, write=False)
    assert dry.stale is None and "format 2 to 4" in dry.notes[0]
    assert runstate.check(w["a"], {"seed": 0}, run_a).stale is None
    record = json.loads((run_a / rundirs.RECORD).read_text())
    assert record["inputs"] == now and "key format 2 -> 4" in record["rekeyed"][-1]["how"]
    # a format-2 record whose code changed since is stale, and re-keyable by --rekey
    run_a = _run(w["a"], w["runs"], {"metrics.json": "{}"}, old)
    (sub / "metrics.py").write_text("FLOOR = 0.07\n")
    state = runstate.check(w["a"], {"seed": 0}, run_a)
    assert state.stale.startswith("recorded under key format 2") and state.rekeyable


# ---------------------------------------------------------------- packages only some import


def test_a_package_counts_only_in_the_keys_of_runs_that_import_it(tmp_path, monkeypatch):
    """optuna, kneed and ART (notebook 08's) count in a key only when the notebook or an
    aelib file it depends on imports them: adding them to the environment, or a new
    version, leaves every other run fresh."""
    from importlib import metadata

    real = metadata.version
    monkeypatch.setattr(
        metadata, "version", lambda name: "9.9" if name in ("optuna", "kneed") else real(name)
    )
    pkg = tmp_path / "aelib"
    (pkg / "search").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "search" / "__init__.py").write_text("")
    (pkg / "search" / "latent.py").write_text("def run():\n    import optuna\n")
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    sources = {"plain": "import numpy", "searching": "from aelib.search import latent"}
    for name, source in sources.items():
        nbformat.write(new_notebook(cells=[new_code_cell(source)]), nbdir / f"{name}.ipynb")
    plain = cachekeys.imported_modules(nbdir / "plain.ipynb", pkg)
    searching = cachekeys.imported_modules(nbdir / "searching.ipynb", pkg)
    assert "optuna" in searching and "optuna" not in plain  # imported inside a function
    assert cachekeys.package_versions(searching)["optuna"] == "9.9"
    assert "optuna" not in cachekeys.package_versions(plain)
    assert "kneed" not in cachekeys.package_versions(searching)
    assert {"optuna", "kneed"} <= set(cachekeys.package_versions())  # a worker's environment
    assert set(cachekeys.package_versions(())) <= set(cachekeys.package_versions(plain))


def test_what_is_read_off_a_file_is_kept_by_its_content_so_an_edit_is_seen(tmp_path):
    """codehash reads each text once per process (run_all checks every run of every seed
    through the same files); the memo is keyed by the bytes, so a file edited between two
    checks in one process counts by its new code and its new imports, relative ones too."""
    pkg = tmp_path / "aelib"
    (pkg / "evaluation").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "evaluation" / "__init__.py").write_text("")
    (pkg / "evaluation" / "scores.py").write_text("def score():\n    return 1\n")
    (pkg / "evaluation" / "helper.py").write_text("import kneed\n")
    notebook = tmp_path / "n.ipynb"
    nbformat.write(
        new_notebook(cells=[new_code_cell("from aelib.evaluation import scores")]), notebook
    )

    def deps():
        return [
            p.relative_to(pkg).as_posix()
            for p in codehash.aelib_dependencies(codehash.notebook_code(notebook), pkg)
        ]

    before = (
        deps(),
        cachekeys.aelib_hash(notebook, pkg),
        cachekeys.imported_modules(notebook, pkg),
    )
    assert before[0] == ["__init__.py", "evaluation/__init__.py", "evaluation/scores.py"]
    assert "kneed" not in before[2]
    assert (deps(), cachekeys.aelib_hash(notebook, pkg)) == before[:2]  # asked again: the same

    (pkg / "evaluation" / "scores.py").write_text(
        "from . import helper\n\n\ndef score():\n    return 2\n"
    )
    after = (deps(), cachekeys.aelib_hash(notebook, pkg), cachekeys.imported_modules(notebook, pkg))
    assert after[0] == [
        "__init__.py",
        "evaluation/__init__.py",
        "evaluation/helper.py",
        "evaluation/scores.py",
    ]
    assert after[1]["aelib/evaluation/scores.py"] != before[1]["aelib/evaluation/scores.py"]
    assert "kneed" in after[2]

    code_hash = codehash.notebook_code_hash(notebook)
    nbformat.write(
        new_notebook(cells=[new_code_cell("from aelib.evaluation import helper")]), notebook
    )
    assert codehash.notebook_code_hash(notebook) != code_hash
    assert deps() == ["__init__.py", "evaluation/__init__.py", "evaluation/helper.py"]
