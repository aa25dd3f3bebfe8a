"""Build and rewrite .xlsx packages at the zip level, as a hostile or broken tool would."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Callable


def rewrite(src: Path, dst: Path, edit: Callable[[str, bytes], bytes | None] = lambda n, d: d,
            add: dict[str, bytes] | None = None) -> Path:
    """Copy a package part by part; ``edit`` may change a part or drop it (return None)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def read_part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def sheet_part(path: Path, sheet: str) -> str:
    """The worksheet part holding ``sheet`` (via workbook.xml and its relationships)."""
    from sv_workbook.safe_open import _sheet_names

    with zipfile.ZipFile(path) as zf:
        from sv_workbook.safe_open import _content_types

        names = _sheet_names(zf, _content_types(path, zf, zf.infolist()))
    return next(part for part, name in names.items() if name == sheet)
