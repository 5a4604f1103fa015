"""Output folders that appear complete or not at all."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .errors import UserError


MARKER = ".community-model-output"  # written into every folder the model writes; only such folders are replaced


def check_replaceable(out: Path) -> None:
    """UserError unless ``out`` is absent, an empty folder, or a folder the model wrote (it holds MARKER): the
    model never deletes or overwrites what it did not write."""
    out = Path(out)
    if not out.exists():
        return
    if not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a folder; choose another --out")
    if any(out.iterdir()) and not (out / MARKER).is_file():
        raise UserError(f"--out {out}: the folder holds files the model did not write (no {MARKER} in it), so it is "
                        "not replaced; choose a new or empty folder")


@contextmanager
def staged_dir(out: Path):
    """Yield a new temporary folder beside ``out``; when the block completes it replaces ``out``,
    when it fails (or is interrupted) it is removed and ``out`` is left as it was. ``out`` must be
    replaceable (check_replaceable), checked before the work and again before anything is moved."""
    out = Path(out)
    check_replaceable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    tmp.chmod(0o755)
    try:
        yield tmp
        (tmp / MARKER).write_text("written by the community-worker budget model; the model may replace this folder\n")
        replace_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def replace_dir(new: Path, target: Path) -> None:
    """Move a finished folder into place; an existing target is swapped out, then removed."""
    if target.exists():
        check_replaceable(target)
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
        try:
            new.rename(target)
        except BaseException:
            old.rename(target)  # put the previous report back
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        new.rename(target)
