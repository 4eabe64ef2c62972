"""Notebook 05, Fashion-MNIST: the autoencoder, transfer learning and the CNN baseline.

- Table 3.2.2.1: reconstruction BCE, the transfer-learning accuracy with the frozen
  MNIST encoder, the CNN from scratch, and (dashed) the other reading of the head.
- Findings: transfer is close to the CNN; Fashion-MNIST is harder to reconstruct, and
  not only because of its entropy; beyond the paper, label efficiency (frozen,
  fine-tuned and Fashion-MNIST encoders against a CNN from scratch) and which head
  reading matches the paper.
- Beyond the paper: label efficiency (with its chart drawn from every seed), the
  transfer heads.
- Figure 3.4.5, the loss curves and confusion matrices.

Its parts: `tables` (the rows, their HTML and the chart drawn from the metrics),
`findings` (the claims checked against the seed spread) and, here, the `SECTION` that
puts them on the page.
"""

from __future__ import annotations

from aereport.section import (
    Analysis,
    Block,
    DrawnFigure,
    FurtherFigure,
    PaperFigure,
    Section,
)
from aereport.sections.fashion.findings import (
    extra_findings,
    paper_findings,
)
from aereport.sections.fashion.tables import (
    CLOSE_ACCURACY_POINTS,
    LABEL_EFF_METHODS,
    NOTEBOOK,
    _heads_html,
    _label_eff_html,
    _table_3_2_2_1_html,
    _table_3_2_2_1_rows,
    fashion_table,
    label_efficiency_png,
    label_efficiency_sizes,
    label_efficiency_table,
    transfer_heads_table,
)

SECTION = Section(
    name="fashion",
    notebook=NOTEBOOK,
    metric_prefixes=("fashion.",),
    results=(
        Block(
            "table-3-2-2-1",
            "Table 3.2.2.1: Fashion-MNIST reconstruction & classification",
            _table_3_2_2_1_html,
            level=2,
            toc="Table 3.2.2.1: Fashion-MNIST",
            rows=_table_3_2_2_1_rows,
        ),
    ),
    analyses=(
        Analysis(
            "label-efficiency",
            "Label efficiency: accuracy against the number of labels",
            _label_eff_html,
            finding_ids=(
                "transfer_reduces_labels",
                "fashion_encoder_beats_mnist",
                "finetune_beats_frozen",
            ),
            drawn=DrawnFigure(
                label_efficiency_png,
                "Label efficiency: accuracy curves",
                "Fashion-MNIST test accuracy against the number of labelled training images "
                "(log x axis), drawn by the report from the metrics of every seed: one line "
                "per method through the means; with several seeds a bar spans one standard "
                "deviation each side and each dot is one seed. The dashed lines are the "
                "paper's full-data accuracies, for reference.",
                replaces="label_efficiency.png",
            ),
            headline=(
                (
                    "fashion.label_eff.transfer.100.test_acc",
                    "100 labels: frozen MNIST encoder",
                    "acc",
                ),
                ("fashion.label_eff.scratch.100.test_acc", "100 labels: CNN from scratch", "acc"),
                (
                    "fashion.label_eff.finetune.60000.test_acc",
                    "60k labels: fine-tuned encoder",
                    "acc",
                ),
            ),
        ),
        Analysis(
            "transfer-heads",
            "Transfer head: which reading matches the paper",
            _heads_html,
            finding_ids=("transfer_head",),
        ),
    ),
    figures=(PaperFigure("3.4.5", "fig_3_4_5.png"),),
    further_figures=(
        FurtherFigure("loss_curves_ae.png", "Loss curves: Fashion-MNIST autoencoder", "training"),
        FurtherFigure(
            "loss_curves_classifiers.png",
            "Loss and accuracy curves: Fashion-MNIST classifiers",
            "training",
        ),
        FurtherFigure(
            "confusion_transfer.png",
            "Confusion matrix: transfer-learning classifier (test set)",
            "diagnostics",
            profiles="beyond",
        ),
        FurtherFigure(
            "confusion_cnn.png",
            "Confusion matrix: CNN from scratch (test set)",
            "diagnostics",
            profiles="beyond",
        ),
    ),
    paper_findings=paper_findings,
    extra_findings=extra_findings,
    # Which head the paper's transfer accuracy used (section 3.1 or 2.2.2(d), frozen or
    # fine-tuned encoder) is tested by one finding.
    readings={
        "fashion.transfer.dense10.test_acc": ("transfer_head",),
        "fashion.transfer.test_acc": ("transfer_head",),
    },
    headline=(
        ("fashion.ae.val_bce", "Fashion-MNIST autoencoder, val BCE", "bce"),
        ("fashion.transfer.test_acc", "Transfer, frozen encoder + Dense(10), test acc", "acc"),
        ("fashion.transfer.dense128.test_acc", "Transfer, Dense(128) head, test acc", "acc"),
        ("fashion.cnn.test_acc", "CNN from scratch, test acc", "acc"),
    ),
)

__all__ = [
    "NOTEBOOK",
    "CLOSE_ACCURACY_POINTS",
    "fashion_table",
    "LABEL_EFF_METHODS",
    "label_efficiency_sizes",
    "label_efficiency_table",
    "transfer_heads_table",
    "label_efficiency_png",
    "paper_findings",
    "extra_findings",
    "SECTION",
]
