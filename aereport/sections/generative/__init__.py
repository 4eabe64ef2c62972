"""Notebook 07, beyond the paper: generative models compared, and synthetic images with few
labels.

The paper names VAEs and GANs, and generated images for data augmentation, only as future
work (section 5.2); the `paper` profile does not run this notebook, and its analyses then
say "not run".

- The generators: a DCGAN, notebook 06's VAE with its prior or an ex-post Gaussian mixture,
  and the plain autoencoder with a fitted Gaussian or a mixture, on MNIST and
  Fashion-MNIST, judged in the judge CNN's features (Fréchet distance, KID, precision and
  recall, density and coverage, the class histogram) against the real floor and a ladder
  of noisy images; published FIDs beside them as labelled, non-comparable references;
  findings: the mixture sampler helps and closes the AE-VAE gap, the GAN is sharper but
  less diverse, the VAE-AE comparison is the same on both datasets.
- Training length: the first seed's generators trained for several times the epochs, and
  whether each generative verdict holds or flips.
- Few labels: notebook 05's CNN on 100 and 1,000 labels, alone, with classical
  augmentation, with conditional-VAE images and a frozen encoder for reference; findings:
  synthetic images help, classical augmentation helps.

Its parts: `tables` (the rows and their HTML), `charts` (drawn from the metrics of every seed),
`findings` (the claims checked against the seed spread) and, here, the `SECTION`.
"""

from __future__ import annotations

from aereport.section import Analysis, DrawnFigure, FigureSpec, Section
from aereport.sections.generative.charts import few_labels_png, precision_recall_png
from aereport.sections.generative.findings import extra_findings, long_verdicts
from aereport.sections.generative.tables import (
    DATASETS,
    NOTEBOOK,
    _few_html,
    _generators_html,
    _long_html,
    few_table,
    generator_table,
    long_table,
)

SECTION = Section(
    name="generative",
    notebook=NOTEBOOK,
    metric_prefixes=(
        "mnist.gen",
        "fashion.gen",
        "mnist.few",
        "fashion.few",
    ),
    analyses=(
        Analysis(
            "gen-compare",
            "Generative models compared: a GAN, the VAE and the autoencoder with fitted samplers",
            _generators_html,
            finding_ids=(
                "gen_mixture_helps",
                "gen_mixture_closes_gap",
                "gen_gan_sharp_narrow",
                "gen_vae_fashion_same",
            ),
            drawn=DrawnFigure(
                precision_recall_png,
                "Precision against recall of every generator",
                "Drawn by the report from the metrics of every seed: the mean over seeds (a bar "
                "of one standard deviation each way, a dot per seed) of each generator, the "
                "real training images (the floor, a star) and the noisy-image ladder (grey "
                "crosses). Top right is best; up and left is sharp but narrow, down and right "
                "blurry but complete.",
                replaces="precision_recall.png",
            ),
            figures=tuple(
                FigureSpec(
                    f"samples_{prefix}.png",
                    f"Generated images side by side ({label})",
                    "36 images of each generator and 36 real test images (first seed).",
                )
                for prefix, label in DATASETS
            ),
            headline=(
                ("mnist.gen.gan.frechet", "GAN (MNIST), Fréchet distance", "bce"),
                ("mnist.gen.vae_prior.frechet", "VAE prior (MNIST, nb 07), Fréchet", "bce"),
                ("mnist.gen.ae_gmm.frechet", "AE + mixture (MNIST), Fréchet", "bce"),
                ("fashion.gen.gan.frechet", "GAN (Fashion), Fréchet distance", "bce"),
            ),
        ),
        Analysis(
            "gen-long",
            "Generative models: does training length decide the verdicts?",
            lambda ctx: _long_html(ctx, long_verdicts(ctx.metrics)),
            finding_ids=("gen_long_holds",),
        ),
        Analysis(
            "few-labels",
            "Few labels: classical augmentation and synthetic images",
            _few_html,
            finding_ids=("few_synthetic_helps", "few_classical_helps"),
            drawn=DrawnFigure(
                few_labels_png,
                "Test accuracy with few labels, per method",
                "Drawn by the report from the metrics of every seed: the mean test accuracy of "
                "each method against the number of labelled images (a bar of one standard "
                "deviation, a dot per seed; the methods are shifted apart a little).",
                replaces="few_labels.png",
            ),
            headline=(
                ("fashion.few.labelled.100.test_acc", "Fashion, 100 labels alone, accuracy", "acc"),
                (
                    "fashion.few.synthetic.100.test_acc",
                    "Fashion, 100 labels + cVAE images, accuracy",
                    "acc",
                ),
                (
                    "fashion.few.classical.100.test_acc",
                    "Fashion, 100 labels + classical augmentation",
                    "acc",
                ),
            ),
        ),
    ),
    extra_findings=extra_findings,
    page_only=(
        "precision_recall.png",
        "few_labels.png",
        "gan_losses.png",
        "gan_long.png",
        *(f"gan_training_{prefix}.png" for prefix, _ in DATASETS),
        *(f"synthetic_{prefix}.png" for prefix, _ in DATASETS),
    ),
)

__all__ = [
    "NOTEBOOK",
    "generator_table",
    "long_table",
    "few_table",
    "precision_recall_png",
    "few_labels_png",
    "extra_findings",
    "long_verdicts",
    "SECTION",
]
