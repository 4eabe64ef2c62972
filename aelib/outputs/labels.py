"""Display names of the variants that notebook 07's metric ids carry in a field, declared
once for the notebook (its tables and figures) and the report (its rows):

- `GENERATORS`: the `source` of `{dataset}.gen.{source}.<score>` (besides `real`, the
  floor), in the order the tables show them;
- `FEW_LABEL_METHODS`: the `method` of `{dataset}.few.{method}.{n}.test_acc`.

A generator or method added here is one row more in the report's tables.
"""

from __future__ import annotations

__all__ = ["GENERATORS", "FEW_LABEL_METHODS"]

GENERATORS = {
    "gan": "GAN",
    "vae_prior": "VAE, prior",
    "vae_gmm": "VAE + mixture",
    "ae_gaussian": "AE + Gaussian",
    "ae_gmm": "AE + mixture",
}
FEW_LABEL_METHODS = {
    "labelled": "labelled images alone",
    "classical": "classical augmentation",
    "synthetic": "+ conditional-VAE images",
    "encoder": "frozen encoder (reference)",
}
