"""Worst-case inputs under an L-infinity budget: PGD and FGSM, and random noise of that norm.

No attack library attacks a reconstruction loss, so the attack on a denoiser's error is
here: projected gradient descent (Madry et al. 2018) with a random start, each step the
sign of the gradient times `step_size`, then projected back into the epsilon-ball around
the input and clipped to the pixel range [0, 1]. The same code attacks a classifier's
cross-entropy (`attack_classifier`), which lets the notebook check it against the
Adversarial Robustness Toolbox's PGD (`library_attack`, the field's implementation):
the two must agree on the attacked accuracy.

Every attack is untargeted and per image: the loss is computed per image and summed, so
an image's gradient never depends on the others in its batch. Models are Keras models
(TensorFlow backend) mapping images `(n, 28, 28, 1)` in [0, 1] to images in [0, 1]
(denoisers) or to class probabilities (classifiers).
"""

from __future__ import annotations

import warnings

import numpy as np

from aelib import tfquiet
from aelib.params import check_int

__all__ = [
    "EPSILON",
    "check_epsilon",
    "pgd",
    "attack_reconstruction",
    "attack_classifier",
    "random_sign_noise",
    "linf_norms",
    "library_attack",
]

# Probabilities are clipped to [EPSILON, 1 - EPSILON] before a logarithm (Keras' epsilon).
EPSILON = 1e-7
LOSSES = ("reconstruction", "classification")


def check_epsilon(name: str, value) -> float:
    """`value` as a float in (0, 1], else ValueError naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number in (0, 1], got {value!r}")
    if not np.isfinite(value) or not 0 < value <= 1:
        raise ValueError(f"{name} must be a number in (0, 1], got {value}")
    return float(value)


def _per_image_loss(kind: str, outputs, target):
    """Per-image loss to maximise: mean pixel BCE against the clean image, or the
    cross-entropy of the true class."""
    import tensorflow as tf

    outputs = tf.clip_by_value(outputs, EPSILON, 1 - EPSILON)
    if kind == "reconstruction":
        bce = -(target * tf.math.log(outputs) + (1 - target) * tf.math.log(1 - outputs))
        return tf.reduce_mean(tf.reshape(bce, (tf.shape(bce)[0], -1)), axis=1)
    picked = tf.gather(outputs, tf.cast(target, tf.int32), axis=1, batch_dims=1)
    return -tf.math.log(picked)


def pgd(
    model,
    x: np.ndarray,
    target: np.ndarray,
    *,
    loss: str,
    epsilon: float,
    steps: int = 10,
    step_size: float | None = None,
    random_start: bool = True,
    seed: int = 0,
    batch_size: int = 500,
) -> np.ndarray:
    """Projected gradient ascent on `model`'s per-image loss within an L-infinity ball.

    Args:
        model: a Keras model (or a differentiable callable on a float32 batch).
        x: the images to perturb `(n, h, w, c)` in [0, 1].
        target: what the loss compares the output with: the clean images (`loss=
            "reconstruction"`: mean pixel BCE) or integer labels `(n,)` (`loss=
            "classification"`: cross-entropy of the true class, model outputs are
            probabilities).
        epsilon: the radius in (0, 1]: every pixel moves by at most this much.
        steps: gradient steps, >= 1.
        step_size: the move per step; None: 2.5 * epsilon / steps (Madry et al.), so a
            pixel can cross the ball from a random start.
        random_start: start from a uniform point in the ball (PGD) or at `x` (with one
            step of size epsilon this is FGSM).
        seed: seeds the random start (NumPy), so an attack repeats exactly.
        batch_size: images per gradient computation, >= 1.

    Returns:
        The perturbed images, float32, the shape of `x`, within `epsilon` of `x` and in
        [0, 1].
    """
    import tensorflow as tf

    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    epsilon = check_epsilon("epsilon", epsilon)
    steps = check_int("steps", steps)
    batch_size = check_int("batch_size", batch_size)
    if step_size is None:
        step_size = 2.5 * epsilon / steps
    else:
        step_size = check_epsilon("step_size", step_size)
    x = np.asarray(x, dtype=np.float32)
    target = np.asarray(target)
    if len(target) != len(x):
        raise ValueError(f"x has {len(x)} images but target {len(target)} rows")
    if x.size and (x.min() < 0 or x.max() > 1):
        raise ValueError("x must hold images in [0, 1]")
    rng = np.random.default_rng(seed)
    out = np.empty_like(x)
    for start in range(0, len(x), batch_size):
        x0 = tf.constant(x[start : start + batch_size])
        tgt = tf.constant(target[start : start + batch_size])
        if random_start:
            noise = rng.uniform(-epsilon, epsilon, size=x0.shape).astype(np.float32)
            adv = tf.clip_by_value(x0 + noise, 0.0, 1.0)
        else:
            adv = x0
        for _ in range(steps):
            with tf.GradientTape() as tape:
                tape.watch(adv)
                total = tf.reduce_sum(_per_image_loss(loss, model(adv, training=False), tgt))
            grad = tape.gradient(total, adv)
            adv = adv + step_size * tf.sign(grad)
            adv = tf.clip_by_value(adv, x0 - epsilon, x0 + epsilon)
            adv = tf.clip_by_value(adv, 0.0, 1.0)
        out[start : start + len(x0)] = adv.numpy()
    return out


def attack_reconstruction(model, x_clean: np.ndarray, **options) -> np.ndarray:
    """Perturbations of the clean images that maximise a denoiser's reconstruction BCE
    against them (`pgd` with `loss="reconstruction"`; FGSM with `steps=1,
    step_size=epsilon, random_start=False`)."""
    return pgd(model, x_clean, x_clean, loss="reconstruction", **options)


def attack_classifier(model, x: np.ndarray, labels: np.ndarray, **options) -> np.ndarray:
    """Perturbations that maximise a classifier's cross-entropy of the true labels."""
    return pgd(model, x, np.asarray(labels).astype(np.int64), loss="classification", **options)


def random_sign_noise(x: np.ndarray, epsilon: float, *, seed: int = 0) -> np.ndarray:
    """Random noise of the attacks' L-infinity norm: every pixel moves by +-epsilon (a
    seeded coin flip each), then clipped to [0, 1]: the corner of the ball an attack
    would reach, in a random direction."""
    epsilon = check_epsilon("epsilon", epsilon)
    x = np.asarray(x, dtype=np.float32)
    signs = np.random.default_rng(seed).choice(np.array([-1.0, 1.0], np.float32), size=x.shape)
    return np.clip(x + epsilon * signs, 0.0, 1.0)


def linf_norms(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The L-infinity distance between each pair of images."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.abs(a - b).reshape(len(a), -1).max(axis=1)


def library_attack(
    model,
    x: np.ndarray,
    labels: np.ndarray,
    *,
    method: str,
    epsilon: float,
    steps: int = 10,
    step_size: float | None = None,
    seed: int = 0,
    batch_size: int = 500,
) -> np.ndarray:
    """FGSM or PGD from the Adversarial Robustness Toolbox on a Keras classifier.

    ART (1.20) attacks a Keras 3 model through its `TensorFlowV2Classifier` with the
    model's probabilities and a sparse cross-entropy loss; the pixel range is [0, 1].
    PGD starts at a uniform random point of the ball (`num_random_init=1`, drawn from
    NumPy's global generator, seeded here) with the same default step as `pgd`.

    Args:
        model: a Keras classifier mapping images to class probabilities.
        x, labels: images in [0, 1] and integer labels.
        method: "fgsm" or "pgd".
        epsilon, steps, step_size, batch_size: as for `pgd` (FGSM takes one step of
            size epsilon).
        seed: seeds the random start.

    Returns:
        The adversarial images, float32.
    """
    import keras

    with warnings.catch_warnings():  # ART warns on import that PyTorch is absent
        warnings.simplefilter("ignore")
        from art.attacks.evasion import FastGradientMethod, ProjectedGradientDescent
        from art.estimators.classification import TensorFlowV2Classifier

    if method not in ("fgsm", "pgd"):
        raise ValueError(f"method must be 'fgsm' or 'pgd', got {method!r}")
    epsilon = check_epsilon("epsilon", epsilon)
    steps = check_int("steps", steps)
    batch_size = check_int("batch_size", batch_size)
    x = np.asarray(x, dtype=np.float32)
    labels = np.asarray(labels).astype(np.int64)
    estimator = TensorFlowV2Classifier(
        model=model,
        nb_classes=int(model.output_shape[-1]),
        input_shape=tuple(x.shape[1:]),
        loss_object=keras.losses.SparseCategoricalCrossentropy(),
        clip_values=(0.0, 1.0),
    )
    if method == "fgsm":
        attack = FastGradientMethod(estimator, norm=np.inf, eps=epsilon, batch_size=batch_size)
    else:
        attack = ProjectedGradientDescent(
            estimator,
            norm=np.inf,
            eps=epsilon,
            eps_step=2.5 * epsilon / steps if step_size is None else step_size,
            max_iter=steps,
            num_random_init=1,
            batch_size=batch_size,
            verbose=False,
        )
    np.random.seed(seed)
    # ART wraps each new model's forward pass in a fresh tf.function; TensorFlow's
    # retracing detector reads several of those in a row as retracing (as for Keras'
    # trainer in aelib.training). Only that message, for ART's estimator, is dropped.
    with tfquiet.dropping_log_records(
        "tensorflow", "triggered tf.function retracing", "TensorFlowV2Classifier"
    ):
        return attack.generate(x, y=labels).astype(np.float32)
