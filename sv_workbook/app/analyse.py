"""Check a workbook already read into a ``RawBook``: the step every entry point shares.

``analyse_raw`` recognises the workbook's kind and runs its pure analysis; it imports
only the core and ``workbook_kinds``, so the Excel buttons (``sv_workbook.macros``),
which read through xlwings, never load openpyxl or the other file libraries.
``analyse_file`` reads a file first, with the reader it is given (batch workers pass the
fast one) or openpyxl's, imported only then: a batch worker loads openpyxl only for a
file the fast reader hands over to it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable

from sv_workbook.core.catalogue import FILE_UNREADABLE, UNKNOWN_KIND
from sv_workbook.app.workbook_kinds import KINDS, detect_kind
from sv_workbook.core.contracts import CONTRACTS
from sv_workbook.core.findings import sort_findings
from sv_workbook.core.outcome import Outcome
from sv_workbook.core.policy import Policy
from sv_workbook.core.rawbook import RawBook


def analyse_raw(raw: RawBook, path: str, policy: Policy, today: date,
                options: dict[str, Any] | None = None, result: bool = True) -> Outcome:
    """Recognise and check a workbook already read by any reader (openpyxl, calamine, xlwings in Excel).

    Findings name the workbook by ``raw.label``, so the same file gives the same findings
    from the command line and from the buttons in Excel. ``result=False`` asks for the
    findings only (``Outcome.result`` is then None), which a kind may find more cheaply.
    """
    contract = detect_kind(raw)
    if contract is None:
        kinds = " or ".join(c.title.lower() for c in CONTRACTS.values())
        return Outcome(path, None, [f.at_workbook(raw.label) for f in [UNKNOWN_KIND(f"This is not a {kinds}: it has none of their tables or defined names.",
            "Start from a template made by `sv-workbook new tender` or `sv-workbook new kpi-register`."
        )] + raw.notes])
    kind = KINDS[contract.kind]
    extra = {k: v for k, v in (options or {}).items() if k in kind.options and v is not None}
    analyse = kind.analyse if result or kind.check is None else kind.check
    analysis, findings = analyse(raw, policy, today, **extra)
    findings = sort_findings(f.at_workbook(raw.label) for f in findings)
    return Outcome(path, contract.kind, findings, analysis)


def analyse_file(path: str | Path, policy: Policy, today: date | None = None,
                 options: dict[str, Any] | None = None,
                 reader: Callable[[Path, Policy], RawBook] | None = None, result: bool = True) -> Outcome:
    """Read and check one workbook; never raises for a bad file (it becomes a finding).

    ``reader`` is the openpyxl reader by default; batch validation passes the fast one,
    which yields the same ``RawBook``. ``result=False``: findings only (``analyse_raw``).
    """
    from sv_workbook.xlsx.package_check import WorkbookUnreadable

    path = Path(path)
    today = today or date.today()
    try:
        raw = (reader or _openpyxl_reader())(path, policy)
    except WorkbookUnreadable as exc:
        return unreadable(path, exc)
    outcome = analyse_raw(raw, str(path), policy, today, options, result)
    if outcome.kind is None and reader is not None and reader is not _openpyxl_reader():
        # The fast reader reads only what the contracts need, so a file of neither kind may be one
        # openpyxl cannot load at all (a style or part it chokes on): ``score`` would call it
        # unreadable. Such files are rare in a batch, so openpyxl, the reference, settles it.
        try:
            _openpyxl_reader()(path, policy)
        except WorkbookUnreadable as exc:
            return unreadable(path, exc)
    return outcome


def _openpyxl_reader() -> Callable[[Path, Policy], RawBook]:
    """The openpyxl reader, imported only when a file needs it (a batch worker reads with the fast one)."""
    from sv_workbook.xlsx.openpyxl_read import read_rawbook

    return read_rawbook


def unreadable(path: Path, exc: Any) -> Outcome:
    """The outcome for a file that cannot be read (``exc``: a ``WorkbookUnreadable``): one finding,
    the reason in plain words, and the technical detail kept apart (shown with ``--verbose``)."""
    return Outcome(str(path), None, [FILE_UNREADABLE(f"Cannot read the workbook: {exc.reason}.",
                                                     exc.hint).at_workbook(path.name)], readable=False,
                   detail=exc.detail or None)
