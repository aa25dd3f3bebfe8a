"""Hostile text from bidders and evaluators stays inert text in Excel, CSV, JSON and HTML output."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from sv_workbook.cli.commands import main
from tests.support.example_tender import example_tender
from sv_workbook.reports.inert import FORMULA_TRIGGERS, csv_cell, csv_text, html_text
from sv_workbook.app.jobs import score_file
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.xlsx.safe_write import atomic_save
from sv_workbook.xlsx.tender_template import build_tender_template
from tests.support.fill import fill_tender

from tests.support.paths import TODAY
from tests.support.zips import read_part, sheet_part

HOSTILE = ['=HYPERLINK("http://x","y")', "@SUM(1)", "+1", "-2+3"]
HOSTILE_TEXT = ["=cmd|' /C calc'!A0", "\t=1+1", "<script>alert('bid')</script>", "\r=2"]


def hostile_workbook(path: Path) -> Path:
    """The example tender with its four bidders renamed to formula-like names, and hostile comments."""
    tender = example_tender()
    rename = dict(zip((b.name for b in tender.bidders), HOSTILE))
    tender = replace(
        tender,
        bidders=tuple(replace(b, name=rename[b.name]) for b in tender.bidders),
        scores=tuple(replace(s, bidder=rename[s.bidder], comment=HOSTILE_TEXT[i % 4])
                     for i, s in enumerate(tender.scores)) + (
            replace(tender.scores[0], bidder="<script>alert('bid')</script>"),),  # unknown bidder → a finding
        consensus=tuple(replace(m, bidder=rename[m.bidder], rationale=HOSTILE_TEXT[i % 4])
                        for i, m in enumerate(tender.consensus)),
    )
    wb = build_tender_template()
    fill_tender(wb, tender)
    atomic_save(wb, path)
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    # even the file name starts like a formula: it is a field of every CSV row
    return hostile_workbook(tmp_path_factory.mktemp("hostile") / "=hostile.xlsx")


def test_csv_cell_escapes_formula_starts_per_owasp():
    for text in HOSTILE + HOSTILE_TEXT[:2] + ["\r=2"]:
        assert csv_cell(text) == "'" + text
    assert csv_cell("Acme Ltd") == "Acme Ltd" and csv_cell(-2.5) == "-2.5" and csv_cell(None) == ""
    rows = list(csv.reader(io.StringIO(csv_text(["Bidder"], [[h] for h in HOSTILE]))))
    assert [r[0] for r in rows[1:]] == ["'" + h for h in HOSTILE]


def test_html_text_escapes_markup():
    assert html_text("<script>alert('x')</script>") == "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    assert html_text('a"b&c') == "a&quot;b&amp;c"


def test_hostile_names_survive_score_as_text_cells(tmp_path, hostile):
    out = tmp_path / "scored.xlsx"
    outcome = score_file(hostile, out, DEFAULT_POLICY, TODAY)
    assert {r.bidder for r in outcome.result.results} == set(HOSTILE)
    wb = load_workbook(out)
    report = wb["Report"]
    cells = [c for row in report.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "the Report sheet holds no formulas at all"
    bidder_cells = {c.value: c.data_type for c in cells if c.value in HOSTILE}
    assert bidder_cells == {h: "s" for h in HOSTILE}
    triggered = [c for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_TRIGGERS)]
    assert len(triggered) >= len(HOSTILE) and all(c.data_type == "s" for c in triggered)
    # and in the file itself: no <f> element anywhere in the Report sheet's XML
    assert not re.search(rb"<f[ >]", read_part(out, sheet_part(out, "Report")))
    # the inputs themselves are still text in the other sheets
    assert {wb["Bidders"][f"A{i}"].data_type for i in range(2, 6)} == {"s"}


def test_hostile_text_in_json_csv_and_html_output(hostile):
    runner = CliRunner()
    args = ["validate", str(hostile), "--as-of", TODAY.isoformat(), "--format"]
    as_json = json.loads(runner.invoke(main, args + ["json"]).stdout)
    messages = " ".join(f["message"] for f in as_json[0]["findings"])
    assert "<script>alert('bid')</script>" in messages  # JSON carries the text as data, unchanged

    as_csv = runner.invoke(main, args + ["csv"]).stdout
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert rows and {r["workbook"] for r in rows} == {"'=hostile.xlsx"}
    fields = [field for row in rows for field in row.values()]
    assert not [f for f in fields if f.startswith(FORMULA_TRIGGERS)]
    assert any("<script>" in f for f in fields)

    as_html = runner.invoke(main, args + ["html"]).output
    assert "<script>" not in as_html and "&lt;script&gt;" in as_html


#: Names an evaluator may type that mean something to a program (JavaScript's and Python's special
#: names, what pandas and float() read as missing or infinite), or that are long or not Latin.
LOOK_ALIKE = ["__proto__", "constructor", "toString", "__init__", "None", "nan", "NaN", "inf",
              "Northern Homes " + "and Repairs " * 25 + "plc", "Builders 🏗️ Ltd 👷🏽", "شركة البناء المحدودة"]


@pytest.mark.parametrize("name", LOOK_ALIKE, ids=lambda n: n[:12])
def test_a_bidder_name_that_means_something_to_a_program_is_ordinary_text(tmp_path, name):
    """validate ranks it, score writes it as a text cell, summaries writes its document: as typed.
    The 300-character name crashed ``summaries`` (a Word title holds 255 characters)."""
    from tests.support.contract_builder import tender_data, write_contract_workbook

    names, tables = tender_data()
    first = tables["Bidders"][0]["Bidder"]
    for table in ("Bidders", "Scores", "Consensus"):
        for row in tables[table]:
            row["Bidder"] = name if row["Bidder"] == first else row["Bidder"]
    path = write_contract_workbook(tmp_path / "tender.xlsx", "tender", names, tables)
    runner, as_of = CliRunner(), ["--as-of", TODAY.isoformat()]

    checked = runner.invoke(main, ["validate", *as_of, str(path)])
    assert checked.exit_code == 0 and re.search(rf"^\s+\d\s+[\d.]+\s+{re.escape(name)}\s+\[Ranked\]$",
                                                checked.output, re.MULTILINE), checked.output
    scored = runner.invoke(main, ["score", *as_of, "-o", str(tmp_path / "scored.xlsx"), str(path)])
    assert scored.exit_code == 0, scored.output
    report = load_workbook(tmp_path / "scored.xlsx")["Report"]
    assert {c.data_type for row in report.iter_rows() for c in row if c.value == name} == {"s"}
    written = runner.invoke(main, ["summaries", *as_of, "-o", str(tmp_path / "out"), str(path)])
    assert written.exit_code == 0, written.output
    from docx import Document
    suppliers = {p.text for doc in (tmp_path / "out").glob("*.docx") for p in Document(doc).paragraphs}
    assert f"Supplier: {name}" in suppliers
