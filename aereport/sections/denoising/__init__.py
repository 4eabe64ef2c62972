"""Notebook 03, the denoising autoencoder: noisy inputs (Gaussian, salt-and-pepper), clean targets.

- Table 3.2.1.1: the denoising row; its own table: the loss per noise type next to
  the loss of returning the noisy input unchanged.
- Findings: it recovers clean digits; denoising costs fidelity on clean targets;
  beyond the paper, it beats a classical filter (PSNR), at the trained noise level
  and across noise strengths.
- Beyond the paper: PSNR and SSIM against a Gaussian blur and a median filter, and the
  noise-strength sweep, with its two charts.
- Figures 3.4.3 and 3.4.4, the loss curves.

Its parts: `tables` (the rows, their HTML and the chart drawn from the metrics),
`findings` (the claims checked against the seed spread) and, here, the `SECTION` that
puts them on the page.
"""

from __future__ import annotations

from aereport.section import (
    Analysis,
    Block,
    FigureSpec,
    FurtherFigure,
    PaperFigure,
    Section,
)
from aereport.sections.denoising.findings import (
    extra_findings,
    paper_findings,
)
from aereport.sections.denoising.tables import (
    DENOISE_EXCESS_FRACTION,
    NOISE_TYPES,
    NOTEBOOK,
    _denoise_quality_html,
    _per_noise_html,
    denoise_quality_table,
    denoise_sweep_levels,
    denoise_sweep_table,
    denoising_table,
    mnist_rows,
)

SECTION = Section(
    name="denoising",
    notebook=NOTEBOOK,
    metric_prefixes=("mnist.denoise.",),
    mnist_rows=mnist_rows,
    results=(Block("denoising", "Denoising per noise type", _per_noise_html),),
    analyses=(
        Analysis(
            "denoise-quality",
            "Denoising quality: PSNR and SSIM against a classical filter",
            _denoise_quality_html,
            finding_ids=("ae_beats_filter", "ae_beats_filter_sweep"),
            figures=(
                FigureSpec(
                    "denoise_sweep_psnr.png",
                    "Denoising across noise strengths: PSNR",
                    "PSNR (dB, higher is better) of the noisy input, the classical filter and "
                    "the autoencoder at each noise level; the dotted line marks the trained "
                    "level.",
                ),
                FigureSpec(
                    "denoise_sweep_ssim.png",
                    "Denoising across noise strengths: SSIM",
                    "SSIM (1 = identical to the clean digit) at the same levels.",
                ),
            ),
            headline=(
                ("mnist.denoise.gaussian.psnr", "Denoised PSNR, Gaussian noise", "db"),
                ("mnist.denoise.salt_pepper.psnr", "Denoised PSNR, salt-and-pepper", "db"),
            ),
        ),
    ),
    figures=(PaperFigure("3.4.3", "fig_3_4_3.png"), PaperFigure("3.4.4", "fig_3_4_4.png")),
    further_figures=(
        FurtherFigure("loss_curves.png", "Loss curves: denoising autoencoder", "training"),
    ),
    paper_findings=paper_findings,
    extra_findings=extra_findings,
    headline=(("mnist.denoise.val_bce", "Denoising (mixed noise), val BCE", "bce"),),
)

__all__ = [
    "NOTEBOOK",
    "DENOISE_EXCESS_FRACTION",
    "NOISE_TYPES",
    "mnist_rows",
    "denoising_table",
    "denoise_quality_table",
    "denoise_sweep_levels",
    "denoise_sweep_table",
    "paper_findings",
    "extra_findings",
    "SECTION",
]
