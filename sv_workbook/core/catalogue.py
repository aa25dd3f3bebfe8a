"""The finding catalogue: every code a user can see, declared once with what it means and how to fix it.

A code is a promise to the people who read findings: scripts and dashboards key on it, and an
evaluator who meets ``WEIGHTS-SUM`` can look it up in ``docs/findings.md`` (generated from this
module; a test keeps it in step). So codes are declared here and nowhere else: a finding is made by
calling its code, ``WEIGHTS_SUM("Weights add up to 90, not 100.", sheet="Criteria", cell="C2:C5")``,
and no code is written as a string literal in any other module (a test checks that too).

Each entry gives the default severity; a caller may give another where the rule says so (a policy
setting that lowers an error to a warning, say), and the catalogue's ``severities`` lists every
severity the code can take, so the documentation says it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sv_workbook.core.findings import Finding, Severity

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@dataclass(frozen=True)
class Code:
    """One finding code: its default severity, a short title, what it means and the usual fix."""

    code: str
    severity: Severity
    title: str
    meaning: str
    fix: str
    area: str
    #: Every severity the code can be given (the default first).
    severities: tuple[Severity, ...] = ()

    def __call__(self, message: str, hint: str | None = None, sheet: str = "", cell: str = "",
                 severity: Severity | None = None) -> Finding:
        """A finding of this code. ``hint`` defaults to the catalogue's fix; ``severity`` to its default."""
        chosen = severity or self.severity
        if chosen not in (self.severities or (self.severity,)):
            raise ValueError(f"{self.code} is never a {chosen.value}; the catalogue allows {self.severities}")
        return Finding(chosen, self.code, message, self.fix if hint is None else hint, sheet, cell)


#: Every code, in the order the documentation lists them.
CATALOGUE: dict[str, Code] = {}


def _code(code: str, severity: Severity, title: str, meaning: str, fix: str, area: str,
          also: tuple[Severity, ...] = ()) -> Code:
    if code in CATALOGUE:
        raise ValueError(f"finding code {code} is declared twice")
    entry = Code(code, severity, title, meaning, fix, area, (severity, *also))
    CATALOGUE[code] = entry
    return entry


# --- Files and packages ----------------------------------------------------------------------


# --- Independent evaluation: declarations, evaluator returns, verifiable results (issue 16) ---------

DECLARATION_MISSING = _code(
    "DECLARATION-MISSING", ERROR, "Evaluator with marks has no declaration",
    "An evaluator has marks in the Scores table but no row in the Declarations table: the record cannot show "
    "that they declared any conflict of interest before scoring (Procurement Act 2023 ss.81-83).",
    "Add the evaluator's row to the Declarations table on the Setup sheet (DeclaredOn, Conflict, and Details and "
    "Mitigation where there is a conflict).", "Evaluation", also=(WARNING,))
DECLARATION_NO_MITIGATION = _code(
    "DECLARATION-NO-MITIGATION", ERROR, "Conflict declared without mitigation",
    "A declaration says Conflict = Yes but records no Mitigation: the steps taken to keep the evaluation fair "
    "(s.82) are not on record.",
    "Write the mitigation agreed (e.g. the evaluator stood down from that bid) in the Mitigation column.",
    "Evaluation", also=(WARNING,))
DECLARATION_DUPLICATE = _code(
    "DECLARATION-DUPLICATE", WARNING, "Two declarations for one evaluator",
    "The Declarations table has more than one row for an evaluator; only the first is used.",
    "Keep one declaration per evaluator (update it rather than adding another row).", "Evaluation")
DECLARATIONS_NOT_RECORDED = _code(
    "DECLARATIONS-NOT-RECORDED", INFO, "Workbook has no Declarations table",
    "The workbook was made before the Declarations table existed, so this tool cannot check the panel's "
    "conflict-of-interest declarations.",
    "Keep the declarations with the tender records, or copy the data into a workbook from "
    "`sv-workbook new tender`.", "Evaluation")
RETURN_NOT_A_RETURN = _code(
    "RETURN-NOT-A-RETURN", ERROR, "Not an evaluator workbook",
    "A file given to `merge` is not an evaluator workbook written by `sv-workbook split` (its ReturnTenderRef, "
    "ReturnEvaluator or ReturnFingerprint is missing), or it cannot be read.",
    "Give the evaluator workbooks that `sv-workbook split` wrote and the evaluators sent back.", "Evaluation")
RETURN_OTHER_TENDER = _code(
    "RETURN-OTHER-TENDER", ERROR, "Return from another tender",
    "The evaluator workbook was split from a tender with another TenderRef.",
    "Merge it into the tender it came from; for this tender, use the returns split from this workbook.",
    "Evaluation")
RETURN_STALE = _code(
    "RETURN-STALE", ERROR, "Return split before the criteria or bidders changed",
    "The evaluator workbook was split from this tender, but the criteria, weights, scale or bidders have changed "
    "since, so its marks may be for a different question or bid.",
    "Split the tender again and ask the evaluator to mark the new workbook (their earlier marks are carried "
    "over once merged).", "Evaluation")
RETURN_TAMPERED = _code(
    "RETURN-TAMPERED", ERROR, "Locked cells of a return were edited",
    "A locked cell of the evaluator workbook (a bidder, criterion or evaluator label, the row check, or the "
    "criteria shown) differs from what `split` wrote, or rows were added or deleted.",
    "Ask the evaluator to enter marks only in the Score and Comment columns of a fresh copy from "
    "`sv-workbook split`.", "Evaluation")
RETURN_NOT_ON_PANEL = _code(
    "RETURN-NOT-ON-PANEL", ERROR, "Return from an evaluator not on the panel",
    "The evaluator named in the return is not in the tender's Evaluators table.",
    "Add them to the panel on the Setup sheet (if they were appointed) and split again, or set the return "
    "aside.", "Evaluation")
RETURN_CONFLICTING = _code(
    "RETURN-CONFLICTING", ERROR, "Two returns for one evaluator disagree",
    "Two evaluator workbooks for the same evaluator hold different marks, comments or declarations, so it is "
    "not clear which is final.",
    "Ask the evaluator which return is final and merge only that one.", "Evaluation")
VERIFY_NO_RECORD = _code(
    "VERIFY-NO-RECORD", ERROR, "No record of the scored inputs",
    "The workbook has no ResultFingerprint or Scored inputs sheet, so there is nothing to verify against: it was "
    "never scored by `sv-workbook score`, or the record was removed.",
    "Verify the scored copy that `sv-workbook score` wrote.", "Evaluation")
VERIFY_RECORD_EDITED = _code(
    "VERIFY-RECORD-EDITED", ERROR, "The record of scored inputs was edited",
    "The Scored inputs sheet no longer hashes to the ResultFingerprint written with it: the record itself was "
    "changed after scoring.",
    "Use the scored copy as it was issued (a backup or the copy sent to the panel).", "Evaluation")
VERIFY_CHANGED = _code(
    "VERIFY-CHANGED", ERROR, "An input or result changed since scoring",
    "A value that decides the result differs from what was scored, or a total recomputed now differs from the "
    "total recorded.",
    "Find out who changed it and why; score again if the change is legitimate, keeping the earlier copy as the "
    "record.", "Evaluation")
VERIFY_OTHER_VERSION = _code(
    "VERIFY-OTHER-VERSION", INFO, "Verified with another version of the tool",
    "The workbook was scored by another version of sv-workbook; the inputs and totals were compared "
    "value by value.", "No action when everything else matches.", "Evaluation")
# --- Reading workbooks as Excel saves them (issue 13) -------------------------------------------

NAME_SCOPE_CONFLICT = _code(
    "NAME-SCOPE-CONFLICT", WARNING, "A name is defined twice, for the sheet and for the workbook",
    "A contract name (such as TenderRef) exists both scoped to its sheet and for the whole workbook, and the "
    "two point at different cells. As Excel does on that sheet, the sheet's own name is read.",
    "In Formulas › Name Manager, delete the definition that is wrong (the Scope column tells them apart).",
    "Reading workbooks")
NUMBER_AS_TEXT = _code(
    "NUMBER-AS-TEXT", WARNING, "A number stored as text was read",
    "The cell holds text such as '£120,000.00', '1 250' or '15%' where a number is expected (Excel shows a "
    "green triangle). It is read as the number it plainly means, and the finding says which number; text "
    "that could mean two numbers ('1,2', '12.000,5') is an error instead (NOT-A-NUMBER).",
    "Retype the number, or select the cell and choose the warning sign › Convert to Number.",
    "Reading workbooks")
DATE_AS_TEXT = _code(
    "DATE-AS-TEXT", WARNING, "A date stored as text was read",
    "The cell holds text such as '31/03/2026', '31-03-2026', '31 Mar 2026' or '2026-03-31' where a date is "
    "expected. It is read day first, as UK dates are written (never month first), and the finding says which "
    "date; other text is an error (NOT-A-DATE).",
    "Retype the date so Excel recognises it (it is then right-aligned), or format the cell as a date.",
    "Reading workbooks")
