"""Notebook 08, beyond the paper: adversarial robustness and a search of the code size.

The paper names adversarial training and a systematic tuning of the latent size only as
future work (section 5.2); the `paper` profile does not run this notebook, and its
analyses then say "not run".

- Robustness: notebook 03's denoiser and an adversarially trained one under Gaussian,
  salt-and-pepper, random sign noise and PGD; findings: adversarial training helps on
  each kind of corruption, the worst case is worse than random noise.
- The denoiser as a defence of notebook 05's CNN: ART's FGSM and PGD, blind and adaptive;
  findings: the defence holds against the adaptive attack, the blind attack overstates
  it, this library's PGD agrees with ART's.
- The search: Optuna's Pareto front of validation BCE against code size, its knee and the
  linear-probe accuracy along it (a chart drawn from every seed, with notebook 02's
  sweep); findings: 16 is the knee, reconstruction and classification prefer the same
  size.

Its parts: `tables` (the rows, their HTML and the chart drawn from the metrics),
`findings` (the claims checked against the seed spread) and, here, the `SECTION`.
"""

from __future__ import annotations

from aereport.section import Analysis, DrawnFigure, FigureSpec, Section
from aereport.sections.robustness.findings import extra_findings
from aereport.sections.robustness.tables import (
    NOTEBOOK,
    _defence_html,
    _denoisers_html,
    _search_html,
    defence_table,
    denoiser_table,
    search_png,
    search_table,
)

SECTION = Section(
    name="robustness",
    notebook=NOTEBOOK,
    metric_prefixes=("mnist.robust", "mnist.defence", "mnist.search", "fashion.search"),
    analyses=(
        Analysis(
            "robust-denoisers",
            "Robustness: the denoiser under worst-case inputs, and adversarial training",
            _denoisers_html,
            finding_ids=(
                "robust_adv_gaussian",
                "robust_adv_salt_pepper",
                "robust_adv_pgd",
                "robust_worst_case",
            ),
            figures=(
                FigureSpec(
                    "robust_denoisers.png",
                    "Denoisers under PGD and random sign noise of the same norm",
                    "Reconstruction BCE against the L-infinity radius (first seed): solid, each "
                    "model's own PGD worst case; dashed, random sign noise; dotted, the entropy "
                    "floor.",
                ),
            ),
            headline=(
                ("mnist.robust.standard.pgd_100.bce", "Denoiser, PGD ε = 0.1, BCE", "bce"),
                (
                    "mnist.robust.adversarial.pgd_100.bce",
                    "Adversarially trained denoiser, PGD ε = 0.1, BCE",
                    "bce",
                ),
                (
                    "mnist.robust.standard.gaussian_400.bce",
                    "Denoiser (nb 08), Gaussian, BCE",
                    "bce",
                ),
            ),
        ),
        Analysis(
            "robust-defence",
            "Robustness: the denoiser as a defence of a classifier",
            _defence_html,
            finding_ids=("robust_defence", "robust_blind_overstates", "robust_pgd_matches_art"),
            headline=(
                ("mnist.defence.none.pgd_100.acc", "CNN under PGD ε = 0.1, accuracy", "acc"),
                (
                    "mnist.defence.standard.pgd_100.acc",
                    "CNN behind the denoiser, adaptive PGD ε = 0.1",
                    "acc",
                ),
            ),
        ),
        Analysis(
            "latent-search",
            "A systematic search of the code size (Optuna)",
            _search_html,
            finding_ids=("search_sixteen_balanced", "search_same_size"),
            drawn=DrawnFigure(
                search_png,
                "Validation BCE against code size: the searches' Pareto fronts",
                "Drawn by the report from the metrics of every seed: the front points of all "
                "seeds pooled per code size (a dot per seed and a bar of one standard deviation "
                "where several seeds have that size), notebook 02's architecture under the "
                "same protocol, notebook 02's own sweep (10 epochs on all 60,000 images, test "
                "BCE: a different protocol, so lower), the entropy floor of the held-out images "
                "and each seed's knee.",
                replaces="",
            ),
            headline=(
                ("mnist.search.knee_d", "Search (MNIST): knee of the front, d", "ratio"),
                ("fashion.search.knee_d", "Search (Fashion): knee of the front, d", "ratio"),
            ),
        ),
    ),
    extra_findings=extra_findings,
    page_only=(
        "robust_examples.png",
        "robust_classifier.png",
        "loss_curves.png",
        *(f"search_front_{prefix}.png" for prefix in ("mnist", "fashion")),
    ),
)

__all__ = [
    "NOTEBOOK",
    "denoiser_table",
    "defence_table",
    "search_table",
    "search_png",
    "extra_findings",
    "SECTION",
]
