"""Changing the code without re-training, end to end on a real smoke report.

Each test edits a copy of the project (tests/conftest.py) as a user would and runs its
run_all.py: a docstring, a comment or a sentence of prose re-runs nothing; a token of
code does, and `--dry-run` says so first; `--rekey` proves a pure move and re-keys it. (An
upstream re-run that comes out the same leaves its downstream fresh: tests/aerun/
test_cluster.py checks it on its forced re-run of the smoke report.)
"""

import hashlib
import json

import pytest

from aerun import pipeline, rundirs

NOTEBOOKS = (
    "01_baseline_autoencoder",
    "02_latent_sweep",
    "03_denoising",
    "04_improved_autoencoder",
    "05_fashion_transfer",
    "06_variational_autoencoder",
    "07_generative_models",
    "08_robustness_and_search",
)


def _tree_digest(root):
    """SHA-256 of every file under `root` (names and bytes): did anything get written?"""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _record(project, name):
    return json.loads((project.report / "runs" / "seed0" / name / rundirs.RECORD).read_text())


@pytest.mark.slow
def test_docstrings_comments_and_prose_rerun_nothing(project_copy):
    p = project_copy
    p.edit("aelib/figures/images.py", '"""', '"""Reworded for a test. ')
    p.edit("aelib/figures/images.py", "\nimport ", "\n# a comment added for a test\nimport ")
    nb = p.root / "notebooks" / "03_denoising.ipynb"
    p.edit(
        "notebooks/03_denoising.ipynb",
        '"source": [\n    "#',
        '"source": [\n    "A sentence added for a test.\\n\\n#',
    )
    assert "A sentence added for a test." in nb.read_text()

    before = _tree_digest(p.report)
    dry = p.run_all("--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert f"{len(NOTEBOOKS)} runs: {len(NOTEBOOKS)} fresh, 0 stale" in dry.stdout
    assert "03_denoising seed 0: fresh (its page takes the notebook's new prose)" in dry.stdout
    assert _tree_digest(p.report) == before  # a dry run writes nothing

    proc = p.run_all()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "queued" not in proc.stdout
    assert proc.stdout.count("cached (up to date") == len(NOTEBOOKS)
    page = (p.report / "runs" / "seed0" / "03_denoising" / rundirs.PAGE).read_text()
    assert "A sentence added for a test." in page
    assert "data:image/png" in page  # its outputs are still there


@pytest.mark.slow
def test_a_token_of_code_makes_its_notebooks_stale(project_copy):
    p = project_copy
    p.edit("aelib/noise.py", "def ", "_A_NEW_CONSTANT = 1\n\n\ndef ")
    before = _tree_digest(p.report)
    dry = p.run_all("--dry-run")
    assert dry.returncode == 1, dry.stdout + dry.stderr
    assert "03_denoising seed 0: STALE: aelib/noise.py changed (re-keyable" in dry.stdout
    # notebook 08 imports aelib.noise too (through aelib.evaluation.robustness)
    assert "08_robustness_and_search seed 0: STALE: aelib/noise.py changed" in dry.stdout
    assert (
        "would execute 2 run(s): 03_denoising seed 0, 08_robustness_and_search seed 0" in dry.stdout
    )
    for name in set(NOTEBOOKS) - {"03_denoising", "08_robustness_and_search"}:
        assert f"{name} seed 0: fresh" in dry.stdout
    assert _tree_digest(p.report) == before


@pytest.mark.slow
def test_rekey_proves_a_pure_move(project_copy):
    """The refusals (a changed number, a function smoke never ran, a dirty record) are
    checked in tests/test_rekey.py with a fake smoke run."""
    p = project_copy
    # Move the clipping of the predictions into a module of its own. aelib/evaluation/
    # anomaly.py is imported by notebook 04 alone: the proof runs 04's smoke run with the
    # old code and with the new, and 01's (upstream) once.
    p.edit(
        "aelib/evaluation/anomaly.py",
        "import numpy as np\n",
        "import numpy as np\n\nfrom aelib.evaluation import clip_moved\n",
    )
    (p.root / "aelib" / "evaluation" / "clip_moved.py").write_text(
        '"""A helper moved here by a test."""\n\n\ndef clip(p, np, eps):\n'
        "    return np.clip(p, eps, 1.0 - eps)\n"
    )
    p.edit(
        "aelib/evaluation/anomaly.py",
        "p = np.clip(p, _EPSILON, 1.0 - _EPSILON)",
        "p = clip_moved.clip(p, np, _EPSILON)",
    )
    p.commit("a helper moved")

    proc = p.run_all("--rekey", timeout=900)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-3000:]
    assert "04_improved_autoencoder seed 0: re-keyed at" in proc.stdout
    assert "aelib/evaluation/clip_moved.py:clip" in proc.stdout
    # 01, upstream of 04 and untouched, ran once: the old code's run kept today's.
    assert "rekey: 01_baseline_autoencoder: today's smoke run reused" in proc.stdout
    assert "04_improved_autoencoder: today's smoke run reused" not in proc.stdout
    assert "re-keyed at" not in proc.stdout.replace("04_improved_autoencoder seed 0: re-keyed", "")
    record = _record(p, "04_improved_autoencoder")
    proof = record["rekeyed"][-1]
    assert proof["metrics_matched"] >= 5 and proof["files_matched"] > 5
    assert record["keyed_at"] == p.git("rev-parse", "HEAD")
    dry = p.run_all("--dry-run")
    assert dry.returncode == 0, dry.stdout
    index = (p.report / "index.html").read_text()
    assert "re-keyed at" in index


def test_dry_run_on_the_committed_report_finds_every_run_fresh():
    """The committed report is fresh for the committed code (re-keyed after a refactor), and
    asking says so without writing anything."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    report = root / "report"
    before = _tree_digest(report / "runs")
    proc = subprocess.run(
        [sys.executable, "run_all.py", "--dry-run"], cwd=root, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    runs = 3 * len(pipeline.select(None, profile="full"))  # every notebook, seeds 0, 1, 2
    assert f"dry run: {runs} runs: {runs} fresh, 0 stale" in proc.stdout
    assert "nothing would execute; nothing was written" in proc.stdout
    assert _tree_digest(report / "runs") == before
