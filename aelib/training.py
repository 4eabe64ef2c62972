"""Training and evaluation helpers: one `train` call per experiment, plain-data history.

`train` compiles the model with Adam (the paper's optimizer, learning rate 1e-3), fits it
with per-epoch shuffling and validation, prints one line per epoch (no progress bars,
so logs of executed notebooks stay readable) and returns the history as plain Python
data that `aelib.outputs.results.save_history` can write as JSON.

Without augmentation, NumPy arrays go straight to `model.fit` (the fastest path in
Keras): the training is then a plain `model.fit`'s, bit for bit, and no aelib code runs
per batch (both checked in `tests/test_training.py`); `benchmarks/bench_training.py`
measures the throughput of both. With augmentation, batches stream through a `tf.data`
pipeline that applies seeded random transforms on the fly.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Mapping

import keras
import numpy as np

from aelib import tfquiet
from aelib.params import check_int

__all__ = [
    "train",
    "predict",
    "evaluate_bce",
    "evaluate_accuracy",
    "build_optimizer",
    "AUGMENT_OPTIONS",
]

# Keras' backend epsilon: BCE clips probabilities to [EPSILON, 1 - EPSILON].
EPSILON = 1e-7

AUGMENT_OPTIONS = {
    "rotation_degrees": "max absolute rotation in degrees (uniform in [-d, d])",
    "horizontal_flip": "flip left-right with probability 1/2",
    "vertical_flip": "flip up-down with probability 1/2",
    "translation_fraction": "max shift as a fraction of height/width",
    "zoom_fraction": "max zoom in/out as a fraction of the image size",
}


# ------------------------------------------------------------------------------ checks


def _check_pair(name: str, x, y) -> None:
    if len(x) != len(y):
        raise ValueError(
            f"{name}: inputs and targets must have the same number of samples, "
            f"got {len(x)} and {len(y)}"
        )
    if len(x) == 0:
        raise ValueError(f"{name}: got an empty array")


def _is_image_target(x: np.ndarray, y: np.ndarray) -> bool:
    """True for autoencoder-style targets: images of the same shape as the inputs."""
    return y is x or (x.ndim >= 3 and y.shape == x.shape)


def _check_augment(augment) -> dict:
    if augment is None:
        return {}
    if not isinstance(augment, Mapping):
        raise ValueError(
            f"augment must be None or a dict with keys from {sorted(AUGMENT_OPTIONS)}, "
            f"got {augment!r}"
        )
    unknown = set(augment) - set(AUGMENT_OPTIONS)
    if unknown:
        raise ValueError(
            f"augment has unknown keys {sorted(unknown)}; allowed: {sorted(AUGMENT_OPTIONS)}"
        )
    out = dict(augment)
    for key in ("horizontal_flip", "vertical_flip"):
        if key in out and not isinstance(out[key], (bool, np.bool_)):
            raise ValueError(f"augment[{key!r}] must be True or False, got {out[key]!r}")
    limits = {"rotation_degrees": 180.0, "translation_fraction": 1.0, "zoom_fraction": 1.0}
    for key, upper in limits.items():
        if key in out:
            value = out[key]
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float, np.number))
                or not (0.0 <= float(value) <= upper)
            ):
                raise ValueError(
                    f"augment[{key!r}] must be a number in [0, {upper:g}], got {value!r}"
                )
    return out


# ------------------------------------------------------------------------- epoch logger


def _format_number(value: float) -> str:
    return f"{value:.5f}" if abs(value) < 1000 else f"{value:.5g}"


class _EpochLogger(keras.callbacks.Callback):
    """Times every epoch and prints one flushed line per epoch.

    Epoch hooks only (and `on_test_begin`, once per validation): a batch hook would run
    Python on every batch, and overriding `on_train_batch_end` would also make Keras call
    every callback's batch-end hook synchronously instead of on its thread pool.
    """

    def __init__(self, epochs: int, num_samples: int, log: bool):
        super().__init__()
        self.epochs = epochs
        self.num_samples = num_samples
        self.log = log
        self.seconds: list[float] = []
        self.train_seconds: list[float] = []
        self._start = None
        self._val_start = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()
        self._val_start = None

    def on_test_begin(self, logs=None):
        # Validation inside fit: the training part of this epoch is over.
        if self._start is not None and self._val_start is None:
            self._val_start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        end = time.perf_counter()
        seconds = end - self._start
        train_seconds = (self._val_start or end) - self._start
        self.seconds.append(seconds)
        self.train_seconds.append(train_seconds)
        self._start = None
        if not self.log:
            return
        parts = [f"epoch {epoch + 1}/{self.epochs}"]
        logs = logs or {}
        # loss first, then the other metrics, then the same for validation
        keys = sorted(logs, key=lambda k: (k.startswith("val_"), k not in ("loss", "val_loss")))
        for key in keys:
            try:
                parts.append(f"{key} {_format_number(float(logs[key]))}")
            except (TypeError, ValueError):
                continue
        parts.append(f"{seconds:.1f}s")
        parts.append(f"{self.num_samples / max(train_seconds, 1e-9):.0f} img/s")
        print("  ".join(parts), file=sys.stdout, flush=True)


# --------------------------------------------------------------------------- augmenting


def _augmentation_layers(augment: dict, seed: int | None) -> list:
    """Keras preprocessing layers for `augment`, each seeded from `seed`."""

    def layer_seed(offset: int):
        return None if seed is None else int(seed) + offset

    out = []
    flips = [
        m
        for m, k in (("horizontal", "horizontal_flip"), ("vertical", "vertical_flip"))
        if augment.get(k)
    ]
    if flips:
        mode = "horizontal_and_vertical" if len(flips) == 2 else flips[0]
        out.append(keras.layers.RandomFlip(mode, seed=layer_seed(1)))
    if augment.get("rotation_degrees"):
        # RandomRotation's factor is a fraction of a full turn; fill with black (0),
        # the MNIST background, instead of Keras' default reflection.
        out.append(
            keras.layers.RandomRotation(
                float(augment["rotation_degrees"]) / 360.0,
                fill_mode="constant",
                fill_value=0.0,
                seed=layer_seed(2),
            )
        )
    if augment.get("translation_fraction"):
        f = float(augment["translation_fraction"])
        out.append(
            keras.layers.RandomTranslation(
                f, f, fill_mode="constant", fill_value=0.0, seed=layer_seed(3)
            )
        )
    if augment.get("zoom_fraction"):
        f = float(augment["zoom_fraction"])
        out.append(
            keras.layers.RandomZoom(f, f, fill_mode="constant", fill_value=0.0, seed=layer_seed(4))
        )
    return out


def _augmented_dataset(x, y, *, batch_size: int, augment: dict, seed: int | None):
    """A shuffled, batched tf.data pipeline applying the random transforms per batch.

    For autoencoder targets (images like `x`) input and target are concatenated along
    the channel axis, transformed together and split, so both get the same rotation,
    flip, etc.; otherwise only the inputs are transformed.
    """
    import tensorflow as tf

    transforms = _augmentation_layers(augment, seed)
    paired = _is_image_target(x, y)
    channels = x.shape[-1]
    add_channel = x.ndim == 3  # (n, h, w) images: preprocessing layers want channels

    def apply(images):
        for layer in transforms:
            images = layer(images, training=True)
        return images

    def transform(xb, yb):
        if add_channel:
            xb = xb[..., None]
            yb = yb[..., None] if paired else yb
        if paired:
            both = apply(tf.concat([xb, tf.cast(yb, xb.dtype)], axis=-1))
            c = 1 if add_channel else channels
            xb, yb = both[..., :c], tf.cast(both[..., c:], y.dtype)
        else:
            xb = apply(xb)
        if add_channel:
            xb = xb[..., 0]
            yb = yb[..., 0] if paired else yb
        return xb, yb

    if y is x:
        ds = tf.data.Dataset.from_tensor_slices(x).map(lambda a: (a, a))
    else:
        ds = tf.data.Dataset.from_tensor_slices((x, y))
    ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size).map(transform, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


# ------------------------------------------------------------------------------- train


def build_optimizer(optimizer: keras.optimizers.Optimizer, variables) -> None:
    """Make `optimizer`'s slots (Adam's moments) for `variables` now, before a fit.

    Keras' TensorFlow trainer leaves them to the first call of its train function, and a
    tf.function that creates variables on its first call is traced twice (TensorFlow
    #48851): about 0.8 s more for each fresh model, most of a smoke run's training. The
    slots start at zero either way and the steps compute the same bits (checked against
    the smoke runs of every notebook by `run_all --rekey`). An optimizer already built, or
    a model with no variables yet, is left to Keras."""
    variables = list(variables)
    if variables and not optimizer.built:
        optimizer.build(variables)


def _to_plain(value):
    if isinstance(value, (np.floating, float)):
        return float(value)
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    return value


def train(
    model: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    *,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    epochs: int = 10,
    batch_size: int = 256,
    loss="binary_crossentropy",
    metrics: list | None = None,
    learning_rate: float = 1e-3,
    early_stopping_patience: int | None = None,
    augment: dict | None = None,
    seed: int | None = None,
    log: bool = True,
) -> dict:
    """Compile `model` with Adam and fit it; return the history as plain data.

    The model is (re)compiled on every call, so the optimizer state starts fresh; the
    weights continue from wherever they are. Data are shuffled every epoch.

    Args:
        model: a Keras model (e.g. `Autoencoder.autoencoder` or a classifier).
        x: training inputs, float32 images `(n, 28, 28, 1)` in [0, 1].
        y: training targets: the clean images for an autoencoder (`x` itself, or
            clean images for a denoiser), or integer labels `(n,)` for a classifier
            (use `loss="sparse_categorical_crossentropy", metrics=["accuracy"]`).
        validation_data: optional `(x_val, y_val)`, evaluated after every epoch.
        epochs: maximum number of epochs, >= 1.
        batch_size: >= 1; the paper uses 256 (baseline) and 128 (improved, Fashion).
        loss: any Keras loss (name or object).
        metrics: optional list of Keras metrics.
        learning_rate: Adam learning rate, > 0.
        early_stopping_patience: None, or stop after this many epochs without a lower
            `val_loss`; at the end the weights of the best-`val_loss` epoch are
            restored (Keras does this even when all epochs ran). Needs
            `validation_data`.
        augment: None, or a dict with keys from `AUGMENT_OPTIONS`, e.g.
            `{"rotation_degrees": 10, "horizontal_flip": True}`; random transforms
            are applied per batch on the fly. When `y` holds images shaped like `x`
            (autoencoders) the same transform is applied to input and target.
        seed: None, or an int: re-seeds Python, NumPy and TensorFlow
            (`keras.utils.set_random_seed`) right before fitting and seeds the
            augmentation, so the shuffling order and transforms repeat exactly.
        log: print one line per epoch (metrics, seconds, training images/s).

    Returns:
        A JSON-serializable dict: `"epoch"` (1-based list), one list per Keras metric
        (`"loss"`, `"val_loss"`, `"accuracy"`, ...), `"seconds"` (wall seconds per
        epoch, validation included), `"train_seconds"` (the training part only),
        `"epochs_run"`, `"stopped_early"`, `"best_epoch"` (lowest `val_loss`, or None),
        `"batch_size"`, `"learning_rate"`, `"num_samples"` and `"augment"`.

    Raises:
        ValueError: on invalid arguments (details in the message).
    """
    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a keras.Model, got {type(model).__name__}")
    epochs = check_int("epochs", epochs, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    if (
        isinstance(learning_rate, bool)
        or not isinstance(learning_rate, (int, float, np.number))
        or not math.isfinite(learning_rate)
        or learning_rate <= 0
    ):
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    if early_stopping_patience is not None:
        early_stopping_patience = check_int(
            "early_stopping_patience", early_stopping_patience, minimum=0
        )
        if validation_data is None:
            raise ValueError("early_stopping_patience needs validation_data (it watches val_loss)")
    if seed is not None:
        seed = check_int("seed", seed, minimum=0)
    augment = _check_augment(augment)

    same = y is x
    x = np.asarray(x)
    y = x if same else np.asarray(y)
    _check_pair("x/y", x, y)
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("validation_data must be a tuple (x_val, y_val)")
        x_val, y_val = (np.asarray(a) for a in validation_data)
        _check_pair("validation_data", x_val, y_val)
        validation_data = (x_val, y_val)
    if augment and x.ndim not in (3, 4):
        raise ValueError(f"augment needs image inputs (n, h, w[, c]), got shape {x.shape}")

    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=float(learning_rate)),
        loss=loss,
        metrics=list(metrics) if metrics else None,
    )
    build_optimizer(model.optimizer, model.trainable_variables)

    logger = _EpochLogger(epochs, len(x), log)
    callbacks = [logger]
    stopper = None
    if early_stopping_patience is not None:
        stopper = keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=early_stopping_patience, restore_best_weights=True
        )
        callbacks.append(stopper)

    if seed is not None:
        keras.utils.set_random_seed(seed)

    if augment:
        data = _augmented_dataset(x, y, batch_size=batch_size, augment=augment, seed=seed)
        fit_kwargs = {"x": data, "shuffle": False}  # the pipeline shuffles itself
    else:
        # Fast path: NumPy straight into fit, exactly what a plain model.fit does.
        fit_kwargs = {"x": x, "y": y, "batch_size": batch_size, "shuffle": True}

    # Keras traces a fresh train/test function for every new model (once, or twice when
    # the last batch is smaller), which is expected. TensorFlow's retracing detector
    # keys on the code of Keras' inner function, shared by all models, so a few fresh
    # models trained in a row (the latent sweep, the label-efficiency runs) read as
    # "retracing" to it. Only that message, for Keras' trainer, is dropped.
    with tfquiet.dropping_log_records(
        "tensorflow", "triggered tf.function retracing", "TensorFlowTrainer"
    ):
        keras_history = model.fit(
            **fit_kwargs,
            epochs=epochs,
            validation_data=validation_data,
            callbacks=callbacks,
            verbose=0,
        )

    epochs_run = len(logger.seconds)
    history: dict = {"epoch": list(range(1, epochs_run + 1))}
    for key, values in keras_history.history.items():
        history[key] = [_to_plain(v) for v in values]
    history["seconds"] = [float(s) for s in logger.seconds]
    history["train_seconds"] = [float(s) for s in logger.train_seconds]
    history["epochs_run"] = epochs_run
    history["stopped_early"] = bool(stopper is not None and stopper.stopped_epoch > 0)
    val = history.get("val_loss")
    history["best_epoch"] = int(np.nanargmin(val)) + 1 if val and np.isfinite(val).any() else None
    history["batch_size"] = batch_size
    history["learning_rate"] = float(learning_rate)
    history["num_samples"] = len(x)
    history["augment"] = {
        k: _to_plain(v) if not isinstance(v, np.bool_) else bool(v) for k, v in augment.items()
    } or None
    if log and history["stopped_early"]:
        print(
            f"early stopping after epoch {epochs_run}; restored the weights of epoch "
            f"{history['best_epoch']} (val_loss {val[history['best_epoch'] - 1]:.5f})",
            flush=True,
        )
    return history


# -------------------------------------------------------------------------- evaluation


def predict(model, x: np.ndarray, batch_size: int = 512):
    """The model's outputs for `x` in inference mode, batch by batch, as NumPy arrays: the
    one batched-inference helper of the library (quality, generative and the notebooks
    use it).

    Each batch is a direct call `model(batch, training=False)`, not `model.predict`:
    `predict` builds a `tf.function` and a `tf.data` pipeline for every new model and
    traces again whenever the input shape changes, so a notebook that predicts with
    several models (or on 10 images after 10,000) made TensorFlow warn about
    "retracing", and the pipeline logged a C++ error line on every call. The outputs
    are the same numbers (checked in `tests/test_training.py`).

    Args:
        model: a Keras model, or a plain callable on a batch (called as `model(batch)`:
            a classical filter, say).
        x: inputs, e.g. images `(n, 28, 28, 1)`.
        batch_size: images per call, >= 1.

    Returns:
        The outputs with `len(x)` rows; a list of arrays, one per output, for a model with
        several (the VAE's encoder gives `[z_mean, z_log_var]`).
    """
    batch_size = check_int("batch_size", batch_size, minimum=1)
    if not callable(model):
        raise ValueError(f"model must be a Keras model or a callable, got {type(model).__name__}")
    x = np.asarray(x)
    if len(x) == 0:
        raise ValueError("predict: got an empty array")
    keras_model = isinstance(model, keras.Model)
    parts, several = [], False
    for start in range(0, len(x), batch_size):
        batch = x[start : start + batch_size]
        out = model(batch, training=False) if keras_model else model(batch)
        several = isinstance(out, (list, tuple))
        parts.append([keras.ops.convert_to_numpy(o) for o in (out if several else [out])])
    outputs = [np.concatenate([p[i] for p in parts], axis=0) for i in range(len(parts[0]))]
    return outputs if several else outputs[0]


def evaluate_bce(model: keras.Model, x: np.ndarray, y: np.ndarray, batch_size: int = 512) -> float:
    """Mean per-pixel binary cross-entropy of `model(x)` against `y`.

    Computed like Keras' `binary_crossentropy` on predicted probabilities: predictions
    clipped to [1e-7, 1 - 1e-7], `-(y log p + (1 - y) log(1 - p))`, averaged over all
    pixels and images (in float64). This is the paper's reconstruction metric. (During
    `fit` Keras computes the loss from the sigmoid's logits instead, which differs only
    for saturated pixels, typically in the 4th-5th significant digit.)

    Args:
        model: a model whose outputs are probabilities in [0, 1].
        x: inputs, e.g. (noisy) images `(n, 28, 28, 1)`.
        y: targets in [0, 1], the same shape as the model's outputs.
        batch_size: prediction batch size.

    Returns:
        The mean BCE as a python float.
    """
    x = np.asarray(x)
    y = np.asarray(y)
    _check_pair("x/y", x, y)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    total = 0.0
    count = 0
    for start in range(0, len(x), batch_size * 8):
        stop = start + batch_size * 8
        p = predict(model, x[start:stop], batch_size).astype(np.float32)
        t = y[start:stop].astype(np.float32).reshape(p.shape)
        p = np.clip(p, np.float32(EPSILON), np.float32(1.0 - EPSILON))
        bce = -(t * np.log(p) + (1.0 - t) * np.log(1.0 - p))
        total += float(bce.sum(dtype=np.float64))
        count += bce.size
    return total / count


def evaluate_accuracy(
    model: keras.Model, x: np.ndarray, y_labels: np.ndarray, batch_size: int = 512
) -> float:
    """Fraction of samples whose arg-max prediction equals the label.

    Args:
        model: a classifier returning class scores `(n, num_classes)`.
        x: inputs.
        y_labels: integer labels `(n,)` (or one-hot `(n, num_classes)`).

    Returns:
        Accuracy in [0, 1] as a python float.
    """
    x = np.asarray(x)
    y_labels = np.asarray(y_labels)
    _check_pair("x/y_labels", x, y_labels)
    if y_labels.ndim == 2:
        y_labels = y_labels.argmax(axis=1)
    predicted = predict(model, x, batch_size).argmax(axis=-1)
    return float(np.mean(predicted == y_labels.reshape(-1)))
