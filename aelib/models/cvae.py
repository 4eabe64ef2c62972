"""A class-conditional VAE (Sohn et al. 2015), the generator of synthetic labelled images in
notebook 07.

Both halves see the class as a one-hot vector: the encoder maps (image, class) to the
Gaussian q(z | x, y), the decoder maps (z, class) to an image. To draw an image of class y,
decode z ~ N(0, I) with y (`sample_classes`). The trunk is notebook 06's VAE: Conv2D(32) ->
pool -> Conv2D(16) -> pool -> Flatten, the one-hot class appended -> Dense(128) -> the two
heads; the decoder Dense(128) -> Dense(7 * 7 * 8) -> Conv2D(8) -> upsample -> Conv2D(16) ->
upsample -> Conv2D(1, sigmoid). Trained on `(images, integer labels)` by
`aelib.training.train`; its loss is the negative ELBO in nats per image (summed BCE plus KL).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from aelib.models._blocks import DEFAULT_INPUT_SHAPE, _conv_pool_stack, _dense
from aelib.models.vae import gaussian_kl
from aelib.params import check_int

__all__ = ["ConditionalVAE", "build_conditional_vae", "sample_classes"]


class ConditionalVAE(keras.Model):
    """Encoder and decoder of a conditional VAE, trained on (image, label) pairs.

    Attributes:
        encoder: `[image, one_hot] -> [z_mean, z_log_var]`.
        decoder: `concat(z, one_hot) -> image` in [0, 1].
        latent_dim, num_classes: ints.
    """

    def __init__(self, encoder, decoder, *, latent_dim: int, num_classes: int, seed: int = 0):
        super().__init__(name="conditional_vae")
        self.encoder, self.decoder = encoder, decoder
        self.latent_dim, self.num_classes = int(latent_dim), int(num_classes)
        self.seed_generator = keras.random.SeedGenerator(check_int("seed", seed, minimum=0))
        self.loss_tracker = keras.metrics.Mean(name="loss")

    @property
    def metrics(self):
        return [self.loss_tracker]

    def call(self, inputs, training=False):
        images, labels = inputs
        one_hot = tf.one_hot(tf.cast(tf.reshape(labels, [-1]), tf.int32), self.num_classes)
        mean, log_var = self.encoder([images, one_hot], training=training)
        return self.decoder(tf.concat([mean, one_hot], axis=-1), training=training)

    def train_step(self, data):
        images, labels = data[0], data[1]
        one_hot = tf.one_hot(tf.cast(tf.reshape(labels, [-1]), tf.int32), self.num_classes)
        with tf.GradientTape() as tape:
            mean, log_var = self.encoder([images, one_hot], training=True)
            noise = keras.random.normal(tf.shape(mean), seed=self.seed_generator)
            z = mean + tf.exp(0.5 * log_var) * noise
            decoded = self.decoder(tf.concat([z, one_hot], axis=-1), training=True)
            out = tf.clip_by_value(decoded, 1e-7, 1 - 1e-7)
            recon = -tf.reduce_sum(
                images * tf.math.log(out) + (1 - images) * tf.math.log(1 - out), axis=[1, 2, 3]
            )
            kl = tf.reduce_sum(gaussian_kl(mean, log_var), axis=-1)
            loss = tf.reduce_mean(recon + kl)
        weights = self.trainable_weights
        self.optimizer.apply(tape.gradient(loss, weights), weights)
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}


def build_conditional_vae(
    latent_dim: int = 16,
    *,
    num_classes: int = 10,
    filters=(32, 16),
    hidden_units: int = 128,
    code_filters: int = 8,
    seed: int = 0,
) -> ConditionalVAE:
    """The conditional VAE of the module, for 28x28 single-channel images."""
    latent_dim = check_int("latent_dim", latent_dim)
    num_classes = check_int("num_classes", num_classes, minimum=2)
    hidden_units = check_int("hidden_units", hidden_units)
    code_filters = check_int("code_filters", code_filters)
    f1, f2 = (check_int("filters[]", f) for f in filters)

    image = keras.Input(shape=DEFAULT_INPUT_SHAPE, name="image")
    label = keras.Input(shape=(num_classes,), name="one_hot")
    x = layers.Flatten(name="flatten")(_conv_pool_stack(image, (f1, f2)))
    x = _dense(layers.Concatenate(name="with_class")([x, label]), hidden_units, "hidden1")
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    encoder = keras.Model([image, label], [z_mean, z_log_var], name="encoder")

    # One input, the code and the one-hot class side by side: `aelib.training.predict` feeds it.
    code = keras.Input(shape=(latent_dim + num_classes,), name="code_and_class")
    y = _dense(code, hidden_units, "dhidden1")
    y = _dense(y, 7 * 7 * code_filters, "expand")
    y = layers.Reshape((7, 7, code_filters), name="reshape")(y)
    for i, f in enumerate((code_filters, f2), start=1):
        y = layers.Conv2D(f, 3, padding="same", activation="relu", name=f"dconv{i}")(y)
        y = layers.UpSampling2D(2, name=f"up{i}")(y)
    out = layers.Conv2D(1, 3, padding="same", activation="sigmoid", name="image_out")(y)
    decoder = keras.Model(code, out, name="decoder")
    return ConditionalVAE(
        encoder, decoder, latent_dim=latent_dim, num_classes=num_classes, seed=seed
    )


def sample_classes(cvae: ConditionalVAE, per_class: int, *, seed) -> tuple[np.ndarray, np.ndarray]:
    """`per_class` images of every class, decoded from prior codes drawn from `seed`.

    Returns:
        `(images (per_class * classes, 28, 28, 1) float32, labels (n,) int64)`, classes in
        order 0, 0, ..., 1, 1, ...
    """
    from aelib.training import predict

    per_class = check_int("per_class", per_class)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    labels = np.repeat(np.arange(cvae.num_classes), per_class)
    codes = rng.standard_normal((len(labels), cvae.latent_dim)).astype(np.float32)
    one_hot = np.eye(cvae.num_classes, dtype=np.float32)[labels]
    images = predict(cvae.decoder, np.concatenate([codes, one_hot], axis=1), 512)
    return images.astype(np.float32), labels.astype(np.int64)
