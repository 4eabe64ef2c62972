"""The convolutional autoencoders of the study: the paper's baseline, the improved
model with batch norm, the Dense-bottleneck designs of the d = 2 investigation."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
from keras import layers

from aelib.models._blocks import (
    DEFAULT_INPUT_SHAPE,
    Autoencoder,
    _assemble,
    _check_activation,
    _check_input_shape,
    _check_int_tuple,
    _conv_decoder,
    _conv_pool_stack,
    _dense,
    _dense_decoder,
)
from aelib.params import check_int, is_int

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
    if not is_int(latent_dim) or latent_dim <= 0:
        raise ValueError(f"latent_dim must be a positive integer, got {latent_dim!r}")
    latent_dim = int(latent_dim)
    filters = _check_int_tuple("filters", filters, 2)
    code_filters = check_int("code_filters", code_filters)
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
