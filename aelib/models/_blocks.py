"""What the builders share: argument checks, the `Autoencoder` container and the
convolution and dense building blocks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

from aelib.params import is_int

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


def _check_int_tuple(name: str, value, length: int | None = None) -> tuple[int, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ValueError(f"{name} must be a sequence of positive integers, got {value!r}")
    if length is not None and len(value) != length:
        raise ValueError(
            f"{name} must have exactly {length} entries (one per convolution), "
            f"got {len(value)}: {tuple(value)!r}"
        )
    if any(not is_int(v) or v <= 0 for v in value):
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
