"""The VAE section (aereport.sections.vae) on synthetic report trees: its tables,
figures and findings, with one seed and with a spread, failed, missing and paper runs."""

from __future__ import annotations

import json

import pytest
from test_report_render import _parse, make_paper_profile_tree, make_report_tree, tiny_png

from aereport import render, sections
from aereport.sections import vae

NOTEBOOK = "06_variational_autoencoder"


def vae_metrics(scale: float = 1.0) -> dict:
    """What notebook 06 writes, with numbers under which every finding agrees."""
    out = {}
    for prefix, floor, real_fd in (("mnist", 0.0581, 0.41), ("fashion", 0.2422, 0.33)):
        out.update(
            {
                f"{prefix}.vae.entropy_floor": floor,
                f"{prefix}.vae.judge_test_acc": 0.985 if prefix == "mnist" else 0.881,
                f"{prefix}.vae.num_generated": 10000,
                f"{prefix}.vae.real_frechet_cnn": real_fd,
                f"{prefix}.vae.real_class_entropy": 2.30,
                f"{prefix}.vae.real_confidence": 0.97,
            }
        )
        for d, elbo, au in ((2, 150.25, 2), (16, 104.5, 11)):
            key = f"{prefix}.vae_{d}"
            out.update(
                {
                    f"{key}.neg_elbo": elbo * scale,
                    f"{key}.elbo_recon": elbo * scale - 20.0,
                    f"{key}.kl": 20.0,
                    f"{key}.active_units": au,
                    f"{key}.recon_bce": floor + 0.06 + 0.01 * (d == 2),
                    f"{key}.ae_recon_bce": floor + 0.05 + 0.01 * (d == 2),
                    f"{key}.frechet_cnn": 7.5 * scale,
                    f"{key}.class_entropy": 2.25,
                    f"{key}.confidence": 0.91,
                    f"{key}.ae_frechet_cnn": 14.25,
                    f"{key}.ae_class_entropy": 2.10,
                    f"{key}.ae_confidence": 0.85,
                    f"{key}.epochs": 3,
                    f"{key}.params": 164193 if d == 16 else 158789,
                }
            )
    return out


FIGURES = [
    f"{stem}_{prefix}.png"
    for stem in ("samples", "manifold", "codes_2d", "interpolations")
    for prefix in ("mnist", "fashion")
] + ["loss_curves_vae.png", "loss_curves_ae.png"]


def add_vae_run(root, runs, *, status="ok", metrics=None):
    """Notebook 06's run in a tree made by `make_report_tree`."""
    run_dir = root / "runs" / NOTEBOOK
    run_dir.mkdir(parents=True, exist_ok=True)
    if status in ("ok", "cached"):
        (run_dir / "metrics.json").write_text(json.dumps(metrics or vae_metrics()))
        for figure in FIGURES:
            (run_dir / figure).write_bytes(tiny_png(90))
    runs.append(
        {
            "name": NOTEBOOK,
            "title": "Variational autoencoder",
            "status": status,
            "wall_s": 480.0,
            "error": None
            if status != "failed"
            else {"cell": 9, "ename": "ValueError", "evalue": "boom", "traceback": "boom"},
            "out_dir": str(run_dir),
            "notebook_html": None,
        }
    )
    return runs


def _section(text: str) -> str:
    return text[text.index('id="vae-likelihood"') : text.index('id="gen-compare"')]


@pytest.fixture(scope="module")
def vae_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("vae")
    runs, provenance = make_report_tree(root)
    add_vae_run(root, runs)
    return render.render_report(root, runs, provenance).read_text(encoding="utf-8")


def test_tables_numbers_and_figures(vae_report):
    page = _parse(vae_report)
    for anchor in ("vae-likelihood", "vae-generation", "tbl-vae-likelihood", "tbl-vae-generation"):
        assert anchor in page.ids, anchor
    section = _section(vae_report)
    body = "".join(_parse(section).text)
    for text in (
        "150.25",  # the MNIST d = 2 negative ELBO
        "130.25",  # its reconstruction part
        "11 of 16",  # active units
        "0.1281",  # the d = 2 VAE BCE (0.0581 + 0.07)
        "+0.0100",  # VAE minus AE
        "14.25",  # the autoencoder's Frechet distance
        "0.41",  # the real-vs-real floor
        "not comparable",  # the likelihood is not binarised MNIST's
        "0.9850",  # the judge's accuracy
        "10,000 generated images",
        "on the same images for 3 epochs",
    ):
        assert text in body, text
    # The 2-D manifolds and codes are on the notebook's page only (index.html < 5 MB).
    page_only = [f for f in FIGURES if f.startswith(("manifold", "codes_2d"))]
    assert len(page_only) == 4 and set(page_only) <= set(vae.SECTION.page_only)
    assert section.count("data:image/png;base64,") == len(FIGURES) - len(page_only)
    assert "Interpolations between two test images" in body
    assert "Decoded 2-D latent manifold" not in body
    assert f'href="runs/seed0/{NOTEBOOK}/executed.html"' in section
    # Its findings are in the findings table, linked from the section.
    for claim_id in ("vae_reconstruction_cost", "vae_samples_better", "vae_units_switched_off"):
        assert f"finding-{claim_id}" in page.ids and f'href="#finding-{claim_id}"' in section
    contents = vae_report[: vae_report.index('id="summary"')]
    assert "#vae-likelihood" in contents and "#vae-generation" in contents


def test_findings_agree_then_follow_the_numbers():
    metrics = vae_metrics()
    verdicts = {f["id"]: f["verdict"] for f in vae.extra_findings(metrics)}
    assert set(verdicts.values()) == {"agrees"}
    cost = next(f for f in vae.extra_findings(metrics) if f["id"] == "vae_reconstruction_cost")
    assert "MNIST d=16: VAE 0.1181 vs AE 0.1081 (+0.0100" in cost["measured"]
    assert "% of the AE's excess over the entropy floor" in cost["measured"]
    samples = next(f for f in vae.extra_findings(metrics) if f["id"] == "vae_samples_better")
    assert "VAE/AE 0.53" in samples["measured"] and "floor 0.41" in samples["measured"]
    # The plain autoencoder's samples closer than the VAE's: disagrees.
    worse = dict(metrics, **{"fashion.vae_16.frechet_cnn": 20.0})
    assert _verdict(worse, "vae_samples_better") == "disagrees"
    # Every unit in use: disagrees.
    assert _verdict(
        dict(metrics, **{"mnist.vae_16.active_units": 16}), "vae_units_switched_off"
    ) == ("disagrees")


def _verdict(metrics, claim_id):
    return next(f["verdict"] for f in vae.extra_findings(metrics) if f["id"] == claim_id)


def test_findings_with_a_seed_spread():
    """Lists of per-seed values: a gap within the spread is inconclusive."""
    metrics = vae_metrics()
    spread = dict(metrics)
    spread["mnist.vae_16.recon_bce"] = [0.10, 0.13, 0.16]
    spread["mnist.vae_16.ae_recon_bce"] = [0.11, 0.12, 0.13]
    assert _verdict(spread, "vae_reconstruction_cost") == "inconclusive"
    clear = dict(metrics)
    clear["mnist.vae_16.frechet_cnn"] = [7.0, 7.5, 8.0]
    clear["mnist.vae_16.ae_frechet_cnn"] = [14.0, 14.5, 15.0]
    item = next(f for f in vae.extra_findings(clear) if f["id"] == "vae_samples_better")
    assert item["verdict"] == "agrees" and "± " in item["measured"]
    units = dict(metrics, **{"mnist.vae_16.active_units": [12, 16, 16]})
    assert _verdict(units, "vae_units_switched_off") == "inconclusive"


def test_without_the_run_the_section_says_not_run(tmp_path):
    runs, provenance = make_report_tree(tmp_path)
    text = render.render_report(tmp_path, runs, provenance).read_text(encoding="utf-8")
    section = _section(text)
    assert section.count("No VAE results: not run") == 2
    assert {f["verdict"] for f in vae.extra_findings({})} == {"not run"}


def test_a_failed_run_shows_failed(tmp_path):
    runs, provenance = make_report_tree(tmp_path)
    add_vae_run(tmp_path, runs, status="failed")
    nb, _ = render.build_report_notebook(tmp_path, runs, provenance)
    cell = next(c.source for c in nb.cells if 'id="vae-likelihood"' in c.source)
    assert ">failed</span>" in cell and f"#fail-{NOTEBOOK}" in cell


def test_paper_profile_says_not_run(tmp_path):
    runs, provenance = make_paper_profile_tree(tmp_path)
    text = render.render_report(tmp_path, runs, provenance).read_text(encoding="utf-8")
    section = _section(text)
    assert section.count(render.NOT_RUN_IN_PAPER_PROFILE) == 2
    assert "data:image/png" not in section and "<table" not in section
    banner = text[text.index('id="paper-banner"') :]
    banner = banner[: banner.index("</div>")]
    assert 'href="#vae-likelihood"' in banner and 'href="#vae-generation"' in banner


def test_metric_ids_belong_to_notebook_06():
    assert sections.notebook_for_metric("fashion.vae_16.recon_bce") == NOTEBOOK
    assert sections.notebook_for_metric("mnist.vae.judge_test_acc") == NOTEBOOK
    assert sections.notebook_for_metric("fashion.ae.val_bce") == "05_fashion_transfer"
    assert sections.notebook_for_metric("mnist.latent_16.val_bce") == "02_latent_sweep"
    assert vae.latent_dims({}) == [2, 16]
    assert vae.latent_dims({"mnist.vae_8.neg_elbo": 1.0}) == [8]
