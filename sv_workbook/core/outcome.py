"""What happened to one workbook: the shape every job returns and every output format reads.

It lives in core, below the jobs that make it and the report formats that print it, so the
formats need not import the jobs (and the batch workers) to know what they are printing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sv_workbook.core.findings import Finding, Severity, has_errors


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
    lines: list[str] = field(default_factory=list)
    #: Technical detail of why the file could not be read (an exception's text), shown only with
    #: ``--verbose``: findings never carry Python's words.
    detail: str | None = None

    @property
    def ok(self) -> bool:
        return self.readable and not has_errors(self.findings)


def fails(outcome: Outcome, fail_on: Severity) -> bool:
    """True when the workbook has a finding at or above the fail level."""
    return any(f.severity.rank <= fail_on.rank for f in outcome.findings)


def exit_code(outcomes: list[Outcome], fail_on: Severity = Severity.ERROR) -> int:
    """0 clean, 1 findings at the fail level, 2 when a file could not be read at all."""
    if any(not o.readable for o in outcomes):
        return 2
    levels = {Severity.ERROR} if fail_on is Severity.ERROR else {Severity.ERROR, Severity.WARNING}
    if any(f.severity in levels for o in outcomes for f in o.findings):
        return 1
    return 0
