"""Adversarial training of a denoiser: each batch's inputs pushed to their worst case first.

`AdversarialDenoiser` wraps an autoencoder. Its training step perturbs every (already
noisy) input by PGD within an L-infinity ball of radius `epsilon` so as to maximise the
reconstruction BCE against the clean target (random start, `steps` sign-gradient steps
of `step_size`, projected to the ball and to [0, 1]; the attack of
`aelib.evaluation.attacks.pgd`, in the training graph), then takes the usual Adam step
on those inputs. Validation and inference call the wrapped autoencoder unchanged, so
`aelib.training.train` fits it like any model, and the autoencoder inside is what is
saved and scored.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from aelib.params import check_int

__all__ = ["AdversarialDenoiser"]


class AdversarialDenoiser(keras.Model):
    """Trains `autoencoder` on PGD-perturbed inputs (see the module).

    Args:
        autoencoder: the Keras autoencoder to train (its weights change in place).
        epsilon: the perturbation radius in (0, 1].
        steps: PGD steps per batch, >= 1 (each costs about one forward and backward pass).
        step_size: None: 2.5 * epsilon / steps.
        seed: seeds the random starts.
    """

    def __init__(self, autoencoder, *, epsilon: float, steps: int = 3, step_size=None, seed=0):
        super().__init__(name="adversarial_denoiser")
        if not 0 < float(epsilon) <= 1:
            raise ValueError(f"epsilon must be a number in (0, 1], got {epsilon!r}")
        self.autoencoder = autoencoder
        self.epsilon = float(epsilon)
        self.steps = check_int("steps", steps)
        self.step_size = 2.5 * self.epsilon / self.steps if step_size is None else float(step_size)
        self.seed_generator = keras.random.SeedGenerator(check_int("seed", seed, minimum=0))

    def call(self, inputs, training=False):
        return self.autoencoder(inputs, training=training)

    def perturb(self, x, y):
        """PGD on the reconstruction BCE against `y`, starting from `x` (in the graph)."""
        x = tf.convert_to_tensor(x)
        noise = keras.random.uniform(
            tf.shape(x), -self.epsilon, self.epsilon, seed=self.seed_generator
        )
        adv = tf.clip_by_value(x + noise, 0.0, 1.0)
        for _ in range(self.steps):
            with tf.GradientTape() as tape:
                tape.watch(adv)
                out = tf.clip_by_value(self.autoencoder(adv, training=False), 1e-7, 1 - 1e-7)
                loss = -tf.reduce_sum(y * tf.math.log(out) + (1 - y) * tf.math.log(1 - out))
            adv = adv + self.step_size * tf.sign(tape.gradient(loss, adv))
            adv = tf.clip_by_value(adv, x - self.epsilon, x + self.epsilon)
            adv = tf.clip_by_value(adv, 0.0, 1.0)
        return tf.stop_gradient(adv)

    def train_step(self, data):
        x, y = data[0], data[1]
        adv = self.perturb(x, y)
        with tf.GradientTape() as tape:
            y_pred = self(adv, training=True)
            loss = self.compute_loss(x=adv, y=y, y_pred=y_pred)
        weights = self.trainable_weights
        self.optimizer.apply(tape.gradient(loss, weights), weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}
