# Two commands do everything on a fresh machine:
#   make report   - build the environment, fetch the data, run the notebooks, render report/
#   make test     - build the environment, fetch the data, lint and run the test suite
# Options for the report go in ARGS, e.g.  make report ARGS="--profile smoke --output /tmp/r"

PY := .venv/bin/python
ARGS ?=

.PHONY: report test env data lint bench clean-venv

env:
	@bash tools/ensure_env.sh

data: env
	@$(PY) -m aelib.datasets fetch all

lint: env
	$(PY) -m ruff check .

test: data lint
	$(PY) -m pytest -q

report: data
	$(PY) run_all.py $(ARGS)

bench: data
	$(PY) benchmarks/bench_training.py

clean-venv:
	rm -rf .venv
