"""The findings of the `latent` section: claims checked against the seed spread (see
the package)."""

from __future__ import annotations

from collections.abc import Mapping

from aelib.outputs import metric_ids
from aelib.paper import PAPER_VALUES
from aereport.merge import instances, summarize
from aereport.sections.latent.tables import (
    LATENT2_DESIGNS,
    LATENT_SIZES,
    latent2_designs_table,
)
from aereport.verdicts import (
    AGREES,
    BCE_TOLERANCE,
    DISAGREES,
    INCONCLUSIVE,
    NOT_RUN,
    Measure,
    combine,
    compare,
    finding,
    fmt_measure,
    fmt_paper,
    fmt_signed,
    measure,
    missing_ids,
)

# -------------------------------------------------------------------------- findings


def _conv_beats_dense(metrics: Mapping) -> dict:
    claim = (
        "The convolutional autoencoder reconstructs MNIST better (lower BCE) than the "
        "dense-bottleneck autoencoders."
    )
    paper = (
        f"Baseline conv. {fmt_paper('mnist.baseline.val_bce')} vs dense bottleneck d=16 "
        f"{fmt_paper('mnist.latent_16.val_bce')} and d=2 {fmt_paper('mnist.latent_2.val_bce')}"
        " (Table 3.2.1.1; abstract)."
    )
    baseline = measure(metrics.get("mnist.baseline.val_bce"))
    dense = {d: measure(metrics.get(f"mnist.latent_{d}.val_bce")) for d in LATENT_SIZES}
    dense = {d: m for d, m in dense.items() if m is not None}
    if baseline is None or not dense:
        ids = ["mnist.baseline.val_bce"] + [f"mnist.latent_{d}.val_bce" for d in LATENT_SIZES]
        return finding(
            "conv_beats_dense",
            claim,
            paper,
            missing_ids(metrics, ids) or "Missing values.",
            NOT_RUN,
        )
    parts, outcomes, beaten_by = [], [], []
    for d, m in dense.items():
        outcome = compare(baseline, m)
        parts.append(
            f"d={d} {fmt_measure(m)} (baseline minus dense: {fmt_signed(baseline.mean - m.mean)})"
        )
        if outcome == "lower":
            outcomes.append(AGREES)
        elif outcome == "higher":
            outcomes.append(DISAGREES)
            beaten_by.append(f"d={d}")
        else:
            outcomes.append(INCONCLUSIVE)
    measured = f"Baseline conv. {fmt_measure(baseline)}; dense: " + "; ".join(parts) + "."
    if beaten_by:
        measured += " The baseline is beaten by the dense bottleneck " + ", ".join(beaten_by) + "."
    return finding("conv_beats_dense", claim, paper, measured, combine(outcomes))


def _smaller_latent_higher_loss(metrics: Mapping) -> dict:
    claim = "A smaller latent dimension gives a higher reconstruction loss (monotone in d)."
    paper = (
        f"d=2 {fmt_paper('mnist.latent_2.val_bce')} > d=16 "
        f"{fmt_paper('mnist.latent_16.val_bce')} (section 4.1, item 2); d=8 and d=32 "
        "were not reported."
    )
    sizes = {d: measure(metrics.get(f"mnist.latent_{d}.val_bce")) for d in LATENT_SIZES}
    sizes = {d: m for d, m in sorted(sizes.items()) if m is not None}
    if len(sizes) < 2:
        ids = [f"mnist.latent_{d}.val_bce" for d in LATENT_SIZES]
        return finding(
            "smaller_latent_higher_loss",
            claim,
            paper,
            "Fewer than two latent sizes ran. " + missing_ids(metrics, ids),
            NOT_RUN,
        )
    ds = list(sizes)
    outcomes, violations, unclear = [], [], []
    for small, large in zip(ds, ds[1:], strict=False):
        outcome = compare(sizes[small], sizes[large])
        if outcome == "higher":
            outcomes.append(AGREES)
        elif outcome == "lower":
            outcomes.append(DISAGREES)
            violations.append(
                f"d={small} {fmt_measure(sizes[small])} is lower than d={large} "
                f"{fmt_measure(sizes[large])}"
            )
        else:
            outcomes.append(INCONCLUSIVE)
            unclear.append(f"d={small} vs d={large}")
    measured = "; ".join(f"d={d} {fmt_measure(m)}" for d, m in sizes.items()) + "."
    if violations:
        measured += " Not monotone: " + "; ".join(violations) + "."
    if unclear:
        measured += " Within the seed spread: " + ", ".join(unclear) + "."
    return finding("smaller_latent_higher_loss", claim, paper, measured, combine(outcomes))


def _ae_beats_pca(metrics: Mapping) -> dict:
    claim = (
        "A nonlinear autoencoder beats PCA at the same code size (Hinton & "
        "Salakhutdinov 2006): its validation BCE is lower than that of a d-component "
        "PCA reconstruction at every latent size d that ran."
    )
    paper = (
        "Not tested in the paper; it cites Hinton & Salakhutdinov (2006) [4], who "
        "showed deep autoencoders reconstructing better than PCA with the same code size."
    )
    pca = {found["d"] for found in instances(metric_ids.PCA_VAL_BCE, metrics)}
    sizes = sorted(set(LATENT_SIZES) | pca)
    parts, outcomes, fails, unclear = [], [], [], []
    for d in sizes:
        ae = measure(metrics.get(f"mnist.latent_{d}.val_bce"))
        pca = measure(metrics.get(f"mnist.pca_{d}.val_bce"))
        if ae is None or pca is None:
            continue
        outcome = compare(ae, pca)
        text = (
            f"d={d}: AE {fmt_measure(ae)} vs PCA {fmt_measure(pca)} "
            f"(AE minus PCA {fmt_signed(ae.mean - pca.mean)})"
        )
        ae_mse = measure(metrics.get(f"mnist.latent_{d}.mse"))
        pca_mse = measure(metrics.get(f"mnist.pca_{d}.mse"))
        if ae_mse is not None and pca_mse is not None:
            text += f", MSE {ae_mse.mean:.4f} vs {pca_mse.mean:.4f}"
        parts.append(text)
        if outcome == "lower":
            outcomes.append(AGREES)
        elif outcome == "higher":
            outcomes.append(DISAGREES)
            fails.append(f"d={d}")
        else:
            outcomes.append(INCONCLUSIVE)
            unclear.append(f"d={d}")
    if not parts:
        ids = [f"mnist.latent_{d}.val_bce" for d in LATENT_SIZES] + [
            f"mnist.pca_{d}.val_bce" for d in LATENT_SIZES
        ]
        return finding(
            "ae_beats_pca",
            claim,
            paper,
            "No latent size with both an autoencoder and a PCA BCE. " + missing_ids(metrics, ids),
            NOT_RUN,
        )
    measured = "; ".join(parts) + "."
    if fails:
        measured += " PCA reconstructs better at " + ", ".join(fails) + "."
    if unclear:
        measured += " Within the seed spread: " + ", ".join(unclear) + "."
    return finding("ae_beats_pca", claim, paper, measured, combine(outcomes))


def _latent2_designs(metrics: Mapping) -> dict:
    target = PAPER_VALUES["mnist.latent_2.val_bce"]
    claim = (
        f"The paper's d = 2 loss ({target:.4f}) is reachable with a dense bottleneck: "
        f"at least one design of the 2-unit bottleneck reaches it (at most "
        f"{BCE_TOLERANCE} above it)."
    )
    paper = (
        f"Latent Dim = 2 -> loss {target:.4f} (note to Table 3.2.1.1); the paper says "
        'only "dense bottleneck", not which layers surround the code.'
    )
    designs = []
    for row in latent2_designs_table(metrics):
        if row["value"] is None:
            continue
        designs.append((row, Measure(row["value"], row["std"] or 0.0, row["n_seeds"])))
    if not designs:
        ids = [spec[3] for spec in LATENT2_DESIGNS]
        return finding("latent2_designs", claim, paper, missing_ids(metrics, ids), NOT_RUN)
    parts, reached, unclear = [], [], []
    for row, m in designs:
        params = f", {row['params']:,.0f} parameters" if row["params"] is not None else ""
        parts.append(
            f"{row['experiment']} {fmt_measure(m)} "
            f"({fmt_signed(m.mean - target)} vs the paper{params})"
        )
        margin = m.mean - target - BCE_TOLERANCE
        if m.std > 0 and abs(margin) <= m.std:
            unclear.append(row["experiment"])
        elif margin <= 1e-12:
            reached.append(row["experiment"])
    verdict = AGREES if reached else (INCONCLUSIVE if unclear else DISAGREES)
    measured = "; ".join(parts) + "."
    if reached:
        measured += " Within reach: " + ", ".join(reached) + "."
    else:
        best_row, best = min(designs, key=lambda item: item[1].mean)
        measured += (
            f" No design reaches the paper; the best, {best_row['experiment']}, "
            f"is {best.mean - target:.4f} above it."
        )
    plain = next((item for item in designs if item[0]["design"] == "plain"), None)
    sized = [item for item in designs if item[0]["params"] is not None]
    if plain is not None and sized:
        largest_row, largest = max(sized, key=lambda item: item[0]["params"])
        gap = plain[1].mean - target
        if largest_row["design"] == "plain":
            pass
        elif gap > 0:
            closed = (plain[1].mean - largest.mean) / gap
            name = (
                f"The largest design, {largest_row['experiment']} "
                f"({largest_row['params']:,.0f} parameters),"
            )
            if closed >= 0.005:
                measured += (
                    f" {name} closes {100 * closed:.0f}% of the {gap:.4f} gap "
                    "between the plain design and the paper."
                )
            else:
                measured += (
                    f" {name} closes none of the {gap:.4f} gap between the plain "
                    f"design and the paper ({fmt_signed(largest.mean - plain[1].mean)} "
                    "vs the plain design)."
                )
        else:
            measured += (
                f" The plain design is already at or below the paper's value ({fmt_signed(gap)})."
            )
    drop = measure(metrics.get("mnist.latent_2.last_epoch_drop"))
    if drop is not None:
        epochs = summarize(metrics.get("mnist.latent_2.epochs"))[0]
        at = f"at epoch {epochs:.0f}" if epochs is not None else "at the last epoch"
        if drop.std > 0 and abs(drop.mean) <= drop.std:
            measured += (
                f" The sweep's d = 2 loss changed by {drop.mean:+.4f} ± "
                f"{drop.std:.4f} over the last epoch: not clearly still falling {at}."
            )
        elif drop.mean > 0:
            measured += (
                f" The sweep's d = 2 loss was still falling {at} (down {drop.mean:.4f}"
                " over the last epoch): more epochs would lower it further."
            )
        else:
            measured += (
                f" The sweep's d = 2 loss had stopped falling {at} (last-epoch "
                f"change {-drop.mean:+.4f})."
            )
    return finding("latent2_designs", claim, paper, measured, verdict)


def paper_findings(metrics: Mapping) -> list[dict]:
    """The paper's claims about the dense bottlenecks (see `aereport.sections`)."""
    return [_conv_beats_dense(metrics), _smaller_latent_higher_loss(metrics)]


def extra_findings(metrics: Mapping) -> list[dict]:
    """Beyond the paper: against PCA, and the d = 2 designs."""
    return [_ae_beats_pca(metrics), _latent2_designs(metrics)]
