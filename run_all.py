#!/usr/bin/env python
"""Run the experiment notebooks and render the HTML report in report/.

    python run_all.py --help               # every option, and what a cache key counts
    python run_all.py                      # the committed report: full profile, seeds 0,1,2
    python run_all.py --profile smoke --output /tmp/smoke-report

The machinery is the package `aerun` (its command line: `aerun.cli`); this file only
points there, with a clear error when the project is not installed.
"""

import sys


def main(argv=None) -> int:
    """`aerun.cli.main`, with a clear error when the project is not installed."""
    try:
        from aerun import cli
    except ModuleNotFoundError as exc:
        print(
            f"error: {exc}. Install the project first: `make report` does it, or "
            "`pip install -e .` in a Python 3.11 environment.",
            file=sys.stderr,
        )
        return 2
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
