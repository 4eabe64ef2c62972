"""The findings of the `fashion` section: claims checked against the seed spread (see
the package)."""

from __future__ import annotations

from collections.abc import Mapping

from aelib.paper import PAPER_VALUES
from aereport.sections.fashion.tables import (
    CLOSE_ACCURACY_POINTS,
    LABEL_EFF_METHODS,
    label_efficiency_sizes,
)
from aereport.verdicts import (
    AGREES,
    DISAGREES,
    INCONCLUSIVE,
    NOT_RUN,
    Measure,
    combine,
    compare,
    finding,
    fmt_measure,
    fmt_paper,
    fmt_points,
    higher_verdict,
    lower_than,
    measure,
    missing_ids,
)

# -------------------------------------------------------------------------- findings


def _transfer_close(metrics: Mapping) -> dict:
    paper_gap = 100 * (
        PAPER_VALUES["fashion.cnn.test_acc"] - PAPER_VALUES["fashion.transfer.test_acc"]
    )
    claim = (
        "Transfer learning with the frozen MNIST encoder reaches an accuracy close to a "
        f"CNN trained from scratch on Fashion-MNIST (here: within "
        f"{CLOSE_ACCURACY_POINTS:g} points, as the paper's own {paper_gap:.2f}-point gap)."
    )
    paper = (
        f"Transfer {fmt_paper('fashion.transfer.test_acc', 'acc')} vs CNN "
        f"{fmt_paper('fashion.cnn.test_acc', 'acc')}: gap {paper_gap:.2f} points, "
        'called "close" (section 4.1, item 4).'
    )
    transfer_id = _transfer_row_id(metrics)
    transfer = measure(metrics.get(transfer_id))
    cnn = measure(metrics.get("fashion.cnn.test_acc"))
    if transfer is None or cnn is None:
        return finding(
            "transfer_close_to_cnn",
            claim,
            paper,
            missing_ids(metrics, [transfer_id, "fashion.cnn.test_acc"]),
            NOT_RUN,
        )
    gap = (cnn - transfer).scaled(100)  # in points, positive when the CNN is better
    distance_to_limit = abs(gap.mean) - CLOSE_ACCURACY_POINTS
    if gap.std > 0 and abs(distance_to_limit) <= gap.std:
        verdict = INCONCLUSIVE
    else:
        verdict = AGREES if distance_to_limit <= 0 else DISAGREES
    measured = (
        f"Transfer (Dense(10) head) {fmt_measure(transfer, 'acc')} vs CNN "
        f"{fmt_measure(cnn, 'acc')}: "
        f"gap {gap.mean:.2f}"
        + (f" ± {gap.std:.2f}" if gap.std > 0 else "")
        + " points (CNN minus transfer)."
    )
    dense128 = measure(metrics.get("fashion.transfer.dense128.test_acc"))
    if dense128 is not None:
        measured += (
            f" With the Dense(128) head: {fmt_measure(dense128, 'acc')}, gap "
            f"{100 * (cnn.mean - dense128.mean):.2f} points."
        )
    return finding("transfer_close_to_cnn", claim, paper, measured, verdict)


def _mnist_reference(metrics: Mapping) -> tuple[str, str]:
    """The MNIST loss to compare Fashion with: the same (improved) architecture if it ran."""
    if measure(metrics.get("mnist.improved.val_bce")) is not None:
        return "mnist.improved.val_bce", "MNIST (improved AE)"
    return "mnist.baseline.val_bce", "MNIST (baseline AE)"


def _fashion_higher_bce(metrics: Mapping) -> dict:
    mnist_id, mnist_label = _mnist_reference(metrics)
    claim = "Fashion-MNIST is harder to reconstruct: the autoencoder's BCE is higher than on MNIST."
    paper = (
        f"Fashion {fmt_paper('fashion.ae.val_bce')} vs MNIST improved "
        f"{fmt_paper('mnist.improved.val_bce')} (section 4.1, item 5)."
    )
    return lower_than(
        metrics,
        "fashion_higher_bce",
        claim,
        paper,
        mnist_id,
        "fashion.ae.val_bce",
        mnist_label,
        "Fashion-MNIST",
    )


def _fashion_model_worse(metrics: Mapping) -> dict:
    mnist_id, mnist_label = _mnist_reference(metrics)
    claim = (
        "The higher Fashion-MNIST loss reflects a model that captures clothing less well, "
        "not only images with more grey pixels: the excess over each dataset's entropy "
        "floor is also higher on Fashion-MNIST."
    )
    fashion = measure(metrics.get("fashion.ae.val_bce"))
    mnist = measure(metrics.get(mnist_id))
    f_floor = measure(metrics.get("fashion.test.entropy_floor"))
    m_floor = measure(metrics.get("mnist.test.entropy_floor"))
    paper = (
        'Attributed to "the complexity of clothing items" (section 4.1, item 5); the '
        "paper does not separate the data's own entropy from the model's error."
    )
    if f_floor is not None and m_floor is not None:
        paper_f = PAPER_VALUES["fashion.ae.val_bce"] - f_floor.mean
        paper_m = PAPER_VALUES["mnist.improved.val_bce"] - m_floor.mean
        paper += (
            f" With our floors its excesses would be Fashion {paper_f:.4f} vs MNIST {paper_m:.4f}."
        )
    ids = ["fashion.ae.val_bce", mnist_id, "fashion.test.entropy_floor", "mnist.test.entropy_floor"]
    if None in (fashion, mnist, f_floor, m_floor):
        return finding("fashion_model_worse", claim, paper, missing_ids(metrics, ids), NOT_RUN)
    f_excess, m_excess = fashion - f_floor, mnist - m_floor
    outcome = compare(m_excess, f_excess)
    verdict = {"lower": AGREES, "higher": DISAGREES}.get(outcome, INCONCLUSIVE)
    bce_gap = fashion.mean - mnist.mean
    floor_gap = f_floor.mean - m_floor.mean
    measured = (
        f"Excess over floor: Fashion {fmt_measure(f_excess)} (BCE {fmt_measure(fashion)} - "
        f"floor {fmt_measure(f_floor)}) vs {mnist_label} {fmt_measure(m_excess)} (BCE "
        f"{fmt_measure(mnist)} - floor {fmt_measure(m_floor)})."
    )
    if bce_gap > 0:
        share = min(max(floor_gap / bce_gap, 0.0), 1.0)
        measured += (
            f" The floors differ by {floor_gap:.4f}, {100 * share:.0f}% of the "
            f"{bce_gap:.4f} BCE gap."
        )
    return finding("fashion_model_worse", claim, paper, measured, verdict)


def _label_pairs(metrics: Mapping, a: str, b: str) -> list[tuple[int, Measure, Measure]]:
    pairs = []
    for n in label_efficiency_sizes(metrics):
        ma = measure(metrics.get(f"fashion.label_eff.{a}.{n}.test_acc"))
        mb = measure(metrics.get(f"fashion.label_eff.{b}.{n}.test_acc"))
        if ma is not None and mb is not None:
            pairs.append((n, ma, mb))
    return pairs


def _label_parts(pairs, a_label: str, b_label: str) -> str:
    return "; ".join(
        f"n={n:,}: {a_label} {fmt_measure(a, 'acc')} vs {b_label} {fmt_measure(b, 'acc')} "
        f"({fmt_points(a - b)})"
        for n, a, b in pairs
    )


def _transfer_reduces_labels(metrics: Mapping) -> dict:
    claim = (
        "Transfer learning reduces the need for labelled data: with few labels the frozen "
        "MNIST encoder is more accurate than the same CNN trained from scratch (judged at "
        "the smallest label set)."
    )
    paper = (
        'Introduction and section 4.1, item 4: features from autoencoders reduce "the '
        'need for large, labeled datasets"; the paper trained with all 60,000 labels only.'
    )
    pairs = _label_pairs(metrics, "transfer", "scratch")
    if not pairs:
        return finding(
            "transfer_reduces_labels",
            claim,
            paper,
            "No label-efficiency results for the frozen MNIST encoder and the CNN "
            "from scratch (fashion.label_eff.*).",
            NOT_RUN,
        )
    names = (LABEL_EFF_METHODS["transfer"], "scratch")
    measured = _label_parts(pairs, *names) + "."
    outcomes = [compare(a, b) for _, a, b in pairs]
    verdict = {"higher": AGREES, "lower": DISAGREES}.get(outcomes[0], INCONCLUSIVE)
    if outcomes[0] == "lower":
        measured += (
            f" The CNN from scratch is already ahead at the smallest size, n={pairs[0][0]:,}."
        )
    else:
        later = next(
            (n for (n, _, _), o in zip(pairs, outcomes, strict=True) if o == "lower"), None
        )
        if later is not None:
            measured += f" The CNN from scratch overtakes the frozen encoder at n={later:,}."
        else:
            measured += (
                " The CNN from scratch does not overtake the frozen encoder up to "
                f"n={pairs[-1][0]:,}."
            )
    return finding("transfer_reduces_labels", claim, paper, measured, verdict)


def _per_size_claim(
    metrics: Mapping, claim_id: str, claim: str, paper: str, a: str, b: str
) -> dict:
    """ "Method `a` is more accurate than method `b` at every label-set size"."""
    pairs = _label_pairs(metrics, a, b)
    if not pairs:
        return finding(
            claim_id,
            claim,
            paper,
            f"No label-efficiency results for both {LABEL_EFF_METHODS[a]} and "
            f"{LABEL_EFF_METHODS[b]} (fashion.label_eff.*).",
            NOT_RUN,
        )
    outcomes = [higher_verdict(x, y) for _, x, y in pairs]
    measured = _label_parts(pairs, LABEL_EFF_METHODS[a], LABEL_EFF_METHODS[b]) + "."
    losses = [f"n={n:,}" for (n, _, _), o in zip(pairs, outcomes, strict=True) if o == DISAGREES]
    unclear = [
        f"n={n:,}" for (n, _, _), o in zip(pairs, outcomes, strict=True) if o == INCONCLUSIVE
    ]
    if losses:
        measured += f" The {LABEL_EFF_METHODS[b]} is ahead at " + ", ".join(losses) + "."
    if unclear:
        measured += " Within the seed spread at " + ", ".join(unclear) + "."
    return finding(claim_id, claim, paper, measured, combine(outcomes))


def _transfer_row_id(metrics: Mapping) -> str:
    """The id of Table 3.2.2.1's transfer row: the Dense(10) head, or the older plain id."""
    dense10_id = "fashion.transfer.dense10.test_acc"
    return (
        dense10_id if measure(metrics.get(dense10_id)) is not None else "fashion.transfer.test_acc"
    )


def _transfer_head(metrics: Mapping) -> dict:
    target = PAPER_VALUES["fashion.transfer.test_acc"]
    claim = (
        "The paper's transfer accuracy comes from the section 3.1 head (Flatten -> "
        "Dense(10, softmax)): that reading lands closer to the paper's value than the "
        "section 2.2.2(d) reading (Dense(128) -> softmax)."
    )
    paper = (
        f"Transfer learning {fmt_paper('fashion.transfer.test_acc', 'acc')} (Table 3.2.2.1); "
        "section 3.1 appends Flatten -> Dense(10, softmax), section 2.2.2(d) a Dense "
        "layer then softmax."
    )
    dense10_id = _transfer_row_id(metrics)
    d10 = measure(metrics.get(dense10_id))
    d128 = measure(metrics.get("fashion.transfer.dense128.test_acc"))
    if d10 is None or d128 is None:
        return finding(
            "transfer_head",
            claim,
            paper,
            missing_ids(metrics, [dense10_id, "fashion.transfer.dense128.test_acc"]),
            NOT_RUN,
        )
    miss10 = Measure(abs(d10.mean - target), d10.std, d10.n)
    miss128 = Measure(abs(d128.mean - target), d128.std, d128.n)
    verdict = {"lower": AGREES, "higher": DISAGREES}.get(compare(miss10, miss128), INCONCLUSIVE)
    closer = "Dense(10)" if miss10.mean < miss128.mean else "Dense(128)"
    measured = (
        f"Dense(10) head {fmt_measure(d10, 'acc')} misses the paper by "
        f"{100 * miss10.mean:.2f} points ({100 * (d10.mean - target):+.2f}); "
        f"Dense(128) head {fmt_measure(d128, 'acc')} by {100 * miss128.mean:.2f} points "
        f"({100 * (d128.mean - target):+.2f}). The {closer} reading is closer by "
        f"{100 * abs(miss10.mean - miss128.mean):.2f} points."
    )
    # Section 3.1 also says the model is "fine-tuned on Fashion-MNIST": the label-
    # efficiency study trains the Dense(10) model with the encoder unfrozen, on all labels.
    sizes = [
        int(key.split(".")[3])
        for key in metrics
        if key.startswith("fashion.label_eff.finetune.") and key.split(".")[3].isdigit()
    ]
    finetuned = (
        measure(metrics.get(f"fashion.label_eff.finetune.{max(sizes)}.test_acc")) if sizes else None
    )
    if finetuned is not None:
        measured += (
            f' Read as fine-tuning the whole encoder (section 3.1: "fine-tune on '
            f'Fashion-MNIST"), the same Dense(10) model with the encoder unfrozen reaches '
            f"{fmt_measure(finetuned, 'acc')} on {max(sizes):,} labels, "
            f"{100 * (finetuned.mean - target):+.2f} points from the paper."
        )
    return finding("transfer_head", claim, paper, measured, verdict)


def paper_findings(metrics: Mapping) -> list[dict]:
    """The paper's claims about Fashion-MNIST (see `aereport.sections`)."""
    return [
        _transfer_close(metrics),
        _fashion_higher_bce(metrics),
        _fashion_model_worse(metrics),
    ]


def extra_findings(metrics: Mapping) -> list[dict]:
    """Beyond the paper: label efficiency and the transfer head."""
    return [
        _transfer_reduces_labels(metrics),
        _per_size_claim(
            metrics,
            "fashion_encoder_beats_mnist",
            "Pretraining on the target images helps more than transferring MNIST features: "
            "a frozen encoder from a Fashion-MNIST autoencoder (trained without labels) beats "
            "the frozen MNIST encoder at every label-set size.",
            "Not tested: the paper transfers only the MNIST encoder (section 3.1).",
            "fashion_encoder",
            "transfer",
        ),
        _per_size_claim(
            metrics,
            "finetune_beats_frozen",
            "Fine-tuning the MNIST encoder beats keeping it frozen, at every label-set size.",
            "Not tested: the paper keeps the encoder frozen (section 3.1).",
            "finetune",
            "transfer",
        ),
        _transfer_head(metrics),
    ]
