"""Cache keys: what re-runs a notebook, and what does not."""

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from aerun import cachekeys, pipeline, rundirs

VERSIONS = {"numpy": "1"}


def _fake_aelib(root: Path) -> Path:
    pkg = root / "aelib"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from aelib.seeding import set_seed\n")
    (pkg / "seeding.py").write_text("def set_seed(s): pass\n")
    (pkg / "noise.py").write_text("import numpy as np\n")
    (pkg / "models.py").write_text("from aelib import layers\n")
    (pkg / "layers.py").write_text("X = 1\n")
    (pkg / "report.py").write_text("Y = 2\n")
    (pkg / "sub" / "__init__.py").write_text("from .inner import Z\n")
    (pkg / "sub" / "inner.py").write_text("Z = 3\n")
    return pkg


def _notebook(path: Path, source: str) -> Path:
    nb = new_notebook(cells=[new_code_cell(source)])
    nbformat.write(nb, path)
    return path


@pytest.fixture
def world(tmp_path):
    pkg = _fake_aelib(tmp_path)
    nbs = {
        "a": _notebook(tmp_path / "a.ipynb", "from aelib import noise, set_seed\n"),
        "b": _notebook(tmp_path / "b.ipynb", "from aelib import models\nimport aelib.sub\n"),
    }
    specs = {
        "a": pipeline.NotebookSpec("a", "A", ("mnist",)),
        "b": pipeline.NotebookSpec("b", "B", ("mnist",), upstream={"enc": ("a", "m.keras")}),
    }
    runs = tmp_path / "runs"
    runs.mkdir()

    def keys(params=None):
        out = {}
        for name, spec in specs.items():
            inputs = pipeline.cache_inputs(
                spec,
                (params or {}).get(name, {"seed": 0}),
                runs,
                notebook_path=nbs[name],
                aelib_dir=pkg,
                versions=VERSIONS,
            )
            out[name] = pipeline.cache_key(inputs)
        return out

    return pkg, nbs, runs, keys


def test_dependencies_follow_imports_transitively(world):
    pkg, nbs, _, _ = world
    deps_a = {p.name for p in pipeline.aelib_dependencies("from aelib import noise", pkg)}
    assert deps_a == {"__init__.py", "seeding.py", "noise.py"}
    deps_b = {
        str(p.relative_to(pkg))
        for p in pipeline.aelib_dependencies("from aelib import models\nimport aelib.sub", pkg)
    }
    assert {"models.py", "layers.py", "sub/__init__.py", "sub/inner.py"} <= deps_b
    assert "noise.py" not in deps_b and "report.py" not in deps_b


def test_key_is_stable(world):
    assert world[3]() == world[3]()


def test_changed_aelib_file_reruns_exactly_its_notebooks(world):
    pkg, _, _, keys = world
    before = keys()
    (pkg / "noise.py").write_text('"""Noise."""\nimport numpy as np  # a comment\n')
    assert keys() == before  # a docstring and a comment change no number
    (pkg / "noise.py").write_text("import numpy as np\nSIGMA = 0.5\n")
    after = keys()
    assert after["a"] != before["a"] and after["b"] == before["b"]
    (pkg / "sub" / "inner.py").write_text("Z = 4\n")
    assert keys()["b"] != after["b"] and keys()["a"] == after["a"]
    before = keys()
    (pkg / "report.py").write_text("Y = 3\n")  # imported by no notebook
    assert keys() == before
    (pkg / "seeding.py").write_text("def set_seed(s): return s\n")  # via __init__: all
    assert all(keys()[n] != before[n] for n in before)


def test_changed_parameter_or_source_reruns_only_that_notebook(world):
    _, nbs, _, keys = world
    before = keys()
    after = keys({"a": {"seed": 1}, "b": {"seed": 0}})
    assert after["a"] != before["a"] and after["b"] == before["b"]
    _notebook(nbs["b"], "from aelib import models\nimport aelib.sub\nprint(1)\n")
    assert keys()["b"] != before["b"] and keys()["a"] == before["a"]


def test_outputs_and_metadata_do_not_change_the_key(world):
    _, nbs, _, keys = world
    before = keys()
    nb = nbformat.read(nbs["a"], as_version=4)
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="hi")]
    nb.metadata["something"] = 1
    nbformat.write(nb, nbs["a"])
    assert keys() == before


def _record(run_dir, key="k1"):
    rundirs.write_json_atomic(
        run_dir / rundirs.RECORD,
        {"status": "ok", "key": key, "outputs": rundirs.hash_outputs(run_dir)},
    )


def test_changed_upstream_output_reruns_downstream_only(world):
    """b reads a's m.keras (and its sidecar m.json): only those count, not a's key."""
    _, _, runs, keys = world
    before = keys()
    run_a = runs / "a"
    run_a.mkdir()
    (run_a / "m.keras").write_text("weights 1")
    (run_a / "m.json").write_text(json.dumps({"seed": 0}))
    _record(run_a)
    first = keys()
    assert first["a"] == before["a"] and first["b"] != before["b"]
    (run_a / "m.keras").write_text("weights 2")
    _record(run_a)
    second = keys()
    assert second["a"] == first["a"] and second["b"] != first["b"]
    # a re-run with another key, a file b does not read, the same weights: b stays fresh
    (run_a / "metrics.json").write_text(json.dumps({"x": 2.0}))
    _record(run_a, key="k2")
    assert keys() == second


def test_a_damaged_upstream_run_has_no_contents(tmp_path):
    run_a = tmp_path / "a"
    run_a.mkdir()
    (run_a / "m.keras").write_text("weights")
    (run_a / "m.json").write_text("{}")
    _record(run_a)
    reads = ("m.json", "m.keras")
    assert set(cachekeys.upstream_contents(run_a, reads)) == set(reads)
    assert cachekeys.upstream_contents(run_a, ("other.json",)) == {"other.json": None}
    (run_a / "m.keras").write_text("garbage")  # changed after the run
    assert cachekeys.upstream_contents(run_a, reads) is None


def test_where_the_data_are_cached_does_not_change_the_key(world):
    _, _, _, keys = world
    here = keys({"a": {"seed": 0, "data_dir": "/data"}, "b": {"seed": 0}})
    assert here == keys({"a": {"seed": 0, "data_dir": ""}, "b": {"seed": 0}})


def test_what_changed_names_the_input(world):
    pkg, nbs, runs, _ = world
    spec = pipeline.NotebookSpec("b", "B", ("mnist",), upstream={"enc": ("a", "m.keras")})

    def inputs(**params):
        return pipeline.cache_inputs(
            spec, params, runs, notebook_path=nbs["b"], aelib_dir=pkg, versions=VERSIONS
        )

    old = inputs(seed=0)
    assert pipeline.what_changed(None, old) == "no record of its inputs"
    assert pipeline.what_changed(old, inputs(seed=1)) == "its parameters changed"
    (pkg / "layers.py").write_text("X = 2\n")
    assert pipeline.what_changed(old, inputs(seed=0)) == "aelib/layers.py changed"


def test_package_versions_change_every_key(world):
    pkg, nbs, runs, _ = world
    spec = pipeline.NotebookSpec("a", "A", ("mnist",))

    def key(versions):
        inputs = pipeline.cache_inputs(
            spec, {}, runs, notebook_path=nbs["a"], aelib_dir=pkg, versions=versions
        )
        return pipeline.cache_key(inputs)

    assert key({"numpy": "1"}) != key({"numpy": "2"})


def test_select_by_number_and_unknown():
    assert [s.name for s in pipeline.select(["5", "01"])] == [
        "01_baseline_autoencoder",
        "05_fashion_transfer",
    ]
    with pytest.raises(ValueError, match="unknown notebook '09'"):
        pipeline.select(["09"])


def test_select_leaves_out_notebooks_beyond_the_profile():
    """The VAE notebook goes beyond the paper: the paper profile does not run it."""
    vae = pipeline.BY_NAME["06_variational_autoencoder"]
    assert not vae.runs_in("paper") and vae.runs_in("full") and vae.runs_in("smoke")
    every = [s.name for s in pipeline.NOTEBOOKS]
    assert [s.name for s in pipeline.select(None, profile="full")] == every
    assert [s.name for s in pipeline.select([], profile="smoke")] == every
    paper = [s.name for s in pipeline.select(None, profile="paper")]
    beyond = ("06_variational_autoencoder", "07_generative_models", "08_robustness_and_search")
    assert paper == [n for n in every if n not in beyond]
    assert [s.name for s in pipeline.select(["6"], profile="full")] == [vae.name]
    with pytest.raises(ValueError, match="does not run in profile 'paper'.*full or smoke"):
        pipeline.select(["06"], profile="paper")
    assert [s.name for s in pipeline.select(["1"], profile="paper")] == [every[0]]


def test_real_notebooks_have_distinct_dependencies():
    deps = {
        s.name: set(cachekeys.aelib_hash(s.path, pipeline.AELIB_DIR)) for s in pipeline.NOTEBOOKS
    }
    assert "aelib/noise.py" in deps["03_denoising"]
    assert "aelib/noise.py" not in deps["01_baseline_autoencoder"]
    assert all("aerun/pipeline.py" not in d for d in deps.values())


def test_upstream_reads_are_declared():
    """What a notebook reads of an upstream run: its cache key and all a worker is sent."""
    assert pipeline.BY_NAME["05_fashion_transfer"].reads_from("04_improved_autoencoder") == (
        "models/encoder.json",
        "models/encoder.keras",
    )
    assert pipeline.BY_NAME["04_improved_autoencoder"].reads_from("01_baseline_autoencoder") == (
        "metrics.json",
        "run_info.json",
    )
    assert pipeline.needed_downstream("04_improved_autoencoder") == {
        "models/encoder.json",
        "models/encoder.keras",
    }


def test_the_timeout_hint_suggests_smoke_only_when_the_run_is_not_smoke():
    class CellTimeoutError(Exception):
        pass

    full = pipeline.describe_failure(CellTimeoutError("slow"), profile="full")
    smoke = pipeline.describe_failure(CellTimeoutError("slow"), profile="smoke")
    assert "--profile smoke" in full["hint"]
    assert "--profile smoke" not in smoke["hint"] and "--timeout" in smoke["hint"]
