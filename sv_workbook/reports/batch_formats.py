"""Batch results as text (people), JSON (scripts), CSV (spreadsheets), JUnit XML (CI) and HTML (e-mail).

All four are written from the same record per workbook, so they cannot disagree about
which workbook passed: ``ok`` means "no finding at the --fail-on level" everywhere.
Each writer takes outcomes one at a time and writes as it goes, so checking 10,000
workbooks never holds 10,000 results in memory.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence, TextIO

from sv_workbook.core.findings import Severity
from sv_workbook.reports.inert import csv_cell, html_text
from sv_workbook.core.outcome import Outcome, fails

FORMATS = ("text", "json", "csv", "junit", "html")
CSV_COLUMNS = ("path", "kind", "ok", "severity", "code", "workbook", "sheet", "cell", "message", "hint")
FINDING_FIELDS = CSV_COLUMNS[3:]


@dataclass
class Tally:
    """What the whole run amounted to: the text summary and the exit code come from it."""

    workbooks: int = 0
    failing: int = 0
    unreadable: int = 0
    errors: int = 0
    warnings: int = 0

    def add(self, outcome: Outcome, fail_on: Severity) -> None:
        self.workbooks += 1
        self.failing += fails(outcome, fail_on)
        self.unreadable += not outcome.readable
        self.errors += sum(f.severity is Severity.ERROR for f in outcome.findings)
        self.warnings += sum(f.severity is Severity.WARNING for f in outcome.findings)


def record(o: Outcome, fail_on: Severity) -> dict[str, Any]:
    """The plain record of one workbook; every machine format is written from it."""
    return {"path": o.path, "kind": o.kind, "ok": not fails(o, fail_on),
            "findings": [f.as_dict() for f in o.findings]}


def write_results(outcomes: Iterable[Outcome], fmt: str, fail_on: Severity, out: TextIO,
                  verbose: bool = False) -> Tally:
    """Write every outcome to ``out`` in ``fmt`` as it arrives; return the tally."""
    tally = Tally()

    def counted() -> Iterable[Outcome]:
        for o in outcomes:
            tally.add(o, fail_on)
            yield o

    writers: dict[str, Callable[[], None]] = {
        "text": lambda: _write_text(counted(), fail_on, out, verbose, tally),
        "json": lambda: _write_json(counted(), fail_on, out),
        "csv": lambda: _write_csv(counted(), fail_on, out),
        "junit": lambda: _write_junit(counted(), fail_on, out, tally),
        "html": lambda: _write_html(counted(), fail_on, out),
    }
    writers[fmt]()
    return tally


def render(outcomes: Sequence[Outcome], fmt: str, fail_on: Severity, verbose: bool = False) -> str:
    """The whole output as one string (for tests and small runs)."""
    buffer = io.StringIO()
    write_results(outcomes, fmt, fail_on, buffer, verbose)
    return buffer.getvalue()


def to_csv(outcomes: Sequence[Outcome], fail_on: Severity) -> str:
    return render(outcomes, "csv", fail_on)


def _write_json(outcomes: Iterable[Outcome], fail_on: Severity, out: TextIO) -> None:
    """A JSON array, one object per workbook on its own line, written object by object.

    One line per workbook keeps the file easy to grep and to split, and lets the json
    module use its C encoder (indented output goes through a Python one, several times
    slower: a third of the parent process's time in a big batch). ``jq .`` pretty-prints it.
    """
    first = True
    for o in outcomes:
        out.write("[\n" if first else ",\n")
        first = False
        out.write(json.dumps(record(o, fail_on), ensure_ascii=False))
    out.write("[]\n" if first else "\n]\n")


def _write_csv(outcomes: Iterable[Outcome], fail_on: Severity, out: TextIO) -> None:
    """One row per finding; a workbook with no findings still gets one row (ok, no code).

    Workbook text is untrusted and the file is meant for Excel, so every field goes
    through ``inert.csv_cell`` (no cell can start a formula).
    """
    w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for o in outcomes:
        rec = record(o, fail_on)
        head = [rec["path"], rec["kind"] or "", "yes" if rec["ok"] else "no"]
        for f in rec["findings"] or [dict.fromkeys(FINDING_FIELDS, "")]:
            w.writerow([csv_cell(v) for v in head + [f[k] for k in FINDING_FIELDS]])


def _write_html(outcomes: Iterable[Outcome], fail_on: Severity, out: TextIO) -> None:
    """A self-contained findings page (for e-mailing to a panel); all workbook text escaped."""
    head = "".join(f"<th>{html_text(c)}</th>" for c in FINDING_FIELDS)
    out.write('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>sv-workbook findings</title>'
              "<style>table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:4px;text-align:left;"
              "vertical-align:top}</style></head><body>\n")
    for o in outcomes:
        status = "NOT OK" if fails(o, fail_on) else "OK"
        out.write(f"<h2>{html_text(o.path)} ({html_text(o.kind or 'unknown')}): {status}</h2>")
        rows = "".join("<tr>" + "".join(f"<td>{html_text(f.as_dict()[k])}</td>" for k in FINDING_FIELDS) + "</tr>"
                       for f in o.findings)
        out.write(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>\n")
    out.write("</body></html>\n")


def _write_junit(outcomes: Iterable[Outcome], fail_on: Severity, out: TextIO, tally: Tally) -> None:
    """One test case per workbook; a failure lists the findings at the fail level.

    An unreadable file is an ``<error>`` (the check could not run), a workbook with
    findings at the fail level a ``<failure>``; other findings go to ``<system-out>``.
    The suite's counts come first in the file but are known only at the end, so the test
    cases wait in a spooled temporary file (on disk once large), not in memory.
    """
    with tempfile.SpooledTemporaryFile(max_size=8 * 2**20, mode="w+", encoding="utf-8") as cases:
        for o in outcomes:
            case = ET.Element("testcase", classname=f"sv-workbook.{o.kind or 'unknown'}", name=o.path)
            blocking = [f for f in o.findings if f.severity.rank <= fail_on.rank]
            others = [f for f in o.findings if f.severity.rank > fail_on.rank]
            if blocking:
                tag = "error" if not o.readable else "failure"
                ET.SubElement(case, tag, message=_counts(blocking), type=blocking[0].code).text = "\n".join(
                    map(str, blocking))
            if others:
                ET.SubElement(case, "system-out").text = "\n".join(map(str, others))
            ET.indent(case, level=2)
            cases.write("    " + ET.tostring(case, encoding="unicode").rstrip() + "\n")
        counts = (f'tests="{tally.workbooks}" failures="{tally.failing - tally.unreadable}" '
                  f'errors="{tally.unreadable}"')
        out.write("<?xml version='1.0' encoding='utf-8'?>\n")
        out.write(f'<testsuites name="sv-workbook validate" {counts}>\n')
        out.write(f'  <testsuite name="sv-workbook validate" {counts}>\n')
        cases.seek(0)
        for line in cases:
            out.write(line)
        out.write("  </testsuite>\n</testsuites>\n")


def _write_text(outcomes: Iterable[Outcome], fail_on: Severity, out: TextIO, verbose: bool, tally: Tally) -> None:
    """Grouped by workbook, errors first; notices (info) and technical detail only with ``verbose``."""
    for o in outcomes:
        shown = [f for f in o.findings if verbose or f.severity is not Severity.INFO]
        status = "NOT OK" if fails(o, fail_on) else "OK"
        out.write(f"{o.path} ({o.kind or 'unknown'}): {status} – {_counts(o.findings)}\n")
        for f in shown:
            out.write(f"  {f}\n")
        if verbose and o.detail:
            out.write(f"  (technical detail: {o.detail})\n")
        hidden = len(o.findings) - len(shown)
        if hidden:
            out.write(f"  ({hidden} notice(s) not shown: add --verbose)\n")
        for line in o.lines:
            out.write(line + "\n")
    out.write(f"\nChecked {tally.workbooks} workbook(s): {tally.workbooks - tally.failing} OK, {tally.failing} NOT OK "
              f"(failing on {fail_on.value}s). {tally.errors} error(s), {tally.warnings} warning(s) in all.\n")


def _counts(findings) -> str:
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = sum(f.severity is Severity.WARNING for f in findings)
    return f"{errors} error(s), {warnings} warning(s)"
