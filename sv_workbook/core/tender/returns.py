"""The rules for evaluator workbooks: what `split` puts in one, and when `merge` accepts it back.

An evaluator workbook (a *return*) carries the tender's fingerprint: a SHA-256 over the parts of
the tender that must not change while evaluators mark (reference, title, scale, criteria, bidder
names). Each pre-listed Scores row carries a check: a short hash of that fingerprint with the row's
evaluator, bidder and criterion, so a relabelled, added or copied row is caught wherever it sits
and a re-sorted table still merges. Everything is computed from content, never from file bytes,
so a return re-saved by Excel or LibreOffice merges unchanged.

Neither hash is a secret: they recognise a return and show accidental or careless edits; anyone
with this tool could forge them, so they are not a signature. Pure.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from sv_workbook.core.bind import norm
from sv_workbook.core.catalogue import (RETURN_CONFLICTING, RETURN_NOT_ON_PANEL, RETURN_OTHER_TENDER, RETURN_STALE,
                                        RETURN_TAMPERED)
from sv_workbook.core.findings import Finding
from sv_workbook.core.tender.fingerprint import canonical
from sv_workbook.core.tender.model import Declaration, Tender

CHECK_LENGTH = 16
_UNSAFE = re.compile(r"[^\w\-]+", re.UNICODE)

Place = tuple[str, str]  # (sheet, cell)


def tender_fingerprint(tender: Tender) -> str:
    """SHA-256 of what evaluators mark against: ref, title, scale, criteria and bidder names (no prices).

    Sorted by ID and name, so reordering rows in the master does not make returns stale.
    """
    s = tender.setup
    body = {
        "ref": canonical(s.ref), "title": canonical(s.title), "scale": canonical(s.scale_max),
        "criteria": sorted([norm(c.id), canonical(c.name), canonical(c.weight), canonical(c.social_value),
                            canonical(c.min_score)] for c in tender.criteria),
        "bidders": sorted(canonical(b.name) for b in tender.bidders),
    }
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def row_check(fingerprint: str, evaluator: str, bidder: str, criterion_id: str) -> str:
    """The check written beside one pre-listed Scores row."""
    text = "|".join((fingerprint, norm(evaluator), norm(bidder), norm(criterion_id)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:CHECK_LENGTH]


def return_file_name(ref: str, evaluator: str, taken: set[str]) -> str:
    """``PPHT-2026-014 - A_Patel.xlsx``: letters, digits, '-' and '_' only, unique among ``taken``."""
    def slug(text: str) -> str:
        return _UNSAFE.sub("_", text).strip("_-")[:50].strip("_-") or "x"
    base = f"{slug(ref)} - {slug(evaluator)}"
    name, n = f"{base}.xlsx", 2
    while name.casefold() in taken:
        name, n = f"{base} ({n}).xlsx", n + 1
    taken.add(name.casefold())
    return name


@dataclass(frozen=True)
class ReturnRow:
    """One Scores row of a return, as read (values untyped: the master's checks type them)."""

    bidder: str
    criterion_id: str
    evaluator: str
    score: Any
    comment: Any
    check: str
    where: dict[str, Place] = field(default_factory=dict, compare=False)

    @property
    def blank(self) -> bool:
        return _blank(self.score) and _blank(self.comment)


@dataclass(frozen=True)
class ShownCriterion:
    id: str
    name: str
    weight: Any
    social_value: Any
    min_score: Any
    where: dict[str, Place] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class EvaluatorReturn:
    """What `merge` reads from one evaluator workbook."""

    file: str
    tender_ref: str
    evaluator: str
    fingerprint: str
    places: dict[str, Place]
    rows: tuple[ReturnRow, ...]
    criteria: tuple[ShownCriterion, ...]
    bidders: tuple[tuple[str, Place], ...]
    declaration: dict[str, Any] | None
    declaration_where: dict[str, Place] = field(default_factory=dict)

    def content(self) -> tuple:
        """What the return says (marks, comments, declaration): two returns agree when this is equal."""
        rows = tuple(sorted((norm(r.bidder), norm(r.criterion_id), canonical(r.score), canonical(r.comment))
                            for r in self.rows if not r.blank))
        decl = tuple(canonical(v) for v in (self.declaration or {}).values())
        return rows, decl


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _f(code, ret: EvaluatorReturn, message: str, place: Place, hint: str | None = None) -> Finding:
    return code(message, hint, *place).at_workbook(ret.file)


def check_return(master: Tender, ret: EvaluatorReturn) -> list[Finding]:
    """Why ``ret`` cannot be merged into ``master`` (empty when it can), each naming the return's cell."""
    s = master.setup
    if norm(ret.tender_ref) != norm(s.ref):
        return [_f(RETURN_OTHER_TENDER, ret, f"This return is for tender '{ret.tender_ref}', not '{s.ref}'.",
                   ret.places["ref"])]
    if norm(ret.evaluator) not in {norm(e) for e in master.evaluators}:
        return [_f(RETURN_NOT_ON_PANEL, ret, f"'{ret.evaluator}' is not on this tender's evaluation panel "
                   "(the Evaluators table on Setup).", ret.places["evaluator"])]
    fingerprint = tender_fingerprint(master)
    if ret.fingerprint != fingerprint:
        return [_f(RETURN_STALE, ret, "This return was split from an earlier version of the tender: "
                   + (_what_changed(master, ret) or "its fingerprint does not match the tender's now") + ".",
                   ret.places["fingerprint"])]
    out = _shown_parts_edited(master, ret)
    out += _rows_edited(master, ret, fingerprint)
    if ret.declaration is not None and norm(ret.declaration.get("Evaluator") or "") != norm(ret.evaluator):
        out.append(_f(RETURN_TAMPERED, ret, f"The declaration names '{ret.declaration.get('Evaluator')}', not the "
                      f"evaluator of this return ({ret.evaluator}).", ret.declaration_where.get("Evaluator",
                                                                                                 ("Declaration", ""))))
    return out


def _what_changed(master: Tender, ret: EvaluatorReturn) -> str:
    """In words, how the criteria or bidders shown in the return differ from the master's now."""
    now = {norm(c.id): c for c in master.criteria}
    then = {norm(c.id): c for c in ret.criteria}
    parts = [f"criterion {c.id} was added" for k, c in now.items() if k not in then]
    parts += [f"criterion {c.id} was removed" for k, c in then.items() if k not in now]
    for k in now.keys() & then.keys():
        a, b = now[k], then[k]
        for label, x, y in (("text", a.name, b.name), ("weight", a.weight, b.weight),
                            ("SocialValue", a.social_value, b.social_value), ("MinScore", a.min_score, b.min_score)):
            if canonical(x) != canonical(_typed(y)):
                parts.append(f"criterion {a.id}'s {label} changed")
    bidders_now = {norm(b.name) for b in master.bidders}
    bidders_then = {norm(n) for n, _ in ret.bidders}
    if bidders_now != bidders_then:
        parts.append("the bidders changed")
    if not parts:
        parts.append("the title or marking scale changed, or the fingerprint cell was edited")
    return "; ".join(parts)


def _typed(value: Any) -> Any:
    """A shown Yes/No back to a bool, so it compares with the master's parsed value."""
    if isinstance(value, str) and norm(value) in ("yes", "no"):
        return norm(value) == "yes"
    return value


def _shown_parts_edited(master: Tender, ret: EvaluatorReturn) -> list[Finding]:
    """The fingerprint matches, so the criteria and bidders shown must be the master's exactly."""
    out: list[Finding] = []
    now = {norm(c.id): c for c in master.criteria}
    for c in ret.criteria:
        m = now.get(norm(c.id))
        if m is None:
            out.append(_f(RETURN_TAMPERED, ret, f"The Criteria sheet shows criterion '{c.id}', which the tender does "
                          "not have.", c.where.get("id", ("Criteria", ""))))
            continue
        for column, x, y in (("Criterion", m.name, c.name), ("Weight", m.weight, c.weight),
                             ("SocialValue", m.social_value, _typed(c.social_value)), ("MinScore", m.min_score, c.min_score)):
            if canonical(x) != canonical(y):
                out.append(_f(RETURN_TAMPERED, ret, f"Criterion {c.id}'s {column} was changed in the return "
                              f"(it shows {canonical(y) or 'blank'}; the tender has {canonical(x) or 'blank'}).",
                              c.where.get(column, ("Criteria", ""))))
    if {norm(c.id) for c in ret.criteria} != set(now):
        out.append(_f(RETURN_TAMPERED, ret, "Rows of the Criteria sheet were added or deleted.", ("Criteria", "")))
    names = {norm(b.name) for b in master.bidders}
    for name, place in ret.bidders:
        if norm(name) not in names:
            out.append(_f(RETURN_TAMPERED, ret, f"The Bidders sheet shows '{name}', which is not a bidder in this "
                          "tender.", place))
    return out


def _rows_edited(master: Tender, ret: EvaluatorReturn, fingerprint: str) -> list[Finding]:
    """Every pre-listed row once, each with its own labels; nothing added, nothing deleted."""
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for r in ret.rows:
        place = r.where.get("Bidder", ("Scores", ""))
        if norm(r.evaluator) != norm(ret.evaluator):
            out.append(_f(RETURN_TAMPERED, ret, f"This row names the evaluator '{r.evaluator}', but the return is "
                          f"{ret.evaluator}'s.", r.where.get("Evaluator", place)))
            continue
        if r.check != row_check(fingerprint, ret.evaluator, r.bidder, r.criterion_id):
            labels = f"{r.bidder or 'a blank bidder'} / {r.criterion_id or 'a blank criterion'}"
            out.append(_f(RETURN_TAMPERED, ret, f"The row for {labels} was relabelled or added: its Check does not "
                          "match its labels.", place))
            continue
        key = (norm(r.bidder), norm(r.criterion_id))
        if key in seen:
            out.append(_f(RETURN_TAMPERED, ret, f"The row for {r.bidder} / {r.criterion_id} appears twice.", place))
        seen.add(key)
    expected = [(b.name, c.id) for b in master.bidders for c in master.criteria]
    missing = [f"{b} / {c}" for b, c in expected if (norm(b), norm(c)) not in seen]
    if missing:
        out.append(_f(RETURN_TAMPERED, ret, f"{len(missing)} pre-listed row(s) were deleted: "
                      + ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "") + ".",
                      ("Scores", "")))
    return out


def conflicting(returns: list[EvaluatorReturn]) -> list[Finding]:
    """Two returns for one evaluator that say different things (identical copies are fine)."""
    out: list[Finding] = []
    first: dict[str, EvaluatorReturn] = {}
    for ret in returns:
        key = norm(ret.evaluator)
        if key not in first:
            first[key] = ret
        elif first[key].content() != ret.content():
            out.append(_f(RETURN_CONFLICTING, ret, f"{ret.evaluator} has another return, {first[key].file}, with "
                          "different marks, comments or declaration" + _first_difference(first[key], ret) + ".",
                          ret.places["evaluator"]))
    return out


def _first_difference(a: EvaluatorReturn, b: EvaluatorReturn) -> str:
    by_key = {(norm(r.bidder), norm(r.criterion_id)): r for r in a.rows}
    for r in b.rows:
        other = by_key.get((norm(r.bidder), norm(r.criterion_id)))
        if other is not None and (canonical(other.score), canonical(other.comment)) != (
                canonical(r.score), canonical(r.comment)):
            sheet, cell = r.where.get("Score", ("Scores", ""))
            return (f" (first at {sheet}!{cell}: {r.bidder} / {r.criterion_id} is {canonical(r.score) or 'blank'} "
                    f"here and {canonical(other.score) or 'blank'} there)")
    return ""


def unique_returns(returns: list[EvaluatorReturn]) -> list[EvaluatorReturn]:
    """One return per evaluator (call after ``conflicting`` found none), in the master panel's order."""
    out: dict[str, EvaluatorReturn] = {}
    for ret in returns:
        out.setdefault(norm(ret.evaluator), ret)
    return list(out.values())


def carried_over(master: Tender, evaluator: str) -> dict[tuple[str, str], tuple[Any, Any]]:
    """The marks and comments the master already holds for ``evaluator``, keyed by (bidder, criterion)."""
    return {(norm(s.bidder), norm(s.criterion_id)): (s.score, s.comment) for s in master.scores
            if norm(s.evaluator) == norm(evaluator)}


def declaration_of(master: Tender, evaluator: str) -> Declaration | None:
    return next((d for d in master.declarations or () if norm(d.evaluator) == norm(evaluator)), None)


__all__ = ["tender_fingerprint", "row_check", "return_file_name", "ReturnRow", "ShownCriterion", "EvaluatorReturn",
           "check_return", "conflicting", "unique_returns", "carried_over", "declaration_of"]
