"""What importing aerun does to the process: nbformat without rfc3987_syntax's parsers."""

import subprocess
import sys
from pathlib import Path

from aerun import pipeline

ROOT = Path(__file__).resolve().parents[2]
CHECK = """
import aerun
import nbformat, papermill
import jsonschema, sys
from aerun import pipeline
for spec in pipeline.NOTEBOOKS:
    nbformat.validate(nbformat.read(spec.path, as_version=4))
assert "iri" not in jsonschema.Draft7Validator.FORMAT_CHECKER.checkers
assert "date-time" in jsonschema.Draft7Validator.FORMAT_CHECKER.checkers
assert sys.modules["rfc3987_syntax"] is None
print("validated", len(pipeline.NOTEBOOKS))
"""


def test_aerun_imports_nbformat_without_rfc3987_syntax():
    """run_all and every notebook's run (`python -m aerun.notebook_run`) import aerun before
    nbformat: jsonschema then leaves out its two "iri" format checks, which no notebook
    schema uses, instead of building some 40 Lark parsers (about a second of CPU, in each
    of those processes); notebooks still validate."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", CHECK],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == ["validated", str(len(pipeline.NOTEBOOKS))]
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    assert "jsonschema._format" in imported
    # the name is looked up (and found absent); its parsers are never built
    assert "lark" not in imported and "rfc3987_syntax.syntax_helpers" not in imported
