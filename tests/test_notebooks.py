"""The committed notebooks: clean, documented, thin, and strict about their parameters."""

import ast
from pathlib import Path

import nbformat
import papermill
import pytest

from aelib import pipeline

NOTEBOOKS = [spec.path for spec in pipeline.NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_has_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


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
