"""The file jobs behind ``validate`` and ``score``: read a workbook from disk, check it, write its report.

Recognising and checking is ``analyse.analyse_raw`` (pure, shared with the Excel
buttons); this module adds what needs the file libraries: the openpyxl reader, the
report writer of each kind (``REPORT_WRITERS``), the preservation check and the atomic
save.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

from sv_workbook.app.analyse import analyse_file
from sv_workbook.core.catalogue import STALE_TEMP_REMOVED, WRITE_LOST_CONTENT
from sv_workbook.core.contracts import CONTRACTS
from sv_workbook.core.findings import Finding
from sv_workbook.core.outcome import Outcome
from sv_workbook.core.policy import Policy
from sv_workbook.xlsx.kpi_report import write_kpi_report
from sv_workbook.xlsx.lite_buttons import keep_buttons
from sv_workbook.xlsx.openpyxl_read import close_workbook, open_workbook
from sv_workbook.xlsx.preserve import Loss, describe, find_losses
from sv_workbook.xlsx.safe_write import WriteRefused, atomic_save, check_not_open
from sv_workbook.xlsx.tender_report import write_tender_report

WriteReport = Callable[[Any, Any, Policy, list[Finding], datetime], None]

#: The report sheet writer (openpyxl) of each workbook kind: what ``score`` writes.
REPORT_WRITERS: dict[str, WriteReport] = {"tender": write_tender_report, "kpi-register": write_kpi_report}


def score_file(path: str | Path, out: str | Path | None, policy: Policy, today: date | None = None,
               in_place: bool = False, now: datetime | None = None, options: dict[str, Any] | None = None,
               allow_loss: bool = False) -> Outcome:
    """Check, compute and write the report sheet into ``out`` (a copy unless ``in_place``).

    The written file is compared with the input before it replaces anything: if openpyxl
    dropped content (pictures, shapes, pivot tables, ...) from the sheets the tool does
    not rebuild, the write is refused, unless ``allow_loss`` and the target is a new file,
    never the input itself.
    """
    path = Path(path)
    outcome = analyse_file(path, policy, today, options)
    if not outcome.readable or outcome.kind is None or outcome.result is None:
        return outcome
    if out and in_place:
        raise WriteRefused("Give either -o OUTPUT or --in-place, not both: --in-place replaces the input itself.")
    target = Path(out) if out else None
    if target is None:
        if not in_place:
            target = path.with_name(f"{path.stem}.scored{path.suffix}")
        else:
            target = path
    overwrites_input = target.resolve() == path.resolve()
    if overwrites_input and not in_place:
        raise WriteRefused(f"{target}: refusing to overwrite the input workbook. Give another -o path, or add "
                           "--in-place to replace it (a backup is kept).")
    if overwrites_input and allow_loss:
        raise WriteRefused(f"{target}: --allow-loss cannot be used with --in-place: the original would lose what "
                           "openpyxl cannot keep. Write to a new file with -o instead.")
    if target.suffix.lower() != path.suffix.lower():
        raise WriteRefused(f"{target}: the output must keep the input's file type ({path.suffix}); a workbook's "
                           "type is fixed by its content (macros need .xlsm), so give an -o name ending in "
                           f"{path.suffix}.")
    check_not_open(path)
    contract = CONTRACTS[outcome.kind]
    rebuilt = {t.sheet for t in contract.tables if t.output}
    lost: list[Loss] = []

    def verify(written: Path) -> None:
        lost.extend(find_losses(path, written, rebuilt))
        if lost and not allow_loss:
            raise WriteRefused(
                f"{target}: not written, because saving would lose content this tool cannot keep: {describe(lost)}. "
                "Nothing was changed. Score a copy without those items, or write to a new file with -o NEW.xlsx "
                "--allow-loss and keep the original as the record.")

    def stale(removed: list[Path]) -> None:
        outcome.findings.append(STALE_TEMP_REMOVED(
            f"Removed {len(removed)} unfinished temporary file(s) an interrupted earlier run left in the folder: "
            + ", ".join(p.name for p in removed) + ".").at_workbook(path.name))

    wb = open_workbook(path, policy)
    try:
        REPORT_WRITERS[outcome.kind](wb, outcome.result, policy, outcome.findings, now or datetime.now())
        backup = atomic_save(wb, target, verify, finish=lambda written: keep_buttons(path, written), on_stale=stale)
    finally:
        close_workbook(wb)
    if lost:
        outcome.findings.append(WRITE_LOST_CONTENT(
            f"The scored copy {target.name} lacks content of the original: {describe(lost)}.",
            f"Keep {path.name} as the record; the scored copy is for the results only.").at_workbook(path.name))
    outcome.written = str(target)
    outcome.backup = str(backup) if backup else None
    return outcome


__all__ = ["REPORT_WRITERS", "score_file"]
