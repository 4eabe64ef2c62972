"""Tests for aelib.training on small synthetic images (no dataset download)."""

import json

import keras
import numpy as np
import pytest

from aelib import set_seed
from aelib.models import build_cnn_classifier, build_conv_autoencoder
from aelib.training import (
    _augmented_dataset,
    evaluate_accuracy,
    evaluate_bce,
    predict,
    train,
)


def blobs(n=256, seed=0):
    """Random bright rectangles on a dark background, float32 in [0, 1]."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, 28, 28, 1), dtype=np.float32) * 0.1
    for img in x:
        r, c = rng.integers(2, 16, size=2)
        h, w = rng.integers(6, 12, size=2)
        img[r : r + h, c : c + w] = rng.uniform(0.7, 1.0)
    return x


@pytest.fixture(scope="module")
def data():
    return blobs(256, 0), blobs(64, 1)


def test_loss_falls_and_history_is_plain(data, capsys):
    x, x_val = data
    set_seed(0)
    model = build_conv_autoencoder().autoencoder
    history = train(
        model, x, x, validation_data=(x_val, x_val), epochs=3, batch_size=32, learning_rate=3e-3
    )
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_loss"][-1] < history["val_loss"][0]
    for key in (
        "epoch",
        "loss",
        "val_loss",
        "seconds",
        "epochs_run",
        "stopped_early",
        "batch_size",
        "learning_rate",
    ):
        assert key in history
    assert history["epoch"] == [1, 2, 3]
    assert history["epochs_run"] == 3 and history["stopped_early"] is False
    assert history["batch_size"] == 32 and history["learning_rate"] == 3e-3
    assert all(type(v) is float for v in history["loss"] + history["seconds"])
    assert json.loads(json.dumps(history)) == history
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("epoch 1/3  loss ") and "val_loss" in lines[0]
    assert lines[2].endswith("img/s") and "\r" not in "".join(lines)


def test_metrics_and_classifier(data, capsys):
    x, _ = data
    y = (x[:, 2:14].mean(axis=(1, 2, 3)) > x[:, 14:26].mean(axis=(1, 2, 3))).astype(int)
    set_seed(0)
    model = build_cnn_classifier((8, 8, 8), hidden_units=None, num_classes=2)
    history = train(
        model,
        x,
        y,
        validation_data=(x, y),
        epochs=2,
        batch_size=64,
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        log=False,
    )
    assert "accuracy" in history and "val_accuracy" in history
    assert capsys.readouterr().out == ""
    acc = evaluate_accuracy(model, x, y)
    assert 0.0 <= acc <= 1.0
    assert np.isclose(acc, history["val_accuracy"][-1])


def test_early_stopping_stops(data):
    x, x_val = data
    set_seed(0)
    model = build_conv_autoencoder((4, 4, 4)).autoencoder
    # An absurd learning rate makes training diverge, and with patience 0 the first
    # epoch that is not a new best val_loss stops training.
    history = train(
        model,
        x[:64],
        x[:64],
        validation_data=(x_val, x_val),
        epochs=20,
        batch_size=64,
        learning_rate=1e3,
        early_stopping_patience=0,
        log=False,
    )
    assert history["stopped_early"] is True
    assert history["epochs_run"] < 20
    assert len(history["loss"]) == history["epochs_run"] == len(history["seconds"])
    # the best weights are restored (Keras' own loss: it differs from evaluate_bce's
    # clipped one when outputs saturate, as they do here)
    assert np.isclose(model.evaluate(x_val, x_val, verbose=0), min(history["val_loss"]), rtol=1e-4)


def test_augment_runs_and_keeps_shapes(data):
    x, x_val = data
    set_seed(0)
    model = build_conv_autoencoder((4, 4, 4)).autoencoder
    history = train(
        model,
        x,
        x,
        validation_data=(x_val, x_val),
        epochs=1,
        batch_size=64,
        augment={"rotation_degrees": 15, "horizontal_flip": True},
        seed=3,
        log=False,
    )
    assert history["epochs_run"] == 1 and np.isfinite(history["loss"][0])
    assert history["augment"] == {"rotation_degrees": 15, "horizontal_flip": True}
    assert predict(model, x_val).shape == x_val.shape


def test_augment_transforms_input_and_target_together(data):
    x, _ = data
    augment = {"rotation_degrees": 30, "horizontal_flip": True, "translation_fraction": 0.1}
    for y in (x, x.copy()):  # the same object, or equal-shaped clean targets
        xb, yb = next(iter(_augmented_dataset(x, y, batch_size=32, augment=augment, seed=1)))
        assert xb.shape == (32, 28, 28, 1) and yb.shape == (32, 28, 28, 1)
        np.testing.assert_array_equal(xb.numpy(), yb.numpy())
        assert not any(np.array_equal(xb.numpy()[0], img) for img in x)  # transformed
    labels = np.arange(len(x)) % 10
    xb, yb = next(iter(_augmented_dataset(x, labels, batch_size=32, augment=augment, seed=1)))
    assert xb.shape == (32, 28, 28, 1) and yb.shape == (32,)


def test_augment_denoising_pairs_share_geometry():
    clean = blobs(32, 5)
    noisy = np.clip(clean + 0.05, 0, 1).astype(np.float32)
    xb, yb = next(
        iter(
            _augmented_dataset(
                noisy, clean, batch_size=32, augment={"rotation_degrees": 40}, seed=2
            )
        )
    )
    # Rotation is linear, so with the same angle noisy - clean stays within [0, 0.05]
    # (up to the 0 fill); different angles would move the blobs apart.
    diff = xb.numpy() - yb.numpy()
    assert diff.min() >= -1e-5 and diff.max() <= 0.05 + 1e-5


def test_same_seed_same_weights(data):
    x, _ = data

    def run():
        set_seed(42)
        model = build_conv_autoencoder((4, 4, 4)).autoencoder
        train(model, x[:128], x[:128], epochs=1, batch_size=32, seed=42, log=False)
        return model.get_weights()

    for a, b in zip(run(), run(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_evaluate_bce_matches_keras(data):
    x, x_val = data
    set_seed(0)
    model = build_conv_autoencoder((4, 4, 4)).autoencoder
    noisy = np.clip(x_val + 0.1, 0, 1)
    ours = evaluate_bce(model, noisy, x_val, batch_size=16)
    keras_value = float(keras.losses.BinaryCrossentropy()(x_val, predict(model, noisy)))
    assert isinstance(ours, float)
    assert np.isclose(ours, keras_value, rtol=1e-5)
    # ... and with Keras' own evaluate (logits path; differs only in tiny round-off)
    model.compile(loss="binary_crossentropy")
    assert np.isclose(ours, model.evaluate(noisy, x_val, verbose=0), rtol=1e-4)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"early_stopping_patience": 2}, "validation_data"),
        ({"augment": {"rotate": 10}}, "unknown"),
        ({"augment": {"rotation_degrees": 500}}, "rotation_degrees"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_args(data, kwargs, match):
    x, _ = data
    model = build_conv_autoencoder((4, 4, 4)).autoencoder
    with pytest.raises(ValueError, match=match):
        train(model, x, x, **kwargs)


def test_length_mismatch(data):
    x, _ = data
    model = build_conv_autoencoder((4, 4, 4)).autoencoder
    with pytest.raises(ValueError, match="same number of samples"):
        train(model, x, x[:10])
    with pytest.raises(ValueError, match="validation_data"):
        train(model, x, x, validation_data=(x, x[:5]))
    with pytest.raises(ValueError, match="same number"):
        evaluate_bce(model, x, x[:3])


def test_predict_matches_keras_predict_without_retracing(caplog):
    import logging

    x = blobs(300)
    outputs = []
    with caplog.at_level(logging.WARNING):
        for latent in range(6):  # fresh models in a row, odd sizes: what the notebooks do
            set_seed(latent)
            model = build_conv_autoencoder([8, 4, 2]).autoencoder
            for n in (300, 10, 37):
                got = predict(model, x[:n], batch_size=128)
                assert got.dtype == np.float32 and got.shape == (n, 28, 28, 1)
                outputs.append((got, model, n))
    assert "retracing" not in caplog.text, caplog.text
    for got, model, n in outputs[:3]:
        np.testing.assert_array_equal(got, model.predict(x[:n], batch_size=128, verbose=0))


def test_training_fresh_models_in_a_row_logs_no_retracing(caplog):
    import logging

    x = blobs(64)
    with caplog.at_level(logging.WARNING):
        for seed in range(6):
            set_seed(seed)
            model = build_conv_autoencoder([8, 4, 2]).autoencoder
            train(model, x, x, validation_data=(x, x), epochs=1, batch_size=32, log=False)
    assert "retracing" not in caplog.text, caplog.text


def test_a_fresh_model_s_train_step_is_traced_once(monkeypatch):
    """Adam's slots are made before the fit (`build_optimizer`): a tf.function creating
    them in its first call would be traced twice, for the same steps (the fast path's
    test below checks the bits are a plain fit's). The GAN's two optimisers too."""
    from aelib.models import gan as gans

    traced = []

    def counting(step):
        def wrapper(self, data):
            traced.append(type(self).__name__)
            return step(self, data)

        return wrapper

    monkeypatch.setattr(keras.Model, "train_step", counting(keras.Model.train_step))
    monkeypatch.setattr(gans.DCGAN, "train_step", counting(gans.DCGAN.train_step))
    x = blobs(64)
    set_seed(0)
    model = build_conv_autoencoder([8, 4, 2]).autoencoder
    train(model, x, x, validation_data=(x, x), epochs=2, batch_size=32, log=False)
    assert traced == ["Functional"]
    traced.clear()
    gan = gans.DCGAN(
        gans.build_generator(8, filters=[8, 4]), gans.build_discriminator(filters=[4, 8])
    )
    gans.train_gan(gan, x, epochs=2, batch_size=32, seed=0, log=False)
    assert traced == ["DCGAN"]


def _plain_fit(x, epochs, batch_size, seed):
    """What `train` must amount to without augmentation or validation: a plain fit."""
    set_seed(seed)
    model = build_conv_autoencoder((4, 4, 4)).autoencoder
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    history = model.fit(x, x, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0)
    return model.get_weights(), [float(v) for v in history.history["loss"]]


def test_fast_path_computes_exactly_what_plain_fit_computes(data):
    # The benchmark compares `train` with a plain `model.fit`: both must do the same
    # training, bit for bit, for the same seed (and `train` twice must repeat itself).
    x, _ = data
    runs = []
    for _ in range(2):
        set_seed(7)
        model = build_conv_autoencoder((4, 4, 4)).autoencoder
        history = train(model, x[:160], x[:160], epochs=2, batch_size=32, log=False)
        runs.append((model.get_weights(), history["loss"]))
    plain_weights, plain_loss = _plain_fit(x[:160], epochs=2, batch_size=32, seed=7)
    for weights, loss in runs:
        assert loss == plain_loss
        for a, b in zip(weights, plain_weights, strict=True):
            np.testing.assert_array_equal(a, b)


def test_no_aelib_code_runs_per_batch(data):
    # Keras calls every callback's batch hooks on every batch (synchronously unless no
    # callback overrides `on_*_batch_end`). aelib's epoch logger has epoch hooks only, and
    # nothing else of aelib runs inside `fit`: the calls into aelib/training.py do not
    # depend on the number of batches.
    import sys
    import threading

    import aelib.training as training

    for name in dir(keras.callbacks.Callback):
        if name.startswith("on_") and "batch" in name:
            assert getattr(training._EpochLogger, name) is getattr(keras.callbacks.Callback, name)

    x, x_val = data

    def calls_into_training(n, batch_size):
        counted = []

        def profiler(frame, event, arg):
            if event == "call" and frame.f_code.co_filename == training.__file__:
                counted.append(frame.f_code.co_name)

        set_seed(0)
        model = build_conv_autoencoder((4, 4, 4)).autoencoder
        threading.setprofile(profiler)
        sys.setprofile(profiler)
        try:
            train(
                model,
                x[:n],
                x[:n],
                validation_data=(x_val, x_val),
                epochs=2,
                batch_size=batch_size,
                log=True,
            )
        finally:
            sys.setprofile(None)
            threading.setprofile(None)
        return sorted(counted)

    few, many = calls_into_training(64, 64), calls_into_training(256, 16)  # 1 vs 16 batches
    assert few == many
    assert few.count("on_epoch_end") == 2


def test_predict_gives_one_array_per_output_and_takes_plain_callables():
    """The library's one batched-inference helper: a two-output model (the VAE's encoder)
    gives a list of two arrays, batch by batch as in one call; a plain function is called
    on each batch; anything else is refused by name."""
    import keras

    set_seed(0)
    x = blobs(70)
    inputs = keras.Input((28, 28, 1))
    flat = keras.layers.Flatten()(inputs)
    two = keras.Model(inputs, [keras.layers.Dense(3)(flat), keras.layers.Dense(2)(flat)])
    a, b = predict(two, x, batch_size=32)
    whole = two(x, training=False)
    np.testing.assert_allclose(a, keras.ops.convert_to_numpy(whole[0]), rtol=1e-5, atol=1e-6)
    assert a.shape == (70, 3) and b.shape == (70, 2)
    calls = []

    def halve(batch):
        calls.append(len(batch))
        return batch / 2

    np.testing.assert_array_equal(predict(halve, x, batch_size=32), x / 2)
    assert calls == [32, 32, 6]
    with pytest.raises(ValueError, match="model must be a Keras model or a callable"):
        predict("not a model", x)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        predict(halve, x, batch_size=0)
