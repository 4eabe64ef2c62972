"""Model builders: the convolutional autoencoders and the classifiers of the study.

Every autoencoder builder returns an `Autoencoder` holding three Keras functional models
named `"encoder"`, `"decoder"` and `"autoencoder"`, where `autoencoder` is
`Input -> encoder -> decoder`. Because the encoder and decoder are nested models, the
trained encoder can be pulled back out of a saved autoencoder with
`autoencoder.get_layer("encoder")`.

All convolutions are 3x3 with `"same"` padding and ReLU activation, except the last
decoder convolution, which has one filter and a sigmoid so that the output is an image
in [0, 1] (trained with binary cross-entropy). Images are `(28, 28, 1)` float32 in
[0, 1] unless `input_shape` says otherwise; both spatial sides must be divisible by 4
because the encoder halves them twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

__all__ = [
    "Autoencoder",
    "build_conv_autoencoder",
    "build_improved_autoencoder",
    "build_dense_bottleneck_autoencoder",
    "build_encoder_classifier",
    "build_cnn_classifier",
    "count_params",
    "VariationalAutoencoder",
    "GaussianSampling",
    "gaussian_kl",
    "vae_reconstruction_loss",
    "build_conv_vae",
]

DEFAULT_INPUT_SHAPE = (28, 28, 1)


@dataclass
class Autoencoder:
    """The three models of one autoencoder; they share their layers (and weights).

    Attributes:
        encoder: model named `"encoder"`, image batch -> code batch.
        decoder: model named `"decoder"`, code batch -> reconstructed image batch.
        autoencoder: model named `"autoencoder"`, `decoder(encoder(image))`; train
            this one.
    """

    encoder: keras.Model
    decoder: keras.Model
    autoencoder: keras.Model


# --------------------------------------------------------------------------- validation


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _check_positive_int(name: str, value) -> int:
    if not _is_int(value) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _check_int_tuple(name: str, value, length: int | None = None) -> tuple[int, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ValueError(f"{name} must be a sequence of positive integers, got {value!r}")
    if length is not None and len(value) != length:
        raise ValueError(
            f"{name} must have exactly {length} entries (one per convolution), "
            f"got {len(value)}: {tuple(value)!r}"
        )
    if any(not _is_int(v) or v <= 0 for v in value):
        raise ValueError(f"{name} must contain only positive integers, got {tuple(value)!r}")
    return tuple(int(v) for v in value)


def _check_input_shape(input_shape) -> tuple[int, int, int]:
    shape = _check_int_tuple("input_shape", input_shape, 3)
    if shape[0] % 4 or shape[1] % 4:
        raise ValueError(
            "input_shape must have height and width divisible by 4 (the encoder halves "
            f"them twice and the decoder doubles them back), got {shape!r}"
        )
    return shape


def _check_activation(name: str, value):
    if value is None:
        return None
    try:
        keras.activations.get(value)
    except (ValueError, TypeError) as err:
        raise ValueError(
            f"{name} must be None or a Keras activation name such as 'relu', 'tanh', "
            f"'sigmoid' or 'linear', got {value!r}"
        ) from err
    return value


# ----------------------------------------------------------------------- building blocks


def _conv(x, filters: int, name: str, *, batch_norm: bool = False):
    x = layers.Conv2D(filters, 3, activation="relu", padding="same", name=name)(x)
    if batch_norm:
        x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return x


def _dense(x, units: int, name: str, *, batch_norm: bool = False):
    x = layers.Dense(units, activation="relu", name=name)(x)
    if batch_norm:
        x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return x


def _conv_pool_stack(x, filters: Sequence[int], *, batch_norm: bool = False):
    """Conv -> MaxPool -> Conv -> MaxPool [-> Conv]: the encoder trunk (28 -> 14 -> 7)."""
    for i, f in enumerate(filters, start=1):
        x = _conv(x, f, f"conv{i}", batch_norm=batch_norm)
        if i <= 2:
            x = layers.MaxPooling2D(2, padding="same", name=f"pool{i}")(x)
    return x


def _conv_decoder(
    code_input, filters: tuple[int, int, int], channels: int, *, batch_norm: bool = False
):
    """Conv(f2) -> Up -> Conv(f1) -> Up -> Conv(channels, sigmoid), mirroring the encoder."""
    x = code_input
    x = _conv(x, filters[2], "deconv1", batch_norm=batch_norm)
    x = layers.UpSampling2D(2, name="up1")(x)
    x = _conv(x, filters[1], "deconv2", batch_norm=batch_norm)
    x = layers.UpSampling2D(2, name="up2")(x)
    return layers.Conv2D(channels, 3, activation="sigmoid", padding="same", name="output")(x)


def _assemble(encoder: keras.Model, decoder: keras.Model, input_shape) -> Autoencoder:
    inputs = keras.Input(shape=input_shape, name="image")
    outputs = decoder(encoder(inputs))
    autoencoder = keras.Model(inputs, outputs, name="autoencoder")
    return Autoencoder(encoder=encoder, decoder=decoder, autoencoder=autoencoder)


# ------------------------------------------------------------------------------ builders


def build_conv_autoencoder(
    filters: Sequence[int] = (32, 16, 8), *, input_shape: Sequence[int] = DEFAULT_INPUT_SHAPE
) -> Autoencoder:
    """The paper's baseline convolutional autoencoder (experiment 1, section 3.1).

    Encoder: Conv2D(filters[0]) -> MaxPooling2D -> Conv2D(filters[1]) -> MaxPooling2D ->
    Conv2D(filters[2]); the code is the last feature map, `(H/4, W/4, filters[2])`
    (7x7x8 = 392 numbers for MNIST with the default filters, a 2:1 compression).
    Decoder: Conv2D(filters[2]) -> UpSampling2D -> Conv2D(filters[1]) -> UpSampling2D ->
    Conv2D(channels, sigmoid). All 3x3, `"same"` padding, ReLU. With the default filters
    the model has 8,001 parameters (encoder 6,104, decoder 1,897).

    Args:
        filters: three positive ints, the encoder's convolution depths (the decoder
            mirrors them).
        input_shape: `(height, width, channels)`, height and width divisible by 4.

    Returns:
        An `Autoencoder`; train its `.autoencoder` on `(x, x)` with binary
        cross-entropy. Output images are float32 in [0, 1], same shape as the input.

    Raises:
        ValueError: if `filters` is not three positive ints or `input_shape` is invalid.
    """
    filters = _check_int_tuple("filters", filters, 3)
    input_shape = _check_input_shape(input_shape)

    image = keras.Input(shape=input_shape, name="image")
    code = _conv_pool_stack(image, filters)
    encoder = keras.Model(image, code, name="encoder")

    code_input = keras.Input(shape=tuple(code.shape[1:]), name="code")
    decoder = keras.Model(
        code_input, _conv_decoder(code_input, filters, input_shape[-1]), name="decoder"
    )
    return _assemble(encoder, decoder, input_shape)


def build_improved_autoencoder(
    filters: Sequence[int] = (64, 32, 16), *, input_shape: Sequence[int] = DEFAULT_INPUT_SHAPE
) -> Autoencoder:
    """The paper's "improved" autoencoder (experiment 4): the baseline with deeper filters.

    Same layers as `build_conv_autoencoder`, but the convolution depths are doubled:
    64-32-16 instead of 32-16-8 (the paper trains it with batch size 128 instead of
    256). The code is `(7, 7, 16)` for MNIST. With the default filters the model has
    30,977 parameters (encoder 23,728, decoder 7,249).

    Args:
        filters: three positive ints, the encoder's convolution depths.
        input_shape: `(height, width, channels)`, height and width divisible by 4.

    Returns:
        An `Autoencoder` (see `build_conv_autoencoder`).
    """
    return build_conv_autoencoder(filters, input_shape=input_shape)


def build_dense_bottleneck_autoencoder(
    latent_dim: int,
    *,
    filters: Sequence[int] = (32, 16),
    code_filters: int = 8,
    hidden_units: Sequence[int] = (),
    latent_activation: str | None = None,
    batch_norm: bool = False,
    input_shape: Sequence[int] = DEFAULT_INPUT_SHAPE,
) -> Autoencoder:
    """The baseline with its last encoder convolution replaced by a Dense bottleneck.

    This is the paper's latent-dimension experiment (experiment 2: latent_dim in
    {2, 8, 16, 32}; compression ratio 784 / latent_dim).

    Encoder: Conv2D(filters[0]) -> MaxPooling2D -> Conv2D(filters[1]) -> MaxPooling2D ->
    Flatten -> [Dense(h, relu) for h in hidden_units] ->
    Dense(latent_dim, activation=latent_activation, name="code").

    Decoder: Input(latent_dim) -> [Dense(h, relu) for h in reversed(hidden_units)] ->
    Dense(H/4 * W/4 * code_filters, relu) -> Reshape -> Conv2D(code_filters) ->
    UpSampling2D -> Conv2D(filters[1]) -> UpSampling2D -> Conv2D(channels, sigmoid),
    i.e. exactly the baseline decoder fed from a Dense layer.

    With the defaults and latent_dim=16 the model has 26,065 parameters.

    Args:
        latent_dim: positive int, size of the code vector.
        filters: two positive ints, depths of the two encoder convolutions (the decoder
            mirrors them).
        code_filters: positive int, depth of the 7x7 map the decoder starts from (the
            baseline's third filter depth).
        hidden_units: optional extra Dense ReLU layers between the flattened feature
            map and the code (mirrored in the decoder); empty by default, as in the
            paper.
        latent_activation: activation of the code layer; None (linear, default) or any
            Keras activation name.
        batch_norm: if True, a BatchNormalization layer follows every hidden
            convolution and hidden Dense layer (not the code layer, not the output).
        input_shape: `(height, width, channels)`, height and width divisible by 4.

    Returns:
        An `Autoencoder` whose encoder maps images to `(batch, latent_dim)` float32.

    Raises:
        ValueError: if `latent_dim` is not a positive int, or another argument is
            invalid.
    """
    if not _is_int(latent_dim) or latent_dim <= 0:
        raise ValueError(f"latent_dim must be a positive integer, got {latent_dim!r}")
    latent_dim = int(latent_dim)
    filters = _check_int_tuple("filters", filters, 2)
    code_filters = _check_positive_int("code_filters", code_filters)
    hidden_units = _check_int_tuple("hidden_units", hidden_units)
    latent_activation = _check_activation("latent_activation", latent_activation)
    if not isinstance(batch_norm, (bool, np.bool_)):
        raise ValueError(f"batch_norm must be True or False, got {batch_norm!r}")
    input_shape = _check_input_shape(input_shape)

    image = keras.Input(shape=input_shape, name="image")
    x = _conv_pool_stack(image, filters, batch_norm=batch_norm)
    x = layers.Flatten(name="flatten")(x)
    for i, units in enumerate(hidden_units, start=1):
        x = _dense(x, units, f"hidden{i}", batch_norm=batch_norm)
    code = layers.Dense(latent_dim, activation=latent_activation, name="code")(x)
    encoder = keras.Model(image, code, name="encoder")

    decoder = _dense_decoder(
        latent_dim, filters, code_filters, hidden_units, input_shape, batch_norm=batch_norm
    )
    return _assemble(encoder, decoder, input_shape)


def _dense_decoder(
    latent_dim: int,
    filters: tuple[int, int],
    code_filters: int,
    hidden_units: tuple[int, ...],
    input_shape: tuple[int, int, int],
    *,
    batch_norm: bool = False,
) -> keras.Model:
    """The decoder of `build_dense_bottleneck_autoencoder` (and of the VAE): code ->
    [Dense(h) for h in reversed(hidden_units)] -> Dense(7*7*code_filters) -> Reshape ->
    the baseline's conv decoder. A model named `"decoder"`."""
    map_shape = (input_shape[0] // 4, input_shape[1] // 4, code_filters)
    code_input = keras.Input(shape=(latent_dim,), name="code")
    x = code_input
    for i, units in enumerate(reversed(hidden_units), start=1):
        x = _dense(x, units, f"dec_hidden{i}", batch_norm=batch_norm)
    x = _dense(x, int(np.prod(map_shape)), "expand", batch_norm=batch_norm)
    x = layers.Reshape(map_shape, name="reshape")(x)
    outputs = _conv_decoder(
        x, (filters[0], filters[1], code_filters), input_shape[-1], batch_norm=batch_norm
    )
    return keras.Model(code_input, outputs, name="decoder")


def _check_hidden(hidden_units):
    if hidden_units is None:
        return None
    return _check_positive_int("hidden_units", hidden_units)


def _classifier_head(x, hidden_units: int | None, num_classes: int):
    x = layers.Flatten(name="flatten")(x)
    if hidden_units is not None:
        x = layers.Dense(hidden_units, activation="relu", name="hidden")(x)
    return layers.Dense(num_classes, activation="softmax", name="predictions")(x)


def build_encoder_classifier(
    encoder: keras.Model,
    *,
    hidden_units: int | None = None,
    num_classes: int = 10,
    trainable: bool = False,
    name: str | None = None,
) -> keras.Model:
    """A classifier on top of a pre-trained encoder (transfer learning, experiment 5).

    Input -> encoder -> Flatten -> [Dense(hidden_units, relu)] -> Dense(num_classes,
    softmax). The paper describes the head two ways:

    - section 3.1: "append Flatten -> Dense(10, softmax)": `hidden_units=None`
      (the default); only the softmax layer is trained.
    - section 2.2.2(d): "passed to a Dense layer. A softmax layer classified...": a
      hidden Dense layer then softmax, e.g. `hidden_units=128`.

    The encoder is shared, not copied: with `trainable=False` this function sets
    `encoder.trainable = False` (which also puts any BatchNormalization layer inside it
    in inference mode) and calls it with `training=False`, so its weights stay exactly
    as loaded while the head trains. Build (and compile) after loading the encoder;
    with `trainable=True` training the classifier updates the passed encoder's
    weights in place.

    Args:
        encoder: a Keras model mapping images to codes (e.g.
            `autoencoder.get_layer("encoder")` of a loaded autoencoder).
        hidden_units: None for no hidden layer, or a positive int.
        num_classes: positive int.
        trainable: whether the encoder's weights are fine-tuned too.
        name: model name; defaults to `"encoder_classifier"`.

    Returns:
        A keras Model mapping images (the encoder's input shape) to `(batch,
        num_classes)` class probabilities. Train with sparse categorical
        cross-entropy on integer labels.
    """
    if not isinstance(encoder, keras.Model):
        raise ValueError(f"encoder must be a keras.Model, got {type(encoder).__name__}")
    hidden_units = _check_hidden(hidden_units)
    num_classes = _check_positive_int("num_classes", num_classes)
    if not isinstance(trainable, (bool, np.bool_)):
        raise ValueError(f"trainable must be True or False, got {trainable!r}")

    encoder.trainable = bool(trainable)
    inputs = keras.Input(shape=tuple(encoder.input_shape[1:]), name="image")
    # A frozen encoder always runs in inference mode (BatchNorm uses its moving stats).
    codes = encoder(inputs, training=False) if not trainable else encoder(inputs)
    outputs = _classifier_head(codes, hidden_units, num_classes)
    return keras.Model(inputs, outputs, name=name or "encoder_classifier")


def build_cnn_classifier(
    filters: Sequence[int] = (64, 32, 16),
    *,
    hidden_units: int | None = 128,
    num_classes: int = 10,
    input_shape: Sequence[int] = DEFAULT_INPUT_SHAPE,
) -> keras.Model:
    """A CNN classifier trained from scratch, the comparison for transfer learning.

    The same convolution/pooling stack as the improved autoencoder's encoder
    (Conv2D(64) -> MaxPool -> Conv2D(32) -> MaxPool -> Conv2D(16), fresh trainable
    weights) -> Flatten -> [Dense(hidden_units, relu)] -> Dense(num_classes, softmax).
    With the defaults it has 125,498 parameters.

    Args:
        filters: three positive ints, the convolution depths.
        hidden_units: None for no hidden layer, or a positive int.
        num_classes: positive int.
        input_shape: `(height, width, channels)`, height and width divisible by 4.

    Returns:
        A keras Model named `"cnn_classifier"` mapping images to class probabilities.
    """
    filters = _check_int_tuple("filters", filters, 3)
    hidden_units = _check_hidden(hidden_units)
    num_classes = _check_positive_int("num_classes", num_classes)
    input_shape = _check_input_shape(input_shape)

    inputs = keras.Input(shape=input_shape, name="image")
    x = _conv_pool_stack(inputs, filters)
    outputs = _classifier_head(x, hidden_units, num_classes)
    return keras.Model(inputs, outputs, name="cnn_classifier")


def count_params(model: keras.Model, *, trainable_only: bool = False) -> int:
    """Number of parameters (weights) of `model` as a python int.

    Args:
        model: a built Keras model or layer.
        trainable_only: count only the trainable weights.
    """
    weights = model.trainable_weights if trainable_only else model.weights
    return int(sum(int(np.prod(w.shape)) for w in weights))


# Named Dense-bottleneck designs for the d = 2 investigation of notebook 02. Each is a
# reading of "Dense bottleneck in place of the last Conv2D"; they differ only in the
# layers between the conv stack and the code (mirrored in the decoder).
BOTTLENECK_VARIANTS: dict[str, dict] = {
    # The literal reading: Flatten -> Dense(d) and Dense -> Reshape straight back.
    "plain": {"hidden_units": ()},
    # The sweep's default: one Dense(128) on each side of the code.
    "dense128": {"hidden_units": (128,)},
    # A much larger bottleneck stack with batch normalisation and a 7x7x16 decoder start.
    "deep-bn": {"hidden_units": (512, 256, 128), "batch_norm": True, "code_filters": 16},
}


def build_bottleneck_variant(latent_dim: int, variant: str) -> Autoencoder:
    """`build_dense_bottleneck_autoencoder` with one of the `BOTTLENECK_VARIANTS` designs.

    Raises:
        ValueError: for an unknown variant name (the message lists the known ones).
    """
    if variant not in BOTTLENECK_VARIANTS:
        raise ValueError(
            f"unknown bottleneck variant {variant!r}: use one of {sorted(BOTTLENECK_VARIANTS)}"
        )
    return build_dense_bottleneck_autoencoder(latent_dim, **BOTTLENECK_VARIANTS[variant])


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
    latent_dim = _check_positive_int("latent_dim", latent_dim)
    filters = _check_int_tuple("filters", filters, 2)
    code_filters = _check_positive_int("code_filters", code_filters)
    hidden_units = _check_int_tuple("hidden_units", hidden_units)
    input_shape = _check_input_shape(input_shape)
    if seed is not None and (not _is_int(seed) or seed < 0):
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
