"""The paper's claims (chapter 4 and the table notes) checked against our measurements.

Every verdict is computed from the merged metrics; nothing here is typed in by hand
except the wording of the claims. A metric value may be a number or a list of numbers
(one per seed). With lists, a comparison uses mean +/- standard deviation and a
difference no larger than the combined spread, sqrt(std_a**2 + std_b**2), is called
"inconclusive"; with single numbers every difference counts (there is no spread to
judge it by, which the "measured" text makes visible by showing no +/-).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from aelib.paper import PAPER_VALUES
from aelib.report.tables import LATENT_SIZES, summarize

__all__ = [
    "AGREES",
    "DISAGREES",
    "INCONCLUSIVE",
    "NOT_RUN",
    "CLOSE_ACCURACY_POINTS",
    "DENOISE_EXCESS_FRACTION",
    "Measure",
    "measure",
    "compare",
    "findings",
]

AGREES = "agrees"
DISAGREES = "disagrees"
INCONCLUSIVE = "inconclusive"
NOT_RUN = "not run"

# "Close" accuracy: the paper calls its 1.93-point gap (90.90% vs 88.97%) close; we use
# 2 points, the smallest round number that admits the paper's own gap.
CLOSE_ACCURACY_POINTS = 2.0

# "Recovers the digits": the denoised output keeps at most this fraction of the noisy
# input's excess over the entropy floor, i.e. removes at least half the avoidable error.
DENOISE_EXCESS_FRACTION = 0.5


@dataclass(frozen=True)
class Measure:
    """A measured quantity: mean, standard deviation over seeds (0 for one run), count."""

    mean: float
    std: float = 0.0
    n: int = 1

    def __sub__(self, other: Measure) -> Measure:
        # Independent quantities: spreads add in quadrature.
        return Measure(self.mean - other.mean, math.hypot(self.std, other.std),
                       min(self.n, other.n))

    def scaled(self, factor: float) -> Measure:
        return Measure(self.mean * factor, self.std * abs(factor), self.n)


def measure(value) -> Measure | None:
    """A `Measure` from a number or a list of per-seed numbers; None if missing."""
    mean, std, n = summarize(value)
    if mean is None:
        return None
    return Measure(mean, std or 0.0, n)


def compare(a: Measure, b: Measure) -> str:
    """"lower", "higher" (a relative to b) or "inconclusive" (gap within the spread)."""
    difference = a - b
    if difference.std > 0 and abs(difference.mean) <= difference.std:
        return INCONCLUSIVE
    if difference.mean < 0:
        return "lower"
    if difference.mean > 0:
        return "higher"
    return INCONCLUSIVE


def _fmt(m: Measure | None, kind: str = "bce") -> str:
    if m is None:
        return "missing"
    if kind == "acc":
        text = f"{100 * m.mean:.2f}"
        if m.n > 1:
            text += f" ± {100 * m.std:.2f}"
        return text + "%" + (f" (n={m.n})" if m.n > 1 else "")
    text = f"{m.mean:.4f}"
    if m.n > 1:
        text += f" ± {m.std:.4f} (n={m.n})"
    return text


def _signed(x: float, kind: str = "bce") -> str:
    return f"{100 * x:+.2f} points" if kind == "acc" else f"{x:+.4f}"


def _paper(metric_id: str, kind: str = "bce") -> str:
    return _fmt(Measure(PAPER_VALUES[metric_id]), kind)


def _item(claim_id: str, claim: str, paper: str, measured: str, verdict: str) -> dict:
    return {"id": claim_id, "claim": claim, "paper": paper, "measured": measured,
            "verdict": verdict}


def _combine(outcomes: list[str]) -> str:
    """Overall verdict from per-part verdicts: any disagreement wins, then any doubt."""
    if not outcomes:
        return NOT_RUN
    if DISAGREES in outcomes:
        return DISAGREES
    if INCONCLUSIVE in outcomes:
        return INCONCLUSIVE
    return AGREES


def _missing(metrics: Mapping, ids: list[str]) -> str:
    absent = [i for i in ids if measure(metrics.get(i)) is None]
    return "Missing: " + ", ".join(absent) + "." if absent else ""


# ------------------------------------------------------------------------------ claims


def _conv_beats_dense(metrics: Mapping) -> dict:
    claim = ("The convolutional autoencoder reconstructs MNIST better (lower BCE) than the "
             "dense-bottleneck autoencoders.")
    paper = (f"Baseline conv. {_paper('mnist.baseline.val_bce')} vs dense bottleneck d=16 "
             f"{_paper('mnist.latent_16.val_bce')} and d=2 {_paper('mnist.latent_2.val_bce')}"
             " (Table 3.2.1.1; abstract).")
    baseline = measure(metrics.get("mnist.baseline.val_bce"))
    dense = {d: measure(metrics.get(f"mnist.latent_{d}.val_bce")) for d in LATENT_SIZES}
    dense = {d: m for d, m in dense.items() if m is not None}
    if baseline is None or not dense:
        ids = ["mnist.baseline.val_bce"] + [f"mnist.latent_{d}.val_bce" for d in LATENT_SIZES]
        return _item("conv_beats_dense", claim, paper,
                     _missing(metrics, ids) or "Missing values.", NOT_RUN)
    parts, outcomes, beaten_by = [], [], []
    for d, m in dense.items():
        outcome = compare(baseline, m)
        parts.append(f"d={d} {_fmt(m)} (baseline minus dense: "
                     f"{_signed(baseline.mean - m.mean)})")
        if outcome == "lower":
            outcomes.append(AGREES)
        elif outcome == "higher":
            outcomes.append(DISAGREES)
            beaten_by.append(f"d={d}")
        else:
            outcomes.append(INCONCLUSIVE)
    measured = f"Baseline conv. {_fmt(baseline)}; dense: " + "; ".join(parts) + "."
    if beaten_by:
        measured += " The baseline is beaten by the dense bottleneck " + ", ".join(beaten_by) + "."
    return _item("conv_beats_dense", claim, paper, measured, _combine(outcomes))


def _smaller_latent_higher_loss(metrics: Mapping) -> dict:
    claim = "A smaller latent dimension gives a higher reconstruction loss (monotone in d)."
    paper = (f"d=2 {_paper('mnist.latent_2.val_bce')} > d=16 "
             f"{_paper('mnist.latent_16.val_bce')} (section 4.1, item 2); d=8 and d=32 "
             "were not reported.")
    sizes = {d: measure(metrics.get(f"mnist.latent_{d}.val_bce")) for d in LATENT_SIZES}
    sizes = {d: m for d, m in sorted(sizes.items()) if m is not None}
    if len(sizes) < 2:
        ids = [f"mnist.latent_{d}.val_bce" for d in LATENT_SIZES]
        return _item("smaller_latent_higher_loss", claim, paper,
                     "Fewer than two latent sizes ran. " + _missing(metrics, ids), NOT_RUN)
    ds = list(sizes)
    outcomes, violations, unclear = [], [], []
    for small, large in zip(ds, ds[1:], strict=False):
        outcome = compare(sizes[small], sizes[large])
        if outcome == "higher":
            outcomes.append(AGREES)
        elif outcome == "lower":
            outcomes.append(DISAGREES)
            violations.append(f"d={small} {_fmt(sizes[small])} is lower than "
                              f"d={large} {_fmt(sizes[large])}")
        else:
            outcomes.append(INCONCLUSIVE)
            unclear.append(f"d={small} vs d={large}")
    measured = "; ".join(f"d={d} {_fmt(m)}" for d, m in sizes.items()) + "."
    if violations:
        measured += " Not monotone: " + "; ".join(violations) + "."
    if unclear:
        measured += " Within the seed spread: " + ", ".join(unclear) + "."
    return _item("smaller_latent_higher_loss", claim, paper, measured, _combine(outcomes))


def _denoising_recovers(metrics: Mapping) -> dict:
    keep = round(100 * DENOISE_EXCESS_FRACTION)
    claim = ("The denoising autoencoder recovers clean digits from noisy inputs: its output "
             "is much closer to the clean image than the noisy input is (here: it keeps at "
             f"most {keep}% of the noisy input's BCE excess over the entropy floor).")
    paper = (f"Validation loss {_paper('mnist.denoise.val_bce')}; \"an impressive ability to "
             "recover clean images from noisy inputs\" (section 4.1, item 3), judged from "
             "figures only.")
    floor = measure(metrics.get("mnist.test.entropy_floor"))
    specs = (("mixed", "mixed", "mnist.denoise.val_bce"),
             ("Gaussian", "gaussian", "mnist.denoise.gaussian.val_bce"),
             ("salt-and-pepper", "salt_pepper", "mnist.denoise.salt_pepper.val_bce"))
    parts, outcomes = [], []
    base = floor if floor is not None else Measure(0.0)
    for label, key, denoised_id in specs:
        denoised = measure(metrics.get(denoised_id))
        noisy = measure(metrics.get(f"mnist.denoise.{key}.input_bce"))
        if denoised is None or noisy is None:
            continue
        noisy_excess, denoised_excess = noisy - base, denoised - base
        # Pass if denoised_excess <= fraction * noisy_excess.
        margin = denoised_excess - noisy_excess.scaled(DENOISE_EXCESS_FRACTION)
        if margin.std > 0 and abs(margin.mean) <= margin.std:
            outcomes.append(INCONCLUSIVE)
        else:
            outcomes.append(AGREES if margin.mean <= 0 else DISAGREES)
        removed = (1 - denoised_excess.mean / noisy_excess.mean
                   if noisy_excess.mean > 0 else float("nan"))
        parts.append(f"{label}: noisy input {_fmt(noisy)} -> denoised {_fmt(denoised)} "
                     f"({100 * removed:.0f}% of the excess removed)")
    if not parts:
        ids = [spec[2] for spec in specs] + [f"mnist.denoise.{spec[1]}.input_bce"
                                             for spec in specs]
        return _item("denoising_recovers", claim, paper,
                     "No denoised BCE with its noisy-input BCE. " + _missing(metrics, ids),
                     NOT_RUN)
    measured = "; ".join(parts) + "."
    measured += (f" Entropy floor {_fmt(floor)}." if floor is not None
                 else " No entropy floor available: raw BCE compared.")
    return _item("denoising_recovers", claim, paper, measured, _combine(outcomes))


def _lower_than(metrics: Mapping, claim_id: str, claim: str, paper: str,
                low_id: str, high_id: str, low_label: str, high_label: str) -> dict:
    """A claim of the form "`low_id` has a lower BCE than `high_id`"."""
    low, high = measure(metrics.get(low_id)), measure(metrics.get(high_id))
    if low is None or high is None:
        return _item(claim_id, claim, paper, _missing(metrics, [low_id, high_id]), NOT_RUN)
    outcome = compare(low, high)
    verdict = {"lower": AGREES, "higher": DISAGREES}.get(outcome, INCONCLUSIVE)
    measured = (f"{low_label} {_fmt(low)} vs {high_label} {_fmt(high)} "
                f"({low_label} minus {high_label}: {_signed(low.mean - high.mean)}"
                + (f" ± {(low - high).std:.4f}" if (low - high).std > 0 else "") + ").")
    return _item(claim_id, claim, paper, measured, verdict)


def _transfer_close(metrics: Mapping) -> dict:
    paper_gap = 100 * (PAPER_VALUES["fashion.cnn.test_acc"]
                       - PAPER_VALUES["fashion.transfer.test_acc"])
    claim = ("Transfer learning with the frozen MNIST encoder reaches an accuracy close to a "
             f"CNN trained from scratch on Fashion-MNIST (here: within "
             f"{CLOSE_ACCURACY_POINTS:g} points, as the paper's own {paper_gap:.2f}-point gap).")
    paper = (f"Transfer {_paper('fashion.transfer.test_acc', 'acc')} vs CNN "
             f"{_paper('fashion.cnn.test_acc', 'acc')}: gap {paper_gap:.2f} points, "
             "called \"close\" (section 4.1, item 4).")
    transfer_id = "fashion.transfer.test_acc"
    if measure(metrics.get(transfer_id)) is None:
        transfer_id = "fashion.transfer.dense10.test_acc"
    transfer = measure(metrics.get(transfer_id))
    cnn = measure(metrics.get("fashion.cnn.test_acc"))
    if transfer is None or cnn is None:
        return _item("transfer_close_to_cnn", claim, paper,
                     _missing(metrics, ["fashion.transfer.test_acc", "fashion.cnn.test_acc"]),
                     NOT_RUN)
    gap = (cnn - transfer).scaled(100)  # in points, positive when the CNN is better
    distance_to_limit = abs(gap.mean) - CLOSE_ACCURACY_POINTS
    if gap.std > 0 and abs(distance_to_limit) <= gap.std:
        verdict = INCONCLUSIVE
    else:
        verdict = AGREES if distance_to_limit <= 0 else DISAGREES
    measured = (f"Transfer (Dense(10) head) {_fmt(transfer, 'acc')} vs CNN {_fmt(cnn, 'acc')}: "
                f"gap {gap.mean:.2f}" + (f" ± {gap.std:.2f}" if gap.std > 0 else "")
                + " points (CNN minus transfer).")
    dense128 = measure(metrics.get("fashion.transfer.dense128.test_acc"))
    if dense128 is not None:
        measured += (f" With the Dense(128) head: {_fmt(dense128, 'acc')}, gap "
                     f"{100 * (cnn.mean - dense128.mean):.2f} points.")
    return _item("transfer_close_to_cnn", claim, paper, measured, verdict)


def _mnist_reference(metrics: Mapping) -> tuple[str, str]:
    """The MNIST loss to compare Fashion with: the same (improved) architecture if it ran."""
    if measure(metrics.get("mnist.improved.val_bce")) is not None:
        return "mnist.improved.val_bce", "MNIST (improved AE)"
    return "mnist.baseline.val_bce", "MNIST (baseline AE)"


def _fashion_higher_bce(metrics: Mapping) -> dict:
    mnist_id, mnist_label = _mnist_reference(metrics)
    claim = "Fashion-MNIST is harder to reconstruct: the autoencoder's BCE is higher than on MNIST."
    paper = (f"Fashion {_paper('fashion.ae.val_bce')} vs MNIST improved "
             f"{_paper('mnist.improved.val_bce')} (section 4.1, item 5).")
    return _lower_than(metrics, "fashion_higher_bce", claim, paper, mnist_id,
                       "fashion.ae.val_bce", mnist_label, "Fashion-MNIST")


def _fashion_model_worse(metrics: Mapping) -> dict:
    mnist_id, mnist_label = _mnist_reference(metrics)
    claim = ("The higher Fashion-MNIST loss reflects a model that captures clothing less well, "
             "not only images with more grey pixels: the excess over each dataset's entropy "
             "floor is also higher on Fashion-MNIST.")
    fashion = measure(metrics.get("fashion.ae.val_bce"))
    mnist = measure(metrics.get(mnist_id))
    f_floor = measure(metrics.get("fashion.test.entropy_floor"))
    m_floor = measure(metrics.get("mnist.test.entropy_floor"))
    paper = ("Attributed to \"the complexity of clothing items\" (section 4.1, item 5); the "
             "paper does not separate the data's own entropy from the model's error.")
    if f_floor is not None and m_floor is not None:
        paper_f = PAPER_VALUES["fashion.ae.val_bce"] - f_floor.mean
        paper_m = PAPER_VALUES["mnist.improved.val_bce"] - m_floor.mean
        paper += (f" With our floors its excesses would be Fashion {paper_f:.4f} vs MNIST "
                  f"{paper_m:.4f}.")
    ids = ["fashion.ae.val_bce", mnist_id, "fashion.test.entropy_floor",
           "mnist.test.entropy_floor"]
    if None in (fashion, mnist, f_floor, m_floor):
        return _item("fashion_model_worse", claim, paper, _missing(metrics, ids), NOT_RUN)
    f_excess, m_excess = fashion - f_floor, mnist - m_floor
    outcome = compare(m_excess, f_excess)
    verdict = {"lower": AGREES, "higher": DISAGREES}.get(outcome, INCONCLUSIVE)
    bce_gap = fashion.mean - mnist.mean
    floor_gap = f_floor.mean - m_floor.mean
    measured = (f"Excess over floor: Fashion {_fmt(f_excess)} (BCE {_fmt(fashion)} - floor "
                f"{_fmt(f_floor)}) vs {mnist_label} {_fmt(m_excess)} (BCE {_fmt(mnist)} - "
                f"floor {_fmt(m_floor)}).")
    if bce_gap > 0:
        share = min(max(floor_gap / bce_gap, 0.0), 1.0)
        measured += (f" The floors differ by {floor_gap:.4f}, {100 * share:.0f}% of the "
                     f"{bce_gap:.4f} BCE gap.")
    return _item("fashion_model_worse", claim, paper, measured, verdict)


def findings(metrics: Mapping) -> list[dict]:
    """Each claim of the paper's chapter 4 (and table notes) next to our measurement.

    Args:
        metrics: merged metrics, id -> number or list of numbers (one per seed).

    Returns:
        A list of dicts with keys `id`, `claim`, `paper` (the paper's numbers, from
        `aelib.paper`), `measured` (our numbers, as text) and `verdict`: "agrees",
        "disagrees", "inconclusive" (a difference within the seed spread) or
        "not run" (a value it needs is missing).
    """
    return [
        _conv_beats_dense(metrics),
        _smaller_latent_higher_loss(metrics),
        _denoising_recovers(metrics),
        _lower_than(
            metrics, "denoising_costs_fidelity",
            "Denoising has a price on clean targets: the denoising autoencoder's loss is "
            "higher than the baseline's.",
            f"Denoising {_paper('mnist.denoise.val_bce')} vs baseline "
            f"{_paper('mnist.baseline.val_bce')} (Table 3.2.1.1 note; section 4.1, item 3).",
            "mnist.baseline.val_bce", "mnist.denoise.val_bce", "Baseline", "denoising"),
        _lower_than(
            metrics, "deeper_filters_help",
            "Deeper convolutional filters reduce the reconstruction error: the improved "
            "autoencoder's loss is lower than the baseline's.",
            f"Improved {_paper('mnist.improved.val_bce')} vs baseline "
            f"{_paper('mnist.baseline.val_bce')} (Table 3.2.1.1 note).",
            "mnist.improved.val_bce", "mnist.baseline.val_bce", "Improved", "baseline"),
        _transfer_close(metrics),
        _fashion_higher_bce(metrics),
        _fashion_model_worse(metrics),
    ]
