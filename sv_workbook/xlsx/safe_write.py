"""Write workbooks without ever losing the user's file.

Every save goes to a temporary file in the same folder and is renamed over the target
in one step (``os.replace``), so a crash leaves either the old file or the new one, never
half of one. Writing over an existing file keeps a timestamped backup first, and a file
Excel has open (its ``~$`` owner file is present) is refused.

A rename is only as durable as what the disk holds: without a flush, a power cut soon after
can leave the new name pointing at a file whose data never reached the disk. So the temporary
file (and a backup) is flushed with ``fsync`` before the rename, and the folder after it, so
the rename itself is on disk (POSIX systems; Windows has no folder flush, and its ``MoveFileEx``
rename is what ``os.replace`` uses there). On macOS ``F_FULLFSYNC`` asks the drive itself to
flush, which plain ``fsync`` does not.

The temporary file is named ``.sv-workbook-unfinished-….xlsx``: a run killed before the rename
leaves it behind, so every save first removes such files in its folder that are more than a day
old (a run still writing one is never that old) and says which it removed.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
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


#: The temporary file's name before its random part and suffix.
TEMP_PREFIX = ".sv-workbook-unfinished-"
#: Temporary files of this tool: today's names, and those of versions before (``mkstemp``'s
#: eight random characters after ``.sv-workbook-``).
STALE_NAME = re.compile(r"^\.sv-workbook-(?:unfinished-[a-z0-9_]+|[a-z0-9_]{8})\.(?:xlsx|xlsm|xlam|docx|html|json|csv|xml|txt)$")
#: A temporary file older than this was left by a run that stopped before its rename.
STALE_SECONDS = 24 * 60 * 60


def atomic_save(wb: Workbook, target: Path, verify: Callable[[Path], None] | None = None,
                finish: Callable[[Path], None] | None = None,
                on_stale: Callable[[list[Path]], None] | None = None) -> Path | None:
    """Save ``wb`` to ``target`` atomically and durably; returns the backup made of an existing target.

    ``finish`` completes the saved temporary file with what openpyxl cannot write (the
    xlwings Lite buttons) before it is verified.

    ``verify`` sees the finished temporary file before anything is replaced and may
    refuse it by raising (``WriteRefused``): nothing is then backed up or replaced.
    Whether the target may be the input file is the caller's decision (the CLI asks for
    ``--in-place``); whatever is replaced is always backed up first. ``on_stale`` is told
    which stale temporary files of earlier, interrupted runs were removed from the folder.
    """
    def write(tmp: Path) -> None:
        wb.save(tmp)
        if finish is not None:
            finish(Path(tmp))

    return atomic_write(Path(target), write, verify, on_stale)


def atomic_write(target: Path, write: Callable[[Path], None], verify: Callable[[Path], None] | None = None,
                 on_stale: Callable[[list[Path]], None] | None = None, backup: bool = True) -> Path | None:
    """Have ``write`` fill a temporary file beside ``target``, flush it and rename it over ``target``.

    The temporary file gets the permissions the finished file should have (``mode_for``:
    a replaced file's own, else the umask's), so what colleagues open on a shared drive is
    as readable as any file they save themselves. With ``backup`` an existing target is
    copied to a timestamped backup first, which is returned. See the module's notes on
    durability and on the stale temporary files removed first.
    """
    target = Path(target)
    check_not_open(target)
    removed = remove_stale_temporaries(target.parent)
    if removed and on_stale is not None:
        on_stale(removed)
    fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, mode_for(target))
        write(tmp)
        if verify is not None:
            verify(tmp)
        made = None
        if backup and target.exists():
            made = backup_path(target)
            shutil.copy2(target, made)
            flush_file(made)
        flush_file(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    flush_folder(target.parent)
    return made


def remove_stale_temporaries(folder: Path, now: float | None = None) -> list[Path]:
    """Remove this tool's temporary files in ``folder`` older than a day; returns those removed.

    Only names this tool gives its temporary files are touched, and only old ones: a run
    writing one right now is never a day old. A file that cannot be removed is left alone."""
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not STALE_NAME.match(entry.name):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and now - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return sorted(removed)


def flush_file(path: Path) -> None:
    """Make ``path``'s data durable: ``fsync`` (and ``F_FULLFSYNC`` on macOS, which reaches the drive)."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        if sys.platform == "darwin":
            import fcntl
            try:
                fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
                return
            except OSError:
                pass  # not every filesystem supports it; plain fsync below
        os.fsync(fd)
    finally:
        os.close(fd)


def flush_folder(folder: Path) -> bool:
    """Make a rename in ``folder`` durable (POSIX); False where the platform cannot (Windows) or
    the filesystem refuses (some network filesystems)."""
    if os.name == "nt":
        return False
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return False
    try:
        os.fsync(fd)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


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
