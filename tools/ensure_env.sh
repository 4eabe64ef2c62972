#!/usr/bin/env bash
# Create or refresh the project's virtual environment at .venv.
#
# The environment is rebuilt when it is missing, broken, or stale: its stamp records the
# SHA-256 of pyproject.toml and the Python version it was built from. Nothing else is
# needed first: a fresh machine with python3 (3.10-3.12, with venv) and pip access to
# PyPI is enough.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
STAMP="$VENV/.aelib-env-stamp"
want="$(sha256sum pyproject.toml | cut -d' ' -f1) $("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"

if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] \
    && "$VENV/bin/python" -c 'import aelib, tensorflow, papermill' >/dev/null 2>&1; then
  exit 0
fi

echo "==> Creating the environment in $VENV (first run takes a few minutes)"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV" || {
  echo "error: '$PYTHON -m venv' failed. On Debian/Ubuntu install it with: apt-get install python3-venv" >&2
  exit 1
}
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e '.[dev]'
# The notebooks run on the kernel named python3; papermill resolves it to this venv's
# interpreter when launched from it.
echo "$want" > "$STAMP"
echo "==> Environment ready: $VENV"
