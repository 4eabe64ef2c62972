"""Tiny fixture notebooks wired like the real six (same names, parameters and the files
04 and 05 pass on), which train nothing: tests of run_all's machinery (the cache,
re-runs, interrupts, Dask workers) run them in seconds instead of minutes.

`DRIVER` runs this checkout's run_all on a folder of them, in a subprocess as a user's.
A fixture notebook sleeps `sleep` seconds, or `FIXTURE_SLEEP` seconds when its name is in
`FIXTURE_SLOW` (the kernel's environment), before it writes its metrics.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from aerun import pipeline

NAMES = [spec.name for spec in pipeline.NOTEBOOKS]
METRIC = {
    "01_baseline_autoencoder": "mnist.baseline.val_bce",
    "02_latent_sweep": "mnist.latent_2.val_bce",
    "03_denoising": "mnist.denoise.val_bce",
    "04_improved_autoencoder": "mnist.improved.val_bce",
    "05_fashion_transfer": "fashion.ae.val_bce",
    "06_variational_autoencoder": "mnist.vae_16.recon_bce",
    "07_generative_models": "mnist.gen.gan.frechet",
    "08_robustness_and_search": "mnist.robust.standard.clean.bce",
}
BODY = """\
import json, os, pathlib, time
p = pathlib.Path(out_dir)
p.mkdir(parents=True, exist_ok=True)
if "{name}" in os.environ.get("FIXTURE_SLOW", ""):
    time.sleep(float(os.environ["FIXTURE_SLEEP"]))
time.sleep({sleep})
{extra}
(p / "metrics.json").write_text(json.dumps({{"{metric}": {value}}}))
"""
EXTRA = {
    "04_improved_autoencoder": (
        'json.loads((pathlib.Path(baseline_dir) / "metrics.json").read_text())\n'
        '(p / "models").mkdir(exist_ok=True)\n'
        '(p / "models" / "encoder.keras").write_text("weights")\n'
        '(p / "models" / "improved.keras").write_text("big local-only model")'
    ),
    "05_fashion_transfer": 'assert pathlib.Path(encoder_path).read_text() == "weights"',
}
DRIVER = (
    "import pathlib, sys\n"
    "from aerun import pipeline\n"
    "import run_all\n"
    "pipeline.NOTEBOOK_DIR = pathlib.Path(sys.argv[1])\n"
    "sys.exit(run_all.main(sys.argv[2:]))\n"
)


def fixture_body(name: str, value: float = 0.07, sleep: float = 0, extra: str | None = None) -> str:
    """The code cell of fixture notebook `name`: writes `{its metric id: value}`."""
    return BODY.format(
        name=name,
        sleep=sleep,
        extra=EXTRA.get(name, "") if extra is None else extra,
        metric=METRIC[name],
        value=value,
    )


def write_notebook(
    nb_dir: Path, name: str, body: str | None = None, value: float = 0.07, sleep: float = 0
) -> None:
    """Write `nb_dir/<name>.ipynb`: a title, the parameters cell, one code cell (`body`,
    or the fixture's own)."""
    params = new_code_cell(
        'profile = "full"\nseed = 0\nout_dir = "out"\ndata_dir = ""\n'
        'encoder_path = ""\nbaseline_dir = ""'
    )
    params.metadata["tags"] = ["parameters"]
    code = fixture_body(name, value, sleep) if body is None else body
    nb = new_notebook(cells=[new_markdown_cell(f"# {name}"), params, new_code_cell(code)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, nb_dir / f"{name}.ipynb")


def write_all(nb_dir: Path, sleep: dict[str, float] | None = None) -> Path:
    """All six fixture notebooks in `nb_dir` (made if missing); `sleep`: seconds by name."""
    nb_dir.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        write_notebook(nb_dir, name, sleep=(sleep or {}).get(name, 0))
    return nb_dir


def command(nb_dir: Path, *args: str) -> list[str]:
    """The command line of run_all (this checkout's) on the fixture notebooks in `nb_dir`."""
    return [sys.executable, "-c", DRIVER, str(nb_dir), *args]
