"""The classifiers: an encoder with a classification head (transfer) and the plain CNN."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
from keras import layers

from aelib.models._blocks import (
    DEFAULT_INPUT_SHAPE,
    _check_input_shape,
    _check_int_tuple,
    _conv_pool_stack,
)
from aelib.params import check_int


def _check_hidden(hidden_units):
    if hidden_units is None:
        return None
    return check_int("hidden_units", hidden_units)


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
    num_classes = check_int("num_classes", num_classes)
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
    num_classes = check_int("num_classes", num_classes)
    input_shape = _check_input_shape(input_shape)

    inputs = keras.Input(shape=input_shape, name="image")
    x = _conv_pool_stack(inputs, filters)
    outputs = _classifier_head(x, hidden_units, num_classes)
    return keras.Model(inputs, outputs, name="cnn_classifier")
