"""aerun: the machinery that runs the notebooks and keeps their results.

- `aerun.pipeline`: the registry of notebooks (`NotebookSpec`: order, what each reads).
- `aerun.codehash`, `aerun.cachekeys`, `aerun.runstate`, `aerun.rekey`: what a cache key
  counts, whether a run is fresh or stale and why, `run_all --rekey`'s proof.
- `aerun.rundirs`, `aerun.records`, `aerun.gitrepo`: run directories, `run.json`, the
  commit the runs came from.
- `aerun.plan`, `aerun.priorities`: which runs are needed and in what order; `--dry-run`.
- `aerun.execute`, `aerun.cluster`, `aerun.notebook_run`: Dask tasks and workers, one
  notebook's execution in a process of its own.
- `aerun.cli`, `aerun.console`: the command line `run_all.py` hands to.

Notebooks never import it (tests/test_layers.py); it reads of the library only the data
hashes (`aelib.datasets`).
"""

import sys as _sys

# jsonschema imports `rfc3987_syntax`, when it is installed (JupyterLab's jupyter-events
# needs jsonschema[format-nongpl], which brings it), only to check the "iri" formats, and
# that import builds some 40 Lark parsers: about a second of CPU in every process that
# imports nbformat (jsonschema#1428), here run_all and each notebook's run. nbformat's
# schemas use no "iri" format, so nothing here needs it: marking it absent makes jsonschema
# leave those two checks out. tests/aerun/test_imports.py checks both.
_sys.modules.setdefault("rfc3987_syntax", None)
