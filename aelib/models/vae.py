"""The convolutional variational autoencoder (notebook 06)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
from keras import layers

from aelib.models._blocks import (
    DEFAULT_INPUT_SHAPE,
    _check_input_shape,
    _check_int_tuple,
    _conv_pool_stack,
    _dense,
    _dense_decoder,
)
from aelib.params import check_int, is_int

# ------------------------------------------------------------------ variational autoencoder


@dataclass
class VariationalAutoencoder:
    """The models of one variational autoencoder (Kingma & Welling 2014); shared weights.

    Attributes:
        encoder: model named `"encoder"`, image batch -> `[z_mean, z_log_var]`, two
            `(batch, latent_dim)` float32 tensors: the Gaussian posterior q(z | x).
        decoder: model named `"decoder"`, code batch `(batch, latent_dim)` -> image
            batch in [0, 1] (the Bernoulli means of p(x | z)).
        vae: model named `"vae"`, image -> `decoder(sample)` where the sample is drawn
            from q(z | x) by a `GaussianSampling` layer, which also adds the KL term to
            the model's losses. Train this one with `loss=vae_reconstruction_loss`: the
            training loss is then the negative ELBO in nats per image.
        latent_dim: the code size.
    """

    encoder: keras.Model
    decoder: keras.Model
    vae: keras.Model
    latent_dim: int


def gaussian_kl(z_mean, z_log_var):
    """KL(N(z_mean, exp(z_log_var)) || N(0, I)) per code unit, in nats (Keras ops).

    Returns:
        A tensor shaped like `z_mean`; sum over the last axis for the KL per image.
        Never negative (up to rounding).
    """
    from keras import ops

    return -0.5 * (1.0 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))


@keras.saving.register_keras_serializable(package="aelib")
class GaussianSampling(layers.Layer):
    """The reparameterised sample z = mean + exp(log_var / 2) * eps, eps ~ N(0, I).

    Called on `[z_mean, z_log_var]`. The noise comes from `keras.random.normal` with a
    `keras.random.SeedGenerator(seed)` owned by the layer, so a model built with the
    same seed draws the same numbers (with `aelib.set_seed`'s op determinism). The
    layer also adds the batch mean of the KL divergence to the standard normal prior,
    summed over the code units, to the model's losses (`self.add_loss`): Keras adds it
    to the compiled loss in training and evaluation.

    Args:
        seed: int or None, the seed of the noise.
    """

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = None if seed is None else int(seed)
        self.seed_generator = keras.random.SeedGenerator(self.seed)

    def call(self, inputs):
        from keras import ops

        z_mean, z_log_var = inputs
        self.add_loss(ops.mean(ops.sum(gaussian_kl(z_mean, z_log_var), axis=-1)))
        noise = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * noise

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


# A saved model names the class of a custom layer by its module: the one aelib exports
# it from, as when the models were one module, so that a model file does not change with
# the file that defines the class (run_all compares result files by content).
GaussianSampling.__module__ = "aelib.models"


@keras.saving.register_keras_serializable(package="aelib")
def vae_reconstruction_loss(y_true, y_pred):
    """Binary cross-entropy summed over the pixels of each image, in nats: `(batch,)`.

    The reconstruction term of the VAE's negative ELBO, -log p(x | z) for a Bernoulli
    decoder evaluated on continuous pixel values in [0, 1] (so it is not a normalised
    likelihood of the grey images, and not comparable to results on binarised MNIST).
    Per pixel it is exactly Keras' `binary_crossentropy`, the autoencoders' loss, times
    the number of pixels.
    """
    from keras import ops

    per_pixel = ops.binary_crossentropy(y_true, y_pred)
    return ops.sum(ops.reshape(per_pixel, (ops.shape(per_pixel)[0], -1)), axis=-1)


def build_conv_vae(
    latent_dim: int,
    *,
    filters: Sequence[int] = (32, 16),
    code_filters: int = 8,
    hidden_units: Sequence[int] = (128,),
    input_shape: Sequence[int] = DEFAULT_INPUT_SHAPE,
    seed: int | None = None,
) -> VariationalAutoencoder:
    """A convolutional VAE on the trunk of `build_dense_bottleneck_autoencoder`.

    Encoder: Conv2D(filters[0]) -> MaxPooling2D -> Conv2D(filters[1]) -> MaxPooling2D ->
    Flatten -> [Dense(h, relu) for h in hidden_units] -> two heads,
    Dense(latent_dim, name="z_mean") and Dense(latent_dim, name="z_log_var").
    Decoder: exactly the dense-bottleneck autoencoder's (Dense layers mirrored ->
    Dense(7*7*code_filters) -> Reshape -> Conv2D(code_filters) -> UpSampling2D ->
    Conv2D(filters[1]) -> UpSampling2D -> Conv2D(channels, sigmoid)). With the same
    arguments the VAE differs from `build_dense_bottleneck_autoencoder(latent_dim, ...)`
    only by the log-variance head and the sampling, so the two compare like with like
    (latent_dim=16, one Dense(128): 162,129 parameters for the autoencoder, 164,193
    for the VAE).

    Args:
        latent_dim: positive int, the code size.
        filters: two positive ints, the encoder's convolution depths.
        code_filters: positive int, depth of the 7x7 map the decoder starts from.
        hidden_units: Dense ReLU layers between the conv stack and the code (mirrored in
            the decoder); default one Dense(128), as notebook 02's sweep.
        input_shape: `(height, width, channels)`, height and width divisible by 4.
        seed: int or None, the seed of the sampling layer's noise.

    Returns:
        A `VariationalAutoencoder`. Train `.vae` on `(x, x)` with
        `loss=vae_reconstruction_loss`; the loss is then the negative ELBO per image.

    Raises:
        ValueError: if an argument is invalid (the message names it).
    """
    latent_dim = check_int("latent_dim", latent_dim)
    filters = _check_int_tuple("filters", filters, 2)
    code_filters = check_int("code_filters", code_filters)
    hidden_units = _check_int_tuple("hidden_units", hidden_units)
    input_shape = _check_input_shape(input_shape)
    if seed is not None and (not is_int(seed) or seed < 0):
        raise ValueError(f"seed must be None or a non-negative integer, got {seed!r}")

    image = keras.Input(shape=input_shape, name="image")
    x = _conv_pool_stack(image, filters)
    x = layers.Flatten(name="flatten")(x)
    for i, units in enumerate(hidden_units, start=1):
        x = _dense(x, units, f"hidden{i}")
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    encoder = keras.Model(image, [z_mean, z_log_var], name="encoder")

    decoder = _dense_decoder(latent_dim, filters, code_filters, hidden_units, input_shape)

    inputs = keras.Input(shape=input_shape, name="image")
    mean, log_var = encoder(inputs)
    z = GaussianSampling(seed, name="sampling")([mean, log_var])
    vae = keras.Model(inputs, decoder(z), name="vae")
    return VariationalAutoencoder(encoder=encoder, decoder=decoder, vae=vae, latent_dim=latent_dim)
