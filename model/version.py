"""Which code made a run: the package version (one source: ``pyproject.toml``), the git commit of a source
checkout, and a digest of the engine's source (``model/simulation/engine.py`` and ``model/simulation/reference.py``)."""

from __future__ import annotations

import functools
import hashlib
import subprocess
from importlib import metadata

from model.paths import CHECKOUT, PACKAGE, in_checkout

DISTRIBUTION = "community-workforce-model"
ENGINE_SOURCES = ("simulation/engine.py", "simulation/reference.py")


@functools.cache
def version() -> str:
    """The version in ``pyproject.toml``: read from the checkout's file when running from one (an editable
    install's recorded metadata can be older), else from the installed package's metadata."""
    if in_checkout():
        import tomllib

        return tomllib.loads((CHECKOUT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"


@functools.cache
def git_commit() -> str | None:
    """The checkout's commit, with ``+dirty`` when tracked files differ from it; None outside a git checkout
    or without git."""
    if not (CHECKOUT / ".git").exists():
        return None
    try:
        def git(*args):
            return subprocess.run(["git", *args], cwd=CHECKOUT, capture_output=True, text=True, timeout=10,
                                  check=True).stdout.strip()

        commit = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "") if commit else None


@functools.cache
def engine_sha256() -> str:
    """sha256 of the engine's source files, concatenated in a fixed order (line endings as stored)."""
    h = hashlib.sha256()
    for name in ENGINE_SOURCES:
        h.update((PACKAGE / name).read_bytes())
    return h.hexdigest()


def describe() -> str:
    """``0.1.0`` or ``0.1.0 (git 1a2b3c4d5e6f)``: the version and, in a checkout, the short commit."""
    commit = git_commit()
    return f"{version()} (git {commit[:12]}{'+dirty' if commit.endswith('+dirty') else ''})" if commit else version()
