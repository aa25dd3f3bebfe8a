"""Conflict-of-interest declarations (Procurement Act 2023 ss.81-83): the checks and what the Report says.

Each evaluator declares before scoring. Every evaluator with marks needs a declaration, and a
declared conflict needs its mitigation on record; a trust that keeps declarations elsewhere
lowers both to warnings (``Policy.declarations_kept_elsewhere``). Pure.
"""

from __future__ import annotations

from sv_workbook.core.bind import norm
from sv_workbook.core.catalogue import (DECLARATION_DUPLICATE, DECLARATION_MISSING, DECLARATION_NO_MITIGATION,
                                        DECLARATIONS_NOT_RECORDED)
from sv_workbook.core.findings import Finding, Severity
from sv_workbook.core.policy import Policy
from sv_workbook.core.tender.model import Declaration, Tender


def evaluators_with_marks(tender: Tender) -> list[str]:
    """Each evaluator named in the Scores table, once, as first spelt, in order of appearance."""
    seen: dict[str, str] = {}
    for s in tender.scores:
        seen.setdefault(norm(s.evaluator), s.evaluator)
    return list(seen.values())


def declarations_by_evaluator(tender: Tender) -> dict[str, Declaration]:
    """The first declaration of each evaluator, keyed by the normalised name."""
    out: dict[str, Declaration] = {}
    for d in tender.declarations or ():
        out.setdefault(norm(d.evaluator), d)
    return out


def declaration_findings(tender: Tender, policy: Policy) -> list[Finding]:
    """Missing declarations, conflicts without mitigation, duplicates; a notice when the table is absent."""
    markers = evaluators_with_marks(tender)
    if tender.declarations is None:
        return [DECLARATIONS_NOT_RECORDED(
            "This workbook has no Declarations table, so the panel's conflict-of-interest declarations are not "
            "checked.", sheet="Setup")] if markers else []
    severity = Severity.WARNING if policy.declarations_kept_elsewhere else Severity.ERROR
    out: list[Finding] = []
    seen: set[str] = set()
    for d in tender.declarations:
        key = norm(d.evaluator)
        if key in seen:
            out.append(DECLARATION_DUPLICATE(f"{d.evaluator} has more than one declaration; the first is used.",
                                             *d.where.get("evaluator", ("Setup", ""))))
            continue
        seen.add(key)
        if d.conflict and not (d.mitigation or "").strip():
            out.append(DECLARATION_NO_MITIGATION(
                f"{d.evaluator} declared a conflict of interest"
                + (f" ({d.details})" if d.details else "") + " but no mitigation is recorded.",
                sheet=d.where.get("mitigation", ("Setup", ""))[0], cell=d.where.get("mitigation", ("", ""))[1],
                severity=severity))
    first_row = {}
    for s in tender.scores:
        first_row.setdefault(norm(s.evaluator), s.where.get("evaluator", ("Scores", "")))
    for name in markers:
        if norm(name) not in seen:
            sheet, cell = first_row[norm(name)]
            out.append(DECLARATION_MISSING(
                f"{name} has marks in the Scores table but no conflict-of-interest declaration.",
                sheet=sheet, cell=cell, severity=severity))
    return out


def declarations_statement(tender: Tender, policy: Policy) -> str:
    """One sentence for the Report and the assessment summaries: were the declarations complete?"""
    markers = evaluators_with_marks(tender)
    if tender.declarations is None:
        return "conflict-of-interest declarations are not recorded in this workbook"
    by = declarations_by_evaluator(tender)
    missing = [m for m in markers if norm(m) not in by]
    conflicts = [by[norm(m)] for m in markers if norm(m) in by and by[norm(m)].conflict]
    unmitigated = [d for d in conflicts if not (d.mitigation or "").strip()]
    if missing or unmitigated:
        parts = []
        if missing:
            parts.append("no declaration from " + ", ".join(missing))
        if unmitigated:
            parts.append("no mitigation recorded for " + ", ".join(d.evaluator for d in unmitigated))
        where = " (kept elsewhere, by policy)" if policy.declarations_kept_elsewhere else ""
        return "conflict-of-interest declarations INCOMPLETE" + where + ": " + "; ".join(parts)
    text = f"conflict-of-interest declarations complete for all {len(markers)} evaluator(s) with marks"
    if conflicts:
        text += "; " + ", ".join(d.evaluator for d in conflicts) + " declared a conflict, with mitigation recorded"
    else:
        text += "; no conflicts declared"
    return text


def declarations_for_suppliers(tender: Tender, policy: Policy) -> str:
    """The sentence an assessment summary carries: as the Report says, but naming no evaluator."""
    markers = evaluators_with_marks(tender)
    by = declarations_by_evaluator(tender)
    if tender.declarations is None or policy.declarations_kept_elsewhere and any(norm(m) not in by for m in markers):
        return "Evaluators' conflict-of-interest declarations are held with the trust's procurement records."
    conflicts = sum(1 for m in markers if norm(m) in by and by[norm(m)].conflict)
    text = (f"Each of the {len(markers)} evaluators declared any conflict of interest before scoring "
            "(Procurement Act 2023 ss.81-83)")
    if conflicts:
        return text + f"; {conflicts} declared a possible conflict, and the steps taken to mitigate it are recorded."
    return text + "; none declared a conflict."


__all__ = ["declarations_for_suppliers", "declaration_findings", "declarations_statement", "evaluators_with_marks", "declarations_by_evaluator"]
