"""The findings of the `robustness` section: claims checked against the seed spread (see
the package)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from aelib.outputs import metric_ids
from aereport.sections.robustness.tables import (
    _NOT_PAPER,
    SEARCH_DATASETS,
    corruptions,
    kind_label,
    radii,
    written,
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
    fmt_points,
    measure,
)

# Two code sizes "agree" when they are within a factor sqrt(2) of each other: half a
# doubling, the resolution of the paper's grid 2-8-16-32 (and of the front's knee).
SAME_SIZE_LOG2 = 0.5


def _judged(claim_id: str, claim: str, parts: list[str], outcomes: list[str], missing: str):
    """The finding: its parts joined and their verdicts combined, or "not run" saying what
    is missing when there is no part."""
    if not parts:
        return finding(claim_id, claim, _NOT_PAPER, missing, NOT_RUN)
    return finding(claim_id, claim, _NOT_PAPER, "; ".join(parts) + ".", combine(outcomes))


def _bce(metrics, variant, noise, level) -> Measure | None:
    return measure(metrics.get(metric_ids.ROBUST_BCE.id(variant=variant, noise=noise, level=level)))


def _gap_text(label: str, a: Measure, b: Measure, a_name: str, b_name: str) -> str:
    gap = a - b
    return (
        f"{label}: {a_name} {a.mean:.4f} vs {b_name} {b.mean:.4f} ({gap.mean:+.4f}"
        + (f" ± {gap.std:.4f}" if gap.std > 0 else "")
        + ")"
    )


def _adversarial_more_robust(metrics: Mapping, noises: tuple[str, ...], claim_id: str, what: str):
    claim = (
        "Adversarial training makes the denoiser more robust to noise (the study's section "
        f"5.2): on {what}, the adversarially trained denoiser's reconstruction BCE is lower "
        "than that of the one trained as in notebook 03."
    )
    parts, outcomes = [], []
    for noise, level in corruptions(metrics):
        if noise not in noises:
            continue
        adv, std = (
            _bce(metrics, "adversarial", noise, level),
            _bce(metrics, "standard", noise, level),
        )
        if adv is None or std is None:
            continue
        outcomes.append({"lower": AGREES, "higher": DISAGREES}.get(compare(adv, std), INCONCLUSIVE))
        parts.append(_gap_text(kind_label(noise, level), adv, std, "adversarial", "standard"))
    return _judged(claim_id, claim, parts, outcomes, "Missing: the notebook's BCE.")


def _worst_case_worse(metrics: Mapping) -> dict:
    claim = (
        "Random noise understates the threat: PGD perturbations raise the standard "
        "denoiser's reconstruction BCE more than random sign noise of the same L-infinity "
        "norm."
    )
    parts, outcomes = [], []
    for noise, level in corruptions(metrics):
        if noise != "pgd":
            continue
        pgd, sign = (
            _bce(metrics, "standard", "pgd", level),
            _bce(metrics, "standard", "sign", level),
        )
        if pgd is None or sign is None:
            continue
        outcomes.append(
            {"higher": AGREES, "lower": DISAGREES}.get(compare(pgd, sign), INCONCLUSIVE)
        )
        parts.append(_gap_text(f"ε = {level / 1000:g}", pgd, sign, "PGD", "random"))
    return _judged("robust_worst_case", claim, parts, outcomes, "Missing: the notebook's BCE.")


def _acc(metrics, setup, attack, level) -> Measure | None:
    return measure(metrics.get(metric_ids.DEFENCE_ACC.id(setup=setup, attack=attack, level=level)))


def _defence(metrics: Mapping) -> dict:
    claim = (
        "A denoiser in front of the classifier defends it: against the adaptive PGD attack "
        "(on the composed model), accuracy with the denoiser trained as in notebook 03 is "
        "higher than without it."
    )
    parts, outcomes = [], []
    for level in radii(metrics):
        with_, bare = _acc(metrics, "standard", "pgd", level), _acc(metrics, "none", "pgd", level)
        blind = _acc(metrics, "standard", "pgd_blind", level)
        if with_ is None or bare is None:
            continue
        outcomes.append(
            {"higher": AGREES, "lower": DISAGREES}.get(compare(with_, bare), INCONCLUSIVE)
        )
        text = (
            f"ε = {level / 1000:g}: {100 * with_.mean:.1f}% with vs {100 * bare.mean:.1f}% "
            f"without ({fmt_points(with_ - bare)})"
        )
        if blind is not None:
            text += f"; against the blind attack {100 * blind.mean:.1f}%"
        parts.append(text)
    return _judged("robust_defence", claim, parts, outcomes, "Missing: the attacked accuracies.")


def _blind_overstates(metrics: Mapping) -> dict:
    claim = (
        "Judged against an attacker who ignores it, the denoiser looks like a better defence "
        "than it is (Athalye et al. 2018): accuracy under the blind PGD attack is higher "
        "than under the adaptive one."
    )
    parts, outcomes = [], []
    for level in radii(metrics):
        for setup in ("standard", "adversarial"):
            blind, adaptive = (
                _acc(metrics, setup, "pgd_blind", level),
                _acc(metrics, setup, "pgd", level),
            )
            if blind is None or adaptive is None:
                continue
            outcomes.append(
                {"higher": AGREES, "lower": DISAGREES}.get(compare(blind, adaptive), INCONCLUSIVE)
            )
            parts.append(
                f"{setup}, ε = {level / 1000:g}: blind {100 * blind.mean:.1f}% vs adaptive "
                f"{100 * adaptive.mean:.1f}% ({fmt_points(blind - adaptive)})"
            )
    return _judged(
        "robust_blind_overstates", claim, parts, outcomes, "Missing: the attacked accuracies."
    )


# The largest accuracy difference (a fraction) between this library's PGD and ART's for
# the two to count as the same attack: their random starts differ, so the attacked
# accuracy of a few hundred images differs by a few images.
PGD_AGREEMENT = 0.02


def _pgd_agrees(metrics: Mapping) -> dict:
    claim = (
        "This library's PGD (aelib.evaluation.attacks) is the field's PGD: on the bare "
        "classifier its attacked accuracy is within 2 points of the Adversarial Robustness "
        "Toolbox's at every radius."
    )
    parts, outcomes = [], []
    for level in radii(metrics):
        ours, art = _acc(metrics, "none", "pgd_ours", level), _acc(metrics, "none", "pgd", level)
        if ours is None or art is None:
            continue
        gap = ours - art
        outcomes.append(AGREES if abs(gap.mean) <= PGD_AGREEMENT else DISAGREES)
        parts.append(
            f"ε = {level / 1000:g}: ours {100 * ours.mean:.1f}% vs ART {100 * art.mean:.1f}% "
            f"({fmt_points(gap)})"
        )
    return _judged("robust_pgd_matches_art", claim, parts, outcomes, "Missing: both attacks.")


def _log2_verdict(values: list[float], target: float) -> tuple[str, str]:
    """(verdict, text) for "these code sizes (one per seed) are `target`'s": the mean of
    log2(size / target) within SAME_SIZE_LOG2 agrees; beyond it by more than the spread
    over seeds disagrees; otherwise inconclusive."""
    logs = [math.log2(v / target) for v in values]
    m = measure(logs if len(logs) > 1 else logs[0])
    if abs(m.mean) <= SAME_SIZE_LOG2:
        verdict = AGREES
    elif abs(m.mean) - SAME_SIZE_LOG2 > m.std:
        verdict = DISAGREES
    else:
        verdict = INCONCLUSIVE
    return verdict, f"log2 ratio {m.mean:+.2f}" + (f" ± {m.std:.2f}" if m.std > 0 else "")


def _per_seed(metrics: Mapping, metric_id: str) -> list[float]:
    value = metrics.get(metric_id)
    if isinstance(value, list):
        return [float(v) for v in value if v is not None]
    return [] if value is None else [float(value)]


def _sixteen_balanced(metrics: Mapping) -> dict:
    claim = (
        "16 dimensions are a balanced choice (the study's section 4.2): the knee of the "
        "Pareto front of validation BCE against code size lies at 16, within a factor "
        "√2 (half a doubling)."
    )
    parts, outcomes = [], []
    for prefix, label in SEARCH_DATASETS:
        if not written(metrics, metric_ids.SEARCH_KNEE, dataset=prefix):
            continue
        knees = _per_seed(metrics, f"{prefix}.search.knee_d")
        verdict, text = _log2_verdict(knees, 16)
        outcomes.append(verdict)
        parts.append(
            f"{label}: knee at d = {', '.join(f'{k:g}' for k in knees)} ({text} against 16)"
        )
    return _judged("search_sixteen_balanced", claim, parts, outcomes, "Missing: no knee was found.")


def _same_size(metrics: Mapping) -> dict:
    claim = (
        "Reconstruction and classification prefer the same code size: the knee of the "
        "linear-probe accuracy along the front lies within a factor √2 of the knee "
        "of the validation BCE."
    )
    parts, outcomes = [], []
    for prefix, label in SEARCH_DATASETS:
        if not (
            written(metrics, metric_ids.SEARCH_KNEE, dataset=prefix)
            and written(metrics, metric_ids.SEARCH_PROBE_KNEE, dataset=prefix)
        ):
            continue
        # Per seed when both are lists of one value per seed; merged equal values are one.
        k, p = (
            _per_seed(metrics, f"{prefix}.search.knee_d"),
            _per_seed(metrics, f"{prefix}.search.probe_knee_d"),
        )
        # A knee every seed agrees on is merged into one number: it holds for each seed.
        if len(k) == 1:
            k = k * len(p)
        if len(p) == 1:
            p = p * len(k)
        if len(k) != len(p):  # a seed without one of the knees: compare the means
            k, p = [sum(k) / len(k)], [sum(p) / len(p)]
        ratios = [b / a for a, b in zip(k, p, strict=True)]
        verdict, text = _log2_verdict(ratios, 1)
        outcomes.append(verdict)
        parts.append(
            f"{label}: probe knee d = {', '.join(f'{v:g}' for v in p)} vs BCE knee "
            f"d = {', '.join(f'{v:g}' for v in k)} ({text})"
        )
    return _judged(
        "search_same_size", claim, parts, outcomes, "Missing: no pair of knees was found."
    )


def extra_findings(metrics: Mapping) -> list[dict]:
    """Beyond the paper: adversarial training, the denoiser as a defence, the code size."""
    return [
        _adversarial_more_robust(metrics, ("gaussian",), "robust_adv_gaussian", "Gaussian noise"),
        _adversarial_more_robust(
            metrics, ("salt_pepper",), "robust_adv_salt_pepper", "salt-and-pepper noise"
        ),
        _adversarial_more_robust(
            metrics, ("pgd",), "robust_adv_pgd", "worst-case (PGD) perturbations"
        ),
        _worst_case_worse(metrics),
        _defence(metrics),
        _blind_overstates(metrics),
        _pgd_agrees(metrics),
        _sixteen_balanced(metrics),
        _same_size(metrics),
    ]
