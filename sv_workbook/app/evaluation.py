"""`split` and `merge`: independent evaluation in evaluator workbooks, merged back into the master.

split: one workbook per evaluator on the panel (``xlsx/evaluator_workbook.py``).
merge: every return is checked first (``core/tender/returns.py``); if any is refused, nothing at
all is written and each refusal names the return file and cell. Otherwise each evaluator's Scores
rows and declaration in the master are replaced by their return, so merging twice changes
nothing. Writing follows `score`: a copy by default, ``--in-place`` keeps a backup and replaces
atomically, a workbook open in Excel is refused, and a save that would lose content is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sv_workbook.core.bind import norm
from sv_workbook.core.catalogue import (DUPLICATE_BIDDER, DUPLICATE_CRITERION, NO_BIDDERS, NO_CRITERIA,
                                        RETURN_NOT_A_RETURN)
from sv_workbook.core.findings import Finding, Severity
from sv_workbook.core.policy import Policy
from sv_workbook.core.tender.model import Tender
from sv_workbook.core.tender.parse import parse_tender
from sv_workbook.core.tender.returns import (EvaluatorReturn, check_return, conflicting, return_file_name,
                                             unique_returns)
from sv_workbook.core.tender.scoring import score_tender
from sv_workbook.xlsx.evaluator_workbook import NotAReturn, read_return, write_evaluator_workbook
from sv_workbook.xlsx.lite_buttons import keep_buttons
from sv_workbook.xlsx.openpyxl_read import WorkbookUnreadable, close_workbook, open_workbook, read_rawbook
from sv_workbook.xlsx.preserve import describe, find_losses
from sv_workbook.xlsx.safe_write import WriteRefused, atomic_save, check_not_open
from sv_workbook.xlsx.table_edit import TableMissing, replace_rows

#: Master problems that make per-evaluator workbooks ambiguous: split refuses while they stand.
BLOCKING = {c.code for c in (DUPLICATE_CRITERION, DUPLICATE_BIDDER, NO_CRITERIA, NO_BIDDERS)}


class Refused(Exception):
    """Nothing was written; ``findings`` say why, each naming its file and cell."""

    def __init__(self, message: str, findings: list[Finding] | None = None):
        super().__init__(message)
        self.findings = findings or []


def _master(path: Path, policy: Policy) -> Tender:
    raw = read_rawbook(path, policy)
    tender, findings = parse_tender(raw)
    if tender is None:
        raise Refused(f"{path.name} cannot be read as a tender evaluation workbook: fix its errors first.",
                      [f.at_workbook(path.name) for f in findings if f.severity is Severity.ERROR])
    return tender


@dataclass
class SplitResult:
    written: list[Path] = field(default_factory=list)


def split_file(path: str | Path, outdir: str | Path, policy: Policy, today: date | None = None) -> SplitResult:
    """Write one evaluator workbook per panel member into ``outdir``; an existing file is backed up."""
    path, outdir = Path(path), Path(outdir)
    tender = _master(path, policy)
    blocking = [f.at_workbook(path.name) for f in score_tender(tender, policy, today).findings if f.code in BLOCKING]
    if blocking:
        raise Refused("Not split: the criteria or bidders are ambiguous.", blocking)
    if not tender.evaluators:
        raise Refused(f"Not split: {path.name} lists no evaluators. Add the panel to the Evaluators table on the "
                      "Setup sheet.")
    outdir.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    result = SplitResult()
    for evaluator in dict.fromkeys(tender.evaluators):
        target = outdir / return_file_name(tender.setup.ref, evaluator, taken)
        result.written.append(write_evaluator_workbook(tender, evaluator, target, today or date.today()))
    return result


@dataclass
class MergeResult:
    written: Path
    backup: Path | None
    evaluators: list[str]


def _read_returns(paths: list[Path], policy: Policy) -> tuple[list[EvaluatorReturn], list[Finding]]:
    returns, refusals = [], []
    for p in paths:
        try:
            returns.append(read_return(p, policy))
        except WorkbookUnreadable as exc:
            refusals.append(RETURN_NOT_A_RETURN(f"Cannot read it: {exc.reason}.", exc.hint).at_workbook(p.name))
        except NotAReturn as exc:
            refusals.append(RETURN_NOT_A_RETURN(f"This is not an evaluator workbook from `sv-workbook split`: {exc}.")
                            .at_workbook(p.name))
    return returns, refusals


def merge_files(path: str | Path, return_paths: list[str | Path], out: str | Path | None, policy: Policy,
                in_place: bool = False) -> MergeResult:
    """Merge the returns into the master (a copy unless ``in_place``); refuses everything or nothing."""
    path = Path(path)
    if out and in_place:
        raise WriteRefused("Give either -o OUTPUT or --in-place, not both: --in-place replaces the input itself.")
    target = path if in_place else Path(out) if out else path.with_name(f"{path.stem}.merged{path.suffix}")
    if target.resolve() == path.resolve() and not in_place:
        raise WriteRefused(f"{target}: refusing to overwrite the master workbook. Give another -o path, or add "
                           "--in-place to replace it (a backup is kept).")
    if target.suffix.lower() != path.suffix.lower():
        raise WriteRefused(f"{target}: the output must keep the master's file type ({path.suffix}).")
    check_not_open(path)
    tender = _master(path, policy)
    returns, refusals = _read_returns([Path(p) for p in return_paths], policy)
    for ret in returns:
        refusals += check_return(tender, ret)
    if not refusals:
        refusals += conflicting(returns)
    if refusals:
        raise Refused(f"Nothing merged: {len(refusals)} problem(s) with the returns; {path.name} is unchanged.",
                      refusals)
    chosen = unique_returns(returns)
    panel = [norm(e) for e in tender.evaluators]
    chosen.sort(key=lambda r: panel.index(norm(r.evaluator)))
    wb = open_workbook(path, policy)
    try:
        _write_returns(wb, chosen, tender)
        lost = []

        def verify(written: Path) -> None:
            lost.extend(find_losses(path, written, set()))
            if lost:
                raise WriteRefused(f"{target}: not written, because saving would lose content this tool cannot "
                                   f"keep: {describe(lost)}. Nothing was changed.")

        # openpyxl's save drops the xlwings Lite buttons the template has; put them back, as score does
        backup = atomic_save(wb, target, verify, finish=lambda written: keep_buttons(path, written))
    finally:
        close_workbook(wb)
    return MergeResult(target, backup, [r.evaluator for r in chosen])


def _write_returns(wb, returns: list[EvaluatorReturn], tender: Tender) -> None:
    spelt = {norm(e): e for e in tender.evaluators}
    names = {norm(b.name): b.name for b in tender.bidders}
    ids = {norm(c.id): c.id for c in tender.criteria}
    rows, declarations = [], []
    for ret in returns:
        who = spelt[norm(ret.evaluator)]
        order = {(norm(b.name), norm(c.id)): i for i, (b, c) in
                 enumerate((b, c) for b in tender.bidders for c in tender.criteria)}
        for r in sorted((r for r in ret.rows if not r.blank), key=lambda r: order[(norm(r.bidder), norm(r.criterion_id))]):
            rows.append({"Bidder": names[norm(r.bidder)], "CriterionID": ids[norm(r.criterion_id)], "Evaluator": who,
                         "Score": r.score, "Comment": r.comment})
        d = ret.declaration
        if d and any(d.get(k) not in (None, "") for k in ("DeclaredOn", "Conflict", "Details", "Mitigation")):
            declarations.append({**d, "Evaluator": who})
    drop = {norm(r.evaluator) for r in returns}
    replace_rows(wb, "Scores", ["Bidder", "CriterionID", "Evaluator", "Score", "Comment"], "Evaluator", drop, rows)
    try:
        replace_rows(wb, "Declarations", ["Evaluator", "DeclaredOn", "Conflict", "Details", "Mitigation"],
                     "Evaluator", drop, declarations)
    except TableMissing:
        raise WriteRefused("The master has no Declarations table (it predates it), so the evaluators' declarations "
                           "would be lost. Nothing was changed. Add the table to the Setup sheet (see the README's "
                           "workbook contract) and merge again.") from None


__all__ = ["split_file", "merge_files", "Refused", "SplitResult", "MergeResult"]
