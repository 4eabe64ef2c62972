"""The offline report page and its metrics.json (aereport.render, layout, export)."""

from __future__ import annotations

import json
import re
import struct
import zlib
from html.parser import HTMLParser

import nbformat
import pytest

from aereport import layout, render

METRICS_BY_NOTEBOOK = {
    "01_baseline_autoencoder": {
        "mnist.baseline.val_bce": 0.0712,
        "mnist.test.entropy_floor": 0.0581,
        "mnist.baseline.epochs": 10,
        "mnist.baseline.params": 4385,
    },
    "02_latent_sweep": {
        "mnist.latent_2.val_bce": 0.1650,
        "mnist.latent_8.val_bce": 0.1290,
        "mnist.latent_16.val_bce": 0.1180,
        "mnist.latent_32.val_bce": 0.1050,
        "mnist.latent_2.compression_ratio": 392.0,
        "mnist.latent_8.compression_ratio": 98.0,
        "mnist.latent_16.compression_ratio": 49.0,
        "mnist.latent_32.compression_ratio": 24.5,
        "mnist.test.entropy_floor": 0.0581,
    },
    "03_denoising": {
        "mnist.denoise.val_bce": 0.1010,
        "mnist.denoise.gaussian.val_bce": 0.0950,
        "mnist.denoise.salt_pepper.val_bce": 0.0890,
        "mnist.denoise.mixed.input_bce": 0.9,
        "mnist.denoise.gaussian.input_bce": 0.55,
        "mnist.denoise.salt_pepper.input_bce": 1.8,
        "mnist.denoise.noise_factor": 0.4,
        "mnist.denoise.salt_pepper_amount": 0.1,
    },
    "04_improved_autoencoder": {"mnist.improved.val_bce": 0.0675},
    "05_fashion_transfer": {
        "fashion.ae.val_bce": 0.2650,
        "fashion.test.entropy_floor": 0.2422,
        "fashion.transfer.test_acc": 0.8920,
        "fashion.transfer.dense10.test_acc": 0.8920,
        "fashion.transfer.dense128.test_acc": 0.8850,
        "fashion.cnn.test_acc": 0.9105,
        "fashion.transfer.encoder_trained_here": 0,
    },
}

FIGURE_FILES = {
    "01_baseline_autoencoder": ["fig_3_4_1.png", "loss_curves.png"],
    "02_latent_sweep": [
        "fig_3_4_2.png",
        "fig_3_4_6.png",
        "latent_sweep.png",
        "reconstructions_by_latent_dim.png",
        "latent_2d_codes.png",
        "loss_curves.png",
    ],
    "03_denoising": ["fig_3_4_3.png", "fig_3_4_4.png", "loss_curves.png"],
    "04_improved_autoencoder": ["reconstructions.png", "loss_curves.png"],
    "05_fashion_transfer": [
        "fig_3_4_5.png",
        "confusion_transfer.png",
        "confusion_cnn.png",
        "loss_curves_ae.png",
        "loss_curves_classifiers.png",
    ],
}


def tiny_png(grey: int = 128) -> bytes:
    """A valid 1x1 greyscale PNG, built by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes([0, grey])))
        + chunk(b"IEND", b"")
    )


def make_report_tree(root, *, profile="full", failed=(), png=tiny_png):
    """A fake <out> folder as run_all.py leaves it; returns (runs, provenance)."""
    runs = []
    for i, (name, metrics) in enumerate(METRICS_BY_NOTEBOOK.items()):
        run_dir = root / "runs" / name
        run_dir.mkdir(parents=True, exist_ok=True)
        status = "failed" if name in failed else ("cached" if i == 1 else "ok")
        error = None
        if status == "ok" or status == "cached":
            (run_dir / "metrics.json").write_text(json.dumps(metrics))
            for figure in FIGURE_FILES[name]:
                (run_dir / figure).write_bytes(
                    png(name, figure) if png is not tiny_png else tiny_png(20 * i)
                )
            (root / "notebooks").mkdir(exist_ok=True)
            (root / "notebooks" / f"{name}.html").write_text("<html></html>")
        else:
            error = {
                "cell": 7,
                "ename": "ValueError",
                "evalue": "noise_factor must be in [0, 1]",
                "traceback": "\x1b[0;31m---------\x1b[0m\nTraceback (most recent call)\n\n"
                "  File noise.py, line 3\nValueError: noise_factor must be "
                "in [0, 1]",
            }
        runs.append(
            {
                "name": name,
                "title": name.split("_", 1)[1].replace("_", " "),
                "status": status,
                "wall_s": 12.5 * (i + 1),
                "error": error,
                "out_dir": str(run_dir),
                "notebook_html": f"notebooks/{name}.html" if error is None else None,
            }
        )
    provenance = {
        "generation": {
            "generated": "2025-01-02T03:04:05+00:00",
            "git_commit": "4567cdef",
            "total_wall_s": 187.5,
            "executed_runs": 2,
            "executed_wall_s": 40.0,
        },
        "git_commit": "0123abcd",
        "git_dirty": True,
        "profile": profile,
        "seeds": [0],
        "python": "3.11.9",
        "packages": {"numpy": "2.4.6", "keras": "3.15.1"},
        "cpu": "Test CPU",
        "cores": 2,
        "data_hashes": {"mnist": {"x_test": "ab" * 32}, "fashion_mnist": {"x_test": "cd" * 32}},
    }
    return runs, provenance


class _Collector(HTMLParser):
    """Every tag's attributes, plus the text, from an HTML page."""

    def __init__(self):
        super().__init__()
        self.attrs = []  # (tag, name, value)
        self.ids = set()
        self.text = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            self.attrs.append((tag, name, value or ""))
            if name == "id":
                self.ids.add(value)

    def handle_data(self, data):
        self.text.append(data)


def _parse(html_text):
    collector = _Collector()
    collector.feed(html_text)
    return collector


@pytest.fixture(scope="module")
def full_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("full")
    runs, provenance = make_report_tree(root)
    index = render.render_report(root, runs, provenance)
    return root, index, index.read_text(encoding="utf-8"), runs


def test_report_contains_tables_figures_and_findings(full_report):
    root, index, text, _ = full_report
    assert index == root / "index.html"
    page = _parse(text)
    for anchor in (
        "tbl-mnist",
        "tbl-latent",
        "tbl-denoise",
        "tbl-fashion",
        "tbl-findings",
        "table-3-2-1-1",
        "table-3-2-2-1",
        "figures",
        "findings",
        "provenance",
    ):
        assert anchor in page.ids
    body = "".join(page.text)
    for label in (
        "Baseline Conv. Autoencoder",
        "Latent Dim = 2 (Dense Bottleneck)",
        "Improved Conv. Autoencoder",
        "Paper (reference)",
        "CNN classifier",
        "Dense(128)",
    ):
        assert label in body
    assert "0.0712" in body and "0.0733" in body and "-0.0021" in body
    assert "89.20%" in body and "88.97%" in body and "91.05%" in body
    images = [v for tag, name, v in page.attrs if tag == "img" and name == "src"]
    n_figures = sum(len(files) for files in FIGURE_FILES.values())
    assert len(images) == n_figures
    assert all(v.startswith("data:image/png;base64,") for v in images)
    for number in ("3.4.1", "3.4.2", "3.4.3", "3.4.4", "3.4.5", "3.4.6"):
        assert f"Figure {number}" in body
    assert "t-SNE of MNIST Latent Space" in body  # the paper's caption
    assert "smoke-banner" not in page.ids
    assert "Smoke run" not in body
    assert "failed" not in {v for _, n, v in page.attrs if n == "id"}


def test_report_makes_no_external_requests(full_report):
    _, _, text, _ = full_report
    page = _parse(text)
    for tag, name, value in page.attrs:
        if name in ("src", "href", "data", "srcset", "action", "poster"):
            assert not value.lower().startswith(("http:", "https:", "//")), (tag, name, value)
    assert "<script src" not in text
    classes = [v.split() for _, name, v in page.attrs if name == "class"]
    code_cells = [c for c in classes if "jp-CodeCell" in c]
    assert code_cells and all("jp-mod-noInput" in c for c in code_cells)  # code hidden
    assert not any("jp-InputPrompt" in c or "jp-OutputPrompt" in c for c in classes)
    assert len(text) < 3_000_000


def test_provenance_links_and_metrics_json(full_report):
    root, _, text, runs = full_report
    page = _parse(text)
    hrefs = [v for tag, name, v in page.attrs if tag == "a" and name == "href"]
    assert "notebooks/01_baseline_autoencoder.html" in hrefs
    assert "#table-3-2-1-1" in hrefs
    body = "".join(page.text)
    assert "0123abcd" in body and "ab" * 32 in body and "Test CPU" in body
    summary = json.loads((root / "metrics.json").read_text())
    assert set(summary) == {"profile", "metrics", "provenance", "runs"}
    assert summary["profile"] == "full"
    assert summary["metrics"]["mnist.baseline.val_bce"] == 0.0712
    assert summary["metrics"]["fashion.cnn.test_acc"] == 0.9105
    assert summary["provenance"]["git_commit"] == "0123abcd"
    assert summary["runs"] == [
        {"name": r["name"], "seed": r.get("seed"), "status": r["status"], "wall_s": r["wall_s"]}
        for r in runs
    ]
    assert not list(root.glob(".*.tmp"))


def test_smoke_banner_and_failure_box(tmp_path):
    runs, provenance = make_report_tree(tmp_path, profile="smoke", failed=("03_denoising",))
    text = render.render_report(tmp_path, runs, provenance).read_text(encoding="utf-8")
    page = _parse(text)
    body = "".join(page.text)
    assert "smoke-banner" in page.ids
    assert "Smoke run: tiny data and 1 epoch" in body
    assert "fail-03_denoising" in page.ids
    assert "ValueError: noise_factor must be in [0, 1]" in body
    assert "Failing cell: 7" in body
    assert "\x1b" not in text  # ANSI colours stripped
    assert "03_denoising failed" in body
    # Its figures are replaced by notes; the other notebooks' figures remain.
    images = [v for tag, name, v in page.attrs if tag == "img" and name == "src"]
    assert len(images) == sum(len(f) for f in FIGURE_FILES.values()) - 3
    assert "Not available" in body
    summary = json.loads((tmp_path / "metrics.json").read_text())
    assert summary["profile"] == "smoke"
    assert "mnist.denoise.val_bce" not in summary["metrics"]


def test_report_is_deterministic(tmp_path):
    runs, provenance = make_report_tree(tmp_path)
    first = render.render_report(tmp_path, runs, provenance).read_bytes()
    second = render.render_report(tmp_path, runs, provenance).read_bytes()
    assert first == second


def test_failed_notebook_shows_failed_in_tables(tmp_path):
    runs, provenance = make_report_tree(tmp_path, failed=("05_fashion_transfer",))
    nb, metrics = render.build_report_notebook(tmp_path, runs, provenance)
    assert "fashion.ae.val_bce" not in metrics
    fashion_cell = next(c.source for c in nb.cells if 'id="tbl-fashion"' in c.source)
    assert fashion_cell.count(">failed</span>") == 2 * 4  # value and verdict cells
    mnist_cell = next(c.source for c in nb.cells if 'id="tbl-mnist"' in c.source)
    assert ">failed</span>" not in mnist_cell


def test_report_survives_missing_everything(tmp_path):
    runs = [{"name": "01_baseline_autoencoder", "status": "skipped"}]
    index = render.render_report(tmp_path, runs, {})
    body = "".join(_parse(index.read_text(encoding="utf-8")).text)
    assert "not run" in body
    assert json.loads((tmp_path / "metrics.json").read_text())["metrics"] == {}


def test_offline_exporter_renders_notebook_pages_with_code(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\nSome $x^2$ text."),
        nbformat.v4.new_code_cell("print('hello')"),
    ]
    nb.cells[1].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="hello\n"),
        nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="}),
    ]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    ipynb = tmp_path / "demo.ipynb"
    nbformat.write(nb, ipynb)
    out = render.render_notebook_html(ipynb, tmp_path / "pages" / "demo.html")
    text = out.read_text(encoding="utf-8")
    assert "print" in text and "hello" in text  # code kept on notebook pages
    for tag, name, value in _parse(text).attrs:
        if name in ("src", "href"):
            assert not value.lower().startswith(("http:", "https:", "//")), (tag, name, value)
    assert "cdnjs" not in text and "unpkg" not in text and "jsdelivr" not in text


def test_per_seed_metrics_render_mean_and_spread(tmp_path):
    runs, provenance = make_report_tree(tmp_path)
    path = tmp_path / "runs" / "01_baseline_autoencoder" / "metrics.json"
    metrics = json.loads(path.read_text())
    metrics["mnist.baseline.val_bce"] = [0.0702, 0.0712, 0.0722]
    path.write_text(json.dumps(metrics))
    render.render_report(tmp_path, runs, provenance)
    nb, merged = render.build_report_notebook(tmp_path, runs, provenance)
    mnist_cell = next(c.source for c in nb.cells if 'id="tbl-mnist"' in c.source)
    assert "0.0712 ± 0.0010" in mnist_cell and "(n=3)" in mnist_cell
    summary = json.loads((tmp_path / "metrics.json").read_text())
    assert summary["metrics"]["mnist.baseline.val_bce"] == pytest.approx(0.0712)
    assert summary["metrics_per_seed"]["mnist.baseline.val_bce"] == [0.0702, 0.0712, 0.0722]


# ------------------------------------------------------------------ beyond the paper

BEYOND_METRICS = {
    "02_latent_sweep": {
        "mnist.pca_2.val_bce": 0.2282,
        "mnist.pca_2.mse": 0.0540,
        "mnist.latent_2.mse": 0.0477,
        "mnist.latent_2.variant.plain.val_bce": 0.2001,
        "mnist.latent_2.variant.plain.params": 9587,
        "mnist.latent_2.params": 158531,
        "mnist.latent_2.variant.deep-bn.val_bce": 0.1702,
        "mnist.latent_2.variant.deep-bn.params": 1153939,
        "mnist.latent_2.last_epoch_drop": 0.0012,
        "mnist.latent_2.epochs": 10,
    },
    "03_denoising": {
        "mnist.denoise.gaussian.psnr": 18.51,
        "mnist.denoise.gaussian.ssim": 0.812,
        "mnist.denoise.gaussian.noisy_psnr": 11.0,
        "mnist.denoise.gaussian.noisy_ssim": 0.356,
        "mnist.denoise.gaussian.filter_psnr": 13.73,
        "mnist.denoise.gaussian.filter_ssim": 0.381,
        "mnist.denoise.sweep.gaussian_010.noisy_psnr": 22.67,
        "mnist.denoise.sweep.gaussian_010.filter_psnr": 20.53,
        "mnist.denoise.sweep.gaussian_010.ae_psnr": 19.34,
        "mnist.denoise.sweep.gaussian_010.ae_ssim": 0.83,
        "mnist.denoise.sweep.gaussian_040.ae_psnr": 18.51,
        "mnist.denoise.sweep.gaussian_040.filter_psnr": 13.76,
    },
    "04_improved_autoencoder": {
        "mnist.anomaly.auc": 0.9713,
        "mnist.anomaly.mnist_error_mean": 0.0655,
        "mnist.anomaly.fashion_error_mean": 0.3808,
    },
    "05_fashion_transfer": {
        "fashion.label_eff.transfer.100.test_acc": 0.6123,
        "fashion.label_eff.transfer.1000.test_acc": 0.7456,
        "fashion.label_eff.scratch.100.test_acc": 0.5511,
        "fashion.label_eff.scratch.1000.test_acc": 0.7601,
        "fashion.label_eff.finetune.100.test_acc": 0.6302,
        "fashion.label_eff.fashion_encoder.100.test_acc": 0.6650,
    },
}
BEYOND_FIGURE_FILES = {
    "02_latent_sweep": ["latent_2_variants.png"],
    "03_denoising": ["denoise_sweep_psnr.png", "denoise_sweep_ssim.png"],
    "04_improved_autoencoder": ["anomaly_roc.png", "anomaly_error_histograms.png"],
    "05_fashion_transfer": ["label_efficiency.png"],
}


def _add_beyond(root, runs):
    for name, extra in BEYOND_METRICS.items():
        run_dir = root / "runs" / name
        path = run_dir / "metrics.json"
        if not path.is_file():
            continue
        path.write_text(json.dumps({**json.loads(path.read_text()), **extra}))
        for figure in BEYOND_FIGURE_FILES[name]:
            (run_dir / figure).write_bytes(tiny_png(200))


@pytest.fixture(scope="module")
def beyond_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("beyond")
    runs, provenance = make_report_tree(root)
    _add_beyond(root, runs)
    nb, _ = render.build_report_notebook(root, runs, provenance)
    text = render.render_report(root, runs, provenance).read_text(encoding="utf-8")
    return nb, text


def test_beyond_the_paper_sections_and_toc(beyond_report):
    nb, text = beyond_report
    page = _parse(text)
    for anchor in (
        "beyond",
        "pca-baseline",
        "latent2-designs",
        "denoise-quality",
        "anomaly",
        "label-efficiency",
        "transfer-heads",
        "tbl-latent2",
        "tbl-quality-gaussian",
        "tbl-quality-salt_pepper",
        "tbl-denoise-sweep",
        "tbl-anomaly",
        "tbl-label-eff",
        "tbl-heads",
        "finding-ae_beats_pca",
        "finding-transfer_head",
        "finding-conv_beats_dense",
    ):
        assert anchor in page.ids, anchor
    hrefs = [v for tag, name, v in page.attrs if tag == "a" and name == "href"]
    # The contents list "Beyond the paper" after Table 3.2.2.1 and before the figures.
    order = [
        hrefs.index(f"#{a}")
        for a in ("table-3-2-2-1", "beyond", "latent2-designs", "transfer-heads", "figures")
    ]
    assert order == sorted(order)
    assert "#finding-anomaly_detection" in hrefs
    # The sections sit between Table 3.2.2.1 and the figures on the page too.
    assert text.index('id="table-3-2-2-1"') < text.index('id="beyond"') < text.index('id="figures"')
    body = "".join(page.text)
    for label in (
        "PCA BCE (same d)",
        "AE MSE",
        "PCA MSE",
        "0.2282",
        "0.0477",
        "Latent dim = 2: bottleneck designs",
        "1,153,939",
        "0.1702",
        "still improving",
        "18.51 dB",
        "13.73 dB",
        "+4.78 dB",
        "0.10",
        "0.40 (trained)",
        "+4.75 dB",
        "0.9713",
        "0.3808",
        "n = 100",
        "n = 1,000",
        "61.23%",
        "76.01%",
        "frozen Fashion-MNIST encoder",
        "CNN from scratch (same architecture)",
        "Section 3.1",
        "0.23 pts",
    ):
        assert label in body, label


def test_beyond_figures_have_captions_in_their_sections(beyond_report):
    nb, text = beyond_report
    page = _parse(text)
    images = [v for tag, name, v in page.attrs if tag == "img" and name == "src"]
    n = sum(len(f) for f in FIGURE_FILES.values()) + sum(
        len(f) for f in BEYOND_FIGURE_FILES.values()
    )
    assert len(images) == n
    body = "".join(page.text)
    for title in (
        "d = 2 designs: loss curves",
        "Denoising across noise strengths: PSNR",
        "Denoising across noise strengths: SSIM",
        "Anomaly detection: ROC curve",
        "Anomaly detection: reconstruction errors",
        "Label efficiency: accuracy curves",
    ):
        assert body.count(title) == 1, title
    further = text[text.index('id="extra-figures"') : text.index('id="findings"')]
    assert "anomaly_roc.png" not in further and "label_efficiency.png" not in further
    assert "runs/04_improved_autoencoder/anomaly_roc.png" in text


def test_beyond_sections_without_their_metrics_show_not_run(full_report):
    _, _, text, _ = full_report
    page = _parse(text)
    assert "beyond" in page.ids and "tbl-latent2" in page.ids
    section = text[text.index('id="beyond"') : text.index('id="figures"')]
    assert "No label-efficiency results" in section and "No sweep results" in section
    assert "Figure file missing" in section  # the notebooks ran but wrote no figure


def test_beyond_sections_of_a_failed_notebook(tmp_path):
    runs, provenance = make_report_tree(tmp_path, failed=("05_fashion_transfer",))
    _add_beyond(tmp_path, runs)
    nb, _ = render.build_report_notebook(tmp_path, runs, provenance)
    cell = next(c.source for c in nb.cells if 'id="label-efficiency"' in c.source)
    assert ">failed</span>" in cell and "#fail-05_fashion_transfer" in cell
    heads = next(c.source for c in nb.cells if 'id="tbl-heads"' in c.source)
    assert heads.count(">failed</span>") == 2


def test_several_seeds_compact_run_table(tmp_path):
    runs, provenance = make_report_tree(tmp_path)
    for run in runs:
        run["seed"] = 0
    more = []
    for run in runs:
        seed_dir = tmp_path / "seed1" / run["name"]
        seed_dir.mkdir(parents=True)
        metrics = json.loads((tmp_path / "runs" / run["name"] / "metrics.json").read_text())
        metrics = {k: v * 1.01 if isinstance(v, float) else v for k, v in metrics.items()}
        (seed_dir / "metrics.json").write_text(json.dumps(metrics))
        failed = run["name"] == "03_denoising"
        more.append(
            {
                **run,
                "seed": 1,
                "out_dir": str(seed_dir),
                "status": "failed" if failed else "ok",
                "error": {"cell": 3, "ename": "E", "evalue": "x", "traceback": ""}
                if failed
                else None,
            }
        )
    provenance["seeds"] = [0, 1]
    text = render.render_report(tmp_path, runs + more, provenance).read_text(encoding="utf-8")
    page = _parse(text)
    assert "fail-03_denoising" in page.ids
    body = "".join(page.text)
    assert "10 runs (5 notebooks × 2 seeds" in body
    assert "03_denoising (seed 1) failed" in body
    prov = text[text.index('id="provenance"') :]
    table = prov[prov.index("<h3>Notebooks</h3>") : prov.index("own run directory")]
    assert table.count('rowspan="2"') == 2 * 5  # name and title per notebook
    assert table.count("01_baseline_autoencoder") == 1 + 2  # name cell + two page links
    assert "<th" in table and ">Seed</th>" in table
    # The seed section lists each seed's value of the headline metrics, the mean and
    # the range; seed 1 failed notebook 03, so its denoising cell is a dash.
    seeds_cell = next(
        c.source
        for c in nb_cells(tmp_path, runs + more, provenance)
        if 'id="tbl-seeds"' in c.source
    )
    row = seeds_cell[seeds_cell.index("Baseline autoencoder, val BCE") :]
    row = row[: row.index("</tr>")]
    assert "0.0712" in row and "0.0719" in row and "0.0716 ± 0.0005" in row
    denoise = seeds_cell[seeds_cell.index("Denoising (mixed noise)") :]
    denoise = denoise[: denoise.index("</tr>")]
    assert "&ndash;" in denoise
    assert "tbl-seeds-all" in page.ids
    figures = text[text.index('id="figures"') : text.index('id="figure-3-4-1"')]
    assert "these figures come from the first, seed 0" in figures


def nb_cells(root, runs, provenance):
    return render.build_report_notebook(root, runs, provenance)[0].cells


def test_single_seed_report_explains_how_to_get_the_spread(full_report):
    _, _, text, _ = full_report
    section = text[text.index('id="seed-spread"') : text.index('id="figures"')]
    assert "ran one seed" in section and "--seeds 0,1,2" in section
    assert "tbl-seeds" not in section


def test_latent_sweep_is_drawn_from_the_metrics_not_repeated(beyond_report):
    nb, text = beyond_report
    section = text[text.index('id="pca-baseline"') : text.index('id="latent2-designs"')]
    assert "Validation BCE against latent size: autoencoder and PCA" in section
    assert section.count("data:image/png;base64,") == 1
    further = text[text.index('id="extra-figures"') : text.index('id="findings"')]
    assert "latent_sweep.png" not in further


def test_provenance_shows_invocation_and_cold_wall_time(tmp_path):
    runs, provenance = make_report_tree(tmp_path)
    provenance["runs_wall_s"] = 5400.0
    text = render.render_report(tmp_path, runs, provenance).read_text(encoding="utf-8")
    prov = text[text.index('id="provenance"') :]
    assert "a cold run without cache" in prov and "90.0 min" in prov
    assert "Git commit of the runs" in prov and "0123abcd (uncommitted changes)" in prov
    # What changes from one rendering to the next sits in one line, apart.
    generated = re.search(r'<p class="small" id="generated">(.*?)</p>', text).group(1)
    assert "2025-01-02T03:04:05+00:00" in generated and "4567cdef" in generated
    assert "3.1 min" in generated and "executed 2 run(s) (40.0 s)" in generated
    assert "4567cdef" not in text.replace(generated, "")


# ------------------------------------------------------------------ the paper profile


def make_paper_profile_tree(root):
    """A report folder as `run_all.py --profile paper` leaves it: the paper's metrics and
    figures only (no Dense(128) head, no raw d = 2 codes, no confusion matrices)."""
    runs, provenance = make_report_tree(root, profile="paper")
    for notebook, filename in render.PAPER_PROFILE_SKIPPED_FIGURES:
        (root / "runs" / notebook / filename).unlink()
    path = root / "runs" / "05_fashion_transfer" / "metrics.json"
    metrics = json.loads(path.read_text())
    del metrics["fashion.transfer.dense128.test_acc"]
    path.write_text(json.dumps(metrics))
    return runs, provenance


@pytest.fixture(scope="module")
def paper_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("paper")
    runs, provenance = make_paper_profile_tree(root)
    return render.render_report(root, runs, provenance).read_text(encoding="utf-8")


def _between(text, start, end):
    return text[text.index(f'id="{start}"') : text.index(f'id="{end}"')]


def test_paper_profile_banner_lists_what_was_not_run(paper_report):
    page = _parse(paper_report)
    assert "paper-banner" in page.ids and "smoke-banner" not in page.ids
    banner = paper_report[paper_report.index('id="paper-banner"') :]
    banner = banner[: banner.index("</div>")]
    # It sits at the top, before the run status.
    assert paper_report.index('id="paper-banner"') < paper_report.index('id="run-status"')
    for _, analysis in layout.analyses():
        if not analysis.in_paper_profile:
            anchor, title = analysis.anchor, analysis.title
            assert f'href="#{anchor}"' in banner and title in banner, anchor
    assert "seed-spread" not in banner
    assert "--profile full" in banner and "Dense(128)" in banner and "PCA columns" in banner
    assert "Confusion matrix: CNN from scratch (test set)" in banner


def test_paper_profile_beyond_sections_say_not_run_never_failed_or_missing(paper_report):
    not_run = render.NOT_RUN_IN_PAPER_PROFILE
    assert "the paper profile runs only the paper" in not_run
    beyond = _between(paper_report, "beyond", "seed-spread")
    sections = [a.anchor for _, a in layout.analyses() if not a.in_paper_profile]
    assert beyond.count(not_run) == len(sections)
    for word in ("failed", "Figure file missing", "No sweep results", "No label-efficiency"):
        assert word not in beyond, word
    assert "<table" not in beyond and "data:image/png" not in beyond
    # The seed section still renders normally.
    assert "ran one seed" in _between(paper_report, "seed-spread", "figures")
    # Further figures: the skipped ones say "not run"; the others render.
    further = _between(paper_report, "extra-figures", "findings")
    assert further.count(not_run) == len(render.PAPER_PROFILE_SKIPPED_FIGURES)
    assert "Figure file missing" not in further and "Not available" not in further
    # The beyond-the-paper findings are "not run" with the reason; the paper's are judged.
    findings = paper_report[paper_report.index('id="tbl-findings"') :]
    findings = findings[: findings.index("</table>")]
    extra = findings[findings.index(">Beyond the paper<") :]
    verdicts = re.findall(r'<span class="v v-([a-z-]+)">', extra)
    assert verdicts and set(verdicts) == {"not-run"}
    assert extra.count(not_run) == len(verdicts) and "Missing:" not in extra
    own = findings[: findings.index(">Beyond the paper<")]
    assert "v-agrees" in own and "v-not-run" not in own
    assert ">failed</span>" not in paper_report


def test_paper_profile_tables_and_figures_render_normally(paper_report):
    page = _parse(paper_report)
    body = "".join(page.text)
    for anchor in ("tbl-mnist", "tbl-latent", "tbl-denoise", "tbl-fashion"):
        assert anchor in page.ids
    assert "0.0712" in body and "0.0733" in body and "89.20%" in body and "91.05%" in body
    latent = paper_report[paper_report.index('id="tbl-latent"') :]
    latent = latent[: latent.index("</table>")]
    assert "PCA BCE" not in latent and "AE MSE" not in latent and "0.1180" in latent
    fashion = paper_report[paper_report.index('id="tbl-fashion"') :]
    fashion = fashion[: fashion.index("</table>")]
    assert "Dense(128)" not in fashion and fashion.count("<tr") == 1 + 3  # header + 3 rows
    assert 'class="extra"' not in fashion
    for number in ("3-4-1", "3-4-2", "3-4-3", "3-4-4", "3-4-5", "3-4-6"):
        figure = paper_report[paper_report.index(f'id="figure-{number}"') :]
        figure = figure[: figure.index('class="caption"')]
        assert "data:image/png;base64," in figure, number
    # The latent-sweep chart comes from the notebook, since the PCA section did not run.
    further = _between(paper_report, "extra-figures", "findings")
    assert "runs/02_latent_sweep/latent_sweep.png" in further
    images = [v for tag, name, v in page.attrs if tag == "img" and name == "src"]
    n_figures = sum(len(files) for files in FIGURE_FILES.values())
    assert len(images) == n_figures - len(render.PAPER_PROFILE_SKIPPED_FIGURES)


def test_full_profile_has_no_paper_banner(full_report):
    _, _, text, _ = full_report
    assert "paper-banner" not in _parse(text).ids
    assert render.NOT_RUN_IN_PAPER_PROFILE not in text
