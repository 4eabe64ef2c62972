"""aelib.models.gan and aelib.models.cvae: shapes and ranges, a DCGAN step that moves both
networks, the per-step history and its continuation, seeded repeatability, the conditional
VAE's class-ordered samples, and the errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest

from aelib.models import cvae as cvae_models
from aelib.models import gan as gans
from aelib.seeding import set_seed

RNG = np.random.default_rng(0)
X = RNG.random((96, 28, 28, 1)).astype(np.float32)


def _gan(seed=0):
    set_seed(seed)
    return gans.DCGAN(
        gans.build_generator(8, filters=(8, 4)),
        gans.build_discriminator(filters=(4, 8)),
        seed=seed,
    )


def test_generator_and_discriminator_shapes():
    generator = gans.build_generator(8, filters=(8, 4))
    images = gans.generate(generator, RNG.standard_normal((5, 8)))
    assert images.shape == (5, 28, 28, 1) and images.dtype == np.float32
    assert images.min() >= 0 and images.max() <= 1  # sigmoid: the range of the judge
    logits = gans.build_discriminator(filters=(4, 8))(X[:3])
    assert tuple(logits.shape) == (3, 1)


def test_training_records_every_step_and_continues_a_history():
    gan = _gan()
    before = [w.copy() for w in (v.numpy() for v in gan.generator.trainable_weights)]
    codes = RNG.standard_normal((4, 8)).astype(np.float32)
    history = gans.train_gan(
        gan,
        X,
        epochs=1,
        batch_size=32,
        seed=0,
        fixed_codes=codes,
        snapshot_epochs=[1, 2],
        log=False,
    )
    assert len(history["d_step"]) == len(history["g_step"]) == 3  # 96 / 32 steps
    assert history["epochs_run"] == 1 and list(history["snapshots"]) == [1]
    assert history["snapshots"][1].shape == (4, 28, 28, 1)
    assert all(np.isfinite(history["d_step"])) and history["d_step"][0] > 0
    after = [v.numpy() for v in gan.generator.trainable_weights]
    assert any(not np.allclose(a, b) for a, b in zip(before, after, strict=True))
    more = gans.train_gan(
        gan,
        X,
        epochs=1,
        batch_size=32,
        seed=0,
        fixed_codes=codes,
        snapshot_epochs=[1, 2],
        log=False,
        history=history,
    )
    assert more["epochs_run"] == 2 and more["epoch"] == [1, 2] and len(more["d_step"]) == 6
    assert more["d_step"][:3] == history["d_step"] and sorted(more["snapshots"]) == [1, 2]


def test_a_seed_repeats_the_losses():
    runs = [
        gans.train_gan(_gan(3), X, epochs=1, batch_size=32, seed=3, log=False)["d_step"]
        for _ in range(2)
    ]
    assert runs[0] == runs[1]


def test_bad_gan_input_names_the_problem():
    with pytest.raises(ValueError, match="snapshot_epochs needs fixed_codes"):
        gans.train_gan(_gan(), X, epochs=1, seed=0, snapshot_epochs=[1], log=False)
    with pytest.raises(ValueError, match=r"x must be images"):
        gans.train_gan(_gan(), X[:, :, :, 0], epochs=1, seed=0, log=False)
    with pytest.raises(ValueError, match="codes must have shape"):
        gans.generate(gans.build_generator(8, filters=(8, 4)), np.zeros(8))
    with pytest.raises(ValueError, match="epochs"):
        gans.train_gan(_gan(), X, epochs=0, seed=0, log=False)


def test_the_conditional_vae_trains_and_draws_each_class():
    from aelib import training

    set_seed(0)
    model = cvae_models.build_conditional_vae(4, hidden_units=16, seed=0)
    y = np.arange(len(X)) % 10
    history = training.train(model, X, y, epochs=2, batch_size=32, seed=0, log=False)
    assert history["loss"][1] < history["loss"][0]  # nats per image, falling
    images, labels = cvae_models.sample_classes(model, 3, seed=1)
    assert images.shape == (30, 28, 28, 1) and labels.tolist() == sorted(labels.tolist())
    assert np.bincount(labels).tolist() == [3] * 10
    again, _ = cvae_models.sample_classes(model, 3, seed=1)
    np.testing.assert_array_equal(images, again)
    with pytest.raises(ValueError, match="num_classes"):
        cvae_models.build_conditional_vae(4, num_classes=1)
