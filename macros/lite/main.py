"""xlwings Lite: paste this into the workbook's main.py (xlwings Lite task pane › Editor).

The scripts are the buttons. They only hand the open workbook to sv-workbook's macros,
which are the same code the desktop buttons and the command line run; see
docs/live-excel.md for attaching them to shapes on the sheets. The worksheet functions
(SV_QUALITY_SCORE and friends) come with the import of sv_workbook.udfs below.
"""

import xlwings as xw
from xlwings import script

from sv_workbook.macros import score_book, validate_book
from sv_workbook.udfs import *  # noqa: F401,F403  (registers the SV_ worksheet functions)


@script(button="[sv_check]Setup!E16", show_taskpane=True)
def sv_check_workbook(book: xw.Book):
    """Check the tender: problems turn red (errors) or amber (warnings); the list goes on the Report sheet."""
    validate_book(book)


@script(button="[sv_score]Setup!E18", show_taskpane=True)
def sv_score_tender(book: xw.Book):
    """Check and score the tender: the Report sheet is rewritten with the ranking and the findings."""
    score_book(book)


@script(button="[sv_kpi_check]Contract!E3", show_taskpane=True)
def sv_check_register(book: xw.Book):
    """Check the KPI register: problems turn red or amber; the list goes on the KPI Report sheet."""
    validate_book(book)


@script(button="[sv_kpi_report]Contract!E5", show_taskpane=True)
def sv_build_kpi_report(book: xw.Book):
    """Build the KPI Report sheet: each KPI's expected, delivered, percent and rating, totals, findings."""
    score_book(book)
