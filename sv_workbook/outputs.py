"""Batch results as text (people), JSON (scripts), CSV (spreadsheets) and JUnit XML (CI).

All four are built from the same records, so they cannot disagree about which workbook
passed: ``ok`` means "no finding at the --fail-on level" everywhere.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from typing import Any, Sequence

from .batch import fails
from .findings import Severity
from .jobs import Outcome

FORMATS = ("text", "json", "csv", "junit")
CSV_COLUMNS = ("path", "kind", "ok", "severity", "code", "sheet", "cell", "message", "hint")
#: First characters that make spreadsheet programs run a cell as a formula (OWASP CSV injection).
CSV_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def records(outcomes: Sequence[Outcome], fail_on: Severity) -> list[dict[str, Any]]:
    """One plain record per workbook; every machine format is written from these."""
    return [{
        "path": o.path,
        "kind": o.kind,
        "ok": not fails(o, fail_on),
        "findings": [{k: v for k, v in f.as_dict().items() if k != "workbook"} for f in o.findings],
    } for o in outcomes]


def render(outcomes: Sequence[Outcome], fmt: str, fail_on: Severity, verbose: bool = False) -> str:
    writer = {"text": lambda: to_text(outcomes, fail_on, verbose), "json": lambda: to_json(outcomes, fail_on),
              "csv": lambda: to_csv(outcomes, fail_on), "junit": lambda: to_junit(outcomes, fail_on)}[fmt]
    return writer()


def to_json(outcomes: Sequence[Outcome], fail_on: Severity) -> str:
    return json.dumps(records(outcomes, fail_on), indent=2, ensure_ascii=False) + "\n"


def csv_safe(text: Any) -> str:
    """Text a spreadsheet opens as text: a leading ``'`` disarms ``=cmd|...`` and friends.

    Workbook content (sheet names, cell text quoted in messages) is untrusted and the CSV
    is meant to be opened in Excel.
    """
    text = "" if text is None else str(text)
    return "'" + text if text.startswith(CSV_FORMULA_TRIGGERS) else text


def to_csv(outcomes: Sequence[Outcome], fail_on: Severity) -> str:
    """One row per finding; a workbook with no findings still gets one row (ok, no code)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for rec in records(outcomes, fail_on):
        head = [rec["path"], rec["kind"] or "", "yes" if rec["ok"] else "no"]
        for f in rec["findings"] or [dict.fromkeys(CSV_COLUMNS[3:], "")]:
            w.writerow([csv_safe(v) for v in head + [f[k] for k in CSV_COLUMNS[3:]]])
    return out.getvalue()


def to_junit(outcomes: Sequence[Outcome], fail_on: Severity) -> str:
    """One test case per workbook; a failure lists the findings at the fail level.

    An unreadable file is an ``<error>`` (the check could not run), a workbook with
    findings at the fail level a ``<failure>``; other findings go to ``<system-out>``.
    """
    recs = records(outcomes, fail_on)
    n_error = sum(1 for o in outcomes if not o.readable)
    n_fail = sum(1 for o, r in zip(outcomes, recs) if o.readable and not r["ok"])
    suites = ET.Element("testsuites", name="sv-workbook validate", tests=str(len(recs)),
                        failures=str(n_fail), errors=str(n_error))
    suite = ET.SubElement(suites, "testsuite", name="sv-workbook validate", tests=str(len(recs)),
                          failures=str(n_fail), errors=str(n_error))
    for o, rec in zip(outcomes, recs):
        case = ET.SubElement(suite, "testcase", classname=f"sv-workbook.{o.kind or 'unknown'}", name=o.path)
        blocking = [f for f in o.findings if f.severity.rank <= fail_on.rank]
        others = [f for f in o.findings if f.severity.rank > fail_on.rank]
        if blocking:
            tag = "error" if not o.readable else "failure"
            summary = _counts(blocking)
            ET.SubElement(case, tag, message=summary, type=blocking[0].code).text = "\n".join(map(str, blocking))
        if others:
            ET.SubElement(case, "system-out").text = "\n".join(map(str, others))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def to_text(outcomes: Sequence[Outcome], fail_on: Severity, verbose: bool = False) -> str:
    """Grouped by workbook, errors first; notes (info) only with ``verbose``."""
    lines: list[str] = []
    for o in outcomes:
        shown = [f for f in o.findings if verbose or f.severity is not Severity.INFO]
        status = "NOT OK" if fails(o, fail_on) else "OK"
        lines.append(f"{o.path} ({o.kind or 'unknown'}): {status} – {_counts(o.findings)}")
        lines.extend(f"  {f}" for f in shown)
        hidden = len(o.findings) - len(shown)
        if hidden:
            lines.append(f"  ({hidden} notice(s) not shown: add --verbose)")
        lines.extend(o.summary)
    failing = sum(1 for o in outcomes if fails(o, fail_on))
    lines.append("")
    lines.append(f"Checked {len(outcomes)} workbook(s): {len(outcomes) - failing} OK, {failing} NOT OK "
                 f"(failing on {fail_on.value}s). {_counts([f for o in outcomes for f in o.findings])} in all.")
    return "\n".join(lines) + "\n"


def _counts(findings) -> str:
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = sum(f.severity is Severity.WARNING for f in findings)
    return f"{errors} error(s), {warnings} warning(s)"
