"""The findings of the `denoising` section: claims checked against the seed spread (see
the package)."""

from __future__ import annotations

from collections.abc import Mapping

from aereport.merge import summarize
from aereport.sections.denoising.tables import (
    DENOISE_EXCESS_FRACTION,
    NOISE_TYPES,
    denoise_sweep_levels,
)
from aereport.verdicts import (
    AGREES,
    DISAGREES,
    INCONCLUSIVE,
    NOT_RUN,
    Measure,
    combine,
    finding,
    fmt_db,
    fmt_measure,
    fmt_paper,
    higher_verdict,
    lower_than,
    measure,
    missing_ids,
)

# -------------------------------------------------------------------------- findings


def _denoising_recovers(metrics: Mapping) -> dict:
    keep = round(100 * DENOISE_EXCESS_FRACTION)
    claim = (
        "The denoising autoencoder recovers clean digits from noisy inputs: its output "
        "is much closer to the clean image than the noisy input is (here: it keeps at "
        f"most {keep}% of the noisy input's BCE excess over the entropy floor)."
    )
    paper = (
        f'Validation loss {fmt_paper("mnist.denoise.val_bce")}; "an impressive ability to '
        'recover clean images from noisy inputs" (section 4.1, item 3), judged from '
        "figures only."
    )
    floor = measure(metrics.get("mnist.test.entropy_floor"))
    specs = (
        ("mixed", "mixed", "mnist.denoise.val_bce"),
        ("Gaussian", "gaussian", "mnist.denoise.gaussian.val_bce"),
        ("salt-and-pepper", "salt_pepper", "mnist.denoise.salt_pepper.val_bce"),
    )
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
        removed = (
            1 - denoised_excess.mean / noisy_excess.mean if noisy_excess.mean > 0 else float("nan")
        )
        parts.append(
            f"{label}: noisy input {fmt_measure(noisy)} -> denoised {fmt_measure(denoised)} "
            f"({100 * removed:.0f}% of the excess removed)"
        )
    if not parts:
        ids = [spec[2] for spec in specs] + [f"mnist.denoise.{spec[1]}.input_bce" for spec in specs]
        return finding(
            "denoising_recovers",
            claim,
            paper,
            "No denoised BCE with its noisy-input BCE. " + missing_ids(metrics, ids),
            NOT_RUN,
        )
    measured = "; ".join(parts) + "."
    measured += (
        f" Entropy floor {fmt_measure(floor)}."
        if floor is not None
        else " No entropy floor available: raw BCE compared."
    )
    return finding("denoising_recovers", claim, paper, measured, combine(outcomes))


def _ae_beats_filter(metrics: Mapping) -> dict:
    claim = (
        "The denoising autoencoder beats the classical filter one would use without any "
        "training (higher PSNR at the trained noise level): a Gaussian blur for "
        "Gaussian noise, a 3x3 median filter for salt-and-pepper noise."
    )
    paper = (
        "Not measured in the paper: denoising was judged from Figures 3.4.3-3.4.4 only "
        "(section 4.1, item 3)."
    )
    parts, outcomes = [], []
    for noise, (label, filter_label, level_id, level_name) in NOISE_TYPES.items():
        ae = measure(metrics.get(f"mnist.denoise.{noise}.psnr"))
        filt = measure(metrics.get(f"mnist.denoise.{noise}.filter_psnr"))
        if ae is None or filt is None:
            continue
        outcomes.append(higher_verdict(ae, filt))
        level = summarize(metrics.get(level_id))[0]
        where = f" ({level_name} {level:g})" if level is not None else ""
        margin = ae - filt
        text = (
            f"{label}{where}: autoencoder {fmt_db(ae)} vs {filter_label} "
            f"{fmt_db(filt)}, margin {margin.mean:+.2f}"
            + (f" ± {margin.std:.2f}" if margin.std > 0 else "")
            + " dB"
        )
        ae_ssim = measure(metrics.get(f"mnist.denoise.{noise}.ssim"))
        filt_ssim = measure(metrics.get(f"mnist.denoise.{noise}.filter_ssim"))
        if ae_ssim is not None and filt_ssim is not None:
            text += f"; SSIM {ae_ssim.mean:.3f} vs {filt_ssim.mean:.3f}"
        parts.append(text)
    if not parts:
        ids = [f"mnist.denoise.{n}.{k}" for n in NOISE_TYPES for k in ("psnr", "filter_psnr")]
        return finding("ae_beats_filter", claim, paper, missing_ids(metrics, ids), NOT_RUN)
    return finding("ae_beats_filter", claim, paper, "; ".join(parts) + ".", combine(outcomes))


def _ae_beats_filter_sweep(metrics: Mapping) -> dict:
    claim = (
        "Across the noise-strength sweep the denoising autoencoder beats the classical "
        "filter (PSNR) at every level, including levels it was not trained on."
    )
    paper = "Not tested in the paper: one noise level per type, judged from figures."
    parts, outcomes = [], []
    for noise, codes in denoise_sweep_levels(metrics).items():
        label = NOISE_TYPES.get(noise, (noise,))[0]
        wins, losses, unclear, margins = [], [], [], []
        for code in codes:
            prefix = f"mnist.denoise.sweep.{noise}_{code}."
            ae = measure(metrics.get(prefix + "ae_psnr"))
            filt = measure(metrics.get(prefix + "filter_psnr"))
            if ae is None or filt is None:
                continue
            level = f"{int(code) / 100:.2f}"
            verdict = higher_verdict(ae, filt)
            outcomes.append(verdict)
            {AGREES: wins, DISAGREES: losses}.get(verdict, unclear).append(level)
            margins.append(f"{level}: {ae.mean - filt.mean:+.2f}")
        if not margins:
            continue
        text = f"{label}: AE minus filter " + ", ".join(margins) + " dB"
        summary = []
        if wins:
            summary.append("wins at " + ", ".join(wins))
        if losses:
            summary.append("loses at " + ", ".join(losses))
        if unclear:
            summary.append("within the seed spread at " + ", ".join(unclear))
        parts.append(text + " (" + "; ".join(summary) + ")")
    if not parts:
        return finding(
            "ae_beats_filter_sweep",
            claim,
            paper,
            "No sweep results (mnist.denoise.sweep.*).",
            NOT_RUN,
        )
    return finding("ae_beats_filter_sweep", claim, paper, "; ".join(parts) + ".", combine(outcomes))


def paper_findings(metrics: Mapping) -> list[dict]:
    """The paper's claims about denoising (see `aereport.sections`)."""
    return [
        _denoising_recovers(metrics),
        lower_than(
            metrics,
            "denoising_costs_fidelity",
            "Denoising has a price on clean targets: the denoising autoencoder's loss is "
            "higher than the baseline's.",
            f"Denoising {fmt_paper('mnist.denoise.val_bce')} vs baseline "
            f"{fmt_paper('mnist.baseline.val_bce')} (Table 3.2.1.1 note; section 4.1, item 3).",
            "mnist.baseline.val_bce",
            "mnist.denoise.val_bce",
            "Baseline",
            "denoising",
        ),
    ]


def extra_findings(metrics: Mapping) -> list[dict]:
    """Beyond the paper: against a classical filter, at the trained level and across levels."""
    return [_ae_beats_filter(metrics), _ae_beats_filter_sweep(metrics)]
