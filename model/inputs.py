"""Reading input files within bounds: the one way the model opens a file a user gives it.

A path must name a regular file (a device such as /dev/zero, a pipe or a socket would be read for ever or
block), and its size is checked against a limit before a byte is read. An xlsx file is a zip archive: its
uncompressed size is checked from the archive's directory before the workbook is opened (a small zip can
expand to gigabytes).
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

from model.errors import UserError

MB = 1 << 20


def checked_file(path: str | Path, what: str, limit: int) -> Path:
    """``path`` if it is a regular file of at most ``limit`` bytes; otherwise a UserError naming it (``what``)."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise UserError(f"{what} {path}: file not found") from None
    except (OSError, ValueError) as exc:
        raise UserError(f"{what} {path}: cannot read it ({getattr(exc, 'strerror', None) or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise UserError(f"{what} {path}: is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise UserError(f"{what} {path}: is not a regular file (a device, pipe or socket cannot be read); give a file")
    if st.st_size > limit:
        raise UserError(f"{what} {path}: is {st.st_size:,} bytes; at most {limit:,} are accepted")
    return path


def read_input(path: str | Path, what: str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (checked before reading and while reading)."""
    path = checked_file(path, what, limit)
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise UserError(f"{what} {path}: cannot read it ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise UserError(f"{what} {path}: is larger than {limit:,} bytes, the most accepted")
    return data


def check_xlsx(path: Path, what: str, limit: int) -> None:
    """UserError unless ``path`` is a zip archive whose members expand to at most ``limit`` bytes in all."""
    try:
        with zipfile.ZipFile(path) as z:
            size = sum(info.file_size for info in z.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise UserError(f"{what} {path}: not a readable xlsx workbook ({exc})") from None
    if size > limit:
        raise UserError(f"{what} {path}: the workbook expands to {size:,} bytes; at most {limit:,} are accepted "
                        "(save the sheet as CSV, or split it)")
