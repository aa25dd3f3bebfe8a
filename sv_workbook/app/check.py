"""What a batch worker does with each file: read it with the fast reader, check it, return an ``Outcome``.

Kept apart from ``batch`` (which finds files and runs the pool) so that the process running a
batch never loads the readers and the rules: only the workers need them, and they inherit them
from the forkserver, which imports this module once (``batch.worker_context``). A file that
cannot be read (damaged, encrypted, .xls, locked, too big: ``package_check.check_package`` judges
that) becomes a finding for that file; nothing a single file does stops the batch.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from sv_workbook.core.catalogue import CHECK_FAILED, OPEN_IN_EXCEL
from sv_workbook.xlsx.fast_read import read_rawbook_fast
from sv_workbook.app.analyse import analyse_file
from sv_workbook.core.outcome import Outcome
from sv_workbook.core.policy import Policy
from sv_workbook.xlsx.safe_write import owner_file
from sv_workbook.reports.terminal import result_lines

if TYPE_CHECKING:
    from sv_workbook.app.batch import Target


def check_file(target: Target, policy: Policy, today: date, options: dict[str, Any] | None = None,
               with_lines: bool = False, keep_result: bool = False) -> Outcome:
    """Check one workbook with the fast reader; whatever happens, return an ``Outcome``.

    ``options`` are the kinds' extra inputs (a KPI register's measure library and proxies);
    ``with_lines`` keeps the result's display lines (ranking, KPI statuses) in ``lines``;
    ``keep_result`` keeps the analysis itself (the portfolio report needs it), which is
    otherwise dropped so that only findings travel back from the workers.
    """
    path = Path(target.absolute)
    name = Path(target.shown).name
    try:
        with _collector_paused():
            outcome = analyse_file(path, policy, today, options, reader=read_rawbook_fast,
                                   result=with_lines or keep_result)
            if with_lines:
                outcome.lines = result_lines(outcome.result)
            if not keep_result:
                outcome.result = None  # freed before the collector is back, so it never traverses it
    except Exception as exc:  # a bug or a hostile file must not stop the other 999 files
        return Outcome(target.shown, None, [CHECK_FAILED("The check stopped on this workbook because of a fault in sv-workbook, not in the file.",
            "Open and re-save the workbook in Excel and try again; if it persists, send the file and the output of "
            "the same command with --verbose to the sv-workbook maintainers.").at_workbook(name)], readable=False,
            detail=f"{type(exc).__name__}: {exc}".replace("\n", " "))
    outcome.path = target.shown
    if _is_open_in_excel(path):
        outcome.findings.append(OPEN_IN_EXCEL(
            "The workbook is open in Excel (its owner file ~$… is present); unsaved changes "
            "were not checked.", "Save it in Excel, then run the check again.").at_workbook(name))
    return outcome


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while one workbook is checked.

    A workbook makes tens of thousands of small objects (cells, rows, findings) that stay
    alive until its check ends; the collector would traverse them again and again (about
    a sixth of the CPU time of a batch). They are freed by reference counting when the
    check ends, and any cycles among them by the first collection after it, so memory
    still holds at most one workbook's worth at a time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _is_open_in_excel(path: Path) -> bool:
    return owner_file(path).exists() or path.with_name("~$" + path.name).exists()
