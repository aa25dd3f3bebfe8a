"""Build real tender workbooks on disk from plain data, optionally edited cell by cell."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from openpyxl.workbook.workbook import Workbook

from tests.support.example_tender import example_tender
from sv_workbook.xlsx.tender_template import build_tender_template
from sv_workbook.core.tender.model import Tender
from tests.support.fill import fill_tender


def tender_file(path: Path, tender: Tender | None = None, edit: Callable[[Workbook], None] | None = None) -> Path:
    wb = build_tender_template()
    fill_tender(wb, tender or example_tender())
    if edit:
        edit(wb)
    wb.save(path)
    return path
