"""The project's Jupyter server configuration: a JupyterLab save of a notebook under
notebooks/ writes it as git stores it.

`make env` (tools/ensure_env.sh) points the environment's own config
(`.venv/etc/jupyter/jupyter_server_config.py`) here, so a plain `jupyter lab` started from
the project's environment loads it; nothing else is needed. Before the server writes a
notebook under notebooks/, `strip_notebook_pre_save` strips it with nbstripout, with the
options of the git filter: outputs, execution counts, the metadata keys nbstripout drops
by default and the machine keys of `language_info` JupyterLab adds (strip_keys.txt, read by
the git filter too), cell ids kept. Run All and Save of an unedited notebook then writes
the committed bytes again, so `git status` and `git diff` stay silent (git's index compares
file sizes before any filter runs, so stripping only in the git filter left `git status`
listing the notebook). The price: the notebooks in notebooks/ keep no outputs on disk; the
kernel and the open tab keep them, and a copy saved outside notebooks/ keeps them.
tests/test_environment.py checks that the hook writes what the git filter stores.

This file must not import aelib (it would set TensorFlow's log level in the server).
"""

import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTEBOOKS = HERE.parents[1] / "notebooks"
# What nbstripout 0.9.1's command line drops by default (its main()), then ours.
NBSTRIPOUT_DEFAULT_KEYS = [
    "metadata.signature",
    "metadata.widgets",
    "cell.metadata.collapsed",
    "cell.metadata.ExecuteTime",
    "cell.metadata.execution",
    "cell.metadata.heading_collapsed",
    "cell.metadata.hidden",
    "cell.metadata.scrolled",
]
EXTRA_KEYS = NBSTRIPOUT_DEFAULT_KEYS + (HERE / "strip_keys.txt").read_text().split()


def strip_notebook_pre_save(model, path, contents_manager, **kwargs):
    """Strip a notebook under notebooks/ before the contents manager writes it."""
    if model.get("type") != "notebook" or not model.get("content"):
        return
    os_path = (Path(contents_manager.root_dir) / path).resolve()
    if os_path.suffix != ".ipynb" or NOTEBOOKS not in os_path.parents:
        return
    import nbformat
    from nbstripout import strip_output

    nb = nbformat.from_dict(model["content"])
    if nb.get("nbformat") != 4:
        return
    model["content"] = strip_output(
        nb, keep_output=False, keep_count=False, keep_id=True, extra_keys=EXTRA_KEYS
    )


try:
    c = get_config()  # noqa: F821  (traitlets provides get_config in config files)
except NameError:  # imported by a test, not loaded by a Jupyter application
    c = None
if c is not None:
    c.ContentsManager.pre_save_hook = strip_notebook_pre_save
    # jupyter_server 2.x validates a configured hook when it builds the contents manager
    # and warns that it "overrides" itself; nothing is overridden.
    warnings.filterwarnings(
        "ignore", message="Overriding existing pre_save_hook", category=UserWarning
    )
