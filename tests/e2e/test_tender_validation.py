"""Each validation rule on a real workbook file: the finding, its sheet and cell, and its fix."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.support.example_tender import example_tender
from sv_workbook.app.analyse import analyse_file
from sv_workbook.core.policy import DEFAULT_POLICY

from tests.support.paths import TODAY
from tests.support.tender_files import tender_file


def findings(path):
    return analyse_file(path, DEFAULT_POLICY, TODAY).findings


def one(fs, code):
    hits = [f for f in fs if f.code == code]
    assert hits, f"no {code} in {[f.code for f in fs]}"
    return hits[0]


def test_clean_example_has_no_errors(tmp_path):
    outcome = analyse_file(tender_file(tmp_path / "t.xlsx"), DEFAULT_POLICY, TODAY)
    assert outcome.kind == "tender" and outcome.ok
    assert all(f.workbook == "t.xlsx" for f in outcome.findings)


@pytest.mark.parametrize("edit, code, sheet, cell", [
    (lambda wb: wb["Criteria"].__setitem__("C2", 35), "WEIGHTS-SUM", "Criteria", "C2:C7"),
    (lambda wb: wb["Setup"].__setitem__("B8", 45), "PRICE-QUALITY-SUM", "Setup", "B8"),
    (lambda wb: wb["Scores"].__setitem__("D2", 7), "SCORE-OUT-OF-RANGE", "Scores", "D2"),
    (lambda wb: wb["Scores"].__setitem__("D3", "four"), "NOT-A-NUMBER", "Scores", "D3"),
    (lambda wb: wb["Scores"].__setitem__("D4", None), "BLANK", "Scores", "D4"),
    (lambda wb: wb["Scores"].__setitem__("A2", "Moorland Property Services"), "UNKNOWN-BIDDER", "Scores", "A2"),
    (lambda wb: wb["Consensus"].__setitem__("B2", "Q9"), "UNKNOWN-CRITERION", "Consensus", "B2"),
    (lambda wb: wb["Criteria"].__setitem__("A3", "Q1"), "DUPLICATE-CRITERION", "Criteria", "A3"),
    (lambda wb: wb["Bidders"].__setitem__("A3", "Moorland Property Services Ltd"), "DUPLICATE-BIDDER", "Bidders", "A3"),
    (lambda wb: wb["Scores"].__setitem__("C3", "A. Patel"), "DUPLICATE-SCORE", "Scores", "A3"),
    (lambda wb: wb["Bidders"].__setitem__("B2", 0), "NO-PRICE", "Bidders", "B2"),
    (lambda wb: wb["Bidders"].__setitem__("B2", None), "NO-PRICE", "Bidders", "B2"),
    (lambda wb: wb["Consensus"].__setitem__("C2", None), "MISSING-CONSENSUS", "Consensus", ""),
    (lambda wb: wb["Setup"].__setitem__("B7", "Open tender"), "UNKNOWN-CHOICE", "Setup", "B7"),
    (lambda wb: wb["Criteria"].__setitem__("F2", 9), "MIN-SCORE-RANGE", "Criteria", "F2"),
])
def test_each_error_names_sheet_and_cell(tmp_path, edit, code, sheet, cell):
    f = one(findings(tender_file(tmp_path / "t.xlsx", edit=edit)), code)
    assert f.severity.value == "error" and f.sheet == sheet and f.cell == cell and f.hint


def test_sv_below_minimum_is_an_error_naming_the_strategy(tmp_path):
    t = example_tender()
    crits = tuple(replace(c, weight=c.weight + 10 if c.id == "Q1" else (0.0 if c.social_value else c.weight))
                  for c in t.criteria)
    crits = tuple(replace(c, weight=c.weight - 5 if c.id == "Q1" else c.weight) for c in crits)
    f = one(findings(tender_file(tmp_path / "t.xlsx", replace(t, criteria=crits))), "SV-WEIGHT-BELOW-MIN")
    assert "clause 4.2" in f.message and f.sheet == "Setup" and f.cell == "B7"


def test_missing_comment_and_rationale_are_warnings(tmp_path):
    def edit(wb):
        wb["Scores"]["E2"] = None
        wb["Consensus"]["D2"] = "  "
    fs = findings(tender_file(tmp_path / "t.xlsx", edit=edit))
    assert one(fs, "MISSING-COMMENT").cell == "E2"
    assert one(fs, "MISSING-RATIONALE").cell == "D2"


def test_missing_table_name_and_sheet(tmp_path):
    def edit(wb):
        del wb["Bidders"].tables["Bidders"]
        del wb.defined_names["ScoreScaleMax"]
        wb["Consensus"].title = "Moderation"
    fs = findings(tender_file(tmp_path / "t.xlsx", edit=edit))
    assert "Insert › Table" in one(fs, "MISSING-TABLE").hint
    assert one(fs, "MISSING-NAME").sheet == "Setup"
    assert one(fs, "MISSING-SHEET").sheet == "Consensus"


def test_headers_tolerate_case_and_spaces_and_missing_column_is_named(tmp_path):
    def edit(wb):
        wb["Bidders"]["A1"] = "  bidder "
        wb["Criteria"]["C1"] = "Weighting"
    fs = findings(tender_file(tmp_path / "t.xlsx", edit=edit))
    missing = one(fs, "MISSING-COLUMN")
    assert "'Weight'" in missing.message and "Weighting" in missing.hint
    assert not any(f.code == "MISSING-COLUMN" and "Bidder" in f.message for f in fs)


def test_formula_in_input_without_cached_value(tmp_path):
    fs = findings(tender_file(tmp_path / "t.xlsx", edit=lambda wb: wb["Bidders"].__setitem__("B3", "=1000*2")))
    f = one(fs, "FORMULA-NOT-CALCULATED")
    assert f.cell == "B3" and "=1000*2" in f.message


def test_unreadable_file_is_a_finding_not_a_crash(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"this is not a zip")
    outcome = analyse_file(bad, DEFAULT_POLICY, TODAY)
    assert not outcome.readable and outcome.findings[0].code == "FILE-UNREADABLE"


def test_name_pointing_at_a_table_column_is_not_called_another_workbook(tmp_path):
    from openpyxl.workbook.defined_name import DefinedName

    def edit(wb):
        wb.defined_names["ScoreScaleMax"] = DefinedName("ScoreScaleMax", attr_text="Criteria[Weight]")
    f = one(findings(tender_file(tmp_path / "t.xlsx", edit=edit)), "BAD-NAME")
    assert "another workbook" not in f.message and "Criteria[Weight]" in f.message


def test_a_broken_setting_does_not_hide_the_cell_errors_elsewhere(tmp_path):
    def edit(wb):
        wb["Setup"]["B5"] = "lots"
        wb["Scores"]["D3"] = "four"
    fs = findings(tender_file(tmp_path / "t.xlsx", edit=edit))
    assert one(fs, "NOT-A-NUMBER").cell in {"B5", "D3"}
    assert {(f.sheet, f.cell) for f in fs if f.code == "NOT-A-NUMBER"} == {("Setup", "B5"), ("Scores", "D3")}
