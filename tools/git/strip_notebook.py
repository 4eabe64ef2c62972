"""The nbstripout git filter of this checkout: nbstripout's own command line, a second faster.

tools/ensure_env.sh configures git to run this file (`filter.nbstripout.clean`,
`diff.ipynb.textconv`) with nbstripout's options. git runs the filter once per notebook it
looks at (a `git status`, `git diff` or `git add` of eight notebooks: eight processes), and
`python -m nbstripout` spends about a second of its 1.2 s importing nbformat: jsonschema
then imports `rfc3987_syntax`, which builds some 40 Lark parsers for its two "iri" format
checks (jsonschema#1428). Notebook schemas use no "iri" format; marked absent, the import
is skipped and jsonschema leaves those two checks out (as aerun/__init__.py does for
run_all). Everything else is `nbstripout.main`, unchanged.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)

from nbstripout import main  # noqa: E402  (after the line above, by design)

if __name__ == "__main__":
    sys.exit(main())
