"""A DCGAN for 28x28 images (Radford et al. 2016, the study's reference [2]; notebook 07).

- `build_generator`: code `(batch, code_size)` -> Dense(7 * 7 * filters[0]) -> batch norm ->
  ReLU -> Reshape -> Conv2DTranspose(filters[1], 4, stride 2) -> batch norm -> ReLU ->
  Conv2DTranspose(channels, 4, stride 2, sigmoid): an image in [0, 1], the range every
  other model and the judge use (DCGAN's tanh in [-1, 1] is the same up to an affine map).
- `build_discriminator`: Conv2D(filters[0], 4, stride 2) -> LeakyReLU(0.2) ->
  Conv2D(filters[1], 4, stride 2) -> batch norm -> LeakyReLU(0.2) -> Flatten -> Dense(1),
  a logit (no batch norm on the first layer, as in DCGAN).
- `DCGAN`: a `keras.Model` whose `train_step` takes one discriminator step on a batch of
  real and generated images, then one generator step, with the non-saturating loss
  (the generator maximises log D(G(z))). Its logs carry the epoch means (`d_loss`,
  `g_loss`) and the current step's values (`d_step`, `g_step`).
- `train_gan`: fits it with Adam(2e-4, beta1 0.5) for both networks, records both losses
  at every step and decodes a fixed batch of codes at chosen epochs (the sample grids of
  training).

The default widths (32 and 16) match the VAE trunk of notebooks 06 and 07 (a decoder of
Dense -> 7x7x16 -> two upsamplings), so the GAN's generator is no larger than the VAE's
decoder; the DCGAN paper's 128-1024 filters cost far more than the 15-minute budget of a
notebook on one CPU core.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from aelib import training
from aelib.models._blocks import DEFAULT_INPUT_SHAPE, _check_input_shape, _check_int_tuple
from aelib.params import check_int

__all__ = ["build_generator", "build_discriminator", "DCGAN", "train_gan", "generate"]


def build_generator(
    code_size: int = 64,
    *,
    filters: Sequence[int] = (32, 16),
    input_shape: Sequence[int] = DEFAULT_INPUT_SHAPE,
) -> keras.Model:
    """The DCGAN generator (see the module); a model named `"generator"`."""
    code_size = check_int("code_size", code_size)
    f1, f2 = _check_int_tuple("filters", filters, 2)
    height, width, channels = _check_input_shape(input_shape)
    code = keras.Input(shape=(code_size,), name="code")
    x = layers.Dense((height // 4) * (width // 4) * f1, use_bias=False, name="project")(code)
    x = layers.BatchNormalization(name="project_bn")(x)
    x = layers.ReLU(name="project_relu")(x)
    x = layers.Reshape((height // 4, width // 4, f1), name="reshape")(x)
    x = layers.Conv2DTranspose(f2, 4, strides=2, padding="same", use_bias=False, name="up1")(x)
    x = layers.BatchNormalization(name="up1_bn")(x)
    x = layers.ReLU(name="up1_relu")(x)
    image = layers.Conv2DTranspose(
        channels, 4, strides=2, padding="same", activation="sigmoid", name="image"
    )(x)
    return keras.Model(code, image, name="generator")


def build_discriminator(
    *, filters: Sequence[int] = (16, 32), input_shape: Sequence[int] = DEFAULT_INPUT_SHAPE
) -> keras.Model:
    """The DCGAN discriminator (see the module); a model named `"discriminator"`, image ->
    one logit (positive: real)."""
    f1, f2 = _check_int_tuple("filters", filters, 2)
    image = keras.Input(shape=_check_input_shape(input_shape), name="image")
    x = layers.Conv2D(f1, 4, strides=2, padding="same", name="down1")(image)
    x = layers.LeakyReLU(0.2, name="down1_lrelu")(x)
    x = layers.Conv2D(f2, 4, strides=2, padding="same", use_bias=False, name="down2")(x)
    x = layers.BatchNormalization(name="down2_bn")(x)
    x = layers.LeakyReLU(0.2, name="down2_lrelu")(x)
    x = layers.Flatten(name="flatten")(x)
    logit = layers.Dense(1, name="logit")(x)
    return keras.Model(image, logit, name="discriminator")


class DCGAN(keras.Model):
    """A generator and a discriminator trained against each other (see the module).

    Args:
        generator, discriminator: from `build_generator` and `build_discriminator`.
        seed: seeds the codes drawn in every training step.
    """

    def __init__(self, generator, discriminator, *, seed: int = 0):
        super().__init__(name="dcgan")
        self.generator = generator
        self.discriminator = discriminator
        self.code_size = int(generator.input_shape[-1])
        self.seed_generator = keras.random.SeedGenerator(check_int("seed", seed, minimum=0))
        self.d_tracker = keras.metrics.Mean(name="d_loss")
        self.g_tracker = keras.metrics.Mean(name="g_loss")

    @property
    def metrics(self):
        return [self.d_tracker, self.g_tracker]

    def call(self, codes, training=False):
        return self.generator(codes, training=training)

    def compile(self, *, learning_rate: float = 2e-4, beta_1: float = 0.5):
        super().compile()
        self.d_optimizer = keras.optimizers.Adam(learning_rate, beta_1=beta_1)
        self.g_optimizer = keras.optimizers.Adam(learning_rate, beta_1=beta_1)
        # Their slots now, not in the first traced step (see training.build_optimizer).
        training.build_optimizer(self.d_optimizer, self.discriminator.trainable_weights)
        training.build_optimizer(self.g_optimizer, self.generator.trainable_weights)

    @staticmethod
    def _bce(labels, logits):
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))

    def train_step(self, data):
        real = data[0] if isinstance(data, tuple) else data
        batch = tf.shape(real)[0]
        codes = keras.random.normal((batch, self.code_size), seed=self.seed_generator)
        fake = self.generator(codes, training=True)
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            d_loss = self._bce(tf.ones_like(real_logits), real_logits) + self._bce(
                tf.zeros_like(fake_logits), fake_logits
            )
        weights = self.discriminator.trainable_weights
        self.d_optimizer.apply(tape.gradient(d_loss, weights), weights)

        codes = keras.random.normal((batch, self.code_size), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            logits = self.discriminator(self.generator(codes, training=True), training=True)
            g_loss = self._bce(tf.ones_like(logits), logits)  # non-saturating
        weights = self.generator.trainable_weights
        self.g_optimizer.apply(tape.gradient(g_loss, weights), weights)

        self.d_tracker.update_state(d_loss)
        self.g_tracker.update_state(g_loss)
        return {
            "d_loss": self.d_tracker.result(),
            "g_loss": self.g_tracker.result(),
            "d_step": d_loss,
            "g_step": g_loss,
        }


class _Recorder(keras.callbacks.Callback):
    """Both losses at every step; decoded fixed codes at chosen epochs; one line per epoch."""

    def __init__(self, fixed_codes, snapshot_epochs, epochs: int, log: bool):
        super().__init__()
        self.fixed_codes, self.snapshot_epochs = fixed_codes, set(snapshot_epochs)
        self.epochs, self.log = epochs, log
        self.d_step, self.g_step, self.seconds, self.snapshots = [], [], [], {}

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        # Five decimals: the per-step curves are for reading, and the history stays small.
        self.d_step.append(round(float(logs["d_step"]), 5))
        self.g_step.append(round(float(logs["g_step"]), 5))

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)
        if epoch + 1 in self.snapshot_epochs:
            self.snapshots[epoch + 1] = generate(self.model.generator, self.fixed_codes)
        if self.log:
            print(
                f"epoch {epoch + 1}/{self.epochs}  d_loss {float(logs['d_loss']):.4f}  "
                f"g_loss {float(logs['g_loss']):.4f}  {self.seconds[-1]:.1f}s",
                flush=True,
            )


def generate(generator, codes: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """`generator(codes)` in inference mode (batch norm's moving statistics), float32."""
    from aelib.training import predict

    codes = np.asarray(codes, dtype=np.float32)
    if codes.ndim != 2 or len(codes) == 0:
        raise ValueError(f"codes must have shape (n, code_size) with n > 0, got {codes.shape}")
    return predict(generator, codes, batch_size).astype(np.float32)


def train_gan(
    gan: DCGAN,
    x: np.ndarray,
    *,
    epochs: int,
    batch_size: int = 64,
    seed: int,
    fixed_codes: np.ndarray | None = None,
    snapshot_epochs: Sequence[int] = (),
    learning_rate: float = 2e-4,
    beta_1: float = 0.5,
    log: bool = True,
    history: dict | None = None,
) -> dict:
    """Train `gan` on the images `x`; return its history as plain data.

    Args:
        gan: a `DCGAN`.
        x: real images `(n, 28, 28, 1)` float32 in [0, 1].
        epochs: passes over `x`, >= 1.
        batch_size: real (and generated) images per step.
        seed: seeds the shuffling (the codes come from the model's own seed).
        fixed_codes: codes decoded at each of `snapshot_epochs` (the same codes every
            time, so the grids show one sample's progress).
        snapshot_epochs: epochs (1-based, counted from the start of `history`) after which
            to decode `fixed_codes`.
        learning_rate, beta_1: Adam's, for both networks (DCGAN's 2e-4 and 0.5).
        history: the history of an earlier call on the same `gan` to continue: training
            then goes on with the same optimiser state (when `gan` was compiled before) and
            the new steps are appended.

    Returns:
        `"d_loss"`, `"g_loss"` (epoch means), `"d_step"`, `"g_step"` (every step),
        `"seconds"` (per epoch), `"epochs_run"`, `"batch_size"`, `"num_samples"` and
        `"snapshots"` `{epoch: images}` (NumPy arrays: save them apart from the history).
    """
    epochs = check_int("epochs", epochs)
    batch_size = check_int("batch_size", batch_size)
    seed = check_int("seed", seed, minimum=0)
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 4 or len(x) == 0:
        raise ValueError(f"x must be images (n, height, width, channels), got {x.shape}")
    done = 0 if history is None else int(history["epochs_run"])
    wanted = [check_int("snapshot_epochs[]", e) for e in snapshot_epochs]
    if wanted and fixed_codes is None:
        raise ValueError("snapshot_epochs needs fixed_codes to decode")
    if getattr(gan, "d_optimizer", None) is None or history is None:
        gan.compile(learning_rate=learning_rate, beta_1=beta_1)
    recorder = _Recorder(fixed_codes, [e - done for e in wanted if e > done], epochs, log)
    keras.utils.set_random_seed(seed + done)
    fit = gan.fit(
        x, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0, callbacks=[recorder]
    )
    out = {k: list(v) for k, v in (history or {}).items() if isinstance(v, list)}
    out["d_loss"] = out.get("d_loss", []) + [float(v) for v in fit.history["d_loss"]]
    out["g_loss"] = out.get("g_loss", []) + [float(v) for v in fit.history["g_loss"]]
    out["d_step"] = out.get("d_step", []) + recorder.d_step
    out["g_step"] = out.get("g_step", []) + recorder.g_step
    out["seconds"] = out.get("seconds", []) + [float(s) for s in recorder.seconds]
    out["epoch"] = list(range(1, done + epochs + 1))
    out.update(epochs_run=done + epochs, batch_size=batch_size, num_samples=len(x))
    out["snapshots"] = dict((history or {}).get("snapshots", {}))
    out["snapshots"].update({done + e: img for e, img in recorder.snapshots.items()})
    return out
