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
