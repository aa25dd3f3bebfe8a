"""Write workbooks without ever losing the user's file.

Every save goes to a temporary file in the same folder and is renamed over the target
in one step (``os.replace``), so a crash leaves either the old file or the new one, never
half of one. Writing over an existing file keeps a timestamped backup first, and a file
Excel has open (its ``~$`` owner file is present) is refused.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # only a type here: batch workers import this module and must not load openpyxl
    from openpyxl.workbook.workbook import Workbook


class WriteRefused(Exception):
    """A write that would risk the user's data; the message says why and what to do."""


def owner_file(path: Path) -> Path:
    """Excel's lock file for ``path``: '~$' replaces the first two characters of long names."""
    name = path.name
    return path.with_name("~$" + (name[2:] if len(name) > 2 else name))


def check_not_open(path: Path) -> None:
    candidates = {owner_file(path), path.with_name("~$" + path.name)}
    if any(c.exists() for c in candidates):
        raise WriteRefused(f"{path}: the workbook is open in Excel (its owner file ~$… is present). "
                           "Close it in Excel and try again.")


def backup_path(path: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.backup-{stamp}-{n}{path.suffix}")
        n += 1
    return candidate


def atomic_save(wb: Workbook, target: Path, verify: Callable[[Path], None] | None = None,
                finish: Callable[[Path], None] | None = None) -> Path | None:
    """Save ``wb`` to ``target`` atomically; returns the backup made of an existing target.

    ``finish`` completes the saved temporary file with what openpyxl cannot write (the
    xlwings Lite buttons) before it is verified.

    ``verify`` sees the finished temporary file before anything is replaced and may
    refuse it by raising (``WriteRefused``): nothing is then backed up or replaced.
    Whether the target may be the input file is the caller's decision (the CLI asks for
    ``--in-place``); whatever is replaced is always backed up first.
    """
    target = Path(target)
    check_not_open(target)

    def write(tmp: Path) -> None:
        wb.save(tmp)
        if finish is not None:
            finish(Path(tmp))
        if verify is not None:
            verify(tmp)

    return atomic_write(target, write)


def atomic_write(target: Path, write: Callable[[Path], None], backup: bool = True) -> Path | None:
    """Have ``write`` fill a temporary file beside ``target``, then put it in place in one step.

    The temporary file gets the permissions the finished file should have (``mode_for``:
    a replaced file's own, else the umask's), so what colleagues open on a shared drive is
    as readable as any file they save themselves. With ``backup`` an existing target is
    copied to a timestamped backup first, which is returned.
    """
    target = Path(target)
    fd, name = tempfile.mkstemp(prefix=".sv-workbook-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, mode_for(target))
        write(tmp)
        made = None
        if backup and target.exists():
            made = backup_path(target)
            shutil.copy2(target, made)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return made


def mode_for(target: Path) -> int:
    """Keep the replaced file's permissions; a new file gets the usual umask default.

    ``mkstemp`` creates owner-only files, which would hide a shared workbook from
    colleagues after the first save.
    """
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
