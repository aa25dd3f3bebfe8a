"""The measure library: which social value measures a KPI register may use.

Each measure has a code, the priority it serves (a national priority or one of the
trust's local priorities), a unit, and whether it is an input or an outcome and
financial or not (Social Value Strategy 5.1). The default library ships with the
package (``data/measures.csv``), written for this trust from the Cabinet Office Social
Value Model (Open Government Licence). National TOMs and HACT codes and values are
licensed and are deliberately not bundled. A trust adds local priorities and measures
in its own CSV with the same columns (``--measures FILE``).

Pure: reads text, returns data and findings.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from difflib import get_close_matches
from functools import cached_property
from importlib import resources
from pathlib import Path

from sv_workbook.core.catalogue import MEASURE_REPLACED
from sv_workbook.core.bind import norm
from sv_workbook.core.contracts import NATIONAL_PRIORITIES, YES_NO
from sv_workbook.core.csv_rows import csv_error, read_csv_rows
from sv_workbook.core.findings import Finding

COLUMNS = ("code", "priority", "description", "unit", "type", "financial", "source")
TYPES = ("input", "outcome")
DEFAULT_LABEL = "sv_workbook/data/measures.csv"


@dataclass(frozen=True)
class Measure:
    code: str
    priority: str
    description: str
    unit: str
    type: str  # "input" or "outcome"
    financial: bool
    source: str

    @property
    def is_local(self) -> bool:
        return self.priority not in NATIONAL_PRIORITIES


@dataclass(frozen=True)
class MeasureLibrary:
    """The measures in force, in file order; lookups ignore case and surrounding spaces."""

    measures: tuple[Measure, ...]
    sources: tuple[str, ...] = (DEFAULT_LABEL,)

    def get(self, code: str | None) -> Measure | None:
        key = norm(code)
        return self._by_code.get(key) if key else None

    @cached_property
    def _by_code(self) -> dict[str, Measure]:
        """Measures by normalised code, the first one winning: built once per library, as
        every KPI of every register in a batch is looked up here."""
        out: dict[str, Measure] = {}
        for m in self.measures:
            out.setdefault(norm(m.code), m)
        return out

    def suggest(self, code: str) -> str | None:
        """The nearest known code, for 'did you mean' hints (typos such as JS1 for JS01)."""
        codes = [m.code for m in self.measures]
        close = get_close_matches(code.strip().upper(), [c.upper() for c in codes], n=1, cutoff=0.4)
        return next((c for c in codes if c.upper() == close[0]), None) if close else None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(m.code for m in self.measures)

    @cached_property
    def priorities(self) -> tuple[str, ...]:
        """National priorities first, then the local ones in the order the library names them."""
        local = [m.priority for m in self.measures if m.is_local]
        return tuple(NATIONAL_PRIORITIES) + tuple(dict.fromkeys(local))

    @property
    def units(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.unit for m in self.measures))

    def find_priority(self, text: str | None) -> str | None:
        key = norm(text)
        return self._by_priority.get(key) if key else None

    @cached_property
    def _by_priority(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for p in self.priorities:
            out.setdefault(norm(p), p)
        return out


def parse_measures(text: str, label: str) -> tuple[list[Measure], list[Finding]]:
    """Measures from CSV text; each unusable row is a finding naming ``label`` and the row."""
    rows, findings = read_csv_rows(text, label, COLUMNS)
    measures: list[Measure] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        problems = []
        for column in COLUMNS:
            if not row[column]:
                problems.append((f"'{column}' is blank.", f"Fill in the {column}."))
        kind = row["type"].casefold()
        if row["type"] and kind not in TYPES:
            problems.append((f"'type' is {row['type']!r}; it must be input or outcome.",
                             "Write input (what the supplier puts in) or outcome (the change it makes)."))
        fin = row["financial"].casefold()
        if row["financial"] and fin not in ("yes", "no"):
            problems.append((f"'financial' is {row['financial']!r}; it must be Yes or No.", "Write Yes or No."))
        code_key = norm(row["code"])
        if code_key and code_key in seen:
            problems.append((f"The code {row['code']!r} is already used on row {seen[code_key]}.",
                             "Give each measure its own code."))
        for message, hint in problems:
            findings.append(csv_error(label, line, "MEASURE-ROW-INVALID", message, hint))
        if problems:
            continue
        seen[code_key] = line
        measures.append(Measure(row["code"], _national_spelling(row["priority"]), row["description"], row["unit"],
                                kind, fin == "yes", row["source"]))
    return measures, findings


def _national_spelling(priority: str) -> str:
    """'jobs & skills' in a trust's file is the national priority, spelt as the contract spells it."""
    return next((p for p in NATIONAL_PRIORITIES if norm(p) == norm(priority)), priority)


def default_library() -> MeasureLibrary:
    text = resources.files("sv_workbook").joinpath("data/measures.csv").read_text(encoding="utf-8")
    measures, findings = parse_measures(text, DEFAULT_LABEL)
    assert not findings, findings  # the shipped file is tested; a failure here is a packaging bug
    return MeasureLibrary(tuple(measures))


def load_library(extra: str | Path | None = None) -> tuple[MeasureLibrary, list[Finding]]:
    """The default library plus a trust's own CSV; a trust's row replaces a default with the same code."""
    base = default_library()
    if extra is None:
        return base, []
    path = Path(extra)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return base, [csv_error(path.name, 0, "CSV-UNREADABLE", f"Cannot read the measures file: {exc}.",
                                "Check the path, and save it from Excel as 'CSV UTF-8 (Comma delimited)'.")]
    local, findings = parse_measures(text, path.name)
    merged = {norm(m.code): m for m in base.measures}
    for m in local:
        if norm(m.code) in merged:
            findings.append(MEASURE_REPLACED(f"The trust's measure {m.code} replaces the default measure "
                                 "with the same code.", "").at_workbook(path.name))
        merged[norm(m.code)] = m
    return MeasureLibrary(tuple(merged.values()), (DEFAULT_LABEL, path.name)), findings


def library_csv(library: MeasureLibrary) -> str:
    """The library in force as CSV (same columns as the input files, so it can be edited and reloaded)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for m in library.measures:
        writer.writerow([m.code, m.priority, m.description, m.unit, m.type, YES_NO[0] if m.financial else YES_NO[1],
                         m.source])
    return out.getvalue()


def library_text(library: MeasureLibrary) -> str:
    """The library for people: grouped by priority, one measure per line, then its source."""
    lines = [f"Measure library in force ({' + '.join(library.sources)}): {len(library.measures)} measures", ""]
    for priority in library.priorities:
        members = [m for m in library.measures if m.priority == priority]
        if not members:
            continue
        lines.append(f"{priority}{' (local priority)' if members[0].is_local else ''}")
        for m in members:
            lines.append(f"  {m.code:<8} [{m.unit}] {m.description} ({m.type}, "
                         f"{'financial' if m.financial else 'non-financial'})")
            lines.append(f"           source: {m.source}")
        lines.append("")
    return "\n".join(lines)


__all__ = ["Measure", "MeasureLibrary", "parse_measures", "default_library", "load_library", "library_csv",
           "library_text", "COLUMNS"]
