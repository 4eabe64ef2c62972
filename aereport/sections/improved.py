"""Notebook 04, the improved (deeper) convolutional autoencoder, and anomaly detection.

- Table 3.2.1.1: the improved row; the claim that deeper filters reduce the error.
- Beyond the paper: its per-image reconstruction error as an anomaly score separating
  Fashion-MNIST images from MNIST digits (ROC AUC, with the ROC and the error
  histograms).
- Further figures: its reconstructions and loss curves.
"""

from __future__ import annotations

from collections.abc import Mapping

from aelib.paper import PAPER_VALUES
from aereport.format import esc, fail_link, stat_cell, table
from aereport.merge import stat
from aereport.section import Analysis, Context, FigureSpec, FurtherFigure, Section
from aereport.verdicts import (
    AGREES,
    DISAGREES,
    INCONCLUSIVE,
    NOT_RUN,
    finding,
    fmt_measure,
    fmt_paper,
    lower_than,
    measure,
    missing_ids,
    missing_verdict,
    paper_row,
)

__all__ = [
    "NOTEBOOK",
    "SECTION",
    "ANOMALY_AUC_AGREE",
    "ANOMALY_AUC_DISAGREE",
    "mnist_rows",
    "anomaly_table",
    "paper_findings",
    "extra_findings",
]

NOTEBOOK = "04_improved_autoencoder"

# Anomaly detection "works" at a ROC AUC of at least 0.9 (a common bar for a useful
# detector); below 0.7 it does not; in between the verdict is left open.
ANOMALY_AUC_AGREE = 0.9
ANOMALY_AUC_DISAGREE = 0.7


def mnist_rows(metrics: Mapping, *, statuses: Mapping[str, str] | None = None) -> list[dict]:
    """The improved autoencoder's row of Table 3.2.1.1 (see `aereport.layout`)."""
    return [
        paper_row(
            metrics,
            "mnist.improved.val_bce",
            "Improved Conv. Autoencoder",
            "bce",
            notebook=NOTEBOOK,
            paper=PAPER_VALUES["mnist.improved.val_bce"],
            floor_id="mnist.test.entropy_floor",
            statuses=statuses,
            paper_note="Deeper filters reduce reconstruction error.",
        )
    ]


def anomaly_table(metrics: Mapping, *, statuses: Mapping[str, str] | None = None) -> list[dict]:
    """Anomaly detection with the improved autoencoder (notebook 04).

    Rows (`stat` dicts plus `label` and `kind`): the ROC AUC of the per-image
    reconstruction BCE separating MNIST test digits (normal) from Fashion-MNIST test
    images (anomalous), and the mean per-image BCE of each set; `missing` as in
    `denoise_quality_table`.
    """
    missing = missing_verdict("04_improved_autoencoder", statuses)
    specs = (
        ("mnist.anomaly.auc", "ROC AUC (MNIST normal vs Fashion-MNIST anomalous)", "auc"),
        ("mnist.anomaly.mnist_error_mean", "Mean reconstruction BCE, MNIST test (normal)", "bce"),
        (
            "mnist.anomaly.fashion_error_mean",
            "Mean reconstruction BCE, Fashion-MNIST test (anomalies)",
            "bce",
        ),
    )
    return [
        {**stat(metrics, metric_id), "label": label, "kind": kind, "missing": missing}
        for metric_id, label, kind in specs
    ]


def _anomaly_html(ctx: Context) -> str:
    metrics, statuses = ctx.metrics, ctx.statuses
    rows = anomaly_table(metrics, statuses=statuses)
    body = [
        [
            (esc(r["label"]), "txt"),
            (
                stat_cell(r, r["kind"], r["missing"])
                + (fail_link("04_improved_autoencoder", statuses) if r["value"] is None else ""),
                "num",
            ),
        ]
        for r in rows
    ]
    return (
        table([("Quantity", ""), ("Measured", "")], body, table_id="tbl-anomaly")
        + '<p class="small">Score: the per-image reconstruction BCE of the MNIST-trained '
        "improved autoencoder; no Fashion-MNIST image or label is used to build it. An AUC "
        "of 0.5 is chance, 1.0 a perfect separation. Verdict thresholds: AUC &ge; "
        f"{ANOMALY_AUC_AGREE:g} agrees, below {ANOMALY_AUC_DISAGREE:g} disagrees.</p>"
    )


def _anomaly_detection(metrics: Mapping) -> dict:
    claim = (
        "Autoencoders serve anomaly detection: the MNIST-trained autoencoder's per-image "
        "reconstruction error separates Fashion-MNIST images (anomalies) from MNIST test "
        f"digits. Here: ROC AUC >= {ANOMALY_AUC_AGREE:g} agrees, below "
        f"{ANOMALY_AUC_DISAGREE:g} disagrees, in between inconclusive."
    )
    paper = (
        'Introduction: autoencoders "have evolved into powerful tools for feature '
        'extraction, anomaly detection, and data denoising"; not tested in the paper.'
    )
    auc = measure(metrics.get("mnist.anomaly.auc"))
    if auc is None:
        return finding(
            "anomaly_detection", claim, paper, missing_ids(metrics, ["mnist.anomaly.auc"]), NOT_RUN
        )
    near = [
        t
        for t in (ANOMALY_AUC_AGREE, ANOMALY_AUC_DISAGREE)
        if auc.std > 0 and abs(auc.mean - t) <= auc.std
    ]
    if near:
        verdict = INCONCLUSIVE
    elif auc.mean >= ANOMALY_AUC_AGREE:
        verdict = AGREES
    elif auc.mean < ANOMALY_AUC_DISAGREE:
        verdict = DISAGREES
    else:
        verdict = INCONCLUSIVE
    measured = f"ROC AUC {fmt_measure(auc)}."
    normal = measure(metrics.get("mnist.anomaly.mnist_error_mean"))
    anomalous = measure(metrics.get("mnist.anomaly.fashion_error_mean"))
    if normal is not None and anomalous is not None:
        measured += (
            f" Mean per-image BCE: MNIST {fmt_measure(normal)} vs Fashion-MNIST "
            f"{fmt_measure(anomalous)}"
        )
        if normal.mean > 0:
            measured += f" ({anomalous.mean / normal.mean:.1f}x)"
        measured += "."
    if near:
        measured += (
            " The seed spread straddles the threshold " + ", ".join(f"{t:g}" for t in near) + "."
        )
    return finding("anomaly_detection", claim, paper, measured, verdict)


def paper_findings(metrics: Mapping) -> list[dict]:
    """The paper's claim about deeper filters (see `aereport.sections`)."""
    return [
        lower_than(
            metrics,
            "deeper_filters_help",
            "Deeper convolutional filters reduce the reconstruction error: the improved "
            "autoencoder's loss is lower than the baseline's.",
            f"Improved {fmt_paper('mnist.improved.val_bce')} vs baseline "
            f"{fmt_paper('mnist.baseline.val_bce')} (Table 3.2.1.1 note).",
            "mnist.improved.val_bce",
            "mnist.baseline.val_bce",
            "Improved",
            "baseline",
        )
    ]


def extra_findings(metrics: Mapping) -> list[dict]:
    """Beyond the paper: anomaly detection."""
    return [_anomaly_detection(metrics)]


SECTION = Section(
    name="improved",
    notebook=NOTEBOOK,
    metric_prefixes=("mnist.improved.", "mnist.anomaly."),
    mnist_rows=mnist_rows,
    analyses=(
        Analysis(
            "anomaly",
            "Anomaly detection: digits against clothing",
            _anomaly_html,
            finding_ids=("anomaly_detection",),
            figures=(
                FigureSpec(
                    "anomaly_roc.png",
                    "Anomaly detection: ROC curve",
                    "ROC of the per-image reconstruction BCE as an anomaly score: MNIST test "
                    "digits normal, Fashion-MNIST test images anomalous; the diagonal is chance.",
                ),
                FigureSpec(
                    "anomaly_error_histograms.png",
                    "Anomaly detection: reconstruction errors",
                    "Histograms (log x axis) of the per-image reconstruction BCE of both test "
                    "sets; the less they overlap, the better the detector.",
                ),
            ),
            headline=(("mnist.anomaly.auc", "Anomaly detection ROC AUC", "auc"),),
        ),
    ),
    further_figures=(
        FurtherFigure("reconstructions.png", "Improved autoencoder: reconstructions", "samples"),
        FurtherFigure("loss_curves.png", "Loss curves: improved autoencoder", "training"),
    ),
    paper_findings=paper_findings,
    extra_findings=extra_findings,
    headline=(("mnist.improved.val_bce", "Improved autoencoder, val BCE", "bce"),),
)
