"""aelib: the shared library behind the autoencoder notebook series.

One concern per module:

- `aelib.datasets`: verified offline loading of MNIST and Fashion-MNIST.
- `aelib.noise`: Gaussian and salt-and-pepper corruption.
- `aelib.seeding`: `set_seed`, one call that makes a run repeatable.
- `aelib.models`, `aelib.training`, `aelib.saving`, `aelib.plots`, `aelib.results`:
  model builders, the training helper, model files, figures and result files.

Heavy modules (TensorFlow) are imported lazily so that `import aelib` stays fast.
Importing `aelib` first quiets TensorFlow's start-up messages (`aelib.tfquiet`), so a
clean notebook run shows no stderr.
"""

from aelib import tfquiet

tfquiet.install()  # before anything imports TensorFlow

from aelib.seeding import set_seed  # noqa: E402

__version__ = "0.1.0"
__all__ = ["set_seed", "__version__"]
