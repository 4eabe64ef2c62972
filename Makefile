# Two commands do everything on a fresh machine:
#   make report   - build the environment, fetch the data, run the notebooks, render report/
#   make test     - build the environment, fetch the data, lint and run the test suite
#   make lock     - re-resolve requirements/*.txt (the hashed locks .venv is built from) on PyPI
# Options for the report go in ARGS, e.g.  make report ARGS="--profile smoke --output /tmp/r"

PY := .venv/bin/python
ARGS ?=

.PHONY: report test env data lint bench clean-venv lock

# Builds .venv from requirements/tools.txt and requirements/lock.txt (hash-checked), installs
# aelib and configures the nbstripout git filter for this checkout (.gitattributes).
env:
	@bash tools/ensure_env.sh

# The locks: every package of pyproject.toml (with the dev extra), direct and transitive, pinned
# with the SHA-256 of each file PyPI serves for it, for Python 3.11 on linux x86_64. Resolved by
# the uv that requirements/tools.txt pins, in its own venv, against PyPI itself: pip and uv
# configuration on this machine (mirrors, find-links) is ignored. Versions already in the lock
# are kept where they still fit; run after changing a pin in pyproject.toml or tools.in.
# LOCK_ARGS passes options to uv, e.g. make lock LOCK_ARGS="--upgrade-package jinja2".
LOCK_ARGS ?=
LOCK_VENV := build/lock-tools
UV_COMPILE := env -u UV_INDEX -u UV_DEFAULT_INDEX -u UV_INDEX_URL -u UV_EXTRA_INDEX_URL \
	-u UV_FIND_LINKS $(LOCK_VENV)/bin/uv pip compile --quiet --no-config \
	--index-url https://pypi.org/simple --python-version 3.11 \
	--python-platform x86_64-manylinux_2_28 --generate-hashes --custom-compile-command "make lock"

lock:
	rm -rf $(LOCK_VENV) && python3 -m venv $(LOCK_VENV)
	PIP_CONFIG_FILE=/dev/null $(LOCK_VENV)/bin/python -m pip --isolated install --quiet \
		--index-url https://pypi.org/simple --require-hashes -r requirements/tools.txt
	$(UV_COMPILE) $(LOCK_ARGS) requirements/tools.in -o requirements/tools.txt
	$(UV_COMPILE) $(LOCK_ARGS) --extra dev pyproject.toml requirements/build.in -o requirements/lock.txt

data: env
	@$(PY) -m aelib.datasets fetch all

lint: env
	$(PY) -m ruff check .

test: data lint
	$(PY) -m pytest -q -n 2 --dist loadgroup --durations=15

report: data
	$(PY) run_all.py $(ARGS)

bench: data
	$(PY) benchmarks/bench_training.py

clean-venv:
	rm -rf .venv
