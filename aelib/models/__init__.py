"""Model builders: the convolutional autoencoders and the classifiers of the study.

`aelib.models.adversarial` (adversarial training of a denoiser, notebook 08) is imported as
a module of its own and not re-exported here.

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

from aelib.models.autoencoders import (
    BOTTLENECK_VARIANTS,
    DEFAULT_INPUT_SHAPE,
    Autoencoder,
    build_bottleneck_variant,
    build_conv_autoencoder,
    build_dense_bottleneck_autoencoder,
    build_improved_autoencoder,
    count_params,
)
from aelib.models.classifiers import (
    build_cnn_classifier,
    build_encoder_classifier,
)
from aelib.models.vae import (
    GaussianSampling,
    VariationalAutoencoder,
    build_conv_vae,
    gaussian_kl,
    vae_reconstruction_loss,
)

__all__ = [
    "Autoencoder",
    "DEFAULT_INPUT_SHAPE",
    "build_conv_autoencoder",
    "build_improved_autoencoder",
    "build_dense_bottleneck_autoencoder",
    "count_params",
    "BOTTLENECK_VARIANTS",
    "build_bottleneck_variant",
    "build_encoder_classifier",
    "build_cnn_classifier",
    "VariationalAutoencoder",
    "gaussian_kl",
    "GaussianSampling",
    "vae_reconstruction_loss",
    "build_conv_vae",
]
