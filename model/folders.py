"""Output folders: written only where the model may write, one writer at a time, complete or not at all.

- A folder is replaced only if the model wrote it (it holds MARKER) or it is empty (check_replaceable).
- ``prepare_out`` runs before any work: it takes the folder's lock, proves that the parent can be written,
  and removes staging folders left by processes that died (kill -9, power loss).
- ``staged_dir`` writes into a hidden staging folder beside the target and swaps it in at the end; an error,
  Ctrl-C or SIGTERM removes the staging folder and leaves the previous output as it was.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .errors import UserError

try:  # POSIX; on Windows there is no advisory lock and concurrent writers are not serialised
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

MARKER = ".community-model-output"  # written into every folder the model writes; only such folders are replaced
_LOCKS: dict[Path, int] = {}  # output folder -> open lock file, held from prepare_out to the end of staged_dir


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


def _staging_prefix(out: Path, kind: str, pid: int | str = "") -> str:
    return f".{out.name}.{kind}-{pid}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale(out: Path) -> None:
    """Remove staging (``.NAME.staging-PID-…``) and swapped-out (``.NAME.old-PID``) folders of dead processes."""
    pattern = re.compile(rf"^\.{re.escape(out.name)}\.(staging|old)-(\d+)(-.*)?$")
    for p in out.parent.iterdir() if out.parent.is_dir() else ():
        found = pattern.match(p.name)
        if found and p.is_dir() and not p.is_symlink() and not _alive(int(found.group(2))):
            shutil.rmtree(p, ignore_errors=True)


def _lock(out: Path) -> None:
    """Hold the lock of ``out`` (a hidden file beside it) for the rest of the process; UserError if another
    process holds it."""
    if fcntl is None or out in _LOCKS:
        return
    path = out.parent / f".{out.name}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise UserError(f"--out {out}: another run is writing this folder now; wait until it has finished, "
                        "or choose another --out") from None
    _LOCKS[out] = fd


def _unlock(out: Path) -> None:
    """Release the lock of ``out`` and remove its file (at the end of staged_dir, or when the process exits)."""
    fd = _LOCKS.pop(out, None)
    if fd is None:
        return
    try:
        (out.parent / f".{out.name}.lock").unlink(missing_ok=True)
    finally:
        os.close(fd)


atexit.register(lambda: [_unlock(out) for out in list(_LOCKS)])


def prepare_out(out: Path) -> Path:
    """Before any work: ``out`` may be replaced, its parent can be written, its lock is ours and stale
    staging folders beside it are gone. An unusable path is a UserError naming it."""
    out = Path(out).resolve()
    check_replaceable(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _lock(out)
        _remove_stale(out)
        probe = Path(tempfile.mkdtemp(prefix=_staging_prefix(out, "staging", os.getpid()) + "-", dir=out.parent))
        probe.rmdir()
    except OSError as exc:
        raise UserError(f"--out {out}: cannot write there ({_reason(exc)})") from None
    return out


def _reason(exc: OSError) -> str:
    where = f": {exc.filename}" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


@contextmanager
def staged_dir(out: Path):
    """Yield a new temporary folder beside ``out``; when the block completes it replaces ``out``,
    when it fails (or is interrupted) it is removed and ``out`` is left as it was. An OSError while writing
    (a full disk, a read-only folder) becomes a UserError naming the path."""
    out = prepare_out(out)
    try:
        try:
            tmp = Path(tempfile.mkdtemp(prefix=_staging_prefix(out, "staging", os.getpid()) + "-", dir=out.parent))
        except OSError as exc:
            raise UserError(f"--out {out}: cannot write there ({_reason(exc)})") from None
        tmp.chmod(0o755)
        try:
            yield tmp
            (tmp / MARKER).write_text("written by the community-worker budget model; the model may replace this folder\n")
            replace_dir(tmp, out)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise UserError(f"--out {out}: cannot write the output ({_reason(exc)}); the previous output is unchanged") from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    finally:
        _unlock(out)


def replace_dir(new: Path, target: Path) -> None:
    """Move a finished folder into place; an existing target is swapped out, then removed."""
    if target.exists():
        check_replaceable(target)
        old = target.with_name(_staging_prefix(target, "old", os.getpid()))
        target.rename(old)
        try:
            new.rename(target)
        except BaseException:
            old.rename(target)  # put the previous report back
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        new.rename(target)
