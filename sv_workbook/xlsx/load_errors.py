"""What openpyxl's failure to load a workbook means, in words a user can act on.

openpyxl raises whatever its parsers raise (``KeyError`` for a missing part, ``TypeError``
from a style's constructor, ``ValueError`` from a descriptor, ``ParseError`` from the XML
parser...). Those words mean nothing to an evaluator, so the failure is placed by where it
happened: which kind of part openpyxl was reading when it stopped (found from the traceback,
which names openpyxl's own modules), and for a sheet, which sheet. The exception's own text is
kept apart as technical detail, shown only when asked for (``--verbose``).
"""

from __future__ import annotations

import re
import traceback
import zipfile

_MISSING_PART = re.compile(r"There is no item named '([^']+)' in the archive")
#: (openpyxl module folder or file, what was being read): the first one found in the traceback,
#: searched from the innermost frame outwards, says what was malformed.
_WHERE = (
    ("openpyxl/styles/", "it uses a cell style Excel does not write (its styles part is malformed)"),
    ("openpyxl/worksheet/", "a sheet's XML is malformed or uses markup Excel does not write"),
    ("openpyxl/chartsheet/", "a chart sheet's XML is malformed"),
    ("openpyxl/chart/", "a chart's XML is malformed"),
    ("openpyxl/drawing/", "a drawing's XML is malformed"),
    ("openpyxl/comments/", "a cell comment's XML is malformed"),
    ("openpyxl/pivot/", "a pivot table's XML is malformed"),
    ("openpyxl/cell/", "a cell's text (in the shared strings part) is malformed"),
    ("openpyxl/reader/strings", "the shared text of its cells (the shared strings part) is malformed"),
    ("openpyxl/workbook/", "its list of sheets and defined names (the workbook part) is malformed"),
    ("openpyxl/packaging/", "its package description (content types, relationships or properties) is malformed"),
)
GENERIC = "a part of it is malformed in a way Excel never writes"


def plain_reason(exc: BaseException) -> str:
    """Why openpyxl could not load the workbook, for people (never the exception's text)."""
    exc = root_cause(exc)
    if isinstance(exc, KeyError):
        m = _MISSING_PART.search(str(exc))
        if m:
            return f"a part it needs is missing from the package ({m.group(1)})"
    if isinstance(exc, (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile)):
        return "the file is truncated or damaged"
    frames = [f.filename.replace("\\", "/") for f in traceback.extract_tb(exc.__traceback__)]
    sheet = _sheet_being_read(exc)
    for frame in reversed(frames):
        for where, reason in _WHERE:
            if where in frame:
                if where == "openpyxl/worksheet/" and sheet:
                    return f"the XML of its sheet '{sheet}' is malformed or uses markup Excel does not write"
                return reason
    if "ParseError" in type(exc).__name__ or "XMLSyntaxError" in type(exc).__name__:
        return f"the XML of its sheet '{sheet}' is malformed" if sheet else "a part's XML is malformed"
    if sheet:
        return (f"a part of its sheet '{sheet}' (the sheet itself, or one of its Excel Tables, drawings or "
                "comments) is malformed in a way Excel never writes")
    return GENERIC


def technical_detail(exc: BaseException) -> str:
    """The exception as a developer needs it (for ``--verbose``), on one line: the original one,
    since openpyxl wraps what its parsers raise in a ``ValueError`` that names the file's full path."""
    exc = root_cause(exc)
    return f"{type(exc).__name__}: {exc}".replace("\n", " ")


def root_cause(exc: BaseException) -> BaseException:
    """The exception at the bottom of a chain of ``raise ... from`` (openpyxl re-raises)."""
    seen = {id(exc)}
    while exc.__cause__ is not None and id(exc.__cause__) not in seen:
        exc = exc.__cause__
        seen.add(id(exc))
    return exc


def _sheet_being_read(exc: BaseException) -> str:
    """The sheet openpyxl's ``read_worksheets`` was reading when it failed ('' if none)."""
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_name == "read_worksheets":
            sheet = frame.f_locals.get("sheet")
            return str(getattr(sheet, "name", "") or "")
        tb = tb.tb_next
    return ""


__all__ = ["plain_reason", "technical_detail", "root_cause", "GENERIC"]
