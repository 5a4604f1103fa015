"""What a run writes, and where: the run folder's files (``write_run``: summary.csv, draws.parquet,
parameters.csv, manifest.json, budget.xlsx), text cells made safe for spreadsheets, and the output folders
themselves, written only where the model may write, one writer at a time, complete or not at all.

- A folder is replaced only if the model wrote it (it holds MARKER) or it is empty (check_replaceable).
- ``prepare_out`` runs before any work: it takes the folder's lock, proves that the parent can be written,
  and removes staging folders left by processes that died (kill -9, power loss).
- ``staged_dir`` writes into a hidden staging folder beside the target and swaps it in at the end; an error,
  Ctrl-C or SIGTERM removes the staging folder and leaves the previous output as it was.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import json
import os
import platform
import re
import shutil
import tempfile
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from model.errors import UserError
from model.paths import recorded

if TYPE_CHECKING:  # (imported where used: a command that writes no run folder does not wait for pandas)
    import pandas as pd

    from model.simulation.results import Results

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


# The run folder

PACKAGES = ("numpy", "pandas", "scipy", "numba", "pydantic", "PyYAML", "pyarrow", "xlsxwriter", "typst", "matplotlib")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value):
    """A text cell a spreadsheet would run as a formula (it begins with = + - @, tab or CR) gets a leading
    apostrophe, as OWASP advises for CSV injection; numbers and other text are unchanged."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A table as CSV bytes (six decimals, LF), text cells made safe for spreadsheets (csv_text)."""
    import pandas as pd

    text_cols = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    if text_cols:
        df = df.assign(**{c: df[c].map(csv_text) for c in text_cols})
    buf = io.StringIO()
    df.to_csv(buf, index=False, float_format="%.6f", lineterminator="\n")
    return buf.getvalue().encode()


def manifest(results: Results, summary_bytes: bytes) -> dict:
    """The run's manifest.json: scenario, provenance, budget codes, versions and the digest of summary.csv."""
    from model.scenario.schema import value_at
    from model.version import engine_sha256, git_commit, version

    sc = results.scenario
    versions = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    return {
        "scenario": sc.name,
        "title": sc.model.title,
        "rationale": sc.model.rationale,
        "issuer": sc.model.issuer,
        "status": sc.model.status,
        "prices": list(sc.model.prices),
        "not_priced": list(sc.model.not_priced),
        "sources": dict(sc.model.sources),
        "scenario_file": recorded(sc.path),
        "files": {Path(k).name: v for k, v in sc.file_hashes().items()},
        "overrides": sc.overrides,
        "parameters_sha256": sc.parameter_hash(),
        "seed": results.seed,
        "draws": results.draws,
        "years": [int(results.years[0]), int(results.years[-1])],
        "budget_year": int(sc.model.horizon.budget_year or results.years[1]),
        "budget": {
            "functional_code": sc.model.budget.functional_code,
            "economic_codes": dict(sc.model.budget.economic_codes),
            "payer_shares": {str(int(y)): value_at(sc.model.budget.payer_shares, int(y)).model_dump()
                             for y in results.years},
            "payer_shares_by_line": {line: {str(int(y)): value_at(dated, int(y)).model_dump() for y in results.years}
                                     for line, dated in sc.model.budget.payer_shares_by_line.items()},
        },
        "code_version": version(),
        "git_commit": git_commit(),  # None outside a git checkout; "+dirty" when tracked files differ from it
        "engine_sha256": engine_sha256(),  # model/simulation/engine.py + model/simulation/reference.py
        "python": platform.python_version(),
        "packages": versions,
        "created": created_date(),
        "run_digest": hashlib.sha256(summary_bytes).hexdigest(),
    }


def created_date() -> str:
    """Today's date (UTC), or the date of SOURCE_DATE_EPOCH when set, for reproducible report builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch and epoch.isdigit() else datetime.now(UTC)
    return when.date().isoformat()


def write_run(results: Results, out_dir: str | Path, workbook: bool = True) -> Path:
    """Write summary.csv, draws.parquet, parameters.csv, manifest.json (and budget.xlsx) into ``out_dir``,
    all at once or not at all (``staged_dir``)."""
    out = Path(out_dir)
    with staged_dir(out) as tmp:
        summary = csv_bytes(results.summary())
        (tmp / "summary.csv").write_bytes(summary)
        results.draws_table().to_parquet(tmp / "draws.parquet", index=False)
        (tmp / "parameters.csv").write_bytes(csv_bytes(results.parameters()))
        (tmp / "manifest.json").write_text(json.dumps(manifest(results, summary), indent=2, ensure_ascii=False) + "\n")
        if workbook:
            from model.report.excel import write_workbook

            write_workbook(tmp)
    return out
