"""Output folders that appear complete or not at all."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .errors import UserError


@contextmanager
def staged_dir(out: Path):
    """Yield a new temporary folder beside ``out``; when the block completes it replaces ``out``,
    when it fails (or is interrupted) it is removed and ``out`` is left as it was."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    tmp.chmod(0o755)
    try:
        yield tmp
        replace_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def replace_dir(new: Path, target: Path) -> None:
    """Move a finished folder into place; an existing target is swapped out, then removed."""
    if target.exists():
        if not target.is_dir():
            raise UserError(f"{target} exists and is not a folder; choose another --out")
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
