"""Robustness of denoisers and of a classifier behind one: the score grids of notebook 08.

`denoiser_grid` scores denoisers on clean images, on random corruptions (notebook 03's
Gaussian and salt-and-pepper noise, random sign noise of each radius) and on each model's
own PGD worst case; `defence_grid` attacks a classifier with ART's FGSM and PGD without
and with each denoiser in front, blind (crafted against the classifier alone) and
adaptive (against the composed model), beside this library's PGD
(`aelib.evaluation.attacks`).

Corruptions are named `<kind>_<level>`, the level in thousandths of the noise factor,
amount or radius: `gaussian_400`, `salt_pepper_100`, `sign_050`, `pgd_050`, the parts of
the metric ids the notebook writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from aelib import noise, training
from aelib.evaluation import attacks, metrics, quality

__all__ = [
    "level_id",
    "random_corruptions",
    "reconstruction_scores",
    "denoiser_grid",
    "compose",
    "defence_grid",
]


def level_id(kind: str, level: float) -> str:
    """`gaussian_400` for ("gaussian", 0.4): the level in thousandths, three digits."""
    return f"{kind}_{round(float(level) * 1000):03d}"


def random_corruptions(
    x_clean: np.ndarray,
    *,
    noise_factor: float,
    amount: float,
    salt_ratio: float,
    epsilons: Sequence[float],
    rng,
    seed: int,
) -> dict[str, np.ndarray]:
    """The random corruptions of `x_clean`: Gaussian (`rng`), salt-and-pepper (`rng`, after
    it) and random sign noise of each radius (`seed`), by `level_id`."""
    out = {
        level_id("gaussian", noise_factor): noise.gaussian_noise(
            x_clean, noise_factor=noise_factor, seed=rng
        ),
        level_id("salt_pepper", amount): noise.salt_and_pepper_noise(
            x_clean, amount=amount, salt_ratio=salt_ratio, seed=rng
        ),
    }
    for eps in epsilons:
        out[level_id("sign", eps)] = attacks.random_sign_noise(x_clean, eps, seed=seed)
    return out


def reconstruction_scores(x_clean: np.ndarray, restored: np.ndarray) -> dict[str, float]:
    """Per-pixel BCE and mean PSNR (dB) of `restored` against `x_clean`."""
    return {
        "bce": metrics.binary_cross_entropy(x_clean, restored),
        "psnr": quality.psnr(x_clean, restored),
    }


def denoiser_grid(
    denoisers: Mapping[str, object],
    x_clean: np.ndarray,
    corrupted: Mapping[str, np.ndarray],
    *,
    epsilons: Sequence[float],
    steps: int,
    seed: int,
) -> tuple[dict, dict]:
    """Every denoiser on every corruption, and on its own PGD worst case.

    Returns:
        (`grid`, `pgd_inputs`): `grid[variant][kind] = {"bce", "psnr"}` with variant
        "input" (the corrupted image itself, random corruptions only) and each denoiser's
        name, kinds "clean", the keys of `corrupted` and `pgd_<level>`; `pgd_inputs[(name,
        epsilon)]` the PGD images, each checked to lie within epsilon of `x_clean`.
    """
    grid = {"input": {k: reconstruction_scores(x_clean, v) for k, v in corrupted.items()}}
    pgd_inputs = {}
    for name, model in denoisers.items():
        row = {"clean": reconstruction_scores(x_clean, training.predict(model, x_clean))}
        for kind, x_in in corrupted.items():
            row[kind] = reconstruction_scores(x_clean, training.predict(model, x_in))
        for eps in epsilons:
            x_adv = attacks.attack_reconstruction(
                model, x_clean, epsilon=eps, steps=steps, seed=seed
            )
            worst = float(attacks.linf_norms(x_adv, x_clean).max())
            if worst > eps + 1e-6:
                raise AssertionError(f"PGD left the epsilon-ball: {worst} > {eps}")
            pgd_inputs[(name, eps)] = x_adv
            row[level_id("pgd", eps)] = reconstruction_scores(
                x_clean, training.predict(model, x_adv)
            )
        grid[name] = row
    return grid, pgd_inputs


def compose(denoiser, classifier):
    """The differentiable model image -> denoiser -> classifier (what an adaptive attacker
    attacks)."""
    import keras

    image = keras.Input(shape=tuple(classifier.input_shape[1:]), name="image")
    return keras.Model(image, classifier(denoiser(image)), name="denoised_classifier")


def defence_grid(
    classifier,
    denoisers: Mapping[str, object],
    x: np.ndarray,
    labels: np.ndarray,
    *,
    epsilons: Sequence[float],
    steps: int,
    seed: int,
) -> dict:
    """Test accuracy of the classifier under attack, without and with each denoiser.

    Returns:
        `grid[setup][kind] = accuracy`, setup "none" or a denoiser's name. Kinds: "clean";
        `fgsm_<level>` and `pgd_<level>` (ART; with a denoiser: adaptive, on the composed
        model); with a denoiser also `fgsm_blind_<level>` and `pgd_blind_<level>` (the
        images crafted against the bare classifier, then denoised); on the bare classifier
        also `pgd_ours_<level>` (this library's PGD, the same steps).
    """
    options = {"steps": steps, "seed": seed}
    setups = {"none": classifier} | {
        name: compose(model, classifier) for name, model in denoisers.items()
    }
    grid = {name: {"clean": training.evaluate_accuracy(m, x, labels)} for name, m in setups.items()}
    for eps in epsilons:
        blind = {}
        for method in ("fgsm", "pgd"):
            blind[method] = attacks.library_attack(
                classifier, x, labels, method=method, epsilon=eps, **options
            )
            grid["none"][level_id(method, eps)] = training.evaluate_accuracy(
                classifier, blind[method], labels
            )
        ours = attacks.attack_classifier(classifier, x, labels, epsilon=eps, **options)
        grid["none"][level_id("pgd_ours", eps)] = training.evaluate_accuracy(
            classifier, ours, labels
        )
        for name in denoisers:
            model = setups[name]
            for method in ("fgsm", "pgd"):
                adaptive = attacks.library_attack(
                    model, x, labels, method=method, epsilon=eps, **options
                )
                grid[name][level_id(method, eps)] = training.evaluate_accuracy(
                    model, adaptive, labels
                )
                grid[name][level_id(f"{method}_blind", eps)] = training.evaluate_accuracy(
                    model, blind[method], labels
                )
    return grid
