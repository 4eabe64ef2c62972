"""Figures of the study. Every helper takes arrays and returns a matplotlib `Figure`.

The figures are built with `matplotlib.figure.Figure` directly, not through pyplot:
nothing is registered with a GUI backend, nothing is shown, and no figure stays alive
in pyplot's registry. In Jupyter, make a figure the last expression of a cell (or call
`display(fig)`) to see it; save it with `aelib.outputs.results.save_figure`.

Images may be given as `(n, h, w, 1)`, `(n, h, w)` or flat `(n, h*w)` (square) arrays
of floats in [0, 1]; they are drawn in grayscale with no ticks.

`tsne_embedding` (the 2-D projection behind the latent-space figures) also lives here.
"""

from __future__ import annotations

from aelib.figures.curves import (
    METHOD_NAMES,
    method_name,
    plot_label_efficiency,
    plot_latent_sweep,
    plot_loss_curves,
)
from aelib.figures.diagnostics import (
    plot_denoise_sweep,
    plot_error_histograms,
    plot_roc,
)
from aelib.figures.embeddings import (
    plot_confusion_matrix,
    plot_embedding,
    tsne_embedding,
)
from aelib.figures.generative import (
    plot_code_panels,
    plot_interpolations,
    plot_latent_manifold,
    plot_sample_grids,
)
from aelib.figures.images import (
    plot_denoising,
    plot_reconstruction_grid,
    plot_reconstructions,
)

__all__ = [
    "plot_reconstructions",
    "plot_reconstruction_grid",
    "plot_denoising",
    "plot_loss_curves",
    "plot_latent_sweep",
    "METHOD_NAMES",
    "method_name",
    "plot_label_efficiency",
    "plot_embedding",
    "plot_confusion_matrix",
    "tsne_embedding",
    "plot_denoise_sweep",
    "plot_roc",
    "plot_error_histograms",
    "plot_sample_grids",
    "plot_latent_manifold",
    "plot_code_panels",
    "plot_interpolations",
]
