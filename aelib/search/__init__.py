"""Systematic hyperparameter searches (Optuna): `aelib.search.latent`, the multi-objective
search of the code size and the widths around it (notebook 08).

Import the module itself (`from aelib.search import latent`): this file imports nothing,
so a notebook's cache key counts only the search code it uses.
"""
