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


# --- Durable writes (issue 14) ---------------------------------------------------------------
STALE_TEMP_REMOVED = _code(
    "STALE-TEMP-REMOVED", INFO, "Leftover temporary files removed",
    "An earlier run stopped (killed, or the machine lost power) before it could rename its finished "
    "temporary file over the workbook; that hidden .sv-workbook-unfinished-… file, more than a day old, "
    "was removed from the folder before this save. Nothing of yours was in it that is not in the "
    "workbook or its backup.",
    "No action needed. If runs keep being interrupted, check the folder's disk space and connection.",
    "files")
