"""Tests for aelib.models: shapes, names, parameter counts, freezing."""

import keras
import numpy as np
import pytest

from aelib import set_seed
from aelib.models import (
    Autoencoder,
    build_cnn_classifier,
    build_conv_autoencoder,
    build_dense_bottleneck_autoencoder,
    build_encoder_classifier,
    build_improved_autoencoder,
    count_params,
)


def _images(n=8, seed=0):
    return np.random.default_rng(seed).random((n, 28, 28, 1), dtype=np.float32)


def test_baseline_shapes_names_and_params():
    model = build_conv_autoencoder()
    assert isinstance(model, Autoencoder)
    assert model.encoder.name == "encoder"
    assert model.decoder.name == "decoder"
    assert model.autoencoder.name == "autoencoder"
    assert model.autoencoder.get_layer("encoder") is model.encoder
    assert model.autoencoder.get_layer("decoder") is model.decoder
    assert model.encoder.output_shape == (None, 7, 7, 8)
    assert model.autoencoder.output_shape == (None, 28, 28, 1)
    # Encoder: conv 1->32: 9*1*32+32 = 320; conv 32->16: 9*32*16+16 = 4624;
    #          conv 16->8: 9*16*8+8 = 1160                       -> 6104
    # Decoder: conv 8->8: 9*8*8+8 = 584; conv 8->16: 9*8*16+16 = 1168;
    #          conv 16->1: 9*16*1+1 = 145                          -> 1897
    assert count_params(model.encoder) == 6104
    assert count_params(model.decoder) == 1897
    assert count_params(model.autoencoder) == 8001
    out = model.autoencoder.predict(_images(), verbose=0)
    assert out.shape == (8, 28, 28, 1)
    assert out.min() >= 0.0 and out.max() <= 1.0


def test_improved_params():
    model = build_improved_autoencoder()
    # Encoder: 9*64+64 = 640; 9*64*32+32 = 18464; 9*32*16+16 = 4624  -> 23728
    # Decoder: 9*16*16+16 = 2320; 9*16*32+32 = 4640; 9*32+1 = 289     -> 7249
    assert count_params(model.encoder) == 23728
    assert count_params(model.autoencoder) == 30977
    assert model.encoder.output_shape == (None, 7, 7, 16)


@pytest.mark.parametrize("latent_dim", [2, 8, 16, 32])
def test_dense_bottleneck_code_shape(latent_dim):
    model = build_dense_bottleneck_autoencoder(latent_dim)
    assert model.encoder.output_shape == (None, latent_dim)
    assert model.decoder.input_shape == (None, latent_dim)
    assert model.autoencoder.output_shape == (None, 28, 28, 1)
    assert model.encoder.get_layer("code").units == latent_dim


def test_dense_bottleneck_params_latent16():
    model = build_dense_bottleneck_autoencoder(16)
    # Encoder: 320 + 4624 + Dense(7*7*16=784 -> 16) 784*16+16 = 12560   -> 17504
    # Decoder: Dense(16 -> 392) 16*392+392 = 6664; 584 + 1168 + 145      -> 8561
    assert count_params(model.encoder) == 17504
    assert count_params(model.autoencoder) == 26065


def test_dense_bottleneck_options():
    model = build_dense_bottleneck_autoencoder(
        4, hidden_units=(64,), latent_activation="tanh", batch_norm=True
    )
    names = [layer.name for layer in model.encoder.layers]
    assert "hidden1" in names and "hidden1_bn" in names and "conv1_bn" in names
    assert "code_bn" not in names
    assert model.decoder.get_layer("dec_hidden1").units == 64
    codes = model.encoder.predict(_images(), verbose=0)
    assert codes.shape == (8, 4)
    assert np.abs(codes).max() <= 1.0


@pytest.mark.parametrize("bad", [0, -3, 2.5, "16", True, None])
def test_dense_bottleneck_rejects_bad_latent_dim(bad):
    with pytest.raises(ValueError, match="latent_dim"):
        build_dense_bottleneck_autoencoder(bad)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"filters": (32, 16)}, "filters"),
        ({"filters": (32, 0, 8)}, "filters"),
        ({"filters": "abc"}, "filters"),
        ({"input_shape": (30, 30, 1)}, "input_shape"),
    ],
)
def test_conv_autoencoder_rejects_bad_args(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build_conv_autoencoder(**kwargs)


def test_other_bad_args():
    with pytest.raises(ValueError, match="latent_activation"):
        build_dense_bottleneck_autoencoder(8, latent_activation="nope")
    with pytest.raises(ValueError, match="code_filters"):
        build_dense_bottleneck_autoencoder(8, code_filters=0)
    with pytest.raises(ValueError, match="hidden_units"):
        build_cnn_classifier(hidden_units=0)
    with pytest.raises(ValueError, match="num_classes"):
        build_encoder_classifier(build_conv_autoencoder().encoder, num_classes=0)


def test_classifier_params():
    encoder = build_improved_autoencoder().encoder
    head_only = build_encoder_classifier(encoder)
    # Flatten 7*7*16 = 784 -> Dense(10): 7850 trainable, encoder 23728 frozen.
    assert count_params(head_only) == 23728 + 7850
    assert count_params(head_only, trainable_only=True) == 7850
    with_hidden = build_encoder_classifier(encoder, hidden_units=128, name="clf")
    # 784*128+128 = 100480; 128*10+10 = 1290
    assert count_params(with_hidden, trainable_only=True) == 100480 + 1290
    assert with_hidden.name == "clf"
    cnn = build_cnn_classifier()
    assert count_params(cnn) == 23728 + 100480 + 1290
    assert count_params(cnn, trainable_only=True) == count_params(cnn)
    assert cnn.output_shape == (None, 10)


@pytest.mark.parametrize("batch_norm", [False, True])
def test_frozen_encoder_does_not_change(batch_norm):
    set_seed(0)
    if batch_norm:
        encoder = build_dense_bottleneck_autoencoder(8, batch_norm=True).encoder
    else:
        encoder = build_conv_autoencoder().encoder
    classifier = build_encoder_classifier(encoder, hidden_units=16)
    assert encoder.trainable is False
    assert len(classifier.get_layer("encoder").trainable_weights) == 0
    before = [w.copy() for w in encoder.get_weights()]  # includes BN moving stats
    classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = _images(32)
    y = np.arange(32) % 10
    classifier.fit(x, y, epochs=1, batch_size=16, verbose=0)
    for old, new in zip(before, encoder.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)


def test_trainable_encoder_changes():
    set_seed(0)
    encoder = build_conv_autoencoder().encoder
    classifier = build_encoder_classifier(encoder, trainable=True)
    assert len(classifier.get_layer("encoder").trainable_weights) == 6
    before = [w.copy() for w in encoder.get_weights()]
    classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    classifier.fit(_images(32), np.arange(32) % 10, epochs=1, batch_size=16, verbose=0)
    assert any(not np.array_equal(a, b) for a, b in zip(before, encoder.get_weights(), strict=True))


def test_count_params_matches_keras():
    model = build_cnn_classifier(hidden_units=None)
    assert count_params(model) == model.count_params()
    assert isinstance(count_params(model), int)
    assert isinstance(model, keras.Model)


def test_bottleneck_variants_build_and_differ():
    from aelib.models import BOTTLENECK_VARIANTS, build_bottleneck_variant

    sizes = {}
    for name in BOTTLENECK_VARIANTS:
        ae = build_bottleneck_variant(2, name)
        assert ae.encoder.output_shape == (None, 2)
        assert ae.autoencoder.output_shape == (None, 28, 28, 1)
        sizes[name] = ae.autoencoder.count_params()
    assert sizes["plain"] < sizes["dense128"] < sizes["deep-bn"]
    with pytest.raises(ValueError, match="unknown bottleneck variant 'huge'"):
        build_bottleneck_variant(2, "huge")


# ------------------------------------------------------------------ variational autoencoder


def _vae(latent_dim=2, seed=0):
    from aelib.models import build_conv_vae

    set_seed(0)
    return build_conv_vae(latent_dim, seed=seed)


def test_vae_shapes_names_and_same_trunk_as_the_autoencoder():
    from aelib.models import VariationalAutoencoder

    vae = _vae(16)
    assert isinstance(vae, VariationalAutoencoder) and vae.latent_dim == 16
    assert (vae.encoder.name, vae.decoder.name, vae.vae.name) == ("encoder", "decoder", "vae")
    assert vae.encoder.output_shape == [(None, 16), (None, 16)]
    assert vae.decoder.input_shape == (None, 16)
    assert vae.vae.output_shape == (None, 28, 28, 1)
    ae = build_dense_bottleneck_autoencoder(16, hidden_units=(128,))
    # The same layers but for the log-variance head (Dense(128 -> 16): 2,064 weights).
    assert count_params(vae.decoder) == count_params(ae.decoder)
    assert count_params(vae.vae) == count_params(ae.autoencoder) + 128 * 16 + 16 == 164193
    out = vae.vae(_images(), training=False).numpy()
    assert out.shape == (8, 28, 28, 1) and 0.0 <= out.min() and out.max() <= 1.0


def test_vae_kl_is_non_negative_and_zero_at_the_prior():
    from keras import ops

    from aelib.models import gaussian_kl

    rng = np.random.default_rng(0)
    mean, log_var = rng.normal(size=(50, 4)), rng.normal(size=(50, 4))
    kl = ops.convert_to_numpy(gaussian_kl(mean, log_var))
    assert kl.shape == (50, 4) and (kl >= -1e-12).all()
    assert np.allclose(ops.convert_to_numpy(gaussian_kl(np.zeros(3), np.zeros(3))), 0.0)
    # KL(N(1, 1) || N(0, 1)) = 1/2.
    assert np.isclose(float(ops.convert_to_numpy(gaussian_kl(np.ones(1), np.zeros(1)))[0]), 0.5)


def test_vae_loss_is_the_negative_elbo_and_finite():
    from aelib.models import vae_reconstruction_loss

    x = _images(16)
    p = np.clip(np.random.default_rng(1).random(x.shape, dtype=np.float32), 0.01, 0.99)
    per_image = keras.ops.convert_to_numpy(vae_reconstruction_loss(x, p))
    expected = -(x * np.log(p) + (1 - x) * np.log(1 - p)).reshape(16, -1).sum(axis=1)
    assert per_image.shape == (16,) and np.allclose(per_image, expected, rtol=1e-4)

    vae = _vae(2)
    vae.vae.compile(optimizer="adam", loss=vae_reconstruction_loss)
    loss = vae.vae.evaluate(x, x, verbose=0, batch_size=16)
    assert np.isfinite(loss) and loss > 0
    # The sampling layer adds the batch's mean KL, summed over the code units, to the
    # model's losses, which Keras adds to the compiled (summed reconstruction) loss.
    vae.vae(x, training=False)
    mean, log_var = (t.numpy().astype(np.float64) for t in vae.encoder(x, training=False))
    kl = 0.5 * (mean**2 + np.exp(log_var) - 1 - log_var).sum(axis=1).mean()
    assert len(vae.vae.losses) == 1
    assert np.isclose(float(vae.vae.losses[0]), kl, rtol=1e-4) and kl >= 0.0
    history = vae.vae.fit(x, x, epochs=1, batch_size=8, verbose=0).history
    assert np.isfinite(history["loss"][0])


def test_vae_sampling_is_seeded():
    x = _images(4)
    a, b, c = _vae(2, seed=3), _vae(2, seed=3), _vae(2, seed=4)
    out_a, out_b, out_c = (m.vae(x, training=False).numpy() for m in (a, b, c))
    assert np.array_equal(out_a, out_b)  # same weights, same seed: the same draws
    assert not np.array_equal(out_a, out_c)  # same weights, another seed
    # The posterior mean does not depend on the draw.
    assert np.array_equal(a.encoder(x)[0].numpy(), c.encoder(x)[0].numpy())


def test_vae_saves_and_loads(tmp_path):
    from aelib.outputs import saving

    vae = _vae(2)
    x = _images(4)
    paths = saving.save_model(vae.vae, tmp_path, "vae")
    loaded = saving.load_model(paths["keras"])
    mean = loaded.get_layer("encoder")(x)[0].numpy()
    assert np.allclose(mean, vae.encoder(x)[0].numpy(), atol=1e-6)
    assert loaded.get_layer("sampling").seed == 0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"latent_dim": 0}, "latent_dim"),
        ({"latent_dim": 2, "filters": (32,)}, "filters"),
        ({"latent_dim": 2, "seed": -1}, "seed"),
    ],
)
def test_vae_rejects_bad_args(kwargs, match):
    from aelib.models import build_conv_vae

    with pytest.raises(ValueError, match=match):
        build_conv_vae(**kwargs)


def test_a_saved_vae_names_its_layer_by_the_module_aelib_exports_it_from(tmp_path):
    """The .keras config records a custom layer's module; it stays `aelib.models` whatever
    file defines the class, so a saved model's content does not change with a move, and
    the file loads back."""
    import json
    import zipfile

    import keras

    from aelib import models

    vae = models.build_conv_vae(2, seed=0)
    path = tmp_path / "vae.keras"
    vae.vae.save(path)
    config = json.loads(zipfile.ZipFile(path).read("config.json"))
    modules = set()

    def walk(node):
        if isinstance(node, dict):
            if node.get("class_name") == "GaussianSampling":
                modules.add(node.get("module"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(config)
    assert modules == {"aelib.models"}
    assert keras.saving.load_model(path).count_params() == vae.vae.count_params()
