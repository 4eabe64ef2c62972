"""run_all.py end to end: the smoke report, the cache, determinism and failures."""

import json
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fixture_notebooks import write_notebook

import run_all
from aelib.paper import PAPER_VALUES
from aerun import cli, pipeline, rundirs

ROOT = Path(__file__).resolve().parents[2]
REQUIRED_IDS = [
    "mnist.baseline.val_bce",
    "mnist.latent_2.val_bce",
    "mnist.latent_8.val_bce",
    "mnist.latent_16.val_bce",
    "mnist.latent_32.val_bce",
    "mnist.denoise.val_bce",
    "mnist.improved.val_bce",
    "fashion.ae.val_bce",
    "fashion.transfer.test_acc",
    "fashion.cnn.test_acc",
]
FILES = {
    "01_baseline_autoencoder": [
        "fig_3_4_1.png",
        "loss_curves.png",
        "history_baseline.json",
        "models/baseline_autoencoder.keras",
        "models/baseline_autoencoder.h5",
    ],
    "02_latent_sweep": [
        "fig_3_4_2.png",
        "fig_3_4_6.png",
        "latent_sweep.png",
        "latent_2d_codes.png",
        "reconstructions_by_latent_dim.png",
        "history_latent_2.json",
    ],
    "03_denoising": ["fig_3_4_3.png", "fig_3_4_4.png", "history_denoising.json"],
    "04_improved_autoencoder": [
        "models/encoder.keras",
        "models/encoder.h5",
        "history_improved.json",
    ],
    "05_fashion_transfer": [
        "fig_3_4_5.png",
        "confusion_transfer.png",
        "confusion_cnn.png",
        "history_cnn.json",
    ],
    "06_variational_autoencoder": [
        "samples_mnist.png",
        "manifold_fashion.png",
        "interpolations_mnist.png",
        "history_vae_mnist_16.json",
        "models/vae_mnist_16.keras",
    ],
    "07_generative_models": [
        "samples_mnist.png",
        "precision_recall.png",
        "gan_losses.png",
        "gan_long.png",
        "few_labels.png",
        "synthetic_fashion.png",
        "few_labels_fashion.json",
        "history_gan_mnist.json",
        "models/gan_generator_mnist.keras",
        "models/vae_fashion.keras",
    ],
    "08_robustness_and_search": [
        "robust_denoisers.png",
        "robust_classifier.png",
        "search_front_fashion.png",
        "search_trials_mnist.csv",
        "search_mnist.journal",
        "history_adversarial_denoiser.json",
    ],
}


class _Attrs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls, self.images = [], []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)
                if tag == "img":
                    self.images.append(value)


def _run(*args, timeout=1500):
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "run_all.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    return proc, time.monotonic() - start


@pytest.fixture(scope="module")
def smoke_report(tmp_path_factory, smoke_project):
    """A copy of the session's smoke report (tests/conftest.py), made by this code: the
    tests here run this checkout's run_all.py on it and may change it."""
    out = tmp_path_factory.mktemp("smoke-report") / "report"
    shutil.copytree(smoke_project.report, out, ignore=shutil.ignore_patterns(".run_all.lock"))
    return out, smoke_project.stdout, smoke_project.seconds, smoke_project.stderr


@pytest.mark.slow
def test_smoke_report_has_every_result(smoke_report):
    out, stdout, _, stderr = smoke_report
    for nb, files in FILES.items():
        metrics = json.loads((out / "runs" / "seed0" / nb / "metrics.json").read_text())
        assert metrics, nb
        for f in files:
            assert (out / "runs" / "seed0" / nb / f).is_file(), f"{nb}/{f}"
        run_dir = out / "runs" / "seed0" / nb
        assert (run_dir / "executed.ipynb").is_file()
        assert (run_dir / "executed.html").is_file()
        assert (run_dir / "executed.log").stat().st_size > 0
        record = json.loads((run_dir / "run.json").read_text())
        assert record["outputs"]["metrics.json"] == rundirs.file_sha256(run_dir / "metrics.json")
        assert record["parameters"]["out_dir"] == f"runs/seed0/{nb}"
    report = json.loads((out / "metrics.json").read_text())
    assert report["profile"] == "smoke"
    for metric_id in REQUIRED_IDS:
        value = report["metrics"][metric_id]
        assert 0.0 < value < 1.0, (metric_id, value)
    assert report["provenance"]["data_hashes"]["mnist"]["x_train"].startswith("741c9888")
    assert re.search(r"\[01_baseline_autoencoder\] done in \d+s", stdout)
    # The kernels' stderr (TensorFlow's C++ messages) goes to each notebook's log.
    assert "E0000" not in stderr and "tensorflow" not in stderr.lower(), stderr[-2000:]


@pytest.mark.slow
def test_smoke_html_is_self_contained_with_tables_and_figures(smoke_report):
    out, _, _, _ = smoke_report
    html = (out / "index.html").read_text()
    assert "Table 3.2.1.1" in html and "Table 3.2.2.1" in html
    for fig in ("3.4.1", "3.4.2", "3.4.3", "3.4.4", "3.4.5", "3.4.6"):
        assert f"Figure {fig}" in html
    assert re.search("smoke", html, re.I)
    parser = _Attrs()
    parser.feed(html)
    assert all(not u.lower().startswith(("http:", "https:", "//")) for u in parser.urls), [
        u for u in parser.urls if u.startswith("http")
    ]
    assert len(parser.images) >= 12
    assert all(src.startswith("data:image/png;base64,") for src in parser.images)
    # The paper's numbers appear as reference values.
    assert f"{PAPER_VALUES['mnist.baseline.val_bce']:.4f}" in html


@pytest.mark.slow
def test_the_plain_keras_benchmark_reads_a_run_all_output(smoke_report):
    # benchmarks/bench_paper_plain.py --against DIR compares its plain-Keras sum with a
    # run_all output: the invocation's wall time, each run's and its trainings' seconds.
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_paper_plain", ROOT / "benchmarks" / "bench_paper_plain.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = smoke_report[0]
    figures = bench.pipeline_figures(out, seed=0)
    assert figures["profile"] == "smoke"
    assert set(figures["runs"]) == {spec.name for spec in pipeline.NOTEBOOKS}
    assert figures["invocation"] > 0
    for name, wall in figures["runs"].items():
        # Every notebook trains something and records it; training is part of the run.
        assert 0 < figures["trained"][name] < wall, name
    with pytest.raises(SystemExit, match="cannot read its metrics.json"):
        bench.pipeline_figures(out / "missing", seed=0)


@pytest.mark.slow
def test_a_failing_notebook_does_not_stop_the_others(tmp_path, monkeypatch, capsys):
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    ok = (
        "import json, pathlib\np = pathlib.Path(out_dir)\np.mkdir(parents=True, exist_ok=True)\n"
        "(p / 'metrics.json').write_text(json.dumps({'mnist.baseline.val_bce': 0.07}))"
    )
    write_notebook(nb_dir, "01_baseline_autoencoder", body=ok)
    write_notebook(nb_dir, "02_latent_sweep", body="raise ValueError('boom in cell two')")
    write_notebook(nb_dir, "03_denoising", body=ok.replace("baseline", "denoise"))
    specs = tuple(
        pipeline.BY_NAME[n] for n in ("01_baseline_autoencoder", "02_latent_sweep", "03_denoising")
    )
    monkeypatch.setattr(pipeline, "NOTEBOOK_DIR", nb_dir)
    monkeypatch.setattr(pipeline, "NOTEBOOKS", specs)
    out = tmp_path / "report"

    code = run_all.main(["--output", str(out), "--profile", "smoke"])
    printed = capsys.readouterr().out
    assert code == 1
    assert "[02_latent_sweep] FAILED" in printed and "ValueError: boom in cell two" in printed
    assert "[03_denoising] done" in printed
    assert (out / "runs" / "seed0" / "03_denoising" / "metrics.json").is_file()
    assert not (out / "runs" / "seed0" / "02_latent_sweep").exists()
    assert (out / "runs" / "seed0" / "02_latent_sweep.failed" / "executed.html").is_file()
    html = (out / "index.html").read_text()
    assert "boom in cell two" in html
    report = json.loads((out / "metrics.json").read_text())
    assert report["metrics"]["mnist.denoise.val_bce"] == 0.07
    assert {r["name"]: r["status"] for r in report["runs"]}["02_latent_sweep"] == "failed"

    # Fix the notebook: the next run executes only it, and keeps the others.
    write_notebook(nb_dir, "02_latent_sweep", body=ok.replace("baseline", "latent_2"))
    assert run_all.main(["--output", str(out), "--profile", "smoke"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("] cached (up to date") == 2 and "[02_latent_sweep] done" in printed


@pytest.mark.slow
def test_a_freed_worker_takes_the_longest_chain_not_the_run_queued_first(
    tmp_path, monkeypatch, capsys
):
    # Two workers, one seed: 01 and 02 start; 03 is ready too but must wait. When 01 ends,
    # its worker takes 04 (01 -> 04 -> 05 is the longest chain), not 03, although 03 was
    # ready first: run_all gives Dask only as many runs as there are free slots.
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    write = (
        "import json, pathlib, time\ntime.sleep({s})\np = pathlib.Path(out_dir)\n"
        "p.mkdir(parents=True, exist_ok=True)\n(p / 'metrics.json').write_text('{{}}')"
    )
    sleeps = {"01": 1, "02": 20, "03": 1, "04": 1, "05": 1}
    names = [s.name for s in pipeline.NOTEBOOKS if s.name[:2] in sleeps]
    for name in names:
        write_notebook(nb_dir, name, body=write.format(s=sleeps[name[:2]]))
    monkeypatch.setattr(pipeline, "NOTEBOOK_DIR", nb_dir)
    monkeypatch.setattr(pipeline, "NOTEBOOKS", tuple(pipeline.BY_NAME[n] for n in names))
    out = tmp_path / "report"

    code = run_all.main(
        ["--output", str(out), "--profile", "smoke", "--workers", "2", "--threads-per-run", "1"]
    )
    printed = capsys.readouterr().out
    assert code == 0, printed
    at = {line: printed.index(line) for line in re.findall(r"\[0\d_\w+\] (?:queued|done)", printed)}
    assert at["[03_denoising] queued"] > at["[01_baseline_autoencoder] done"], printed
    assert at["[04_improved_autoencoder] queued"] < at["[03_denoising] queued"], printed


def test_run_slots_count_the_workers_that_offer_every_resource():
    from aerun import cluster

    workers = {
        "a": {"resources": {"process": 1}},
        "b": {"resources": {"process": 1, "GPU": 1}},
        "c": {"resources": {"process": 2, "GPU": 4}},
        "d": {"resources": {}},
        "e": {},
    }
    assert cluster.run_slots(workers, {"process": 1}) == 4
    assert cluster.run_slots(workers, {"process": 1, "GPU": 1}) == 3
    assert cluster.run_slots({}, {"process": 1}) == 0


def test_help_explains_every_option():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "run_all.py"), "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for option in ("--profile", "--only", "--force", "--output", "--seed", "--timeout"):
        assert option in proc.stdout
    # The epilog lists every notebook of the registry, and which the paper profile skips.
    listed = " ".join(proc.stdout.split("Notebooks:")[1].split())
    assert "07_generative_models (beyond the paper; not in --profile paper)" in listed
    assert "05_fashion_transfer," in listed


def test_default_seeds_follow_the_profile():
    assert cli.parse_args([]).seeds == [0, 1, 2]  # the committed report
    assert cli.parse_args(["--profile", "smoke"]).seeds == [0]
    assert cli.parse_args(["--seed", "3"]).seeds == [3]
    assert cli.parse_args(["--seeds", "2,0"]).seeds == [2, 0]
    with pytest.raises(SystemExit):
        cli.parse_args(["--seeds", "1,1"])


def test_unknown_notebook_is_a_clear_error(capsys):
    assert run_all.main(["--only", "09"]) == 2
    assert "unknown notebook '09'" in capsys.readouterr().err


@pytest.mark.slow
def test_several_seeds_reuse_cache_and_report_spread(smoke_report):
    out, _, _, _ = smoke_report
    # 03: the cheapest smoke run, and one without an upstream notebook
    proc, _ = _run("--profile", "smoke", "--output", str(out), "--seeds", "0,1", "--only", "03")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "[03_denoising seed 0] cached (up to date" in proc.stdout
    assert "[03_denoising seed 1] start" in proc.stdout
    report = json.loads((out / "metrics.json").read_text())
    values = report["metrics_per_seed"]["mnist.denoise.val_bce"]
    assert len(values) == 2 and values[0] != values[1]
    assert report["metrics"]["mnist.denoise.val_bce"] == pytest.approx(sum(values) / 2)
    prov = report["provenance"]
    assert prov["seeds"] == [0, 1]
    html = (out / "index.html").read_text()
    assert "±" in html and 'id="tbl-seeds"' in html
    # Cold time: every usable run's own execution time, cached runs included; this
    # invocation executed only seed 1's denoising.
    usable = [r for r in report["runs"] if r["status"] in ("ok", "cached")]
    assert prov["runs_wall_s"] == pytest.approx(sum(r["wall_s"] for r in usable), abs=0.5)
    executed = [r["wall_s"] for r in report["runs"] if r["status"] == "ok"]
    generation = prov["generation"]
    assert len(executed) == 1 and generation["executed_runs"] == 1
    assert generation["executed_wall_s"] == pytest.approx(executed[0], abs=0.1)


def _git(cwd, *args):
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _without_generation_line(html: str) -> str:
    return re.sub(r'<p class="small" id="generated">.*?</p>', "", html)


@pytest.mark.slow
def test_a_second_run_and_a_fresh_clone_reuse_the_committed_runs(smoke_project, tmp_path):
    """A second run executes nothing, and what git keeps of a report (per .gitignore) is
    enough to re-render it unchanged."""
    # The session's smoke report as made (the module's copy has runs forced since), up to
    # date: rendered by this checkout's run_all again, it executes nothing.
    out = tmp_path / "report"
    shutil.copytree(smoke_project.report, out, ignore=shutil.ignore_patterns(".run_all.lock"))
    before = {p: p.stat().st_mtime for p in (out / "runs" / "seed0").glob("*/executed.ipynb")}
    assert len(before) == len(pipeline.NOTEBOOKS)
    proc, seconds = _run("--profile", "smoke", "--output", str(out))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert proc.stdout.count("] cached (up to date") == len(pipeline.NOTEBOOKS), proc.stdout
    assert "start:" not in proc.stdout
    assert {p: p.stat().st_mtime for p in before} == before
    print(f"first run {smoke_project.seconds:.0f}s, cached run {seconds:.1f}s")
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(ROOT / ".gitignore", repo / ".gitignore")
    shutil.copytree(out, repo / "report", ignore=shutil.ignore_patterns(".run_all.lock"))
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "report")
    _git(tmp_path, "clone", "-q", str(repo), "clone")
    clone = tmp_path / "clone" / "report"
    # The clone lacks the large local-only models and the executed .ipynb files ...
    assert not list(clone.glob("runs/seed0/02_latent_sweep/models/*"))
    assert not list(clone.glob("runs/*/*/executed.ipynb"))
    # ... but has what another notebook reads and every figure.
    assert (clone / "runs/seed0/04_improved_autoencoder/models/encoder.keras").is_file()
    assert (clone / "runs/seed0/01_baseline_autoencoder/fig_3_4_1.png").is_file()

    proc, seconds = _run("--profile", "smoke", "--output", str(clone))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert proc.stdout.count("] cached (up to date") == len(pipeline.NOTEBOOKS), proc.stdout
    assert "start:" not in proc.stdout
    original = _without_generation_line((out / "index.html").read_text())
    assert _without_generation_line((clone / "index.html").read_text()) == original
    print(f"re-rendered a fresh clone in {seconds:.1f}s")

    # Re-running a downstream notebook there uses the committed upstream model: notebook 05
    # finds 04's encoder with its provenance, and gets the same numbers as the original.
    assert (clone / "runs/seed0/04_improved_autoencoder/models/encoder.json").is_file()
    proc, _ = _run("--profile", "smoke", "--output", str(clone), "--only", "05", "--force")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "04_improved_autoencoder] cached (up to date" in proc.stdout, proc.stdout
    transfer = "runs/seed0/05_fashion_transfer/metrics.json"
    rerun = json.loads((clone / transfer).read_text())
    assert rerun["fashion.transfer.encoder_trained_here"] == 0
    assert rerun == json.loads((out / transfer).read_text())


REPORT_BUDGET_MB = 50


def test_committed_report_stays_within_its_size_budget():
    """The README's budget for report/: what git stores there."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "report"], cwd=ROOT, capture_output=True, text=True
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    files = [ROOT / f for f in listed.stdout.split("\0") if f]
    total = sum(f.stat().st_size for f in files if f.is_file())
    assert total < REPORT_BUDGET_MB * 1024 * 1024, f"report/ holds {total / 2**20:.1f} MB"
    readme = (ROOT / "README.md").read_text()
    assert f"{REPORT_BUDGET_MB} MB" in readme
    too_big = [f for f in files if f.is_file() and f.stat().st_size > 5 * 2**20]
    assert not too_big, too_big


def test_the_paper_profile_leaves_out_the_future_scope_notebook(capsys):
    assert run_all.main(["--profile", "paper", "--only", "06"]) == 2
    err = capsys.readouterr().err
    assert "06_variational_autoencoder does not run in profile 'paper'" in err
    assert "06_variational_autoencoder" not in {s.name for s in pipeline.select(None, "paper")}
