"""aelib: the library the notebooks import, one folder or module per concern.

- `aelib.datasets`: verified offline loading of MNIST and Fashion-MNIST.
- `aelib.noise`: Gaussian and salt-and-pepper corruption.
- `aelib.models`: the Keras architectures (autoencoders, classifiers, the VAE).
- `aelib.training`: fitting, batched prediction and evaluation.
- `aelib.evaluation`: metrics, quality, anomalies, label efficiency, generative quality,
  the classical baselines, attacks (PGD, FGSM, ART) and robustness grids.
- `aelib.search`: Optuna searches (the code size, notebook 08).
- `aelib.figures`: every figure, one module per kind.
- `aelib.outputs`: result files (metrics, tables, figures) and model files.
- `aelib.params`, `aelib.seeding` (`set_seed`), `aelib.tfquiet`: a notebook's set-up.
- `aelib.paper`: the study's published numbers, for reference columns.

The machinery that runs notebooks is `aerun`, the report is `aereport`; nothing here
imports either (tests/test_layers.py). Heavy modules (TensorFlow) are imported lazily so
that `import aelib` stays fast. Importing `aelib` first quiets TensorFlow's start-up
messages (`aelib.tfquiet`), so a clean notebook run shows no stderr.
"""

from aelib import tfquiet

tfquiet.install()  # before anything imports TensorFlow

from aelib.seeding import set_seed  # noqa: E402

__version__ = "0.1.0"
__all__ = ["set_seed", "__version__"]
