"""The findings of the `vae` section: claims checked against the seed spread (see
the package)."""

from __future__ import annotations

from collections.abc import Mapping

from aereport.section import FigureSpec
from aereport.sections.vae.tables import (
    _NOT_PAPER,
    DATASETS,
    DEFAULT_LATENT_DIMS,
    latent_dims,
)
from aereport.verdicts import (
    AGREES,
    DISAGREES,
    INCONCLUSIVE,
    NOT_RUN,
    combine,
    compare,
    finding,
    fmt_measure,
    measure,
    missing_ids,
)

# -------------------------------------------------------------------------- findings


def _pairs(metrics: Mapping, a_suffix: str, b_suffix: str):
    """(label, a, b) Measures of `<ds>.vae_<d>.<suffix>` for each dataset and code size."""
    out = []
    for prefix, label in DATASETS:
        for d in latent_dims(metrics):
            a = measure(metrics.get(f"{prefix}.vae_{d}.{a_suffix}"))
            b = measure(metrics.get(f"{prefix}.vae_{d}.{b_suffix}"))
            if a is not None and b is not None:
                out.append((prefix, f"{label} d={d}", a, b))
    return out


def _all_ids(metrics: Mapping, *suffixes: str) -> list[str]:
    return [
        f"{prefix}.vae_{d}.{s}"
        for prefix, _ in DATASETS
        for d in latent_dims(metrics)
        for s in suffixes
    ]


def _reconstruction_cost(metrics: Mapping) -> dict:
    claim = (
        "A VAE gives up reconstruction quality for a latent space one can sample from: "
        "the per-pixel BCE of its posterior-mean reconstruction is higher than that of the "
        "plain autoencoder with the same trunk and code size."
    )
    pairs = _pairs(metrics, "recon_bce", "ae_recon_bce")
    if not pairs:
        ids = _all_ids(metrics, "recon_bce", "ae_recon_bce")
        return finding(
            "vae_reconstruction_cost", claim, _NOT_PAPER, missing_ids(metrics, ids), NOT_RUN
        )
    parts, outcomes = [], []
    for prefix, label, vae, ae in pairs:
        gap = vae - ae
        outcomes.append({"higher": AGREES, "lower": DISAGREES}.get(compare(vae, ae), INCONCLUSIVE))
        text = f"{label}: VAE {fmt_measure(vae)} vs AE {fmt_measure(ae)} ({gap.mean:+.4f}"
        text += f" ± {gap.std:.4f}" if gap.std > 0 else ""
        floor = measure(metrics.get(f"{prefix}.vae.entropy_floor"))
        if floor is not None and ae.mean - floor.mean > 0:
            share = 100 * gap.mean / (ae.mean - floor.mean)
            text += f", {share:+.0f}% of the AE's excess over the entropy floor"
        parts.append(text + ")")
    return finding(
        "vae_reconstruction_cost", claim, _NOT_PAPER, "; ".join(parts) + ".", combine(outcomes)
    )


def _samples_better(metrics: Mapping) -> dict:
    claim = (
        "In exchange, its samples are better: the Fréchet distance (judge CNN features) of "
        "images decoded from the VAE's prior is lower than that of the plain autoencoder "
        "decoding codes drawn from a Gaussian fitted to its training codes."
    )
    pairs = _pairs(metrics, "frechet_cnn", "ae_frechet_cnn")
    if not pairs:
        ids = _all_ids(metrics, "frechet_cnn", "ae_frechet_cnn")
        return finding("vae_samples_better", claim, _NOT_PAPER, missing_ids(metrics, ids), NOT_RUN)
    parts, outcomes = [], []
    for prefix, label, vae, ae in pairs:
        outcomes.append({"lower": AGREES, "higher": DISAGREES}.get(compare(vae, ae), INCONCLUSIVE))
        gap = vae - ae
        text = (
            f"{label}: VAE {vae.mean:.2f} vs AE {ae.mean:.2f} ({gap.mean:+.2f}"
            + (f" ± {gap.std:.2f}" if gap.std > 0 else "")
            + (f", VAE/AE {vae.mean / ae.mean:.2f}" if ae.mean > 0 else "")
        )
        floor = measure(metrics.get(f"{prefix}.vae.real_frechet_cnn"))
        if floor is not None:
            text += f"; real-vs-real floor {floor.mean:.2f}"
        parts.append(text + ")")
    return finding(
        "vae_samples_better", claim, _NOT_PAPER, "; ".join(parts) + ".", combine(outcomes)
    )


def _units_switched_off(metrics: Mapping) -> dict:
    dims = [d for d in latent_dims(metrics) if d > 2]
    largest = max(dims) if dims else max(DEFAULT_LATENT_DIMS)
    claim = (
        f"With {largest} latent units the KL term switches some of them off: fewer than "
        f"{largest} units are active (mean KL per unit above 0.01 nats)."
    )
    parts, outcomes = [], []
    for prefix, label in DATASETS:
        au = measure(metrics.get(f"{prefix}.vae_{largest}.active_units"))
        if au is None:
            continue
        # All units active (never more) disproves the claim; a shortfall within the
        # spread over seeds is inconclusive.
        short = largest - au.mean
        if au.std > 0 and abs(short) <= au.std:
            outcomes.append(INCONCLUSIVE)
        else:
            outcomes.append(AGREES if short > 0 else DISAGREES)
        text = (
            f"{label}: {au.mean:.1f} ± {au.std:.1f} (n={au.n})"
            if au.n > 1
            else f"{label}: {au.mean:.0f}"
        )
        parts.append(text + f" of {largest} active")
    if not parts:
        ids = [f"{p}.vae_{largest}.active_units" for p, _ in DATASETS]
        return finding(
            "vae_units_switched_off", claim, _NOT_PAPER, missing_ids(metrics, ids), NOT_RUN
        )
    return finding(
        "vae_units_switched_off", claim, _NOT_PAPER, "; ".join(parts) + ".", combine(outcomes)
    )


def extra_findings(metrics: Mapping) -> list[dict]:
    """Beyond the paper: what a VAE trades, and whether its code is fully used."""
    return [
        _reconstruction_cost(metrics),
        _samples_better(metrics),
        _units_switched_off(metrics),
    ]


def _figures(stem: str, title: str, caption: str) -> tuple[FigureSpec, ...]:
    return tuple(
        FigureSpec(f"{stem}_{prefix}.png", f"{title} ({label})", caption)
        for prefix, label in DATASETS
    )
