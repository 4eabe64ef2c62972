"""Notebook 02, the latent-size sweep: dense bottlenecks of d = 2, 8, 16 and 32 units.

- Table 3.2.1.1: the rows d = 16 and d = 2 (the paper gives d = 2 only in a note);
  the sweep's own table (every d, with the PCA comparison's columns).
- Findings: the convolutional baseline beats the dense bottlenecks; a smaller code
  gives a higher loss; beyond the paper, the autoencoder beats PCA at the same code
  size, and the paper's d = 2 loss is reachable with some bottleneck design.
- Beyond the paper: autoencoder against PCA (with the sweep chart drawn from every
  seed), the d = 2 bottleneck designs.
- Figures 3.4.2 and 3.4.6, reconstructions for every d, the raw d = 2 codes.

Its parts: `tables` (the rows, their HTML and the chart drawn from the metrics),
`findings` (the claims checked against the seed spread) and, here, the `SECTION` that
puts them on the page.
"""

from __future__ import annotations

from aereport.section import (
    Analysis,
    Block,
    DrawnFigure,
    FigureSpec,
    FurtherFigure,
    PaperFigure,
    Section,
)
from aereport.sections.latent.findings import (
    extra_findings,
    paper_findings,
)
from aereport.sections.latent.tables import (
    LATENT2_DESIGNS,
    LATENT_SIZES,
    NOTEBOOK,
    _latent2_html,
    _pca_html,
    _sweep_html,
    latent2_designs_table,
    latent_sweep_png,
    latent_sweep_table,
    mnist_rows,
)

SECTION = Section(
    name="latent",
    notebook=NOTEBOOK,
    metric_prefixes=("mnist.latent_", "mnist.pca_"),
    mnist_rows=mnist_rows,
    results=(
        Block(
            "latent-sweep",
            "Latent-size sweep (dense bottleneck)",
            _sweep_html,
            toc="Latent-size sweep",
        ),
    ),
    analyses=(
        Analysis(
            "pca-baseline",
            "Autoencoder vs PCA at the same code size",
            _pca_html,
            finding_ids=("ae_beats_pca",),
            drawn=DrawnFigure(
                latent_sweep_png,
                "Validation BCE against latent size: autoencoder and PCA",
                "Drawn by the report from the metrics of every seed: each line joins the means; "
                "with several seeds a bar spans one standard deviation each side and each dot is "
                "one seed. Hollow markers: the paper (d = 2 and 16 only); dotted: the entropy "
                "floor of the MNIST test images.",
                replaces="latent_sweep.png",
            ),
        ),
        Analysis(
            "latent2-designs",
            "Latent dim = 2: bottleneck designs",
            _latent2_html,
            finding_ids=("latent2_designs",),
            figures=(
                FigureSpec(
                    "latent_2_variants.png",
                    "d = 2 designs: loss curves",
                    "Validation BCE per epoch of each 2-unit bottleneck design (first seed); a "
                    "curve still falling at the last epoch would gain from more epochs.",
                ),
            ),
        ),
    ),
    figures=(PaperFigure("3.4.2", "fig_3_4_2.png"), PaperFigure("3.4.6", "fig_3_4_6.png")),
    further_figures=(
        # The paper profile skips the PCA section, whose chart the report draws: the
        # notebook's own chart (first seed) stands in for it.
        FurtherFigure(
            "latent_sweep.png", "Validation BCE against latent size", "charts", profiles="paper"
        ),
        FurtherFigure(
            "reconstructions_by_latent_dim.png", "Reconstructions for every latent size", "samples"
        ),
        FurtherFigure(
            "latent_2d_codes.png",
            "Raw codes of the d = 2 model (no t-SNE), coloured by digit",
            "samples",
            profiles="beyond",
        ),
        FurtherFigure("loss_curves.png", "Loss curves: latent sweep", "training"),
    ),
    paper_findings=paper_findings,
    extra_findings=extra_findings,
    # The paper does not say which layers surround the 2-unit code: the designs test it.
    readings={"mnist.latent_2.val_bce": ("latent2_designs",)},
    headline=tuple(
        (f"mnist.latent_{d}.val_bce", f"Latent d = {d}, val BCE", "bce") for d in (2, 8, 16, 32)
    ),
)

__all__ = [
    "NOTEBOOK",
    "LATENT_SIZES",
    "mnist_rows",
    "latent_sweep_table",
    "LATENT2_DESIGNS",
    "latent2_designs_table",
    "latent_sweep_png",
    "paper_findings",
    "extra_findings",
    "SECTION",
]
