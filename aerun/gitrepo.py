"""The git checkout the runs come from: one way to ask git, what is uncommitted, the commit.

A tree is dirty when content under `aelib/` or `notebooks/` differs from HEAD as git
stores it (through the nbstripout filter), or a new file there is not ignored: what a cache
key counts. A notebook saved in JupyterLab with outputs only is no change.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What a notebook's cache key counts (aerun.cachekeys): its code and the library's.
KEYED = ("aelib", "notebooks")


def git(*args: str, cwd: Path = ROOT) -> str:
    """git's output, stripped; CalledProcessError (with stderr) when git fails."""
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.strip()


def uncommitted(root: Path = ROOT) -> list[str]:
    """The files under aelib/ and notebooks/ whose content differs from HEAD, and the new
    ones git does not ignore."""
    # In a fresh clone every file is "racily clean" (written in the second the index was),
    # so each `git diff` would run every notebook through the nbstripout filter again (a
    # Python process each) until something rewrites the index: `git status` refreshes
    # and writes it (racy entries resolved), once; it fails harmlessly while another git
    # holds the index lock.
    subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True)
    changed = git("diff", "--name-only", "HEAD", "--", *KEYED, cwd=root)
    new = git("ls-files", "--others", "--exclude-standard", "--", *KEYED, cwd=root)
    return [line for line in (changed + "\n" + new).splitlines() if line.strip()]


def head_commit(root: Path = ROOT) -> str:
    """HEAD's commit, or "unknown" outside a git checkout."""
    try:
        return git("rev-parse", "HEAD", cwd=root)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def tree_dirty(root: Path = ROOT) -> bool | None:
    """Whether aelib/ or notebooks/ differ from HEAD in content (None: not a git checkout)."""
    try:
        return bool(uncommitted(root))
    except (OSError, subprocess.CalledProcessError):
        return None
