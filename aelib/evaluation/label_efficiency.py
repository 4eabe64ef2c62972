"""Label efficiency: test accuracy against the number of labelled training images.

The paper claims that transfer learning reduces the need for labelled data but never
tests it. This module trains the same classifiers on class-balanced label subsets of
growing size (100, 1,000, 10,000, 60,000 Fashion-MNIST labels in notebook 05) and
measures test accuracy, so the claim can be checked:

- `balanced_subset` draws n/num_classes indices per class, fixed by a seed and nested
  (for one seed, a smaller subset is contained in every larger one);
- `epochs_for` stretches the epoch count for small subsets so that every run sees at
  least `min_steps` batches' worth of images (10 epochs of 100 images is one step
  each, far too little to train even a softmax layer);
- `make_builders` gives the four compared models (frozen MNIST encoder, fine-tuned
  MNIST encoder, CNN from scratch, frozen Fashion encoder), each with the same
  Flatten -> Dense(10, softmax) head;
- `run_label_efficiency` trains every (method, size) pair and returns plain data;
  `format_table`, `to_metrics` and `plot_label_efficiency` turn that into a printed
  table, flat metric ids and a figure.

There is no early stopping and no validation set: the test set is only evaluated once,
after training, so it cannot leak into the choice of weights.

Its chart is `aelib.figures.plot_label_efficiency`; the methods' readable names are
`aelib.figures.METHOD_NAMES`.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from aelib.figures.curves import METHOD_NAMES, method_name
from aelib.params import check_int

__all__ = [
    "METHOD_NAMES",
    "balanced_subset",
    "max_balanced_size",
    "check_label_sizes",
    "cap_label_sizes",
    "epochs_for",
    "make_builders",
    "run_label_efficiency",
    "format_table",
    "to_metrics",
]


# ------------------------------------------------------------------------------ checks


def _check_labels(labels) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"labels must be a 1-D array of integer class labels, got dtype {labels.dtype} "
            f"and shape {labels.shape}"
        )
    if labels.size == 0:
        raise ValueError("labels is empty")
    return labels


def _classes(labels: np.ndarray, num_classes: int | None) -> np.ndarray:
    if num_classes is None:
        return np.unique(labels)
    num_classes = check_int("num_classes", num_classes, minimum=1)
    outside = labels[(labels < 0) | (labels >= num_classes)]
    if outside.size:
        raise ValueError(
            f"labels must lie in [0, {num_classes}) for num_classes={num_classes}, "
            f"found {int(outside[0])}"
        )
    return np.arange(num_classes)


def _check_sizes(label_sizes) -> list[int]:
    if isinstance(label_sizes, (str, bytes)) or not isinstance(label_sizes, Sequence):
        raise ValueError(f"label_sizes must be a list of positive integers, got {label_sizes!r}")
    if not label_sizes:
        raise ValueError("label_sizes must not be empty")
    return sorted({check_int(f"label_sizes[{i}]", n, minimum=1) for i, n in enumerate(label_sizes)})


# ------------------------------------------------------------------------------ subsets


def max_balanced_size(labels, *, num_classes: int | None = None) -> int:
    """The largest class-balanced subset `labels` allows: classes x smallest class count.

    Args:
        labels: 1-D integer class labels.
        num_classes: None (the classes are the distinct labels present), or the number
            of classes `0 .. num_classes - 1` (a class without samples gives 0).
    """
    labels = _check_labels(labels)
    classes = _classes(labels, num_classes)
    counts = np.array([np.count_nonzero(labels == c) for c in classes])
    return int(len(classes) * counts.min())


def balanced_subset(labels, n: int, *, seed: int, num_classes: int | None = None) -> np.ndarray:
    """Indices of a class-balanced subset of `n` samples: `n / num_classes` per class.

    Each class's indices are shuffled once with `np.random.default_rng(seed)` and the
    first `n / num_classes` are taken, so for one seed the subsets are nested: the
    100-label subset is contained in the 1,000-label one, and so on. When `n` covers
    every sample (a perfectly balanced label set) the result is `arange(len(labels))`,
    i.e. exactly the full training set in its original order.

    Args:
        labels: 1-D integer class labels `(N,)`, e.g. `y_train`.
        n: positive int, divisible by the number of classes.
        seed: non-negative int; the same seed gives the same subset.
        num_classes: None (the classes are the distinct labels present), or the number
            of classes `0 .. num_classes - 1`.

    Returns:
        Sorted int64 indices into `labels`, shape `(n,)`, without repeats.

    Raises:
        ValueError: if `n` is not a positive int, not divisible by the number of
            classes, or asks for more samples of a class than `labels` holds (the
            message names the class and the largest balanced size available).
    """
    labels = _check_labels(labels)
    n = check_int("n", n, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    classes = _classes(labels, num_classes)
    k = len(classes)
    if n % k:
        raise ValueError(
            f"n={n} is not divisible by the number of classes ({k}); a class-balanced "
            f"subset needs a multiple of {k}"
        )
    per_class = n // k
    rng = np.random.default_rng(seed)
    chosen = []
    for c in classes:
        idx = np.flatnonzero(labels == c)
        if len(idx) < per_class:
            raise ValueError(
                f"n={n} needs {per_class} samples per class, but class {int(c)} has only "
                f"{len(idx)}; the largest balanced subset of these labels has "
                f"{max_balanced_size(labels, num_classes=num_classes)} samples"
            )
        # One full permutation per class whatever n is: that makes the subsets nested.
        chosen.append(idx[rng.permutation(len(idx))[:per_class]])
    return np.sort(np.concatenate(chosen)).astype(np.int64)


def check_label_sizes(label_sizes, *, num_classes: int = 10) -> list[int]:
    """`label_sizes` sorted and deduplicated; each a positive multiple of `num_classes`.

    For a notebook's parameter check, before the labels are loaded.

    Raises:
        ValueError: naming the offending sizes.
    """
    sizes = _check_sizes(label_sizes)
    num_classes = check_int("num_classes", num_classes, minimum=1)
    bad = [n for n in sizes if n % num_classes]
    if bad:
        raise ValueError(
            f"label_sizes must be multiples of the number of classes ({num_classes}) so "
            f"that each class gets the same number of labels, got {bad}"
        )
    return sizes


def cap_label_sizes(label_sizes, labels, *, num_classes: int | None = None) -> list[int]:
    """`label_sizes` capped at the largest balanced subset of `labels`, sorted, deduplicated.

    With the full Fashion-MNIST training set (6,000 per class) `[100, 1000, 10000,
    60000]` stays as it is; with the smoke profile's 512 training images the larger
    sizes collapse onto the largest balanced subset of those 512.

    Raises:
        ValueError: if a size is not a positive multiple of the number of classes.
    """
    labels = _check_labels(labels)
    sizes = check_label_sizes(label_sizes, num_classes=len(_classes(labels, num_classes)))
    largest = max_balanced_size(labels, num_classes=num_classes)
    if largest == 0:
        raise ValueError("a class has no samples: no balanced subset is possible")
    return sorted({min(n, largest) for n in sizes})


# ------------------------------------------------------------------------------ budget


def epochs_for(
    n_labels: int, *, base_epochs: int, batch_size: int, min_steps: int, max_epochs: int = 500
) -> int:
    """Epochs to train on `n_labels` images: `base_epochs`, stretched for small subsets.

    `max(base_epochs, ceil(min_steps * batch_size / n_labels))`: every run sees at
    least `min_steps` full batches' worth of images (with 100 labels and batch 128 an
    epoch is a single step, so 10 epochs would be 10 gradient steps). The stretch is
    capped at `max_epochs`; the cap never cuts below `base_epochs`.

    Examples (base 10, batch 128, min_steps 300): 100 labels -> 384 epochs, 1,000 -> 39,
    10,000 -> 10, 60,000 -> 10.

    Args:
        n_labels: positive int, training set size.
        base_epochs: positive int, the epochs of a full-data run.
        batch_size: positive int.
        min_steps: non-negative int; 0 turns the stretch off.
        max_epochs: positive int, the most epochs a stretched run gets.

    Returns:
        The number of epochs, an int >= base_epochs.
    """
    n_labels = check_int("n_labels", n_labels, minimum=1)
    base_epochs = check_int("base_epochs", base_epochs, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    min_steps = check_int("min_steps", min_steps, minimum=0)
    max_epochs = check_int("max_epochs", max_epochs, minimum=1)
    stretched = math.ceil(min_steps * batch_size / n_labels)
    return max(base_epochs, min(stretched, max_epochs))


# ------------------------------------------------------------------------------ models


def _copy_encoder(encoder):
    """A new encoder with the same architecture and weights (the original stays as is)."""
    import keras

    copy = keras.models.clone_model(encoder)
    copy.set_weights(encoder.get_weights())
    # clone_model copies each layer's `trainable` flag, and an encoder that was frozen for
    # a transfer classifier has every layer frozen; setting `copy.trainable = True` later
    # does not reach those layers, so the copy starts with all of them trainable again.
    for layer in copy.layers:
        layer.trainable = True
    copy.trainable = True
    return copy


def _frozen_copy(encoder):
    from aelib import models

    return models.build_encoder_classifier(
        _copy_encoder(encoder), hidden_units=None, trainable=False
    )


def _finetuned_copy(encoder):
    from aelib import models

    return models.build_encoder_classifier(
        _copy_encoder(encoder), hidden_units=None, trainable=True
    )


def make_builders(
    *, mnist_encoder, fashion_encoder=None, filters: Sequence[int] = (64, 32, 16)
) -> dict[str, Callable]:
    """Zero-argument model builders for the compared methods, all with the same head.

    Every classifier ends in Flatten -> Dense(10, softmax) (the paper's section 3.1
    head, `hidden_units=None`):

    - `"transfer"`: the frozen `mnist_encoder` itself (shared, as in notebook 05's
      `dense10` classifier; frozen, so its weights never change);
    - `"finetune"`: a copy of `mnist_encoder` (same weights), trainable;
    - `"scratch"`: `models.build_cnn_classifier(filters, hidden_units=None)`, fresh
      weights;
    - `"fashion_encoder"` (only if `fashion_encoder` is given): a frozen copy of the
      Fashion-MNIST encoder; copied so that the caller's autoencoder keeps its
      trainable flags.

    Returns:
        `{method: builder}` in that order; each call returns a new, uncompiled model.
    """
    from aelib import models

    builders = {
        "transfer": functools.partial(
            models.build_encoder_classifier, mnist_encoder, hidden_units=None, trainable=False
        ),
        "finetune": functools.partial(_finetuned_copy, mnist_encoder),
        "scratch": functools.partial(models.build_cnn_classifier, filters, hidden_units=None),
    }
    if fashion_encoder is not None:
        builders["fashion_encoder"] = functools.partial(_frozen_copy, fashion_encoder)
    return builders


# ------------------------------------------------------------------------------ running


def train_and_score(
    build: Callable,
    x: np.ndarray,
    y: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    *,
    epochs: int,
    batch_size: int,
    seed: int,
    learning_rate: float = 1e-3,
    augment: Mapping | None = None,
) -> float:
    """One classifier run of a label-efficiency study; returns its test accuracy.

    `set_seed(seed)`, `build()` a fresh model, `aelib.training.train` it on `(x, y)` with
    Adam (`learning_rate`), sparse categorical cross-entropy, `epochs` and `batch_size`
    (optionally with `augment`, see `training.train`), without validation data, early
    stopping or per-epoch log, then measure its accuracy on `(x_test, y_test)`.
    `run_label_efficiency` (notebook 05) and `few_labels.run_few_labels` (notebook 07)
    both train this way.
    """
    from aelib import training
    from aelib.seeding import set_seed

    set_seed(seed)
    model = build()
    training.train(
        model,
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        learning_rate=learning_rate,
        augment=augment,
        seed=seed,
        log=False,
    )
    return float(training.evaluate_accuracy(model, x_test, y_test))


def run_label_efficiency(
    builders: Mapping[str, Callable],
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    label_sizes: Sequence[int],
    *,
    seed: int,
    base_epochs: int,
    batch_size: int,
    min_steps: int,
    max_epochs: int = 500,
    learning_rate: float = 1e-3,
    reuse: Mapping[str, Mapping[int, float]] | None = None,
    log: bool = True,
) -> dict:
    """Train every method on every label-subset size; return the test accuracies.

    For each size n, `balanced_subset(y_train, n, seed=seed)` picks the training
    images (the same subset for every method). For each method: `set_seed(seed)`,
    build a fresh model, `aelib.training.train` it with Adam (`learning_rate`), sparse
    categorical cross-entropy, `batch_size` and `epochs_for(n, ...)` epochs, without
    validation data or early stopping, then measure accuracy on `(x_test, y_test)`.

    Args:
        builders: `{method: zero-argument callable returning a new Keras model}`,
            e.g. from `make_builders`.
        x_train, y_train: training images `(N, 28, 28, 1)` float32 in [0, 1] and
            integer labels `(N,)`.
        x_test, y_test: the evaluation set, same layout.
        label_sizes: subset sizes; sorted and deduplicated here, each a multiple of
            the number of classes and at most the largest balanced subset.
        seed: non-negative int, for the subsets, the model weights and the shuffling.
        base_epochs, batch_size, min_steps, max_epochs: the training budget, see
            `epochs_for`.
        learning_rate: Adam learning rate.
        reuse: optional `{method: {n: test_acc}}` from runs already done with exactly
            this model, data and training settings; these pairs are not retrained and
            their accuracy is copied.
        log: print one line per (method, n).

    Returns:
        Plain data: `"test_acc"`: `{method: {n: accuracy in [0, 1]}}`; `"epochs"`:
        `{method: {n: epochs}}`; `"seconds"`: `{method: {n: wall seconds of training
        and evaluation}}` (0.0 for reused pairs); `"reused"`: `{method: [n, ...]}`;
        `"label_sizes"`: the sorted sizes.

    Raises:
        ValueError: on invalid arguments, a size the labels cannot serve, or a `reuse`
            entry for an unknown method or size.
    """
    if not isinstance(builders, Mapping) or not builders:
        raise ValueError("builders must be a non-empty dict of method -> model builder")
    for method, build in builders.items():
        if not callable(build):
            raise ValueError(f"builders[{method!r}] must be callable, got {build!r}")
    sizes = _check_sizes(label_sizes)
    seed = check_int("seed", seed, minimum=0)
    y_train = _check_labels(y_train)
    if len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise ValueError(
            f"images and labels must match: train {len(x_train)} vs {len(y_train)}, "
            f"test {len(x_test)} vs {len(y_test)}"
        )
    reuse = {m: {int(n): float(a) for n, a in r.items()} for m, r in (reuse or {}).items()}
    for method, entries in reuse.items():
        if method not in builders:
            raise ValueError(f"reuse names method {method!r}, not one of {list(builders)}")
        extra = sorted(set(entries) - set(sizes))
        if extra:
            raise ValueError(f"reuse[{method!r}] has sizes {extra} that are not in {sizes}")
    budget = {
        n: epochs_for(
            n,
            base_epochs=base_epochs,
            batch_size=batch_size,
            min_steps=min_steps,
            max_epochs=max_epochs,
        )
        for n in sizes
    }
    subsets = {n: balanced_subset(y_train, n, seed=seed) for n in sizes}

    out = {
        "test_acc": {m: {} for m in builders},
        "epochs": {m: {} for m in builders},
        "seconds": {m: {} for m in builders},
        "reused": {m: [] for m in builders},
        "label_sizes": sizes,
    }
    width = max(len(m) for m in builders)
    for n in sizes:
        for method, build in builders.items():
            start = time.perf_counter()
            if n in reuse.get(method, {}):
                acc = reuse[method][n]
                out["reused"][method].append(n)
                note = "reused (identical run done earlier)"
            else:
                idx = subsets[n]
                acc = train_and_score(
                    build,
                    x_train[idx],
                    y_train[idx],
                    x_test,
                    y_test,
                    epochs=budget[n],
                    batch_size=batch_size,
                    seed=seed,
                    learning_rate=learning_rate,
                )
                note = f"{time.perf_counter() - start:.1f}s"
            out["test_acc"][method][n] = float(acc)
            out["epochs"][method][n] = budget[n]
            out["seconds"][method][n] = (
                0.0 if n in out["reused"][method] else round(time.perf_counter() - start, 3)
            )
            if log:
                print(
                    f"{method:<{width}s}  n={n:>6,d}  epochs {budget[n]:>3d}  "
                    f"test acc {acc:.4f}  {note}",
                    flush=True,
                )
    return out


# ------------------------------------------------------------------------------ reporting


def format_table(test_acc: Mapping[str, Mapping[int, float]]) -> str:
    """Test accuracy as a text table: one row per method, one column per label count."""
    sizes = sorted({int(n) for acc in test_acc.values() for n in acc})
    names = {m: method_name(m) for m in test_acc}
    width = max([len("labels")] + [len(v) for v in names.values()])
    header = f"{'labels':<{width}s}" + "".join(f"{n:>10,d}" for n in sizes)
    lines = [header, "-" * len(header)]
    for method, acc in test_acc.items():
        acc = {int(n): a for n, a in acc.items()}
        cells = "".join(f"{acc[n]:>10.4f}" if n in acc else f"{'-':>10s}" for n in sizes)
        lines.append(f"{names[method]:<{width}s}{cells}")
    return "\n".join(lines)


def to_metrics(
    test_acc: Mapping[str, Mapping[int, float]], *, prefix: str = "fashion.label_eff"
) -> dict[str, float]:
    """Flat metric ids `<prefix>.<method>.<n>.test_acc` -> accuracy (n as an integer)."""
    return {
        f"{prefix}.{method}.{int(n)}.test_acc": float(a)
        for method, acc in test_acc.items()
        for n, a in sorted(acc.items(), key=lambda item: int(item[0]))
    }
