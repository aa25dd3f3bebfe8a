"""What the reader tells people about workbooks that bend the contract (merges, hidden sheets, renamed tables, formulas)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sv_workbook.app.analyse import analyse_file
from sv_workbook.core.policy import DEFAULT_POLICY

from tests.support.paths import TODAY
from tests.support.zips import rewrite, sheet_part


def edited(path: Path, change) -> Path:
    """Change the example with openpyxl, as another tool would, and save it beside."""
    wb = load_workbook(path)
    change(wb)
    out = path.with_name("edited.xlsx")
    wb.save(out)
    return out


def findings(path: Path, code: str):
    return [f for f in analyse_file(path, DEFAULT_POLICY, TODAY).findings if f.code == code]


def test_merge_over_table_inputs_is_an_error_naming_the_hidden_cells(example_path):
    path = edited(example_path, lambda wb: wb["Bidders"].merge_cells("A3:B3"))
    [merged] = findings(path, "MERGED-INPUT")
    assert merged.sheet == "Bidders" and merged.cell == "A3:B3" and merged.severity == "error"
    assert "B3" in merged.message and "table 'Bidders'" in merged.message
    assert "Unmerge" in merged.hint


def test_merge_hiding_a_named_cell(example_path):
    path = edited(example_path, lambda wb: wb["Setup"].merge_cells("A5:B5"))  # ContractValue is B5
    [merged] = findings(path, "MERGED-INPUT")
    assert "'ContractValue'" in merged.message and merged.cell == "A5:B5"


def test_merge_with_the_input_as_top_left_is_harmless(example_path):
    path = edited(example_path, lambda wb: wb["Setup"].merge_cells("B4:C4"))  # TenderTitle stays readable
    assert findings(path, "MERGED-INPUT") == []
    assert analyse_file(path, DEFAULT_POLICY, TODAY).result is not None


def test_hidden_and_very_hidden_sheets(example_path):
    def hide(wb):
        wb["Instructions"].sheet_state = "hidden"
        wb["Lists"].sheet_state = "veryHidden"
    path = edited(example_path, hide)
    by_sheet = {f.sheet: f for f in findings(path, "HIDDEN-SHEET")}
    assert by_sheet["Instructions"].severity == "info"
    assert by_sheet["Lists"].severity == "warning" and "Alt+F11" in by_sheet["Lists"].hint


def test_renamed_table_is_named_with_the_fix(example_path):
    def rename(wb):
        ws = wb["Bidders"]
        table = ws.tables["Bidders"]
        del ws.tables["Bidders"]
        table.name = table.displayName = "Table7"
        ws.add_table(table)
    path = edited(example_path, rename)
    [renamed] = findings(path, "RENAMED-TABLE")
    assert renamed.sheet == "Bidders" and "'Table7'" in renamed.message
    assert "type 'Bidders' under Table Design › Table Name" in renamed.hint
    assert findings(path, "MISSING-TABLE") == []


def test_missing_table_message_reads_as_a_sentence(example_path):
    def drop(wb):
        del wb["Consensus"].tables["Consensus"]
    [missing] = findings(edited(example_path, drop), "MISSING-TABLE")
    assert missing.message == ("The Excel Table 'Consensus' (the moderated consensus marks) is missing.")
    assert "Insert › Table" in missing.hint and missing.sheet == "Consensus"


def test_formula_without_a_calculated_value(example_path):
    path = edited(example_path, lambda wb: wb["Bidders"].__setitem__("B2", "=1600000+40000"))
    [f] = findings(path, "FORMULA-NOT-CALCULATED")
    assert (f.sheet, f.cell) == ("Bidders", "B2") and "=1600000+40000" in f.message


def test_formula_with_a_cached_value_is_read_as_that_value(tmp_path, example_path):
    """As Excel saves it: a typed =1600000+40000 is the price Excel shows, with no finding (issue 13)."""
    part = sheet_part(example_path, "Bidders")

    def edit(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        return re.sub(rb'(<c r="B2"[^>]*>)<v>1640000</v>', rb"\1<f>1600000+40000</f><v>1640000</v>", data)
    path = rewrite(example_path, tmp_path / "cached.xlsx", edit)
    outcome = analyse_file(path, DEFAULT_POLICY, TODAY)
    assert [f for f in outcome.findings if f.cell == "B2" and f.sheet == "Bidders"] == []
    assert outcome.result.result("Moorland Property Services Ltd").price == pytest.approx(1_640_000)


@pytest.mark.parametrize("target", ["Setup!$A", "Setup!$3", "Setup!$A$0", "Setup!$XFE$1", "Setup!$B$1048577"])
def test_names_that_are_not_one_cell_in_the_grid(example_path, target):
    """Found by the fuzz campaign: Setup!A is a whole column to openpyxl, not a cell."""
    def repoint(wb):
        wb.defined_names["TenderRef"].attr_text = target
    [bad] = findings(edited(example_path, repoint), "BAD-NAME")
    assert "'TenderRef'" in bad.message and "Name Manager" in bad.hint
