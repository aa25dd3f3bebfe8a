"""The contract as Excel saves it, read the same way by all three readers (issue 13).

Every workbook here comes from ``tests.support.contract_builder``, which follows only the
README's published contract (never our template): shuffled and extra columns, Tables away
from A1, names anywhere, sheet-scoped names, Total Rows, formulas with saved values,
numbers and dates typed as text, pasted spaces. Each is read by the openpyxl reader, the
fast reader (strict: it must not fall back) and the xlwings reader (through xlwings' remote
engine, as xlwings Lite hands a workbook over), and the three must agree on the RawBook and
on every finding.
"""

from __future__ import annotations

from dataclasses import astuple
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sv_workbook.app.analyse import analyse_raw
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.core.rawbook import RawBook
from sv_workbook.excel.read import rawbook_from_xlwings
from sv_workbook.xlsx.fast_read import read_rawbook_fast
from sv_workbook.xlsx.openpyxl_read import read_rawbook

from tests.support.contract_builder import Layout, register_data, tender_data, write_contract_workbook
from tests.support.lo import needs_libreoffice, recalc
from tests.support.xlwings_payload import payload_from_xlsx

TODAY = date(2026, 6, 1)
OUTPUT_TABLES = {"ranking", "kpistatus"}


def xlwings_read(path: Path) -> RawBook:
    import xlwings as xw

    return rawbook_from_xlwings(xw.Book(json=payload_from_xlsx(path)))


def three(path: Path) -> dict[str, RawBook]:
    return {"openpyxl": read_rawbook(path), "fast": read_rawbook_fast(path, strict=True), "xlwings": xlwings_read(path)}


def _num(v: Any) -> Any:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v


def plain(raw: RawBook, formulas: bool = True) -> tuple:
    """What a reader saw, comparable across readers (xlwings sends numbers as floats and,
    like xlwings Lite, no formulas)."""
    def cell(c):
        return (c.sheet, c.cell, _num(c.value), c.formula if formulas else None)
    return ({k: cell(v) for k, v in raw.names.items()}, raw.bad_names,
            {k: (t.sheet, t.ref, t.headers, t.header_cells, [[cell(c) for c in row] for row in t.rows])
             for k, t in raw.tables.items() if k.casefold() not in OUTPUT_TABLES},
            said(raw.notes))


def result_of(outcome) -> tuple:
    """The figures a workbook gives, unrounded: each bid's scores and rank, or each KPI's status."""
    result = outcome.result
    if result is None:
        return ()
    if outcome.kind == "tender":
        return tuple((r.bidder, r.price, r.price_score, r.quality_score, r.sv_score, r.total, r.rank, r.status_text,
                      tuple(sorted(r.marks.items()))) for r in result.results)
    return tuple(astuple(s) for s in result.statuses) + tuple(astuple(t) for t in result.totals)


def said(findings) -> list[tuple]:
    return [(f.code, str(f.severity), f.message, f.hint, f.sheet, f.cell) for f in findings]


def agreed(path: Path, kind: str = "tender"):
    """Read ``path`` three ways, check the readers agree, and return the outcome (one of three)."""
    raws = three(path)
    assert plain(raws["openpyxl"]) == plain(raws["fast"])
    assert plain(raws["openpyxl"], formulas=False) == plain(raws["xlwings"], formulas=False)
    outcomes = {name: analyse_raw(raw, str(path), DEFAULT_POLICY, TODAY) for name, raw in raws.items()}
    assert outcomes["openpyxl"].kind == kind
    assert said(outcomes["openpyxl"].findings) == said(outcomes["fast"].findings) == said(outcomes["xlwings"].findings)
    assert result_of(outcomes["openpyxl"]) == result_of(outcomes["fast"]) == result_of(outcomes["xlwings"])
    return outcomes["openpyxl"]


def codes(outcome, severity: str | None = None) -> list[str]:
    return [f.code for f in outcome.findings if severity is None or str(f.severity) == severity]


def build(tmp_path: Path, name: str, kind: str = "tender", layout: Layout | None = None, edit=None) -> Path:
    names, tables = tender_data() if kind == "tender" else register_data()
    if edit:
        edit(names, tables)
    return write_contract_workbook(tmp_path / f"{name}.xlsx", kind, names, tables, layout or Layout(seed=7))


@pytest.fixture
def reference(tmp_path):
    """The plain tender and register, as hand-made to the contract: the results to expect."""
    out = {kind: agreed(build(tmp_path, f"plain-{kind}", kind), kind) for kind in ("tender", "kpi-register")}
    assert all(result_of(o) != () for o in out.values())
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_hand_made_workbooks_are_read_alike_and_scored(tmp_path, seed):
    for kind in ("tender", "kpi-register"):
        outcome = agreed(build(tmp_path, f"{kind}{seed}", kind, Layout(seed=seed)), kind)
        assert outcome.result is not None and "error" not in {str(f.severity) for f in outcome.findings}


@pytest.mark.parametrize("kind", ["tender", "kpi-register"])
def test_names_scoped_to_the_contract_sheet_are_accepted(tmp_path, reference, kind):
    outcome = agreed(build(tmp_path, "scoped", kind, Layout(seed=7, name_scope="sheet")), kind)
    assert "MISSING-NAME" not in codes(outcome)
    assert result_of(outcome) == result_of(reference[kind])


def test_a_sheet_name_and_a_workbook_name_that_disagree_are_said_and_the_sheet_one_read(tmp_path, reference):
    layout = Layout(seed=7, name_scope="both", stray_book_names={"TenderRef": "OLD-REF-1"})
    path = build(tmp_path, "both", layout=layout)
    outcome = agreed(path)
    [conflict] = [f for f in outcome.findings if f.code == "NAME-SCOPE-CONFLICT"]
    assert str(conflict.severity) == "warning" and conflict.sheet == "Setup"
    assert "'TenderRef'" in conflict.message and "for sheet 'Setup'" in conflict.message
    assert "Name Manager" in conflict.hint
    assert read_rawbook(path).names["TenderRef"].value == "HT-2026-014"
    assert result_of(outcome) == result_of(reference["tender"])


def test_both_scopes_pointing_at_the_same_cell_say_nothing(tmp_path):
    outcome = agreed(build(tmp_path, "same", layout=Layout(seed=7, name_scope="both")))
    assert "NAME-SCOPE-CONFLICT" not in codes(outcome)


@pytest.mark.parametrize("kind", ["tender", "kpi-register"])
def test_total_rows_are_never_data(tmp_path, reference, kind):
    tables = ("Criteria", "Bidders", "Scores", "Consensus", "Evaluators") if kind == "tender" else ("KPIs", "Actuals")
    path = build(tmp_path, "totals", kind, Layout(seed=7, total_rows=tables))
    outcome = agreed(path, kind)
    assert result_of(outcome) == result_of(reference[kind])
    assert [f for f in outcome.findings if "Total" in f.message] == []
    raw = read_rawbook(path)
    assert all(row[0].value != "Total" and all(c.formula is None for c in row)
               for t in raw.tables.values() for row in t.rows)


def test_a_total_row_shown_once_but_switched_off_is_data(tmp_path):
    """``totalsRowShown`` only says a Total Row was ever shown; without ``totalsRowCount`` the
    last row is a bid."""
    from tests.support.zips import rewrite

    path = build(tmp_path, "shown")
    out = rewrite(path, tmp_path / "shown-only.xlsx",
                  lambda name, data: data.replace(b'<table ', b'<table totalsRowShown="1" ', 1)
                  if name.startswith("xl/tables/") else data)
    outcome = agreed(out)
    assert len(outcome.result.results) == 3


def test_formulas_saved_with_their_value_are_read_as_that_value(tmp_path, reference):
    layout = Layout(seed=7, formulas={("Bidders", 0, "Price"): "1600000+40000", "ContractValue": "1000000+800000",
                                      ("Scores", 2, "Score"): "2+1"})
    path = build(tmp_path, "cached", layout=layout)
    outcome = agreed(path)
    raw = read_rawbook(path)
    assert raw.names["ContractValue"].formula == "=1000000+800000" and raw.names["ContractValue"].value == 1_800_000
    assert said(outcome.findings) == said(reference["tender"].findings)
    assert result_of(outcome) == result_of(reference["tender"])


def test_numbers_typed_as_text_are_read_with_a_warning_naming_cell_and_number(tmp_path, reference):
    def edit(names, tables):
        names["ContractValue"] = "£1,800,000.00"
        names["PriceWeight"] = "40%"
        names["QualityWeight"] = "60 %"
        names["PreTenderEstimate"] = "1 750 000"
        tables["Bidders"][0]["Price"] = "£1,640,000"
        tables["Bidders"][2]["Price"] = "1695500.50"
        tables["Criteria"][0]["Weight"] = "50"
    path = build(tmp_path, "text-numbers", edit=edit)
    outcome = agreed(path)
    raw = read_rawbook(path)
    warned = {(f.sheet, f.cell): f for f in outcome.findings if f.code == "NUMBER-AS-TEXT"}
    assert len(warned) == 7 and {str(f.severity) for f in warned.values()} == {"warning"}
    cv = raw.names["ContractValue"]
    assert "'£1,800,000.00'" in warned[(cv.sheet, cv.cell)].message
    assert "the number 1,800,000" in warned[(cv.sheet, cv.cell)].message
    pw = raw.names["PriceWeight"]
    assert "the number 40 (percent)" in warned[(pw.sheet, pw.cell)].message
    assert result_of(outcome) == result_of(reference["tender"])
    assert "error" not in {str(f.severity) for f in outcome.findings}


@pytest.mark.parametrize("text", ["1,2", "12.000,5", "about 100k", "£15%", "1,23,456"])
def test_ambiguous_number_text_stays_an_error(tmp_path, text):
    def edit(names, tables):
        tables["Bidders"][1]["Price"] = text
    outcome = agreed(build(tmp_path, "ambiguous", edit=edit))
    [bad] = [f for f in outcome.findings if f.code == "NOT-A-NUMBER"]
    assert repr(text) in bad.message and bad.sheet == "Bidders"
    assert "NUMBER-AS-TEXT" not in codes(outcome)


@pytest.mark.parametrize("text, day", [("31/03/2026", date(2026, 3, 31)), ("31-03-2026", date(2026, 3, 31)),
                                       ("31 Mar 2026", date(2026, 3, 31)), ("2026-03-31", date(2026, 3, 31)),
                                       ("04/03/2026", date(2026, 3, 4))])
def test_uk_dates_typed_as_text_are_read_day_first_with_a_warning(tmp_path, text, day):
    def edit(names, tables):
        names["ProcurementStart"] = text
    outcome = agreed(build(tmp_path, "text-date", edit=edit))
    [warned] = [f for f in outcome.findings if f.code == "DATE-AS-TEXT"]
    assert repr(text) in warned.message and f"{day.day} {day:%B %Y}" in warned.message
    assert outcome.result.tender.setup.procurement_start == day


def test_month_first_dates_are_not_guessed(tmp_path):
    def edit(names, tables):
        tables["Actuals"][0]["PeriodEnd"] = "06/30/2025"
    outcome = agreed(build(tmp_path, "us-date", "kpi-register", edit=edit), "kpi-register")
    [bad] = [f for f in outcome.findings if f.code == "NOT-A-DATE"]
    assert "'06/30/2025'" in bad.message and bad.sheet == "Actuals"


def test_register_with_text_dates_and_numbers_matches_the_typed_one(tmp_path, reference):
    def edit(names, tables):
        names["StartDate"] = "1 April 2025"
        names["ContractValue"] = "£2,400,000"
        tables["Actuals"][0]["PeriodEnd"] = "30/06/2025"
        tables["Actuals"][1]["Actual"] = "1.5"
        tables["KPIs"][0]["Target"] = "8"
    outcome = agreed(build(tmp_path, "text-register", "kpi-register", edit=edit), "kpi-register")
    assert sorted(codes(outcome, "warning")).count("NUMBER-AS-TEXT") == 3
    assert codes(outcome).count("DATE-AS-TEXT") == 2
    assert result_of(outcome) == result_of(reference["kpi-register"])


def test_pasted_spaces_in_ids_names_and_yes_no_match_as_meant(tmp_path, reference):
    def edit(names, tables):
        tables["Bidders"][0]["Bidder"] = "Acme\u00a0Builders Ltd"
        tables["Bidders"][1]["SME"] = "No\u00a0"
        tables["Criteria"][2]["SocialValue"] = " Yes\u200b"
        tables["Criteria"][0]["ID"] = "Q1\u200b"
        names["ConsensusRule"] = "Moderated\u00a0"
        for i, row in enumerate(tables["Scores"]):
            if row["Bidder"] == "Acme Builders Ltd":
                row["Bidder"] = " Acme Builders\u00a0Ltd " if i % 2 else "Acme Builders Ltd\u200b"
            if row["Evaluator"] == "Priya Shah":
                row["Evaluator"] = "Priya\u00a0Shah"
            if row["CriterionID"] == "Q1":
                row["CriterionID"] = "\ufeffQ1 "
        tables["Consensus"][0]["Bidder"] = "Acme\u202fBuilders Ltd"
    outcome = agreed(build(tmp_path, "spaces", edit=edit))
    assert said(outcome.findings) == said(reference["tender"].findings)
    assert result_of(outcome) == result_of(reference["tender"])


def test_pasted_spaces_in_kpi_ids(tmp_path, reference):
    def edit(names, tables):
        tables["KPIs"][0]["KPI_ID"] = "K1\u00a0"
        tables["Actuals"][0]["KPI_ID"] = "\u200bK1"
        names["SupplierIsSME"] = "Yes\u00a0"
    outcome = agreed(build(tmp_path, "kpi-spaces", "kpi-register", edit=edit), "kpi-register")
    assert result_of(outcome) == result_of(reference["kpi-register"])
    assert said(outcome.findings) == said(reference["kpi-register"].findings)


def test_hidden_sheets_are_said_alike_by_all_three_readers(tmp_path):
    from openpyxl import load_workbook

    path = build(tmp_path, "hidden")
    wb = load_workbook(path)
    wb["Notes"].sheet_state = "veryHidden"
    wb["Report"].sheet_state = "hidden"
    wb.save(path)
    outcome = agreed(path)
    states = {f.sheet: str(f.severity) for f in outcome.findings if f.code == "HIDDEN-SHEET"}
    assert states == {"Notes": "warning", "Report": "info"}


# --- the same workbooks after LibreOffice has opened and saved them ---------------------------

LO_CASES = {
    "scoped-totals": ("tender", Layout(seed=11, name_scope="sheet", total_rows=("Bidders", "Scores", "Criteria"))),
    "register-totals": ("kpi-register", Layout(seed=12, name_scope="sheet", total_rows=("Actuals",))),
}


@needs_libreoffice
@pytest.mark.parametrize("case", sorted(LO_CASES))
def test_libreoffice_saved_copies_read_alike_and_as_the_original(tmp_path, case):
    kind, layout = LO_CASES[case]

    def edit(names, tables):
        if kind == "tender":
            tables["Bidders"][0]["Price"] = "£1,640,000.00"
            tables["Bidders"][1]["Bidder"] = "Borough\u00a0Homes"
            names["ProcurementStart"] = "02/03/2026"
        else:
            tables["Actuals"][0]["PeriodEnd"] = "30 Jun 2025"
            tables["Actuals"][1]["Actual"] = "1.5"
    original = build(tmp_path, case, kind, layout, edit)
    before = agreed(original, kind)
    resaved = recalc(original, tmp_path / "lo")
    after = agreed(resaved, kind)
    assert result_of(after) == result_of(before) != ()
    assert sorted(said(after.findings)) == sorted(said(before.findings))
