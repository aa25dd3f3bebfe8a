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
from typing import Callable

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
    fd, tmp = tempfile.mkstemp(prefix=".sv-workbook-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        os.chmod(tmp, _mode_for(target))
        wb.save(tmp)
        if finish is not None:
            finish(Path(tmp))
        if verify is not None:
            verify(Path(tmp))
        backup = None
        if target.exists():
            backup = backup_path(target)
            shutil.copy2(target, backup)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return backup


def _mode_for(target: Path) -> int:
    """Keep the replaced file's permissions; a new file gets the usual umask default.

    ``mkstemp`` creates owner-only files, which would hide a shared workbook from
    colleagues after the first save.
    """
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
