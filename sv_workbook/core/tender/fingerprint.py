"""The scoring fingerprint: a canonical record of every input that decides a tender's result, and its SHA-256.

``sv-workbook score`` writes the record (one entry per value: settings, criteria, bidders, panel,
marks, consensus, declarations, the abnormally low log, policy values, tool version, and the
unrounded totals and statuses) and its hash; ``sv-workbook verify`` rebuilds the record from the
workbook as it is now and compares them entry by entry, so it can say in words what changed.

Content, not bytes: an entry is keyed by what it is (evaluator, bidder, criterion), not by where it
sits, so re-saving, re-sorting or re-styling the workbook changes nothing; numbers are written with
``repr`` of the float (the shortest text that gives back the same bits on every Python).

What it proves: that the inputs and totals are the ones recorded when scored. What it does not:
who scored, or that the record itself is authentic. Anyone with this tool can write a matching
record for an edited workbook; it is a tamper-evident checksum, not a signature.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, Iterable

from sv_workbook.core.bind import norm
from sv_workbook.core.policy import Policy
from sv_workbook.core.tender.model import Where
from sv_workbook.core.tender.scoring import TenderResult

VERSION_KEY = "tool|version"


@dataclass(frozen=True)
class Entry:
    """One value the result depends on: its stable key, its name in words, where it is, its canonical text."""

    key: str
    item: str
    place: str
    value: str


def canonical(value: Any) -> str:
    """The one text of a value: floats by ``repr`` (unrounded, same bits everywhere), dates ISO, Yes/No."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (int, float)):
        return repr(float(value))
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return json.dumps([canonical(v) for v in value], ensure_ascii=False)
    return str(value).strip()


def digest(entries: Iterable[Entry]) -> str:
    """SHA-256 (hex) of the sorted [key, value] pairs as compact UTF-8 JSON; items and places are not hashed."""
    pairs = sorted([e.key, e.value] for e in entries)
    text = json.dumps(pairs, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _place(where: Where, field: str, default: str) -> str:
    sheet, cell = where.get(field, ("", ""))
    if not cell:
        return default
    digits = "".join(ch for ch in cell if ch.isdigit())
    return f"{sheet} row {digits}" if sheet in ("Scores", "Consensus", "Criteria", "Bidders") else f"{sheet}!{cell}"


class _Builder:
    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self._seen: dict[str, int] = {}

    def add(self, key: str, item: str, place: str, value: Any) -> None:
        n = self._seen.get(key, 0) + 1
        self._seen[key] = n
        self.entries.append(Entry(key if n == 1 else f"{key}#{n}", item if n == 1 else f"{item} (copy {n})",
                                  place, canonical(value)))


def _k(*parts: str) -> str:
    return "|".join(norm(p) for p in parts)


def result_entries(result: TenderResult, policy: Policy, version: str) -> list[Entry]:
    """Every entry of the record, in a readable order (the hash does not depend on the order)."""
    t = result.tender
    b = _Builder()
    for name, value in t.setup.named_values():
        b.add(f"setting|{name.casefold()}", f"Setting {name}", "Setup", value)
    for c in t.criteria:
        at = _place(c.where, "id", "Criteria")
        for field, label, value in (("name", "text", c.name), ("weight", "weight", c.weight),
                                    ("socialvalue", "SocialValue", c.social_value), ("priority", "priority", c.priority),
                                    ("minscore", "MinScore", c.min_score)):
            b.add(_k("criterion", c.id, field), f"Criterion {c.id}'s {label}", at, value)
    for bid in t.bidders:
        at = _place(bid.where, "name", "Bidders")
        b.add(_k("bidder", bid.name, "name"), f"Bidder {bid.name}", at, bid.name)
        for field, label, value in (("price", "price", bid.price), ("sme", "SME", bid.sme), ("vcse", "VCSE", bid.vcse)):
            b.add(_k("bidder", bid.name, field), f"{bid.name}'s {label}", at, value)
    for e in t.evaluators:
        b.add(_k("panel", e), f"Panel member {e}", "Setup", "listed")
    for sc in t.scores:
        at = _place(sc.where, "score", "Scores")
        b.add(_k("score", sc.evaluator, sc.bidder, sc.criterion_id), f"{sc.evaluator}'s mark for {sc.bidder} / "
              f"{sc.criterion_id}", at, sc.score)
        b.add(_k("comment", sc.evaluator, sc.bidder, sc.criterion_id), f"{sc.evaluator}'s comment on {sc.bidder} / "
              f"{sc.criterion_id}", at, sc.comment)
    for m in t.consensus:
        at = _place(m.where, "score", "Consensus")
        b.add(_k("consensus", m.bidder, m.criterion_id), f"The consensus mark for {m.bidder} / {m.criterion_id}",
              at, m.score)
        b.add(_k("rationale", m.bidder, m.criterion_id), f"The consensus rationale for {m.bidder} / "
              f"{m.criterion_id}", at, m.rationale)
    for d in t.declarations or ():
        at = _place(d.where, "evaluator", "Setup")
        for field, value in (("DeclaredOn", d.declared_on), ("Conflict", d.conflict), ("Details", d.details),
                             ("Mitigation", d.mitigation)):
            b.add(_k("declaration", d.evaluator, field), f"{d.evaluator}'s declaration: {field}", at, value)
    for a in t.abnormally_low_log:
        at = _place(a.where, "bidder", "Bidders")
        for field, value in (("FlaggedOn", a.flagged_on), ("RequestSent", a.request_sent),
                             ("SupplierAnswer", a.supplier_answer), ("Decision", a.decision)):
            b.add(_k("abnormallylow", a.bidder, field), f"The abnormally low log for {a.bidder}: {field}", at, value)
    for f in fields(Policy):
        b.add(f"policy|{f.name}", f"Policy setting {f.name}", "policy", getattr(policy, f.name))
    b.add(VERSION_KEY, "sv-workbook version", "tool", version)
    for r in result.results:
        b.add(_k("result", r.bidder, "total"), f"{r.bidder}'s unrounded total score", "Report", r.total)
        b.add(_k("result", r.bidder, "status"), f"{r.bidder}'s status", "Report", r.status_text)
    return b.entries


def show(value: str) -> str:
    """A canonical value as an auditor reads it: whole numbers without '.0', text in quotes, 'blank'."""
    if value == "":
        return "blank"
    try:
        number = float(value)
    except ValueError:
        return f"'{value}'"
    return f"{number:.0f}" if number.is_integer() and abs(number) < 1e15 else value


def differences(recorded: list[Entry], current: list[Entry]) -> list[str]:
    """What changed since scoring, one sentence per entry, in the current workbook's order."""
    old = {e.key: e for e in recorded}
    new = {e.key: e for e in current}
    lines = []
    for e in current:
        was = old.get(e.key)
        if e.key == VERSION_KEY:
            continue
        if was is None:
            lines.append(f"{e.place}: {e.item} is {show(e.value)}, which was not there when scored")
        elif was.value != e.value:
            lines.append(f"{e.place}: {e.item} is {show(e.value)}, was {show(was.value)} when scored")
    for e in recorded:
        if e.key not in new and e.key != VERSION_KEY:
            lines.append(f"{e.place}: {e.item} was {show(e.value)} when scored and is no longer there")
    return lines


def recorded_version(entries: list[Entry]) -> str:
    return next((e.value for e in entries if e.key == VERSION_KEY), "")


__all__ = ["Entry", "canonical", "digest", "result_entries", "differences", "show", "recorded_version", "VERSION_KEY"]
