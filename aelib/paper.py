"""The reference study's own numbers and captions, for labelled reference columns only.

Source: ../shared/reference/autoencoder-report.txt (Tables 3.2.1.1 and 3.2.2.1,
Figures 3.4.1-3.4.6). Nothing here is a result of this project; reports show these
values only in columns labelled as the paper's.
"""

from __future__ import annotations

# Metric id -> the paper's value (BCE per pixel; accuracy as a fraction).
PAPER_VALUES: dict[str, float] = {
    "mnist.baseline.val_bce": 0.0733,
    "mnist.latent_16.val_bce": 0.1141,
    "mnist.latent_2.val_bce": 0.1669,
    "mnist.denoise.val_bce": 0.1236,
    "mnist.improved.val_bce": 0.0684,
    "fashion.ae.val_bce": 0.2613,
    "fashion.transfer.test_acc": 0.8897,
    "fashion.cnn.test_acc": 0.9090,
}

# The paper's latent sweep: only d = 2 and d = 16 were reported.
PAPER_LATENT_SWEEP: dict[int, float] = {2: 0.1669, 16: 0.1141}

FIGURE_CAPTIONS: dict[str, str] = {
    "3.4.1": "Original vs. Reconstructed MNIST: ten MNIST test samples alongside their "
    "reconstructions from the baseline autoencoder.",
    "3.4.2": "Latent Dim = 16 Reconstructions: MNIST reconstructions using a latent space "
    "of 16. This demonstrates how changing latent dimensions affects the reconstruction "
    "quality.",
    "3.4.3": "Noisy vs. Denoised MNIST: MNIST images corrupted with Gaussian noise, shown "
    "alongside their denoised reconstructions using the denoising autoencoder.",
    "3.4.4": "Noisy vs. Denoised MNIST: MNIST images corrupted with salt-and-pepper noise, "
    "shown alongside their denoised reconstructions using the denoising autoencoder.",
    "3.4.5": "Fashion-MNIST Reconstructions: original versus reconstructed Fashion-MNIST "
    "images using the improved convolutional autoencoder.",
    "3.4.6": "t-SNE of MNIST Latent Space: two-dimensional scatter plot of MNIST encoded "
    "features, showing distinct clusters for each digit.",
}
