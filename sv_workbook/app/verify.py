"""``sv-workbook verify``: is this scored workbook still what was scored?

Recomputes the fingerprint record from the workbook as it is now (``core/tender/fingerprint.py``)
and compares it, entry by entry, with the record ``score`` wrote on the Scored inputs sheet; and
checks that record against the SHA-256 written with it, so an edited record shows too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sv_workbook import __version__
from sv_workbook.core.bind import norm
from sv_workbook.core.catalogue import VERIFY_CHANGED, VERIFY_NO_RECORD, VERIFY_OTHER_VERSION, VERIFY_RECORD_EDITED
from sv_workbook.core.contracts import TENDER
from sv_workbook.core.findings import Finding
from sv_workbook.core.policy import Policy
from sv_workbook.core.rawbook import RawBook
from sv_workbook.core.tender.fingerprint import Entry, differences, digest, recorded_version, result_entries
from sv_workbook.core.tender.parse import parse_tender
from sv_workbook.core.tender.scoring import score_tender
from sv_workbook.xlsx.openpyxl_read import WorkbookUnreadable, read_rawbook

MATCH, CHANGED, UNREADABLE = 0, 1, 2


@dataclass
class Verdict:
    """Exit code (0 match, 1 changed or no record, 2 unreadable) and what to tell the auditor."""

    code: int
    findings: list[Finding] = field(default_factory=list)
    fingerprint: str = ""


def read_record(raw: RawBook) -> tuple[str, list[Entry]] | None:
    """The recorded fingerprint and entries, or None when the workbook carries no record."""
    name = raw.find_name("ResultFingerprint")
    table = raw.find_table("ScoredInputs")
    if name is None or table is None:
        return None
    spec = TENDER.table("ScoredInputs").headers
    index = {norm(h): i for i, h in enumerate(table.headers)}
    if any(norm(h) not in index for h in spec):
        return None
    entries = []
    for row in table.rows:
        values = ["" if (i >= len(row) or row[i].value is None) else str(row[i].value)
                  for i in (index[norm(h)] for h in spec)]
        if any(values):
            entries.append(Entry(*values))
    return ("" if name.value is None else str(name.value).strip()), entries


def verify_file(path: str | Path, policy: Policy, today: date | None = None) -> Verdict:
    path = Path(path)
    label = path.name
    try:
        raw = read_rawbook(path, policy)
    except WorkbookUnreadable as exc:
        return Verdict(UNREADABLE, [VERIFY_NO_RECORD(f"Cannot read the workbook: {exc.reason}.", exc.hint)
                                    .at_workbook(label)])
    record = read_record(raw)
    if record is None:
        return Verdict(CHANGED, [VERIFY_NO_RECORD("This workbook carries no record of scored inputs "
                                                  "(no ResultFingerprint name or ScoredInputs table).",
                                                  sheet="Scored inputs").at_workbook(label)])
    stored, recorded = record
    if digest(recorded) != stored:
        return Verdict(CHANGED, [VERIFY_RECORD_EDITED(
            f"The Scored inputs sheet hashes to {digest(recorded)}, not to the ResultFingerprint {stored} written "
            "with it: the record was edited after scoring.", sheet="Scored inputs", cell="B4").at_workbook(label)],
            stored)
    tender, findings = parse_tender(raw)
    if tender is None:
        errors = [f.at_workbook(label) for f in findings if f.severity.value == "error"]
        return Verdict(UNREADABLE, errors, stored)
    result = score_tender(tender, policy, today or date.today())
    current = result_entries(result, policy, __version__)
    out = [VERIFY_CHANGED(line).at_workbook(label) for line in differences(recorded, current)]
    then = recorded_version(recorded)
    if then != __version__:
        out.append(VERIFY_OTHER_VERSION(f"Scored with sv-workbook {then or 'of unknown version'}; verified with "
                                        f"{__version__}.").at_workbook(label))
    return Verdict(CHANGED if any(f.code == VERIFY_CHANGED.code for f in out) else MATCH, out, stored)


__all__ = ["verify_file", "read_record", "Verdict", "MATCH", "CHANGED", "UNREADABLE"]
