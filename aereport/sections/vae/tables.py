"""The tables, their HTML and the chart of the `vae` section (see the package)."""

from __future__ import annotations

from collections.abc import Mapping

from aelib.outputs import metric_ids
from aereport.format import esc, fixed, missing_box, more_figures, table
from aereport.merge import instances, stat
from aereport.section import Context

NOTEBOOK = "06_variational_autoencoder"

# (metric prefix, label) of the datasets the notebook trains on.
DATASETS: tuple[tuple[str, str], ...] = (("mnist", "MNIST"), ("fashion", "Fashion-MNIST"))
DEFAULT_LATENT_DIMS = (2, 16)
_DATASET_IDS = {prefix for prefix, _ in DATASETS}

_NOT_PAPER = (
    "Not tested in the paper: it proposes variational autoencoders and generating images "
    "only as future work (section 5.2)."
)


def latent_dims(metrics: Mapping, default=DEFAULT_LATENT_DIMS) -> list[int]:
    """The VAE code sizes found in the metric ids (`default` when none)."""
    found = {
        f["d"] for f in instances(metric_ids.VAE_NEG_ELBO, metrics) if f["dataset"] in _DATASET_IDS
    }
    return sorted(found) or list(default)


# ---------------------------------------------------------------------------- tables


def likelihood_table(metrics: Mapping) -> list[dict]:
    """One row per (dataset, code size): the VAE's test numbers and the plain AE's BCE.

    Each row has `dataset` (metric prefix), `label`, `latent_dim` and `stat` dicts
    (`aereport.merge.stat`) for `neg_elbo`, `elbo_recon`, `kl` (nats per image),
    `active_units`, `recon_bce` (the VAE's posterior mean, per pixel), `ae_recon_bce`
    (the plain autoencoder with the same trunk and code size) and `floor` (the entropy
    floor of the test pixels), plus `cost`, the VAE minus the AE BCE (None if missing).
    """
    rows = []
    for prefix, label in DATASETS:
        for d in latent_dims(metrics):
            key = f"{prefix}.vae_{d}"
            row = {"dataset": prefix, "label": label, "latent_dim": d}
            for name in (
                "neg_elbo",
                "elbo_recon",
                "kl",
                "active_units",
                "recon_bce",
                "ae_recon_bce",
            ):
                row[name] = stat(metrics, f"{key}.{name}")
            row["floor"] = stat(metrics, f"{prefix}.vae.entropy_floor")
            vae, ae = row["recon_bce"]["value"], row["ae_recon_bce"]["value"]
            row["cost"] = None if vae is None or ae is None else vae - ae
            rows.append(row)
    return rows


def generation_table(metrics: Mapping) -> list[dict]:
    """One row per (dataset, source of images): what the judge CNN says about them.

    Sources: the real test images (`real`; its Frechet distance is the floor: real
    test images against as many other real images), then for each code size the VAE's
    prior samples (`vae`) and the plain autoencoder decoding Gaussian-fitted codes
    (`ae`). Each row has `dataset`, `label`, `source`, `latent_dim` (None for real) and
    `stat` dicts `frechet`, `class_entropy` and `confidence`; the real row also
    `judge_acc`, the judge's test accuracy.
    """
    rows = []
    for prefix, label in DATASETS:
        base = f"{prefix}.vae"
        rows.append(
            {
                "dataset": prefix,
                "label": label,
                "source": "real",
                "latent_dim": None,
                "frechet": stat(metrics, f"{base}.real_frechet_cnn"),
                "class_entropy": stat(metrics, f"{base}.real_class_entropy"),
                "confidence": stat(metrics, f"{base}.real_confidence"),
                "judge_acc": stat(metrics, f"{base}.judge_test_acc"),
            }
        )
        for d in latent_dims(metrics):
            for source, part in (("vae", ""), ("ae", "ae_")):
                key = f"{prefix}.vae_{d}.{part}"
                rows.append(
                    {
                        "dataset": prefix,
                        "label": label,
                        "source": source,
                        "latent_dim": d,
                        "frechet": stat(metrics, f"{key}frechet_cnn"),
                        "class_entropy": stat(metrics, f"{key}class_entropy"),
                        "confidence": stat(metrics, f"{key}confidence"),
                    }
                )
    return rows


# ------------------------------------------------------------------------------ html


def _missing_html(ctx: Context) -> str | None:
    """The box shown instead of a table when the notebook wrote no VAE numbers."""
    if latent_dims(ctx.metrics, default=()):
        return None
    return missing_box("VAE results", NOTEBOOK, ctx.statuses)


def _likelihood_html(ctx: Context) -> str:
    missing = _missing_html(ctx)
    if missing:
        return missing
    rows = likelihood_table(ctx.metrics)
    headers = [
        ("Dataset", ""),
        ("Code size d", ""),
        ("Test &minus;ELBO (nats/image)", ""),
        ("Reconstruction part", ""),
        ("KL part", ""),
        ("Active units", ""),
        ("VAE BCE (posterior mean)", ""),
        ("Autoencoder BCE (same trunk, same d)", ""),
        ("Entropy floor", ""),
        ("VAE &minus; AE", ""),
    ]
    body = []
    for r in rows:
        au = r["active_units"]
        body.append(
            [
                (esc(r["label"]), "txt"),
                (str(r["latent_dim"]), "num"),
                (fixed(r["neg_elbo"], 2), "num"),
                (fixed(r["elbo_recon"], 2), "num"),
                (fixed(r["kl"], 2), "num"),
                (
                    "&ndash;"
                    if au["value"] is None
                    else f"{fixed(au, 1 if au['n_seeds'] > 1 else 0)} of {r['latent_dim']}",
                    "num",
                ),
                (fixed(r["recon_bce"], 4), "num"),
                (fixed(r["ae_recon_bce"], 4), "num"),
                (fixed(r["floor"], 4), "num"),
                ("&ndash;" if r["cost"] is None else f"{r['cost']:+.4f}", "num"),
            ]
        )
    epochs = {
        stat(ctx.metrics, f"{prefix}.vae_{d}.epochs")["value"]
        for prefix, _ in DATASETS
        for d in latent_dims(ctx.metrics)
    }
    epochs = sorted(int(e) for e in epochs if e is not None)
    budget = (
        f" for {', '.join(map(str, epochs))} epoch{'s' if epochs != [1] else ''} "
        "(the notebook&rsquo;s time budget: far from converged, so read the comparisons, "
        "which are at equal epochs, more than the absolute numbers)"
        if epochs
        else ""
    )
    return (
        "<p>A convolutional VAE (notebook 02&rsquo;s dense-bottleneck trunk with a mean and a "
        "log-variance head, a seeded reparameterised sample and the same decoder) against "
        "the plain autoencoder with exactly that trunk and code size, trained in the same "
        f"notebook on the same images{budget}.</p>"
        + table(headers, body, table_id="tbl-vae-likelihood")
        + '<p class="small">Negative ELBO on the test images in nats per image: the '
        "reconstruction part (binary cross-entropy summed over the 784 pixels, one seeded "
        "posterior sample per image) plus the KL divergence from the N(0, I) prior. The "
        "likelihood is the Bernoulli cross-entropy of the <em>continuous</em> grey values, "
        "not a normalised likelihood, so these numbers are not comparable with the nats "
        "reported on binarised MNIST. Active units: mean KL per unit above 0.01 nats. The "
        "BCE columns are per pixel, as in the paper&rsquo;s tables: the VAE decodes its "
        "posterior mean (no sampling).</p>"
        + more_figures(
            "The decoded 2-D manifolds and the 2-D codes of the VAE and the plain autoencoder",
            NOTEBOOK,
        )
    )


_SOURCES = {
    "real": "real test images (Fr&eacute;chet: the floor, real vs real)",
    "vae": "VAE, samples from the prior",
    "ae": "autoencoder, Gaussian-fitted codes",
}


def _generation_html(ctx: Context) -> str:
    missing = _missing_html(ctx)
    if missing:
        return missing
    rows = generation_table(ctx.metrics)
    headers = [
        ("Dataset", ""),
        ("Images", ""),
        ("Code size d", ""),
        ("Fr&eacute;chet distance (judge features)", ""),
        ("Class-histogram entropy (nats; max 2.303)", ""),
        ("Mean confidence", ""),
    ]
    body = [
        [
            (esc(r["label"]), "txt"),
            (_SOURCES[r["source"]], "txt"),
            ("&ndash;" if r["latent_dim"] is None else str(r["latent_dim"]), "num"),
            (fixed(r["frechet"], 2), "num"),
            (fixed(r["class_entropy"], 3), "num"),
            (fixed(r["confidence"], 3), "num"),
        ]
        for r in rows
    ]
    judges = [
        f"{esc(r['label'])} {fixed(r['judge_acc'], 4)}"
        for r in rows
        if r["source"] == "real" and r["judge_acc"]["value"] is not None
    ]
    n = stat(ctx.metrics, "mnist.vae.num_generated")["value"]
    count = f"{n:,.0f}" if n is not None else "the same number of"
    return (
        "<p>Each model generates images: the VAE decodes codes drawn from its prior N(0, I); "
        "the plain autoencoder, which has no prior, decodes codes drawn from a Gaussian "
        "fitted (mean and full covariance) to its codes of the training images, a baseline "
        "Ghosh et al. (2020) found competitive with VAEs. A judge, "
        "notebook 05&rsquo;s CNN trained on the real labelled images, looks at "
        f"{count} generated images per model and as many real test images.</p>"
        + table(headers, body, table_id="tbl-vae-generation")
        + '<p class="small">Fr&eacute;chet distance: between Gaussians fitted to the '
        "judge&rsquo;s penultimate-layer (Dense(128)) features of the real test images and "
        "of the generated ones (the FID idea with a domain classifier, as TF-GAN&rsquo;s "
        "<code>mnist_frechet_distance</code>); lower is better, and the real-vs-real row "
        "is what a perfect generator would score with sets of this size. Class-histogram "
        "entropy: of the judge&rsquo;s predicted classes (diversity: 2.303 nats when every "
        "class is equally frequent). Mean confidence: the judge&rsquo;s top-class "
        "probability, lower for blurry or ambiguous images."
        + (f" Judge test accuracy: {'; '.join(judges)}." if judges else "")
        + "</p>"
    )
