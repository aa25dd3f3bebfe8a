"""The buttons inside Excel: check a workbook, score a tender or build a KPI report in the open workbook.

``validate_book`` and ``score_book`` take an ``xw.Book`` (desktop Excel, xlwings Lite or
xlwings Server alike) and run the same job as ``sv-workbook validate`` / ``score``: the
``excel.read`` adapter makes the ``RawBook`` every reader makes, ``analyse.analyse_raw``
checks and scores it, then the input cells with problems are painted red or amber (and
fixed ones repainted yellow) and the report sheet is filled in place.

Thin wrappers hand them to each host:

* desktop Excel with the xlwings add-in: ``validate()`` and ``score()``, called by the
  VBA buttons in ``macros/sv_workbook.bas`` through ``RunPython`` (``xw.Book.caller()``);
* xlwings Lite: the ``@script`` functions in ``macros/lite/main.py``, which receive the
  book and call ``validate_book`` / ``score_book``.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from sv_workbook.core.contracts import CONTRACTS
from sv_workbook.core.findings import Severity
from sv_workbook.app.analyse import analyse_raw
from sv_workbook.core.outcome import Outcome
from sv_workbook.core.policy import DEFAULT_POLICY, Policy
from sv_workbook.excel.highlight import highlight
from sv_workbook.excel.read import rawbook_from_xlwings
from sv_workbook.excel.report import write_check_report, write_kpi_report, write_tender_report

#: The in-place report writer of each workbook kind (the Score button).
REPORT_WRITERS = {"tender": write_tender_report, "kpi-register": write_kpi_report}


def validate_book(book: Any, policy: Policy = DEFAULT_POLICY, today: date | None = None,
                  now: datetime | None = None) -> Outcome:
    """Check the open workbook: highlight the cells to fix and list the findings on its report sheet."""
    return _run(book, policy, today, now, score=False)


def score_book(book: Any, policy: Policy = DEFAULT_POLICY, today: date | None = None,
               now: datetime | None = None) -> Outcome:
    """Check and score the open tender (or build the KPI register's report) as ``sv-workbook score`` writes it."""
    return _run(book, policy, today, now, score=True)


def summary(outcome: Outcome) -> str:
    """One line for the message box at the end of a run."""
    if outcome.kind is None:
        return outcome.findings[0].message + " " + outcome.findings[0].hint
    errors = sum(1 for f in outcome.findings if f.severity is Severity.ERROR)
    warnings_ = sum(1 for f in outcome.findings if f.severity is Severity.WARNING)
    where = next(t.sheet for t in CONTRACTS[outcome.kind].tables if t.output)
    return (f"{errors} error(s), {warnings_} warning(s). Cells to fix are red (errors) or amber (warnings); "
            f"the list is on the '{where}' sheet.")


def _run(book: Any, policy: Policy, today: date | None, now: datetime | None, score: bool) -> Outcome:
    now = now or datetime.now()
    raw = rawbook_from_xlwings(book)
    outcome = analyse_raw(raw, book.name, policy, today or now.date())
    if outcome.kind is None:
        return outcome
    contract = CONTRACTS[outcome.kind]
    highlight(book, raw, contract, outcome.findings)
    if score and outcome.result is not None:
        REPORT_WRITERS[outcome.kind](book, outcome.result, policy, outcome.findings, now)
    else:
        write_check_report(book, contract, policy, outcome.findings, now, scored=score)
    return outcome


# --- desktop Excel: RunPython "import sv_workbook.macros as m; m.validate()" -------------

def validate() -> None:
    """Button "Check workbook" (desktop, via RunPython)."""
    _desktop(validate_book)


def score() -> None:
    """Button "Score tender" / "Build KPI report" (desktop, via RunPython)."""
    _desktop(score_book)


def new_tender() -> None:
    """Ribbon button "New tender" (the add-in): a blank tender workbook in Documents, opened in Excel."""
    _new_workbook("tender")


def new_kpi_register() -> None:
    """Ribbon button "New KPI register" (the add-in): a blank KPI register in Documents, opened in Excel."""
    _new_workbook("kpi-register")


#: File names of the workbooks the ribbon's New buttons write (" (2)", " (3)"... if taken).
NEW_NAMES = {"tender": "Tender evaluation", "kpi-register": "KPI register"}


def _target_book(caller: Any) -> Any:
    """The workbook a button means: its own, or for the add-in's ribbon the workbook in front."""
    if caller.name.lower().endswith(".xlam"):  # xlwings' caller is the workbook holding the VBA
        return caller.app.books.active
    return caller


def new_workbook_path(kind: str, folder: Path) -> Path:
    """The first free ``NAME.xlsx`` / ``NAME (n).xlsx`` in ``folder``: the ribbon never overwrites a file."""
    stem = NEW_NAMES[kind]
    path, n = folder / f"{stem}.xlsx", 2
    while path.exists():
        path, n = folder / f"{stem} ({n}).xlsx", n + 1
    return path


def _new_workbook(kind: str) -> None:
    import xlwings as xw

    from sv_workbook.xlsx.kpi_template import write_kpi_template
    from sv_workbook.xlsx.tender_template import write_tender_template

    caller = xw.Book.caller()
    documents = Path.home() / "Documents"
    path = new_workbook_path(kind, documents if documents.is_dir() else Path.home())
    (write_tender_template if kind == "tender" else write_kpi_template)(path)
    caller.app.books.open(str(path))


def _desktop(job) -> None:
    import xlwings as xw

    book = _target_book(xw.Book.caller())  # inside the function, never at import: see the xlwings docs
    outcome = job(book)
    book.app.alert(summary(outcome), title="sv-workbook")
