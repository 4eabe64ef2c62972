"""Notebook 06, beyond the paper: a variational autoencoder on MNIST and Fashion-MNIST.

The paper names VAEs only as future work (section 5.2); the `paper` profile does not run
this notebook, and its analyses then say "not run".

- Beyond the paper: the VAE's likelihood and reconstruction (test negative ELBO, its
  reconstruction and KL parts, active units; the posterior mean's per-pixel BCE next to
  the plain autoencoder's with the same trunk and code size, and the entropy floor), and
  its generated images judged by a CNN trained on the real images (Frechet distance of
  the CNN's features, class-histogram entropy, mean confidence) against the plain
  autoencoder decoding Gaussian-fitted codes and against real images (the floor).
- Findings: the VAE pays in reconstruction, its samples score better, and the KL term
  switches some of its 16 units off; each with the seed spread.
- Figures: prior samples, the decoded 2-D manifold, the 2-D codes, interpolations, the
  loss curves.

Its parts: `tables` (the rows, their HTML and the chart drawn from the metrics),
`findings` (the claims checked against the seed spread) and, here, the `SECTION` that
puts them on the page.
"""

from __future__ import annotations

from aereport.section import Analysis, FigureSpec, Section
from aereport.sections.vae.findings import (
    _figures,
    extra_findings,
)
from aereport.sections.vae.tables import (
    DATASETS,
    DEFAULT_LATENT_DIMS,
    NOTEBOOK,
    _generation_html,
    _likelihood_html,
    generation_table,
    latent_dims,
    likelihood_table,
)

SECTION = Section(
    name="vae",
    notebook=NOTEBOOK,
    # "fashion.vae..." is this notebook's, not notebook 05's ("fashion."): the longest
    # matching prefix wins (`aereport.sections.notebook_for_metric`).
    metric_prefixes=("mnist.vae", "fashion.vae"),
    analyses=(
        Analysis(
            "vae-likelihood",
            "Variational autoencoder: likelihood and reconstruction",
            _likelihood_html,
            finding_ids=("vae_reconstruction_cost", "vae_units_switched_off"),
            figures=(
                FigureSpec(
                    "loss_curves_vae.png",
                    "VAE training curves",
                    "Training loss per epoch (first seed): the negative ELBO in nats per "
                    "image, one posterior sample per image and step.",
                ),
                FigureSpec(
                    "loss_curves_ae.png",
                    "Plain autoencoder training curves",
                    "Training BCE per pixel and epoch of the autoencoders the VAEs are "
                    "compared with (first seed).",
                ),
            ),
            headline=(
                ("mnist.vae_16.neg_elbo", "VAE d = 16 (MNIST), test -ELBO, nats/image", "bce"),
                ("mnist.vae_16.recon_bce", "VAE d = 16 (MNIST), posterior-mean BCE", "bce"),
                ("mnist.vae_16.ae_recon_bce", "Plain AE d = 16 (MNIST, notebook 06), BCE", "bce"),
            ),
        ),
        Analysis(
            "vae-generation",
            "Variational autoencoder: generated images judged by a CNN",
            _generation_html,
            finding_ids=("vae_samples_better",),
            figures=(
                *_figures(
                    "samples",
                    "Generated images: VAE prior samples and Gaussian-fitted AE codes",
                    "For each code size, 64 VAE samples from the prior, then 64 images the "
                    "plain autoencoder decodes from its Gaussian-fitted codes (first seed).",
                ),
                *_figures(
                    "interpolations",
                    "Interpolations between two test images: autoencoder and VAE",
                    "Images decoded along the straight line between the codes of two test "
                    "images of different classes, by the plain autoencoder and by the VAE "
                    "(posterior means), at the largest code size; both ends are "
                    "reconstructions (first seed).",
                ),
            ),
            headline=(
                ("mnist.vae_16.frechet_cnn", "VAE d = 16 (MNIST), Frechet distance", "bce"),
                (
                    "mnist.vae_16.ae_frechet_cnn",
                    "Plain AE d = 16 (MNIST), Gaussian codes, Frechet distance",
                    "bce",
                ),
                ("fashion.vae_16.frechet_cnn", "VAE d = 16 (Fashion), Frechet distance", "bce"),
            ),
        ),
    ),
    extra_findings=extra_findings,
    # Shown on the notebook's own page (linked from the likelihood table), not embedded in
    # index.html, which must stay under 5 MB.
    page_only=tuple(
        f"{stem}_{prefix}.png" for stem in ("manifold", "codes_2d") for prefix, _ in DATASETS
    ),
)

__all__ = [
    "NOTEBOOK",
    "DATASETS",
    "DEFAULT_LATENT_DIMS",
    "latent_dims",
    "likelihood_table",
    "generation_table",
    "extra_findings",
    "SECTION",
]
