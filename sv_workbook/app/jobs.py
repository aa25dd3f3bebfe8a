"""The headless jobs behind ``validate`` and ``score``: read, recognise, check, write.

A workbook's kind is recognised by its contract (which Tables and names it has), so the
same commands serve tenders and KPI registers. Each kind registers an ``analyse`` step
(pure, on a ``RawBook``) and a ``write_report`` step (openpyxl).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

from sv_workbook.core.catalogue import FILE_UNREADABLE, STALE_TEMP_REMOVED, UNKNOWN_KIND, WRITE_LOST_CONTENT
from sv_workbook.core.contracts import CONTRACTS, WorkbookContract
from sv_workbook.core.findings import Finding, Severity, has_errors, sort_findings
from sv_workbook.core.policy import Policy
from sv_workbook.xlsx.preserve import Loss, describe, find_losses
from sv_workbook.core.rawbook import RawBook
from sv_workbook.xlsx.safe_write import WriteRefused, atomic_save, check_not_open
from sv_workbook.xlsx.openpyxl_read import WorkbookUnreadable, close_workbook, open_workbook, read_rawbook

Analyse = Callable[[RawBook, Policy, date], tuple[Any, list[Finding]]]
WriteReport = Callable[[Any, Any, Policy, list[Finding], datetime], None]


@dataclass(frozen=True)
class Kind:
    """How to check and report one kind of workbook.

    ``options`` names the keyword arguments ``analyse`` accepts beyond the three
    positional ones (e.g. a KPI register's measure library and proxy set); the jobs pass
    a kind only the options it declares, so one command line serves every kind.
    """

    contract: WorkbookContract
    analyse: Analyse
    write_report: WriteReport
    options: frozenset[str] = frozenset()


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    KINDS[kind.contract.kind] = kind


@dataclass
class Outcome:
    """What happened to one workbook: its kind, its findings, and the analysis result."""

    path: str
    kind: str | None
    findings: list[Finding] = field(default_factory=list)
    result: Any = None
    readable: bool = True
    written: str | None = None
    backup: str | None = None
    #: Display lines of ``result`` (ranking, KPI statuses), made where the result lives so
    #: batch workers send back text rather than results.
    summary: list[str] = field(default_factory=list)
    #: Technical detail of why the file could not be read (an exception's text), shown only with
    #: ``--verbose``: findings never carry Python's words.
    detail: str | None = None

    @property
    def ok(self) -> bool:
        return self.readable and not has_errors(self.findings)


def detect_kind(raw: RawBook) -> WorkbookContract | None:
    """The contract whose tables and names the workbook has most of (None if none)."""
    best, best_hits = None, 0
    for contract in CONTRACTS.values():
        hits = sum(1 for t in contract.input_tables if raw.find_table(t.name)) + sum(
            1 for n in contract.names if raw.find_name(n.name))
        hits += sum(1 for s in contract.sheets if raw.find_sheet(s)) // 2
        if hits > best_hits:
            best, best_hits = contract, hits
    return best


def analyse_file(path: str | Path, policy: Policy, today: date | None = None,
                 options: dict[str, Any] | None = None,
                 reader: Callable[[Path, Policy], RawBook] = read_rawbook) -> Outcome:
    """Read and check one workbook; never raises for a bad file (it becomes a finding).

    ``reader`` is the openpyxl reader by default; batch validation passes the fast one,
    which yields the same ``RawBook``.
    """
    _ensure_kinds()
    path = Path(path)
    today = today or date.today()
    try:
        raw = reader(path, policy)
    except WorkbookUnreadable as exc:
        return unreadable(path, exc)
    outcome = analyse_raw(raw, str(path), policy, today, options)
    if outcome.kind is None and reader is not read_rawbook:
        # The fast reader reads only what the contracts need, so a file of neither kind may be one
        # openpyxl cannot load at all (a style or part it chokes on): ``score`` would call it
        # unreadable. Such files are rare in a batch, so openpyxl, the reference, settles it.
        try:
            read_rawbook(path, policy)
        except WorkbookUnreadable as exc:
            return unreadable(path, exc)
    return outcome


def unreadable(path: Path, exc: WorkbookUnreadable) -> Outcome:
    """The outcome for a file that cannot be read: one finding, the reason in plain words, and
    the technical detail kept apart (shown with ``--verbose``)."""
    return Outcome(str(path), None, [FILE_UNREADABLE(f"Cannot read the workbook: {exc.reason}.",
                                           exc.hint).at_workbook(path.name)], readable=False,
                   detail=exc.detail or None)


def analyse_raw(raw: RawBook, path: str, policy: Policy, today: date,
                options: dict[str, Any] | None = None) -> Outcome:
    """Recognise and check a workbook already read by any reader (openpyxl here, xlwings in Excel).

    Findings name the workbook by ``raw.label``, so the same file gives the same findings
    from the command line and from the buttons in Excel.
    """
    _ensure_kinds()
    contract = detect_kind(raw)
    if contract is None:
        kinds = " or ".join(c.title.lower() for c in CONTRACTS.values())
        return Outcome(path, None, [f.at_workbook(raw.label) for f in [UNKNOWN_KIND(f"This is not a {kinds}: it has none of their tables or defined names.",
            "Start from a template made by `sv-workbook new tender` or `sv-workbook new kpi-register`."
        )] + raw.notes])
    kind = KINDS[contract.kind]
    extra = {k: v for k, v in (options or {}).items() if k in kind.options and v is not None}
    result, findings = kind.analyse(raw, policy, today, **extra)
    findings = sort_findings(f.at_workbook(raw.label) for f in findings)
    return Outcome(path, contract.kind, findings, result)


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
        KINDS[outcome.kind].write_report(wb, outcome.result, policy, outcome.findings, now or datetime.now())
        backup = atomic_save(wb, target, verify, on_stale=stale)
    finally:
        close_workbook(wb)
    if lost:
        outcome.findings.append(WRITE_LOST_CONTENT(f"The scored copy {target.name} lacks content of the original: {describe(lost)}.",
            f"Keep {path.name} as the record; the scored copy is for the results only.").at_workbook(path.name))
    outcome.written = str(target)
    outcome.backup = str(backup) if backup else None
    return outcome


def exit_code(outcomes: list[Outcome], fail_on: Severity = Severity.ERROR) -> int:
    """0 clean, 1 findings at the fail level, 2 when a file could not be read at all."""
    if any(not o.readable for o in outcomes):
        return 2
    levels = {Severity.ERROR} if fail_on is Severity.ERROR else {Severity.ERROR, Severity.WARNING}
    if any(f.severity in levels for o in outcomes for f in o.findings):
        return 1
    return 0


def _ensure_kinds() -> None:
    """Register the workbook kinds on first use.

    Each kind module pairs its pure ``analyse`` step with its openpyxl report writer and
    registers itself on import; importing them here, not at module top, avoids an import
    cycle (they import ``Kind`` and ``register`` from this module). Imports are idempotent.
    """
    from sv_workbook.app import kpi_kind, tender_kind  # noqa: F401  (each registers itself)


__all__ = ["Kind", "KINDS", "register", "Outcome", "detect_kind", "analyse_file", "analyse_raw", "score_file", "exit_code",
           "WriteRefused", "Severity", "has_errors"]
