"""Few labels: does augmentation, classical or synthetic, help a classifier? (notebook 07)

For each label count n, `label_efficiency.balanced_subset` picks n class-balanced training
images (the rest of the training set is unlabelled). The same classifier (notebook 05's
scratch CNN, `models.build_cnn_classifier(filters, hidden_units=None)`) is trained on:

- `"labelled"`: the n labelled images alone;
- `"classical"`: the same with random shifts and small rotations, plus horizontal flips for
  clothing (`CLASSICAL_AUGMENT`): the study's section 4.2 says rotation and flipping helped
  against over-fitting;
- `"synthetic"`: the n images plus `synthetic_per_class` images per class from a
  class-conditional VAE (`aelib.models.cvae`) trained on **the same n labelled images
  only**, so no label leaks from the unlabelled rest;
- `"encoder"`: for reference, a frozen encoder (of an autoencoder trained on all training
  images without labels) with a new Dense(10) head, as `label_efficiency`'s transfer.

Every run trains with `label_efficiency.epochs_for` on its own training set size (at least
`min_steps` batches' worth of images; the synthetic set is larger, so it gets fewer
epochs of about the same number of steps) and is scored once on the whole test set.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from aelib.evaluation import label_efficiency
from aelib.outputs import labels
from aelib.params import check_int

__all__ = ["METHODS", "METHOD_LABELS", "CLASSICAL_AUGMENT", "run_few_labels"]

METHOD_LABELS = labels.FEW_LABEL_METHODS
METHODS = tuple(METHOD_LABELS)
# Random shifts of up to 10 % and rotations of up to 10 degrees; flips only where a mirrored
# image is still of its class (a mirrored 2, 3 or 7 is not a digit).
CLASSICAL_AUGMENT = {
    "mnist": {"translation_fraction": 0.1, "rotation_degrees": 10},
    "fashion_mnist": {"translation_fraction": 0.1, "rotation_degrees": 10, "horizontal_flip": True},
}


def run_few_labels(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    label_sizes: Sequence[int],
    *,
    dataset: str,
    seed: int,
    classifier: Callable,
    encoder_classifier: Callable | None,
    cvae_latent_dim: int = 16,
    cvae_min_steps: int = 600,
    synthetic_per_class: int = 500,
    base_epochs: int = 10,
    batch_size: int = 64,
    min_steps: int = 300,
    max_epochs: int = 500,
    judge=None,
    log: bool = True,
) -> dict:
    """Train every method of `METHODS` at every label count; return plain data.

    Args:
        x_train, y_train, x_test, y_test: images `(n, 28, 28, 1)` in [0, 1], int labels.
        label_sizes: label counts, multiples of 10.
        dataset: `"mnist"` or `"fashion_mnist"` (picks `CLASSICAL_AUGMENT`).
        seed: the subsets, the weights, the shuffling and the synthetic codes.
        classifier: zero-argument builder of a new classifier (image -> 10 probabilities).
        encoder_classifier: zero-argument builder of the frozen-encoder classifier, or None
            to leave that reference out.
        cvae_latent_dim, cvae_min_steps: the conditional VAE's code size and training budget
            (at least this many batches' worth of the n images).
        synthetic_per_class: generated images per class added to the n labelled ones.
        base_epochs, batch_size, min_steps, max_epochs: the classifiers' budget
            (`label_efficiency.epochs_for`).
        judge: optional classifier trained on all real labels; when given, its accuracy on
            the synthetic images against the classes they were drawn for is recorded.

    Returns:
        `"test_acc"` `{method: {n: accuracy}}`, `"epochs"` likewise, `"seconds"`,
        `"judge_acc"` `{n: accuracy}` (with `judge`), `"samples"` `{n: (images, labels)}`
        (10 synthetic images per class, for a figure) and `"label_sizes"`.
    """
    from aelib import training
    from aelib.models import cvae as cvae_models
    from aelib.seeding import set_seed

    if dataset not in CLASSICAL_AUGMENT:
        raise ValueError(f"dataset must be one of {sorted(CLASSICAL_AUGMENT)}, got {dataset!r}")
    sizes = label_efficiency.cap_label_sizes(label_sizes, y_train)
    seed = check_int("seed", seed, minimum=0)
    synthetic_per_class = check_int("synthetic_per_class", synthetic_per_class)
    methods = [m for m in METHODS if m != "encoder" or encoder_classifier is not None]
    out = {
        "test_acc": {m: {} for m in methods},
        "epochs": {m: {} for m in methods},
        "seconds": {m: {} for m in methods},
        "judge_acc": {},
        "samples": {},
        "label_sizes": sizes,
    }

    def budget(n_images: int, steps: int = min_steps) -> int:
        return label_efficiency.epochs_for(
            n_images,
            base_epochs=base_epochs,
            batch_size=batch_size,
            min_steps=steps,
            max_epochs=max_epochs,
        )

    def fit_and_score(method, n, build, x, y, augment=None):
        start = time.perf_counter()
        epochs = budget(len(x))
        acc = label_efficiency.train_and_score(
            build,
            x,
            y,
            x_test,
            y_test,
            epochs=epochs,
            batch_size=batch_size,
            seed=seed,
            augment=augment,
        )
        out["test_acc"][method][n] = acc
        out["epochs"][method][n] = epochs
        out["seconds"][method][n] = round(time.perf_counter() - start, 3)
        if log:
            print(
                f"{dataset} n={n:>5,d}  {METHOD_LABELS[method]:<28s} epochs {epochs:>3d}  "
                f"test acc {acc:.4f}  {out['seconds'][method][n]:.1f}s",
                flush=True,
            )

    for n in sizes:
        idx = label_efficiency.balanced_subset(y_train, n, seed=seed)
        x, y = x_train[idx], y_train[idx]
        fit_and_score("labelled", n, classifier, x, y)
        fit_and_score("classical", n, classifier, x, y, augment=CLASSICAL_AUGMENT[dataset])

        set_seed(seed)
        generator = cvae_models.build_conditional_vae(cvae_latent_dim, seed=seed)
        training.train(
            generator,
            x,
            y,
            epochs=budget(n, cvae_min_steps),
            batch_size=batch_size,
            seed=seed,
            log=False,
        )
        fake_x, fake_y = cvae_models.sample_classes(
            generator, synthetic_per_class, seed=np.random.default_rng([seed, n])
        )
        if judge is not None:
            predicted = training.predict(judge, fake_x).argmax(axis=1)
            out["judge_acc"][n] = float(np.mean(predicted == fake_y))
        shown = np.concatenate([np.flatnonzero(fake_y == c)[:10] for c in range(10)])
        out["samples"][n] = (fake_x[shown], fake_y[shown])
        fit_and_score(
            "synthetic", n, classifier, np.concatenate([x, fake_x]), np.concatenate([y, fake_y])
        )
        if encoder_classifier is not None:
            fit_and_score("encoder", n, encoder_classifier, x, y)
    return out


def to_rows(result: Mapping) -> list[tuple[str, int, float]]:
    """(method, n, accuracy) of a `run_few_labels` result, for a table."""
    return [
        (m, int(n), float(a)) for m, by_n in result["test_acc"].items() for n, a in by_n.items()
    ]
