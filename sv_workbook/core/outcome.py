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
    summary: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.readable and not has_errors(self.findings)


def fails(outcome: Outcome, fail_on: Severity) -> bool:
    """True when the workbook has a finding at or above the fail level."""
    return any(f.severity.rank <= fail_on.rank for f in outcome.findings)
