"""The Excel buttons, run with real xlwings objects on real workbooks.

Each test builds a tender workbook on disk, hands it to xlwings' remote engine as the
JSON an Excel client sends (``xw.Book(json=...)``), runs the macro, applies the actions
xlwings returns back onto the file (``xlwings_actions``) and compares the result with
what headless mode (``sv-workbook score`` / ``validate``) makes of the same file.
"""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.support.example_tender import example_tender
from sv_workbook.app.analyse import analyse_file
from sv_workbook.app.jobs import score_file
from sv_workbook.macros import score_book, summary, validate_book
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.core.tender.model import AbnormallyLowEntry, Bidder, ConsensusMark, EvaluatorScore
from sv_workbook.xlsx.write_helpers import INPUT_FILL
from sv_workbook.xlsx.openpyxl_read import read_rawbook
from sv_workbook.excel.highlight import ERROR_FILL, INPUT_FILL as XW_INPUT_FILL, WARNING_FILL
from tests.support.xlwings_payload import payload_from_xlsx
from sv_workbook.excel.read import rawbook_from_xlwings

from tests.support.paths import ROOT, TODAY
from tests.support.tender_files import tender_file
from tests.xlsx.test_parity_tender import mean_rule_tender
from tests.support.xlwings_actions import ExcelRefused, fill_of, run_macro

NOW = datetime(2026, 11, 27, 14, 30)
RED, AMBER, YELLOW = (c.lstrip("#").upper() for c in (ERROR_FILL, WARNING_FILL, XW_INPUT_FILL))


def grid(path: Path, sheet: str, last_col: int = 8) -> list[list[object]]:
    ws = load_workbook(path)[sheet]
    return [[ws.cell(row=r, column=c).value for c in range(1, last_col + 1)] for r in range(1, ws.max_row + 1)]


def formats(path: Path, sheet: str, last_col: int = 11) -> dict[str, str]:
    """Number formats of the cells that hold a value (what the reader sees rounded)."""
    ws = load_workbook(path)[sheet]
    return {c.coordinate: c.number_format for row in ws.iter_rows(max_col=last_col) for c in row
            if c.value is not None and c.column != 10}


def headless_report(path: Path) -> list[list[object]]:
    """The Report as headless mode writes it, without the chart's helper column beside the Ranking (J)."""
    rows = grid(path, "Report", 11)
    ranking = load_workbook(path)["Report"].tables["Ranking"].ref
    last = int(ranking.split(":")[1][1:])
    for r in range(9, last + 1):
        rows[r - 1][9] = None
    return rows


def trimmed(rows: list[list[object]]) -> list[list[object]]:
    while rows and all(v is None for v in rows[-1]):
        rows = rows[:-1]
    return rows


def hostile_tender():
    """Names Excel would turn into a formula, a number or a date if written as typed."""
    t = example_tender()
    renames = {"Moorland Property Services Ltd": "=HYPERLINK(\"http://x\",\"click\")",
               "Cheshire Building Maintenance Ltd": "00123", "Northern Homes Repairs Group plc": "1/2"}

    def rn(name: str) -> str:
        return renames.get(name, name)
    return replace(t, bidders=tuple(replace(b, name=rn(b.name)) for b in t.bidders),
                   scores=tuple(replace(s, bidder=rn(s.bidder)) for s in t.scores),
                   consensus=tuple(replace(m, bidder=rn(m.bidder)) for m in t.consensus))


def many_bidders(n: int):
    t = example_tender()
    base = t.bidders[0]
    bidders = tuple(Bidder(f"Bidder {i:03d}", 1_000_000.0 + 7_919.0 * i, base.sme, base.vcse) for i in range(n))
    marks = [(i * 7 + j) % 5 + 1.0 for i in range(n) for j in range(len(t.criteria))]
    consensus = tuple(ConsensusMark(b.name, c.id, marks[i * len(t.criteria) + j], "agreed")
                      for i, b in enumerate(bidders) for j, c in enumerate(t.criteria))
    scores = tuple(EvaluatorScore(m.bidder, m.criterion_id, "A. Patel", m.score, "seen") for m in consensus)
    return replace(t, bidders=bidders, consensus=consensus, scores=scores)


def logged_low_bid():
    """A bid in the abnormally low log, with its dates: the report shows them as dates."""
    t = example_tender()
    entry = AbnormallyLowEntry(t.bidders[1].name, date(2026, 10, 1), date(2026, 10, 2), "Costs explained", "Retained")
    return replace(t, abnormally_low_log=(entry,))


CASES = {"example": example_tender(), "mean-rule": mean_rule_tender(), "hostile-names": hostile_tender(),
         "sixty-bidders": many_bidders(60), "abnormally-low-log": logged_low_bid()}


@pytest.mark.parametrize("case", CASES)
def test_score_button_writes_the_report_headless_mode_writes(tmp_path, case):
    src = tender_file(tmp_path / "tender.xlsx", CASES[case])
    headless = tmp_path / "headless.xlsx"
    score_file(src, headless, DEFAULT_POLICY, TODAY, now=NOW)
    outcome, _ = run_macro(src, score_book, tmp_path / "excel.xlsx", today=TODAY, now=NOW)
    assert outcome.kind == "tender" and outcome.result is not None
    assert trimmed(grid(tmp_path / "excel.xlsx", "Report", 11)) == trimmed(headless_report(headless))
    assert formats(tmp_path / "excel.xlsx", "Report") == formats(headless, "Report")
    excel_ranking = load_workbook(tmp_path / "excel.xlsx")["Report"].tables["Ranking"].ref
    assert excel_ranking == load_workbook(headless)["Report"].tables["Ranking"].ref


def test_untrusted_text_stays_text_in_excel(tmp_path):
    src = tender_file(tmp_path / "tender.xlsx", hostile_tender())
    run_macro(src, score_book, tmp_path / "excel.xlsx", today=TODAY, now=NOW)
    ws = load_workbook(tmp_path / "excel.xlsx")["Report"]
    bidders = {ws.cell(row=r, column=2).value: ws.cell(row=r, column=2).data_type for r in range(10, 14)}
    assert bidders.keys() >= {"=HYPERLINK(\"http://x\",\"click\")", "00123", "1/2"}
    assert set(bidders.values()) == {"s"}


def test_report_is_rewritten_not_appended_when_scored_again(tmp_path):
    """A second run on the scored workbook (fewer bidders now) leaves nothing of the first behind."""
    src = tender_file(tmp_path / "tender.xlsx", many_bidders(12))
    run_macro(src, score_book, tmp_path / "first.xlsx", today=TODAY, now=NOW)
    wb = load_workbook(tmp_path / "first.xlsx")
    for ws_name in ("Bidders", "Scores", "Consensus"):  # drop the last 4 bidders' rows
        ws = wb[ws_name]
        for row in ws.iter_rows(min_row=2):
            if row[0].value in {f"Bidder {i:03d}" for i in range(8, 12)}:
                for c in row[:5]:
                    c.value = None
    wb.save(tmp_path / "edited.xlsx")
    run_macro(tmp_path / "edited.xlsx", score_book, tmp_path / "second.xlsx", today=TODAY, now=NOW)
    headless = tmp_path / "headless.xlsx"
    score_file(tmp_path / "edited.xlsx", headless, DEFAULT_POLICY, TODAY, now=NOW)
    assert trimmed(grid(tmp_path / "second.xlsx", "Report", 11)) == trimmed(headless_report(headless))


@pytest.mark.parametrize("damage", ["table", "sheet"])
def test_score_button_rebuilds_a_deleted_ranking_table_or_report_sheet(tmp_path, damage):
    def edit(wb):
        if damage == "table":
            del wb["Report"].tables["Ranking"]
        else:
            del wb["Report"]
    src = tender_file(tmp_path / "tender.xlsx", edit=edit)
    headless = tmp_path / "headless.xlsx"
    score_file(src, headless, DEFAULT_POLICY, TODAY, now=NOW)
    run_macro(src, score_book, tmp_path / "excel.xlsx", today=TODAY, now=NOW)
    assert trimmed(grid(tmp_path / "excel.xlsx", "Report", 11)) == trimmed(headless_report(headless))
    assert load_workbook(tmp_path / "excel.xlsx")["Report"].tables["Ranking"].ref == "A9:H13"


def test_check_button_paints_problems_and_repaints_them_when_fixed(tmp_path):
    def break_it(wb):
        wb["Bidders"]["B3"] = "about 1.5m"          # error: not a number
        wb["Consensus"]["D2"] = None                 # warning: no rationale
    src = tender_file(tmp_path / "tender.xlsx", edit=break_it)
    outcome, _ = run_macro(src, validate_book, tmp_path / "checked.xlsx", today=TODAY, now=NOW)
    assert {"NOT-A-NUMBER", "MISSING-RATIONALE"} <= {f.code for f in outcome.findings}
    assert summary(outcome).startswith(f"{sum(f.severity.value == 'error' for f in outcome.findings)} error(s), ")
    wb = load_workbook(tmp_path / "checked.xlsx")
    assert fill_of(wb["Bidders"], "B3") == RED
    assert fill_of(wb["Consensus"], "D2") == AMBER
    assert fill_of(wb["Bidders"], "B2") == YELLOW and fill_of(wb["Setup"], "B5") == YELLOW
    assert fill_of(wb["Consensus"], "E2") != YELLOW  # calculated column untouched
    # the findings listed on the Report sheet are headless mode's, row for row
    headless = analyse_file(src, DEFAULT_POLICY, TODAY).findings
    listed = [r[:6] for r in grid(tmp_path / "checked.xlsx", "Report", 6) if r[0] in ("error", "warning", "info")]
    assert listed == [[f.severity.value, f.code, f.sheet or None, f.cell or None, f.message, f.hint or None]
                      for f in headless]
    errors = sum(1 for f in headless if f.severity.value == "error")
    assert wb["Report"]["B2"].value.startswith(f"{errors} error(s) to fix")
    # fix the price in the checked file and check again: the cell is yellow again
    wb["Bidders"]["B3"] = 1_525_500
    wb.save(tmp_path / "fixed.xlsx")
    outcome, _ = run_macro(tmp_path / "fixed.xlsx", validate_book, tmp_path / "rechecked.xlsx", today=TODAY, now=NOW)
    assert "NOT-A-NUMBER" not in {f.code for f in outcome.findings}
    wb = load_workbook(tmp_path / "rechecked.xlsx")
    assert fill_of(wb["Bidders"], "B3") == YELLOW and fill_of(wb["Consensus"], "D2") == AMBER


def test_score_button_on_a_broken_workbook_lists_what_to_fix(tmp_path):
    def edit(wb):
        wb["Criteria"]["C1"] = "Weighting"  # the Weight column is missing: nothing can be scored
    src = tender_file(tmp_path / "tender.xlsx", edit=edit)
    outcome, _ = run_macro(src, score_book, tmp_path / "excel.xlsx", today=TODAY, now=NOW)
    assert outcome.result is None
    ws = load_workbook(tmp_path / "excel.xlsx")["Report"]
    assert ws["B2"].value.startswith("NOT SCORED")
    assert ws.tables["Ranking"].ref == "A9:H10" and ws["B10"].value is None
    codes = [r[1] for r in grid(tmp_path / "excel.xlsx", "Report", 6) if r[0] in ("error", "warning", "info")]
    assert codes == [f.code for f in analyse_file(src, DEFAULT_POLICY, TODAY).findings]


def test_excel_would_refuse_to_paint_a_sheet_protected_against_formatting(tmp_path):
    """The applier enforces protection, so the template passing above is meaningful."""
    def lock(wb):
        wb["Bidders"].protection.formatCells = True
    src = tender_file(tmp_path / "tender.xlsx", edit=lock)
    with pytest.raises(ExcelRefused):
        run_macro(src, validate_book, tmp_path / "x.xlsx", today=TODAY, now=NOW)


def test_calls_do_not_grow_with_the_number_of_bidders(tmp_path):
    counts = []
    for n in (5, 60):
        src = tender_file(tmp_path / f"t{n}.xlsx", many_bidders(n))
        _, actions = run_macro(src, score_book, tmp_path / f"x{n}.xlsx", today=TODAY, now=NOW)
        counts.append([a["func"] for a in actions["actions"]])
    assert counts[0] == counts[1]


def test_reader_sees_what_the_openpyxl_reader_sees(tmp_path):
    src = tender_file(tmp_path / "tender.xlsx", mean_rule_tender())
    import xlwings as xw

    via_xlwings = rawbook_from_xlwings(xw.Book(json=payload_from_xlsx(src)))
    via_openpyxl = read_rawbook(src)

    def plain(raw):
        num = lambda v: float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v  # noqa: E731
        return ({k: (v.sheet, v.cell, num(v.value)) for k, v in raw.names.items()},
                {k: (t.sheet, t.ref, t.headers, [[(c.cell, num(c.value)) for c in row] for row in t.rows])
                 for k, t in raw.tables.items() if k != "Ranking"})  # output, not read back
    assert plain(via_xlwings) == plain(via_openpyxl)
    assert via_xlwings.bad_names == via_openpyxl.bad_names


def test_not_a_contract_workbook_changes_nothing(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "shopping list"
    wb.save(tmp_path / "other.xlsx")
    outcome, actions = run_macro(tmp_path / "other.xlsx", validate_book, tmp_path / "x.xlsx", today=TODAY, now=NOW)
    assert outcome.kind is None and actions["actions"] == []
    assert "not a tender evaluation workbook" in summary(outcome)


def test_lite_scripts_are_the_same_macros(tmp_path):
    """xlwings Lite's own script runner calls main.py's scripts with the book, as Excel would."""
    import asyncio

    import xlwings as xw
    from xlwings.server import custom_functions_meta, custom_scripts_call, custom_scripts_meta

    spec = importlib.util.spec_from_file_location("lite_main", ROOT / "macros" / "lite" / "main.py")
    lite = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lite)
    assert {m["function_name"] for m in custom_scripts_meta(lite)} == {
        "sv_check_workbook", "sv_score_tender", "sv_check_register", "sv_build_kpi_report"}
    assert {f["name"] for f in custom_functions_meta(lite)["functions"]} == {
        "SV_QUALITY_SCORE", "SV_PRICE_SCORE", "SV_WEIGHTING_CHECK", "SV_KPI_EXPECTED_TO_DATE", "SV_KPI_PERCENT",
        "SV_KPI_RATING"}
    tender, register = tender_file(tmp_path / "tender.xlsx"), kpi_file(tmp_path / "register.xlsx")
    for name, macro, src in (("sv_check_workbook", validate_book, tender), ("sv_score_tender", score_book, tender),
                             ("sv_check_register", validate_book, register),
                             ("sv_build_kpi_report", score_book, register)):
        book = xw.Book(json=payload_from_xlsx(src))
        returned = asyncio.run(custom_scripts_call(lite, name, typehint_to_value={xw.Book: book}))
        expected = xw.Book(json=payload_from_xlsx(src))
        macro(expected)
        untimed = lambda b: [a for a in b.json()["actions"] if a["func"] != "setValues" or a["start_row"] != 0]  # noqa: E731
        assert untimed(returned) == untimed(expected)  # the same actions, but for the row with the time
        assert returned.json()["actions"][-1]["func"] == "activateSheet"


def test_template_fill_and_checker_fill_agree():
    assert INPUT_FILL.fgColor.rgb[-6:] == YELLOW


def kpi_file(path: Path, edit=None) -> Path:
    from tests.support.example_registers import example_register, fill_register
    from sv_workbook.xlsx.kpi_template import build_kpi_template

    wb = build_kpi_template()
    fill_register(wb, example_register())
    if edit:
        edit(wb)
    wb.save(path)
    return path


def test_build_kpi_report_button_writes_the_report_headless_mode_writes(tmp_path):
    src = kpi_file(tmp_path / "register.xlsx")
    headless = tmp_path / "headless.xlsx"
    score_file(src, headless, DEFAULT_POLICY, TODAY, now=NOW)
    outcome, _ = run_macro(src, score_book, tmp_path / "excel.xlsx", today=TODAY, now=NOW)
    assert outcome.kind == "kpi-register" and outcome.result.statuses
    assert trimmed(grid(tmp_path / "excel.xlsx", "KPI Report", 11)) == trimmed(grid(headless, "KPI Report", 11))
    assert formats(tmp_path / "excel.xlsx", "KPI Report") == formats(headless, "KPI Report")
    wb = load_workbook(tmp_path / "excel.xlsx")
    assert wb["KPI Report"].tables["KPIStatus"].ref == load_workbook(headless)["KPI Report"].tables["KPIStatus"].ref
    assert rating_colours(tmp_path / "excel.xlsx") == rating_colours(headless) != set()


def rating_colours(path: Path) -> set[tuple[str, str, str, str]]:
    """(cells, value, fill, font) of every conditional format on the KPI Report."""
    ws = load_workbook(path)["KPI Report"]
    return {(str(cf.sqref), rule.formula[0], rule.dxf.fill.bgColor.rgb[-6:], rule.dxf.font.color.rgb[-6:])
            for cf in ws.conditional_formatting for rule in cf.rules}


def test_check_button_on_a_kpi_register_paints_the_bad_actual(tmp_path):
    src = kpi_file(tmp_path / "register.xlsx", edit=lambda wb: wb["Actuals"].__setitem__("C3", "lots"))
    outcome, _ = run_macro(src, validate_book, tmp_path / "checked.xlsx", today=TODAY, now=NOW)
    bad = next(f for f in outcome.findings if f.code == "NOT-A-NUMBER")
    assert (bad.sheet, bad.cell) == ("Actuals", "C3")
    wb = load_workbook(tmp_path / "checked.xlsx")
    assert fill_of(wb["Actuals"], "C3") == RED and fill_of(wb["Actuals"], "C2") == YELLOW
    codes = [r[1] for r in grid(tmp_path / "checked.xlsx", "KPI Report", 6) if r[0] in ("error", "warning", "info")]
    assert codes == [f.code for f in analyse_file(src, DEFAULT_POLICY, TODAY).findings]


def test_check_after_score_leaves_no_stale_summary(tmp_path):
    src = kpi_file(tmp_path / "register.xlsx")
    run_macro(src, score_book, tmp_path / "scored.xlsx", today=TODAY, now=NOW)
    run_macro(tmp_path / "scored.xlsx", validate_book, tmp_path / "checked.xlsx", today=TODAY, now=NOW)
    ws = load_workbook(tmp_path / "checked.xlsx")["KPI Report"]
    labels = [ws.cell(row=r, column=1).value for r in range(1, 15)]
    assert labels[1:4] == ["Result", "Findings", "Generated"] and not any(labels[4:])
    assert "click Build KPI report" in ws["B2"].value
    assert ws.tables["KPIStatus"].ref == "A15:K16" and ws["A16"].value is None


def test_ribbon_buttons_work_on_the_workbook_in_front_and_new_never_overwrites(tmp_path):
    """From the add-in, xlwings' caller is the .xlam itself: the buttons take the active workbook."""
    from types import SimpleNamespace

    from sv_workbook.macros import _target_book, new_workbook_path

    front = SimpleNamespace(name="Tender 42.xlsx")
    app = SimpleNamespace(books=SimpleNamespace(active=front))
    assert _target_book(SimpleNamespace(name="sv_workbook.xlam", app=app)) is front
    own = SimpleNamespace(name="tender_evaluation.xlsm", app=app)
    assert _target_book(own) is own
    assert new_workbook_path("tender", tmp_path) == tmp_path / "Tender evaluation.xlsx"
    (tmp_path / "Tender evaluation.xlsx").write_bytes(b"")
    (tmp_path / "Tender evaluation (2).xlsx").write_bytes(b"")
    assert new_workbook_path("tender", tmp_path) == tmp_path / "Tender evaluation (3).xlsx"
    assert new_workbook_path("kpi-register", tmp_path) == tmp_path / "KPI register.xlsx"
