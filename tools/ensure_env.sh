#!/usr/bin/env bash
# Create or refresh the project's virtual environment at .venv, from the locks.
#
# What goes in is fixed by requirements/ (make lock regenerates it): tools.txt (pip itself,
# and uv) and lock.txt (every package of pyproject.toml with its dev extra, direct and
# transitive, each pinned with the SHA-256 of its files on PyPI), both installed with
# `pip install --require-hashes`; then aelib itself, editable, without dependencies and
# built by the locked setuptools. The environment is rebuilt when it is missing, broken, or
# stale: its stamp records the SHA-256 of pyproject.toml and of the locks, and the Python
# version. Nothing else is needed first: a fresh machine with python3 (3.11, with venv) and
# pip access to PyPI (or a mirror of it) is enough.
#
# Every run also configures the nbstripout git filter of this checkout (see .gitattributes),
# so that notebooks are stored without outputs (outside a git checkout that step is skipped),
# and JupyterLab's save in this environment to write them the same way
# (tools/jupyter/jupyter_server_config.py).
#   bash tools/ensure_env.sh                        # the environment, then both
#   bash tools/ensure_env.sh --git-filter PYTHON    # only the git filter, run by PYTHON
#   bash tools/ensure_env.sh --jupyter PYTHON       # only Jupyter's save, for PYTHON's env
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
STAMP="$VENV/.aelib-env-stamp"
LOCKS=(requirements/tools.txt requirements/lock.txt)

# What JupyterLab 4 adds to a notebook's metadata on save that says which machine saved it
# (the Python version, the editor's modes): stripped, so that Run All and Save of an unedited
# notebook leaves git silent. The committed notebooks carry the kernelspec JupyterLab writes
# for this environment's kernel ("Python 3 (ipykernel)") and language_info's name only.
JUPYTERLAB_KEYS="$(tr '\n' ' ' < tools/jupyter/strip_keys.txt | sed 's/ *$//')"

# The repo-local git config `nbstripout --install` writes, but with --keep-id so that the
# notebooks' cell ids are kept as committed, and run through tools/git/strip_notebook.py
# (nbstripout's command line without the second its imports cost in every git command that
# looks at a notebook). Idempotent; silent when nothing changes.
configure_git_filter() {
  local python=$1 clean
  if ! command -v git >/dev/null 2>&1 || ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    echo "note: not a git checkout; the nbstripout git filter is not configured"
    return 0
  fi
  clean="\"$python\" \"$PWD/tools/git/strip_notebook.py\" --keep-id --extra-keys '$JUPYTERLAB_KEYS'"
  if [ "$(git config --local --get filter.nbstripout.clean || true)" = "$clean" ] \
      && [ "$(git config --local --get filter.nbstripout.smudge || true)" = "cat" ] \
      && [ "$(git config --local --get filter.nbstripout.required || true)" = "true" ] \
      && [ "$(git config --local --get diff.ipynb.textconv || true)" = "$clean -t" ]; then
    return 0
  fi
  git config --local filter.nbstripout.clean "$clean"
  git config --local filter.nbstripout.smudge cat
  git config --local filter.nbstripout.required true
  git config --local diff.ipynb.textconv "$clean -t"
  echo "==> nbstripout git filter configured: notebooks are staged and diffed without outputs"
}

# JupyterLab started from this environment loads the project's server configuration
# (tools/jupyter/jupyter_server_config.py: a save writes a notebook as git stores it).
# Jupyter reads sys.prefix/etc/jupyter, not the working directory; idempotent.
configure_jupyter() {
  local python=$1 prefix stub want
  prefix="$("$python" -c 'import sys; print(sys.prefix)')"
  stub="$prefix/etc/jupyter/jupyter_server_config.py"
  want="# Written by tools/ensure_env.sh: the project's Jupyter server configuration.
load_subconfig(\"$PWD/tools/jupyter/jupyter_server_config.py\")  # noqa: F821"
  if [ -f "$stub" ] && [ "$(cat "$stub")" = "$want" ]; then
    return 0
  fi
  mkdir -p "$(dirname "$stub")"
  printf '%s\n' "$want" > "$stub"
  echo "==> JupyterLab configured: a save under notebooks/ writes the notebook as git stores it"
}

if [ "${1:-}" = "--git-filter" ]; then
  configure_git_filter "${2:?usage: tools/ensure_env.sh --git-filter PYTHON}"
  exit 0
fi
if [ "${1:-}" = "--jupyter" ]; then
  configure_jupyter "${2:?usage: tools/ensure_env.sh --jupyter PYTHON}"
  exit 0
fi

pyver="$("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"
want="$(sha256sum pyproject.toml "${LOCKS[@]}" | sha256sum | cut -d' ' -f1) $pyver"

if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] \
    && "$VENV/bin/python" -c 'import aelib, aerun, aereport, tensorflow, papermill, nbstripout' >/dev/null 2>&1; then
  configure_git_filter "$PWD/$VENV/bin/python"
  configure_jupyter "$PWD/$VENV/bin/python"
  exit 0
fi

case "$pyver" in
  3.11.*) ;;
  *) echo "warning: requirements/lock.txt is resolved for Python 3.11 (linux x86_64), this is" \
       "Python $pyver; if the install fails, run with PYTHON=python3.11" >&2 ;;
esac

echo "==> Creating the environment in $VENV from requirements/lock.txt (first run takes a few minutes)"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV" || {
  echo "error: '$PYTHON -m venv' failed. On Debian/Ubuntu install it with: apt-get install python3-venv" >&2
  exit 1
}
pip=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" --require-hashes -r requirements/tools.txt
# The lock goes in with the uv it pins (the same hash-checked files as pip would install, and
# their bytecode, but fetched and unpacked in parallel: the lock alone 23 s instead of 56 s
# here, on an empty cache). uv reads
# UV_* settings, not pip's configuration: where only pip knows the way to PyPI (a mirror in
# pip.conf), uv fails and pip installs the lock instead, which takes longer and gives the same.
uv=("$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python")
if ! "${uv[@]}" --require-hashes --compile-bytecode -r requirements/lock.txt; then
  echo "note: uv could not install requirements/lock.txt (above); installing it with pip" >&2
  "${pip[@]}" --require-hashes -r requirements/lock.txt
fi
# (setuptools warns about every editable build; nothing to act on here)
PYTHONWARNINGS="ignore:Editable installation" "${pip[@]}" --no-deps --no-build-isolation -e .
# aelib's own pins (pyproject.toml) must agree with the lock: pip check says so if they don't.
"$VENV/bin/python" -m pip check >/dev/null || {
  "$VENV/bin/python" -m pip check >&2 || true
  echo "error: pyproject.toml and requirements/lock.txt disagree; run 'make lock'" >&2
  exit 1
}
# The notebooks run on the kernel named python3; papermill resolves it to this venv's
# interpreter when launched from it.
echo "$want" > "$STAMP"
echo "==> Environment ready: $VENV"
configure_git_filter "$PWD/$VENV/bin/python"
configure_jupyter "$PWD/$VENV/bin/python"
