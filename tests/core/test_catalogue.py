"""The finding catalogue: the one place codes are written, well formed, and docs/findings.md in step with it."""

from __future__ import annotations

import ast
import codecs
import re
from pathlib import Path

import pytest

from sv_workbook.core import catalogue
from sv_workbook.core.catalogue import CATALOGUE, HAS_MACROS, WEIGHTS_SUM, Code, catalogue_markdown, describe
from sv_workbook.core.findings import Severity
from tests.support.paths import ROOT

PACKAGE = ROOT / "sv_workbook"
DOC = ROOT / "docs" / "findings.md"
#: Only these may write a code or build a Finding: the catalogue, and findings.py (``at_workbook`` copies one).
ALLOWED = {PACKAGE / "core" / "catalogue.py", PACKAGE / "core" / "findings.py"}

CODE_LIKE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$")
#: The start of an f-string that builds a code, as f"UNKNOWN-{kind.upper()}" did.
CODE_PREFIX = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-$")


def code_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string constant that is a catalogue code or looks like one."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in CATALOGUE or (CODE_LIKE.match(node.value) and not _is_codec(node.value)):
                found.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr) and node.values:
            head = node.values[0]
            if isinstance(head, ast.Constant) and isinstance(head.value, str) and CODE_PREFIX.match(head.value):
                found.append((node.lineno, head.value + "{...}"))
    return found


def _is_codec(text: str) -> bool:
    """A text encoding's name (``UTF-8``, ``ISO-8859-1``), which looks like a code but is not one."""
    try:
        codecs.lookup(text)
    except LookupError:
        return False
    return True


def direct_constructions(source: str) -> list[tuple[int, str]]:
    """Calls that make a finding or a code without going through the catalogue's entries."""
    return [(node.lineno, node.func.id) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in ("Finding", "new_finding", "Code", "_code")]


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p not in ALLOWED)


def test_the_scanners_see_what_they_must():
    assert code_literals('error("WEIGHTS-SUM", "The weights add up to 90.")') == [(1, "WEIGHTS-SUM")]
    assert code_literals('x = "BLANK"') == [(1, "BLANK")]  # a catalogue code without a hyphen
    assert code_literals('x = "NEW-THING-2"') == [(1, "NEW-THING-2")]  # looks like a code, not declared
    assert code_literals('f(f"UNKNOWN-{kind.upper()}")') == [(1, "UNKNOWN-{...}")]
    assert code_literals('x = "Weights-sum"; y = f"{n} error(s)"; z = "A2:B5"; e = "UTF-16-LE"') == []
    assert direct_constructions("Finding(Severity.ERROR, code, m)\nCode('X')\nnew_finding(s, c, m)") == [
        (1, "Finding"), (2, "Code"), (3, "new_finding")]


def test_no_code_is_written_outside_the_catalogue():
    offenders = [f"{p.relative_to(ROOT)}:{line}: {text}" for p in _modules()
                 for line, text in code_literals(p.read_text(encoding="utf-8"))]
    assert not offenders, ("declare codes in sv_workbook/core/catalogue.py and make findings by calling them "
                           "(WEIGHTS_SUM(message, hint=...)); compare with WEIGHTS_SUM.code:\n" + "\n".join(offenders))


def test_every_finding_is_made_from_a_catalogue_entry():
    offenders = [f"{p.relative_to(ROOT)}:{line}: {name}(...)" for p in _modules()
                 for line, name in direct_constructions(p.read_text(encoding="utf-8"))]
    assert not offenders, "make findings by calling a catalogue entry:\n" + "\n".join(offenders)


def test_each_entry_is_bound_to_its_own_name_and_complete():
    bound = {name: value for name, value in vars(catalogue).items() if isinstance(value, Code)}
    assert sorted(bound) == sorted(code.replace("-", "_") for code in CATALOGUE)
    for name, entry in bound.items():
        assert CATALOGUE[entry.code] is entry and name == entry.code.replace("-", "_")
        assert re.fullmatch(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)*", entry.code), entry.code
        assert entry.title and not entry.title.endswith("."), entry.code
        assert entry.meaning.endswith(".") and entry.fix.endswith("."), entry.code
        assert entry.area and entry.severities[0] is entry.severity, entry.code
        assert len(set(entry.severities)) == len(entry.severities), entry.code


def test_a_code_makes_findings_with_its_severity_and_fix():
    f = WEIGHTS_SUM("The criteria weights add up to 90, not 100.", sheet="Criteria", cell="C2:C5")
    assert (f.severity, f.code, f.sheet, f.cell) == (Severity.ERROR, "WEIGHTS-SUM", "Criteria", "C2:C5")
    assert f.hint == WEIGHTS_SUM.fix  # no hint given: the catalogue's fix
    assert WEIGHTS_SUM("m", hint="").hint == ""
    assert HAS_MACROS("m", "h", severity=Severity.WARNING).severity is Severity.WARNING
    with pytest.raises(ValueError, match="WEIGHTS-SUM is never a warning"):
        WEIGHTS_SUM("m", severity=Severity.WARNING)


def test_findings_made_the_quick_way_are_the_dataclass_s_own():
    """``new_finding`` (what the catalogue and ``at_workbook`` use) fills exactly the dataclass's
    fields: a field added to ``Finding`` and forgotten there fails here."""
    from dataclasses import fields

    from sv_workbook.core.findings import Finding, new_finding

    args = (Severity.WARNING, "WEIGHTS-SUM", "m", "h", "Criteria", "C2", "t.xlsx", (("k", "v"),))
    quick, made = new_finding(*args), Finding(*args)
    assert quick == made and hash(quick) == hash(made) and repr(quick) == repr(made) and type(quick) is Finding
    assert (str(quick), quick.as_dict(), quick.location) == (str(made), made.as_dict(), made.location)
    assert list(vars(quick)) == [f.name for f in fields(Finding)] == list(vars(made))
    assert new_finding(*args[:3]) == Finding(*args[:3])  # the same defaults
    assert made.at_workbook("u.xlsx") == Finding(*args[:6], "u.xlsx", args[7])
    with pytest.raises(AttributeError):
        quick.code = "X"  # still frozen


def test_a_code_cannot_be_declared_twice():
    with pytest.raises(ValueError, match="declared twice"):
        catalogue._code("WEIGHTS-SUM", Severity.ERROR, "t", "m.", "f.", catalogue.TENDER)
    assert CATALOGUE["WEIGHTS-SUM"] is WEIGHTS_SUM


def test_docs_findings_md_is_the_catalogue():
    assert DOC.read_text(encoding="utf-8") == catalogue_markdown(), (
        "docs/findings.md is stale: run `python scripts/update-findings-doc.py`")
    for code in CATALOGUE:
        assert f"\n### {code}\n" in DOC.read_text(encoding="utf-8")


def test_describe_says_every_severity_a_code_can_take():
    text = describe(HAS_MACROS)
    assert text.startswith("HAS-MACROS: The workbook carries VBA macros\nSeverity: info (can also be warning)\n")
    assert "Fix: No action for an .xlsm" in text
