"""Notebook 01, the baseline convolutional autoencoder on MNIST.

Its row of Table 3.2.1.1 (validation BCE against the paper's 0.0733), Figure 3.4.1 and
its loss curves. The claims that compare it with other experiments live with those
experiments (the dense bottlenecks in `latent`, denoising in `denoising`, deeper
filters in `improved`).
"""

from __future__ import annotations

from collections.abc import Mapping

from aelib.paper import PAPER_VALUES
from aereport.section import FurtherFigure, PaperFigure, Section
from aereport.verdicts import paper_row

__all__ = ["NOTEBOOK", "SECTION", "mnist_rows"]

NOTEBOOK = "01_baseline_autoencoder"


def mnist_rows(metrics: Mapping, *, statuses: Mapping[str, str] | None = None) -> list[dict]:
    """The baseline's row of Table 3.2.1.1 (see `aereport.layout`)."""
    return [
        paper_row(
            metrics,
            "mnist.baseline.val_bce",
            "Baseline Conv. Autoencoder",
            "bce",
            notebook=NOTEBOOK,
            paper=PAPER_VALUES["mnist.baseline.val_bce"],
            floor_id="mnist.test.entropy_floor",
            statuses=statuses,
            paper_note="High-fidelity reconstruction on clean digits.",
        )
    ]


SECTION = Section(
    name="baseline",
    notebook=NOTEBOOK,
    # The MNIST test set's entropy floor is written by several notebooks: it is
    # attributed to the first.
    metric_prefixes=("mnist.baseline.", "mnist.test."),
    mnist_rows=mnist_rows,
    figures=(PaperFigure("3.4.1", "fig_3_4_1.png"),),
    further_figures=(
        FurtherFigure("loss_curves.png", "Loss curves: baseline autoencoder", "training"),
    ),
    headline=(("mnist.baseline.val_bce", "Baseline autoencoder, val BCE", "bce"),),
)
