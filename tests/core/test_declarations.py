"""Conflict-of-interest declarations: every evaluator with marks declares; a conflict needs mitigation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sv_workbook.core.findings import Severity
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.core.tender.declarations import declarations_statement
from sv_workbook.core.tender.model import Declaration
from sv_workbook.core.tender.parse import parse_tender
from sv_workbook.core.tender.scoring import score_tender
from sv_workbook.xlsx.openpyxl_read import read_rawbook
from tests.support.example_tender import example_tender
from tests.support.paths import TODAY
from tests.support.tender_files import tender_file


def codes(result, code):
    return [f for f in result.findings if f.code == code]


def test_the_example_panel_declared_completely():
    result = score_tender(example_tender(), DEFAULT_POLICY, TODAY)
    assert not [f for f in result.findings if f.code.startswith("DECLARATION")]
    assert declarations_statement(result.tender, DEFAULT_POLICY) == (
        "conflict-of-interest declarations complete for all 3 evaluator(s) with marks; J. Okafor declared a "
        "conflict, with mitigation recorded")


def test_an_evaluator_with_marks_and_no_declaration_is_an_error_naming_them(tmp_path):
    t = example_tender()
    t = replace(t, declarations=tuple(d for d in t.declarations if d.evaluator != "S. Lewis"))
    tender, _ = parse_tender(read_rawbook(tender_file(tmp_path / "t.xlsx", t)))
    result = score_tender(tender, DEFAULT_POLICY, TODAY)
    [f] = codes(result, "DECLARATION-MISSING")
    assert f.severity is Severity.ERROR and "S. Lewis" in f.message
    assert (f.sheet, f.cell) == ("Scores", "C4")  # S. Lewis's first mark
    assert "INCOMPLETE" in declarations_statement(tender, DEFAULT_POLICY)


def test_a_conflict_without_mitigation_is_an_error_at_the_mitigation_cell(tmp_path):
    t = example_tender()
    t = replace(t, declarations=(*t.declarations[:1], replace(t.declarations[1], mitigation=None),
                                 *t.declarations[2:]))
    tender, _ = parse_tender(read_rawbook(tender_file(tmp_path / "t.xlsx", t)))
    [f] = codes(score_tender(tender, DEFAULT_POLICY, TODAY), "DECLARATION-NO-MITIGATION")
    assert f.severity is Severity.ERROR and "J. Okafor" in f.message
    assert (f.sheet, f.cell) == ("Setup", "K5")


def test_policy_lowers_both_to_warnings():
    t = example_tender()
    t = replace(t, declarations=(replace(t.declarations[1], mitigation=" "),))
    policy = replace(DEFAULT_POLICY, declarations_kept_elsewhere=True)
    result = score_tender(t, policy, TODAY)
    found = codes(result, "DECLARATION-MISSING") + codes(result, "DECLARATION-NO-MITIGATION")
    assert len(found) == 3 and {f.severity for f in found} == {Severity.WARNING}
    assert result.ok
    assert not score_tender(t, DEFAULT_POLICY, TODAY).ok


def test_a_workbook_without_the_table_gets_a_notice_not_an_error(tmp_path):
    tender, _ = parse_tender(read_rawbook(tender_file(tmp_path / "t.xlsx", replace(example_tender(),
                                                                                  declarations=None))))
    assert tender.declarations is None
    result = score_tender(tender, DEFAULT_POLICY, TODAY)
    [f] = codes(result, "DECLARATIONS-NOT-RECORDED")
    assert f.severity is Severity.INFO and result.ok


def test_declarations_are_read_from_the_contract_table(tmp_path):
    tender, findings = parse_tender(read_rawbook(tender_file(tmp_path / "t.xlsx")))
    assert [d.evaluator for d in tender.declarations] == ["A. Patel", "J. Okafor", "S. Lewis"]
    okafor = tender.declarations[1]
    assert okafor.conflict is True and okafor.declared_on == date(2026, 2, 2) and okafor.mitigation
    assert okafor.where["mitigation"] == ("Setup", "K5")


def test_a_duplicate_declaration_is_a_warning():
    t = example_tender()
    t = replace(t, declarations=(*t.declarations, Declaration("a. patel", date(2026, 2, 4), False)))
    [f] = codes(score_tender(t, DEFAULT_POLICY, TODAY), "DECLARATION-DUPLICATE")
    assert f.severity is Severity.WARNING


def test_the_policy_file_sets_it(tmp_path):
    from sv_workbook.core.policy import load_policy

    path = tmp_path / "p.toml"
    path.write_text("declarations_kept_elsewhere = true\n")
    assert load_policy(path).declarations_kept_elsewhere is True
