"""The report's sections, one module per experiment of the paper or analysis group.

Each module holds one experiment's tables, findings, figures and prose, and exposes
them as `SECTION` (an `aereport.section.Section`); `SECTIONS` lists them in the
order the page shows them. To add an experiment, write `sections/<name>.py` with its
`SECTION` and add it to `SECTIONS`: the layout, the contents, the findings table, the
figures and the seed table pick it up from there.

- `baseline`: notebook 01, the baseline row of Table 3.2.1.1, Figure 3.4.1.
- `latent`: notebook 02, the latent-size sweep, its rows of Table 3.2.1.1, the PCA
  comparison, the d = 2 bottleneck designs, Figures 3.4.2 and 3.4.6.
- `denoising`: notebook 03, the denoising row, the per-noise table, PSNR/SSIM against
  classical filters and across noise strengths, Figures 3.4.3 and 3.4.4.
- `improved`: notebook 04, the improved autoencoder's row and anomaly detection.
- `fashion`: notebook 05, Table 3.2.2.1, label efficiency, the transfer heads,
  Figure 3.4.5.
- `vae`: notebook 06, beyond the paper (its future scope, section 5.2): a variational
  autoencoder against the plain one, its likelihood, reconstruction and samples.
- `generative`: notebook 07, beyond the paper (section 5.2): a GAN, the VAE and the
  autoencoder with fitted samplers judged in one feature space, whether longer training
  changes the verdicts, and synthetic against classical augmentation with few labels.
- `robustness`: notebook 08, beyond the paper (section 5.2): the denoiser under worst-case
  inputs, adversarial training, the denoiser as a classifier's defence, and an Optuna
  search of the code size.
- `seed_spread`: every metric under every seed (all notebooks).
"""

from __future__ import annotations

from collections.abc import Mapping

from aereport.section import Section
from aereport.sections import (
    baseline,
    denoising,
    fashion,
    generative,
    improved,
    latent,
    robustness,
    seed_spread,
    vae,
)

__all__ = [
    "SECTIONS",
    "NOTEBOOKS",
    "notebook_for_metric",
    "headline_metrics",
    "paper_findings",
    "extra_findings",
    "findings",
]

SECTIONS: tuple[Section, ...] = (
    baseline.SECTION,
    latent.SECTION,
    denoising.SECTION,
    improved.SECTION,
    fashion.SECTION,
    vae.SECTION,
    generative.SECTION,
    robustness.SECTION,
    seed_spread.SECTION,
)

NOTEBOOKS: tuple[str, ...] = tuple(s.notebook for s in SECTIONS if s.notebook)


def notebook_for_metric(metric_id: str) -> str | None:
    """The notebook that writes `metric_id` (None if the id is unknown).

    The section with the longest matching prefix wins (`fashion.vae_16.kl` is notebook
    06's, `fashion.ae.val_bce` notebook 05's); among equally long ones, the first. The
    entropy floors are written by several notebooks; they are attributed to the first
    notebook of their dataset.
    """
    best, best_length = None, -1
    for section in SECTIONS:
        for prefix in section.metric_prefixes:
            if metric_id.startswith(prefix) and len(prefix) > best_length:
                best, best_length = section.notebook, len(prefix)
    return best


def headline_metrics() -> tuple[tuple[str, str, str], ...]:
    """(metric id, label, kind) of the seed table's first rows: the numbers of the
    paper's tables (each section's `headline`), then the main answers of the analyses
    beyond it (each analysis's `headline`)."""
    return tuple(m for s in SECTIONS for m in s.headline) + tuple(
        m for s in SECTIONS for a in s.analyses for m in a.headline
    )


def paper_findings(metrics: Mapping) -> list[dict]:
    """Each claim of the paper's chapter 4 (and table notes) next to our measurement.

    Args:
        metrics: merged metrics, id -> number or list of numbers (one per seed).

    Returns:
        A list of dicts with keys `id`, `claim`, `paper` (the paper's numbers, from
        `aelib.paper`), `measured` (our numbers, as text) and `verdict`: "agrees",
        "disagrees", "inconclusive" (a difference within the seed spread) or
        "not run" (a value it needs is missing); each section's, in section order.
    """
    return [f for s in SECTIONS if s.paper_findings for f in s.paper_findings(metrics)]


def extra_findings(metrics: Mapping) -> list[dict]:
    """Checks of experiments the paper did not run (PCA, d = 2 designs, image quality,
    anomaly detection, label efficiency, the transfer head); same schema as `findings`."""
    return [f for s in SECTIONS if s.extra_findings for f in s.extra_findings(metrics)]


def findings(metrics: Mapping) -> list[dict]:
    """`paper_findings` (the paper's own claims) followed by `extra_findings`."""
    return paper_findings(metrics) + extra_findings(metrics)
