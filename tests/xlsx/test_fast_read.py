"""The fast (calamine) reader must give exactly what the openpyxl reader gives.

Both feed the same validators; if they drifted apart, batch validation and `score` would
disagree about the same file. Each test compares the whole ``RawBook`` and the findings.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.workbook.defined_name import DefinedName

from tests.support.example_tender import example_tender
from sv_workbook.xlsx.fast_read import (CACHED_COLUMN_ROWS, Declined, _whole_blank_column, _whole_column,
                                        read_rawbook_fast)
from sv_workbook.app.analyse import analyse_file
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.xlsx.safe_write import atomic_save
from sv_workbook.xlsx.tender_template import build_tender_template
from sv_workbook.xlsx.write_helpers import add_table
from tests.support.fill import fill_tender, find_table
from sv_workbook.xlsx.openpyxl_read import WorkbookUnreadable, read_rawbook

from tests.support.paths import TODAY
from tests.support.lo import needs_libreoffice, recalc
from tests.support.zips import read_part, rewrite, sheet_part

CORPUS = Path("/work/shared/corpus/calamine")


def example_wb():
    wb = build_tender_template(DEFAULT_POLICY)
    fill_tender(wb, example_tender())
    return wb


def save(wb, path: Path) -> Path:
    atomic_save(wb, path)
    return path


def assert_same(path: Path, strict: bool = True) -> None:
    """Same RawBook and same findings from both readers (fast path really taken if strict)."""
    slow = read_rawbook(path)
    fast = read_rawbook_fast(path, strict=strict)
    assert fast == slow
    a = analyse_file(path, DEFAULT_POLICY, TODAY)
    b = analyse_file(path, DEFAULT_POLICY, TODAY, reader=read_rawbook_fast)
    assert (b.kind, b.findings) == (a.kind, a.findings)


def test_template_and_example_read_identically(tmp_path):
    assert_same(save(build_tender_template(DEFAULT_POLICY), tmp_path / "template.xlsx"))
    assert_same(save(example_wb(), tmp_path / "example.xlsx"))


def hostile_values_wb():
    """The example tender with the awkward values people and tools put in cells (structure intact)."""
    wb = example_wb()
    setup, bidders, scores = wb["Setup"], wb["Bidders"], wb["Scores"]
    setup["B3"] = '="PPHT-"&2026'                     # formula where a value belongs, never calculated
    setup["B4"].value = "=cmd|' /C calc'!A0"           # text that looks like a formula, kept as text
    setup["B4"].data_type = "s"
    setup["B5"] = 1e20                                 # a huge number: stays a float
    setup["B6"] = "#N/A"                               # an error value
    bidders["D2"] = True                               # a boolean where Yes/No belongs
    bidders["B2"] = 1_640_000.5
    bidders["C3"] = 7                                  # a number in a Yes/No column
    bidders["A4"] = 2026                               # a number as a bidder's name
    bidders["B4"] = datetime(2026, 3, 31)              # a date where a price belongs
    bidders.merge_cells("B5:D5")                       # merged over inputs: only B5 keeps its value
    scores["D3"] = "four"                              # a word where a mark belongs
    scores["D4"] = date(2026, 1, 1)
    scores["C5"] = "  A. Patel  "
    wb["Lists"].sheet_state = "hidden"
    wb["Scoring"].sheet_state = "veryHidden"
    return wb


def hostile_structure_wb():
    """Broken names and a renamed header: the contract itself does not fit."""
    wb = example_wb()
    wb.defined_names["Spare"] = DefinedName("Spare", attr_text="Setup!$B$3:$B$5")
    wb.defined_names["Gone"] = DefinedName("Gone", attr_text="#REF!")
    wb.defined_names["Elsewhere"] = DefinedName("Elsewhere", attr_text="[1]Sheet1!$A$1")
    wb.defined_names["NoSheet"] = DefinedName("NoSheet", attr_text="Nowhere!$A$1")
    wb.defined_names["QualityWeight"] = DefinedName("QualityWeight", attr_text="Setup!$B$9:$B$10")
    del wb.defined_names["TenderRef"]
    ws, _ = find_table(wb, "Consensus")
    ws["C1"] = 2024                                    # a header renamed to a number: contract column missing
    return wb


@pytest.mark.filterwarnings("ignore:File may not be readable")
def test_hostile_workbooks_read_identically(tmp_path):
    values = save(hostile_values_wb(), tmp_path / "values.xlsx")
    structure = save(hostile_structure_wb(), tmp_path / "structure.xlsx")
    assert_same(values)
    assert_same(structure)
    raw = read_rawbook_fast(values, strict=True)
    assert raw.names["TenderRef"].formula == '="PPHT-"&2026' and raw.names["TenderRef"].value is None
    assert raw.names["TenderTitle"].formula is None and raw.names["TenderTitle"].value.startswith("=cmd")
    assert isinstance(raw.names["ContractValue"].value, float)
    assert raw.names["ContractType"].value == "#N/A"
    bidders = raw.find_table("Bidders").rows
    assert bidders[2][1].value == datetime(2026, 3, 31)
    assert [c.value for c in bidders[3][1:4]] == [1_498_000, None, None]  # merged B5:D5
    codes = {f.code for f in analyse_file(values, DEFAULT_POLICY, TODAY, reader=read_rawbook_fast).findings}
    assert {"FORMULA-NOT-CALCULATED", "NOT-A-NUMBER", "NOT-YES-NO", "HIDDEN-SHEET"} <= codes
    codes = {f.code for f in analyse_file(structure, DEFAULT_POLICY, TODAY, reader=read_rawbook_fast).findings}
    assert {"BAD-NAME", "MISSING-NAME", "MISSING-COLUMN"} <= codes


def test_merge_and_table_lists_read_as_openpyxl_reads_them(tmp_path):
    """openpyxl keeps only the last <mergeCells> and <tableParts> of a sheet and ignores items
    outside them; the fast reader finds those lists from the end of the sheet and must agree."""
    values = save(hostile_values_wb(), tmp_path / "values.xlsx")
    part = sheet_part(values, "Bidders")
    stray = (b'<mergeCells count="1"><mergeCell ref="A2:C2"/></mergeCells>'
             b'<tablePart xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId99"/>')

    def edit(name: str, data: bytes) -> bytes:
        return data.replace(b"</sheetData>", b"</sheetData>" + stray, 1) if name == part else data
    path = rewrite(values, tmp_path / "lists.xlsx", edit)
    assert read_part(path, part).count(b"<mergeCells") == 2
    assert_same(path)
    bidders = read_rawbook_fast(path, strict=True).find_table("Bidders").rows
    assert bidders[0][1].value is not None and bidders[3][2].value is None  # A2:C2 ignored, B5:D5 kept


@pytest.mark.parametrize("hidden", [b"<!-- old <tableParts> and <mergeCells> lists removed -->",
                                    b"<?tool <mergeCells count=\"1\"><mergeCell ref=\"A2:C2\"/> ?>"],
                         ids=["comment", "processing instruction"])
def test_markup_hidden_from_the_byte_scans_goes_to_openpyxl(tmp_path, hidden):
    """Text inside a comment or processing instruction would look like markup to the byte
    scans; such a sheet is read by openpyxl, so the results still agree."""
    values = save(hostile_values_wb(), tmp_path / "values.xlsx")
    part = sheet_part(values, "Bidders")
    path = rewrite(values, tmp_path / "hidden.xlsx",
                   lambda name, data: data.replace(b"</worksheet>", hidden + b"</worksheet>") if name == part else data)
    with pytest.raises(Declined):
        read_rawbook_fast(path, strict=True)
    assert_same(path, strict=False)
    assert read_rawbook_fast(path).find_table("Bidders") is not None


def test_cells_without_their_reference_go_to_openpyxl(tmp_path):
    """calamine places cells without a reference one after another; the fast path declines
    rather than let a row of them stretch its grid, and openpyxl reads the file."""
    values = save(hostile_values_wb(), tmp_path / "values.xlsx")
    part = sheet_part(values, "Bidders")
    path = rewrite(values, tmp_path / "no-ref.xlsx", lambda name, data: re.sub(
        rb'<c r="[A-Z]+[0-9]+"', b"<c", data, count=3) if name == part else data)
    assert b'<c r="A1"' not in read_part(path, part)
    with pytest.raises(Declined, match="reference"):
        read_rawbook_fast(path, strict=True)
    assert_same(path, strict=False)


def test_long_tables_leave_nothing_behind(tmp_path):
    """Cell references (and the empty cells of columns no contract reads) are remembered across
    files only down to row ``CACHED_COLUMN_ROWS``: a small file whose Table claims thousands of rows
    must not leave them in memory for the rest of a batch."""
    from openpyxl import Workbook

    wb = Workbook()
    headers = [f"Column {i}" for i in range(20)]
    add_table(wb.active, "Long", 1, 1, headers, CACHED_COLUMN_ROWS + 500)
    wb.active.cell(row=CACHED_COLUMN_ROWS + 501, column=20, value=1)
    path = save(wb, tmp_path / "long.xlsx")
    before = _whole_column.cache_info().currsize, _whole_blank_column.cache_info().currsize
    raw = read_rawbook_fast(path, strict=True)
    assert len(raw.tables["Long"].rows) == CACHED_COLUMN_ROWS + 500
    assert (_whole_column.cache_info().currsize, _whole_blank_column.cache_info().currsize) == before
    assert raw == read_rawbook(path)


def test_remembered_columns_are_as_long_as_the_rows_asked_for_at_most_twice():
    """A one-row Table makes a remembered column of 16 cells, not of 2,000 (a file of hundreds of
    such Tables in as many columns, more than the caches keep, would otherwise build 2,000 cells
    for each); a register's few hundred rows a column made once; none past ``CACHED_COLUMN_ROWS``."""
    from sv_workbook.xlsx.fast_read import _rows_held

    assert [_rows_held(last) for last in (1, 2, 16, 17, 600, 1024, 1025, CACHED_COLUMN_ROWS)] == [
        16, 16, 16, 32, 1024, 1024, CACHED_COLUMN_ROWS, CACHED_COLUMN_ROWS]
    assert all(last <= _rows_held(last) <= max(16, 2 * last) for last in range(1, CACHED_COLUMN_ROWS + 1))


def test_a_table_too_big_to_read_is_refused_by_both_readers(tmp_path):
    """A small file can hold a Table of many rows and one stray cell at its bottom; both
    readers would make an object per cell, so both refuse it against max_cells, in the same words."""
    from dataclasses import replace

    from openpyxl import Workbook

    wb = Workbook()
    add_table(wb.active, "Wide", 1, 1, [f"Column {i}" for i in range(20)], 99)
    wb.active.cell(row=100, column=20, value=1)
    path = save(wb, tmp_path / "wide.xlsx")
    tight = replace(DEFAULT_POLICY, max_cells=1_000)  # the Table reaches 99 rows x 20 columns = 1,980 cells
    with pytest.raises(WorkbookUnreadable) as slow:
        read_rawbook(path, tight)
    with pytest.raises(WorkbookUnreadable) as fast:
        read_rawbook_fast(path, tight, strict=True)
    assert fast.value.reason == slow.value.reason and "max_cells" in slow.value.reason and "'Wide'" in slow.value.reason
    roomy = replace(DEFAULT_POLICY, max_cells=1_980)
    assert read_rawbook_fast(path, roomy, strict=True) == read_rawbook(path, roomy)


def test_xlsm_and_sheet_states_read_identically(tmp_path):
    wb = example_wb()
    wb["Lists"].sheet_state = "hidden"
    path = save(wb, tmp_path / "macro.xlsm")
    assert_same(path)
    assert "HIDDEN-SHEET" in [f.code for f in read_rawbook_fast(path, strict=True).notes]


def _shared_formulas(path: Path, out: Path) -> Path:
    """Rewrite Bidders!B2:B5 as one shared formula with cached values, as Excel saves them."""
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if b"<dimension" in data and b">Price<" in data:
                for row in range(2, 6):
                    f = (f'<f t="shared" ref="B2:B5" si="0">E{row}*1000</f>' if row == 2
                         else '<f t="shared" si="0"/>')
                    data = re.sub(rf'<c r="B{row}"([^>]*)><v>([^<]*)</v>'.encode(),
                                  lambda m: b'<c r="B%d"%s>%s<v>%s</v>' % (row, m.group(1), f.encode(), m.group(2)),
                                  data)
            zout.writestr(item, data)
    return out


def test_shared_formulas_are_translated_like_openpyxl(tmp_path):
    path = _shared_formulas(save(example_wb(), tmp_path / "plain.xlsx"), tmp_path / "shared.xlsx")
    assert_same(path)
    prices = [r[1] for r in read_rawbook_fast(path, strict=True).find_table("Bidders").rows[:4]]
    assert [c.formula for c in prices] == ["=E2*1000", "=E3*1000", "=E4*1000", "=E5*1000"]
    assert prices[0].value == 1_640_000  # the cached value Excel stored


def test_array_formula_in_an_input_falls_back_to_openpyxl(tmp_path):
    from openpyxl.worksheet.formula import ArrayFormula

    wb = example_wb()
    wb["Setup"]["D20"] = ArrayFormula("D20", "=SUM({1,2})")  # a live check beside the inputs: still fast
    assert_same(save(wb, tmp_path / "array-beside.xlsx"))
    wb["Setup"]["B5"] = ArrayFormula("B5", "=SUM({1,2})")
    path = save(wb, tmp_path / "array.xlsx")
    with pytest.raises(Declined):
        read_rawbook_fast(path, strict=True)
    fallback, slow = read_rawbook_fast(path), read_rawbook(path)
    assert fallback.names["ContractValue"].formula is not None
    assert fallback.tables == slow.tables and fallback.names.keys() == slow.names.keys()


def test_unreadable_files_are_refused_with_the_same_words(tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(save(example_wb(), tmp_path / "whole.xlsx").read_bytes()[:5000])
    for path in (junk, old, truncated, tmp_path / "missing.xlsx"):
        with pytest.raises(WorkbookUnreadable) as slow:
            read_rawbook(path)
        with pytest.raises(WorkbookUnreadable) as fast:
            read_rawbook_fast(path)
        assert fast.value.reason == slow.value.reason


@needs_libreoffice
@pytest.mark.filterwarnings("ignore:File may not be readable")
def test_libreoffice_saved_workbook_reads_identically(tmp_path):
    """LibreOffice writes shared strings, cached formula values and its own XML style."""
    wb = hostile_values_wb()
    for row in range(2, 26):
        wb["Consensus"][f"C{row}"] = "=3+ROW()*0"  # calculated once LibreOffice saves it
    (tmp_path / "src").mkdir()
    path = recalc(save(wb, tmp_path / "src" / "lo.xlsx"), tmp_path / "out")
    assert_same(path)
    consensus = read_rawbook_fast(path, strict=True).find_table("Consensus").rows
    assert consensus[0][2].formula is not None and consensus[0][2].value == 3


@pytest.mark.skipif(not CORPUS.is_dir(), reason="real-world corpus not present")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # openpyxl leaks a zip on bad files
def test_real_world_files_read_identically_or_better():
    """Every corpus file openpyxl can read gives the same RawBook; files it cannot read are refused
    by both, or read by the fast reader alone (a more lenient reader is not a regression)."""
    for path in sorted(CORPUS.glob("*.xls[xm]")):
        try:
            slow = read_rawbook(path)
        except WorkbookUnreadable:
            continue
        assert read_rawbook_fast(path) == slow, path.name


ROOT = Path(__file__).resolve().parents[2]


def test_committed_templates_and_examples_read_identically():
    for path in [*sorted((ROOT / "workbooks").glob("*.xlsx")), *sorted((ROOT / "examples").glob("*.xlsx"))]:
        assert_same(path)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kpi_registers_with_planted_errors_read_identically(tmp_path, seed):
    from tests.support.example_registers import make_register, write_register

    data = make_register(seed, n_kpis=12, n_periods=6, error_rate=0.3)
    path = write_register(data, tmp_path / f"register-{seed}.xlsx")
    assert_same(path)
    outcome = analyse_file(path, DEFAULT_POLICY, data.as_of, reader=read_rawbook_fast)
    assert outcome.kind == "kpi-register"
    assert {i.code for i in data.injected} & {f.code for f in outcome.findings}  # the planted mistakes are found


# --- the paths of issue 12: many formulas, shared formulas read lazily, columns, row texts, dates ---

def _register_with_actuals(tmp_path: Path, n: int, seed: int = 3, formulas: bool = True) -> Path:
    """A KPI register from the independent builder, ``n`` Actuals rows, every Actual a formula
    (with the value Excel would have cached) when ``formulas``."""
    from tests.support.contract_builder import Layout, register_data, write_contract_workbook

    names, tables = register_data()
    tables["Actuals"] = [{"KPI_ID": f"K{1 + i % 3}", "PeriodEnd": datetime(2025, 6, 30), "Actual": i,
                          "Evidence": f"ev {i}"} for i in range(n)]
    tables["KPIs"] = [{**tables["KPIs"][0], "KPI_ID": f"K{k}"} for k in (1, 2, 3)]
    layout = Layout(seed=seed, formulas={("Actuals", i, "Actual"): f"{i}+0" for i in range(n)} if formulas else {})
    return write_contract_workbook(tmp_path / f"register-{n}-{seed}.xlsx", "kpi-register", names, tables, layout)


def _columns(path: Path, table: str) -> dict[str, str]:
    """Header -> column letter of a Table, as the reference reader sees it."""
    t = read_rawbook(path).tables[table]
    return {h: re.match(r"[A-Z]+", c).group() for h, c in zip(t.headers, t.header_cells)}


def _edit_cells(path: Path, out: Path, sheet: str, cells: dict[str, bytes]) -> Path:
    """Replace whole ``<c>`` elements of ``sheet`` (each must exist) with the XML given."""
    part = sheet_part(path, sheet)

    def edit(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        for coord, xml in cells.items():
            data, n = re.subn(rb'<c r="' + coord.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', lambda m: xml, data, count=1)
            assert n == 1, coord
        return data
    return rewrite(path, out, edit)


def _formula_sheet(tmp_path: Path, n: int = 60) -> tuple[Path, str, str, int]:
    """A register whose Actuals sheet holds ``n`` formulas in the contract's Actual column, two
    error cells (``t="e"``) and a shared-formula group of four cells; returns (path, the Actual
    column's letter, an extra column's letter, the first data row)."""
    plain = _register_with_actuals(tmp_path, n)
    cols = _columns(plain, "Actuals")
    act = cols["Actual"]
    extra = next(cols[h] for h in cols if h in ("Notes", "Checked by", "Internal ref"))
    first = int(re.search(r"[0-9]+", read_rawbook(plain).tables["Actuals"].header_cells[0]).group()) + 1
    edits = {f"{act}{first + 3}": b'<c r="%s%d" t="e"><f>1/0</f><v>#DIV/0!</v></c>' % (act.encode(), first + 3),
             f"{act}{first + 5}": b'<c r="%s%d" t="e"><f>NA()</f><v>#N/A</v></c>' % (act.encode(), first + 5)}
    for k, row in enumerate(range(first + 10, first + 14)):
        f = (b'<f t="shared" ref="%s%d:%s%d" si="0">%s%d*2</f>' % (act.encode(), row, act.encode(), row + 3,
                                                                  act.encode(), row - 1) if k == 0
             else b'<f t="shared" si="0"/>')
        edits[f"{act}{row}"] = b'<c r="%s%d">%s<v>%d</v></c>' % (act.encode(), row, f, 2 * (row - first - 1))
    return _edit_cells(plain, tmp_path / "formulas.xlsx", "Actuals", edits), act, extra, first


def _sheet_xml(path: Path, sheet: str) -> bytes:
    return read_part(path, sheet_part(path, sheet))


def test_a_sheet_of_many_formulas_reads_as_openpyxl_reads_it(tmp_path):
    """Past ``MANY_FORMULAS`` the formulas are read with their cells in one regex pass; the
    RawBook (formulas, cached values, error cells, a shared group) must be openpyxl's, and the
    one pass must give what tracing each formula to its cell gives."""
    import sv_workbook.xlsx.fast_read as fr

    path, act, _, first = _formula_sheet(tmp_path)
    xml = _sheet_xml(path, "Actuals")
    assert len(fr._FORMULA.findall(xml)) > fr.MANY_FORMULAS  # the one-pass path is the one taken
    assert len(fr._CELL_FORMULA.findall(xml)) == len(fr._FORMULA.findall(xml))
    assert_same(path)
    fast = read_rawbook_fast(path, strict=True)
    rows = {c.cell: c for row in fast.tables["Actuals"].rows for c in row}
    assert (rows[f"{act}{first + 3}"].value, rows[f"{act}{first + 3}"].formula) == ("#DIV/0!", "=1/0")
    assert rows[f"{act}{first + 11}"].formula == f"={act}{first + 10}*2"  # a dependent, translated
    assert rows[f"{act}{first + 20}"].formula == "=20+0" and rows[f"{act}{first + 20}"].value == 20
    traced = fr.MANY_FORMULAS
    try:
        fr.MANY_FORMULAS = 10 ** 9  # every formula traced back to its cell
        assert fr._formula_cells(xml) == fr._CELL_FORMULA.findall(xml)
        assert read_rawbook_fast(path, strict=True) == fast
    finally:
        fr.MANY_FORMULAS = traced


@pytest.mark.parametrize("odd", ["formula after the value", "reference not first"])
def test_a_formula_the_one_pass_misses_is_never_silently_dropped(tmp_path, odd):
    """A formula element that is not its cell's first child, or a cell whose ``r`` is not its first
    attribute, escapes ``_CELL_FORMULA``; the sheet is then read as openpyxl reads it or declined."""
    import sv_workbook.xlsx.fast_read as fr

    path, act, _, first = _formula_sheet(tmp_path)
    coord = f"{act}{first + 30}"
    cell = (b'<c r="%s" t="n"><v>29</v><f>29+0</f></c>' if odd == "formula after the value"
            else b'<c t="n" r="%s"><f>29+0</f><v>29</v></c>') % coord.encode()
    path = _edit_cells(path, tmp_path / "odd.xlsx", "Actuals", {coord: cell})
    xml = _sheet_xml(path, "Actuals")
    assert len(fr._CELL_FORMULA.findall(xml)) == len(fr._FORMULA.findall(xml)) - 1
    slow = read_rawbook(path)
    assert next(c for row in slow.tables["Actuals"].rows for c in row if c.cell == coord).formula == "=29+0"
    try:
        assert read_rawbook_fast(path, strict=True) == slow
    except Declined:
        pass
    with pytest.raises(Declined):  # the formulas traced one by one: the odd cell declines
        fr._formula_cells(xml)
    assert read_rawbook_fast(path) == slow


@pytest.mark.parametrize("many", [False, True], ids=["few formulas", "many formulas"])
def test_shared_formulas_before_their_master_or_outside_the_contract(tmp_path, many):
    """openpyxl gives a dependent cell met before any master of its group its own text ("=");
    a master in a column no contract reads still spells the dependents that are read."""
    plain = _register_with_actuals(tmp_path, 50 if many else 6, formulas=many)
    cols = _columns(plain, "Actuals")
    act, extra = cols["Actual"], next(cols[h] for h in cols if h in ("Notes", "Checked by", "Internal ref"))
    first = int(re.search(r"[0-9]+", read_rawbook(plain).tables["Actuals"].header_cells[0]).group()) + 1
    a, e = act.encode(), extra.encode()
    edits = {  # group 7: a dependent (row first) before its master (row first + 1)
        f"{act}{first}": b'<c r="%s%d"><f t="shared" si="7"/><v>0</v></c>' % (a, first),
        f"{act}{first + 1}": b'<c r="%s%d"><f t="shared" ref="%s%d:%s%d" si="7">%s%d+1</f><v>1</v></c>'
                             % (a, first + 1, a, first, a, first + 2, a, first),
        f"{act}{first + 2}": b'<c r="%s%d"><f t="shared" si="7"/><v>2</v></c>' % (a, first + 2),
        # group 8: its master in the extra column (no contract reads it), a dependent in Actual below it
        f"{extra}{first + 3}": b'<c r="%s%d"><f t="shared" ref="%s%d:%s%d" si="8">%s%d&amp;"!"</f><v>1</v></c>'
                               % (e, first + 3, e, first + 3, a, first + 4, e, first + 2),
        f"{act}{first + 4}": b'<c r="%s%d"><f t="shared" si="8"/><v>3</v></c>' % (a, first + 4),
    }
    path = _edit_cells(plain, tmp_path / "shared.xlsx", "Actuals", edits)
    assert_same(path)
    rows = {c.cell: c for row in read_rawbook_fast(path, strict=True).tables["Actuals"].rows for c in row}
    assert rows[f"{act}{first}"].formula == "="
    assert rows[f"{act}{first + 2}"].formula == f"={act}{first + 1}+1"
    assert rows[f"{extra}{first + 3}"].formula is None  # not read: kept empty, as openpyxl_read keeps it
    # the master's reference moved by the dependent's offset from it (columns and rows)
    assert rows[f"{act}{first + 4}"].formula == f'={act}{first + 3}&"!"'


def test_a_ragged_grid_reads_like_a_rectangle(tmp_path, monkeypatch):
    """calamine's grid is a dense rectangle (its ``Range``), so ``_table``'s per-line path is
    taken only when the grid's lines differ in length; the same cells in lines of different
    lengths (trailing blanks cut off, or more of them) must give the same Tables."""
    import sv_workbook.xlsx.fast_read as fr

    path = _register_with_actuals(tmp_path, 12)
    table = fr._table
    seen = []

    def ragged(path_, values, sheet, name, ref, letters, header_cells, min_row, max_row):
        values.cell(sheet, header_cells[0])  # loads the sheet
        grid = values.grids[sheet]
        assert len(set(map(len, grid))) == 1  # calamine gave a rectangle
        cut = [line[:max((i for i, v in enumerate(line) if v != ""), default=-1) + 1] for line in grid]
        values.grids[sheet] = [line + [""] * (i % 3) for i, line in enumerate(cut)]
        top = values.origins[sheet][0]  # the grid starts at the sheet's first used row
        seen.append(len(set(map(len, values.grids[sheet][min_row - top:max_row - top]))))
        return table(path_, values, sheet, name, ref, letters, header_cells, min_row, max_row)
    monkeypatch.setattr(fr, "_table", ragged)
    assert read_rawbook_fast(path, strict=True) == read_rawbook(path)
    assert seen and all(n > 1 for n in seen)


@pytest.mark.parametrize("layout", ["header away from A1", "some header cells absent", "no cell in the table"])
def test_tables_away_from_the_used_cells_corner_read_as_openpyxl_reads_them(tmp_path, layout):
    """calamine's grid starts at the top-left corner of the sheet's used cells, not at A1, so the
    fast reader places each Table's columns from that corner. A Table away from A1, one whose first header
    cells are absent (a file built by hand) and one with no cell at all must read cell for
    cell as openpyxl reads them, with the fast path taken."""
    from openpyxl import Workbook
    from openpyxl.worksheet.table import Table

    wb = Workbook()
    ws = wb.active
    ws.title = "Actuals"
    ws.add_table(Table(displayName="Actuals", ref="C4:G12"))
    headers = {"header away from A1": ["KPI_ID", "PeriodEnd", "Actual", "Evidence", "Comment"],
               "some header cells absent": [None, None, "Actual", "Evidence", "Comment"],
               "no cell in the table": [None] * 5}[layout]
    for col, header in enumerate(headers, start=3):
        if header:
            ws.cell(row=4, column=col, value=header)
            for r in range(6, 13):
                ws.cell(row=r, column=col, value=r * 1.5 if header == "Actual" else f"{header} {r}")
    ws.cell(row=20, column=9, value="after the table")  # the grid reaches past the Table
    path = save(wb, tmp_path / "offset.xlsx")
    assert_same(path)
    table = read_rawbook_fast(path, strict=True).tables["Actuals"]
    assert len(table.rows) == 8  # rows up to the sheet's last cell, as openpyxl keeps them
    if headers[2]:
        assert [row[2].value for row in table.rows] == [None] + [r * 1.5 for r in range(6, 13)]


def _table_at(tmp_path: Path, first_row: int, n_rows: int, name: str) -> Path:
    """A Table of contract columns (KPI_ID, Actual) and one of the user's own, its header on
    ``first_row``, ``n_rows`` rows holding values."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    add_table(ws, "Actuals", 2, first_row, ["KPI_ID", "Notes", "Actual"], n_rows)
    for r in range(first_row + 1, first_row + n_rows + 1):
        ws.cell(row=r, column=2, value=f"K{r}")
        ws.cell(row=r, column=3, value=f"note {r}")
        ws.cell(row=r, column=4, value=r * 0.5)
    return save(wb, tmp_path / name)


def test_row_texts_past_and_below_the_cached_rows(tmp_path):
    """Cell references (and the empty cells of the Notes column, which no contract reads) are slices
    of each column's made once down to row ``CACHED_COLUMN_ROWS``, and are made as needed beyond it:
    Tables longer than that, Tables that straddle it and Tables that start below it read as
    openpyxl reads them, whichever kind is read first (the caches are cleared before each order)."""
    import sv_workbook.xlsx.fast_read as fr

    paths = [_table_at(tmp_path, 1, CACHED_COLUMN_ROWS + 30, "long.xlsx"),  # longer than the cached rows
             _table_at(tmp_path, CACHED_COLUMN_ROWS - 10, 25, "straddle.xlsx"),  # short, ends past them
             _table_at(tmp_path, CACHED_COLUMN_ROWS + 100, 12, "below.xlsx"),  # starts below them
             _table_at(tmp_path, CACHED_COLUMN_ROWS - 10, 10, "to-the-last.xlsx"),  # ends on the last cached row
             _table_at(tmp_path, CACHED_COLUMN_ROWS - 9, 10, "one-past.xlsx"),  # ends one row past it
             _table_at(tmp_path, 3, 40, "short.xlsx")]  # fills the row texts
    want = {p: read_rawbook(p) for p in paths}
    for order in (paths, paths[::-1]):
        fr._whole_column.cache_clear()
        fr._whole_blank_column.cache_clear()
        for p in order:
            got = read_rawbook_fast(p, strict=True)
            assert got == want[p], p.name
            cells = [c.cell for row in got.tables["Actuals"].rows for c in row]
            assert cells == [f"{x}{r}" for r in range(int(got.tables["Actuals"].header_cells[0][1:]) + 1,
                                                      int(got.tables["Actuals"].header_cells[0][1:]) + 1
                                                      + len(got.tables["Actuals"].rows)) for x in "BCD"]
        assert fr._whole_column("B", CACHED_COLUMN_ROWS) == tuple(f"B{r}" for r in range(1, CACHED_COLUMN_ROWS + 1))


def test_a_date_column_keeps_dates_bools_and_numbers_apart(tmp_path):
    """PeriodEnd holding dates, datetimes (midnight and not), times, True, False, 1 and 0, some
    with a date format: each read as openpyxl reads it, whatever came before it in the column."""
    from datetime import time

    from openpyxl import Workbook

    values = [datetime(2025, 6, 30), date(2025, 9, 30), True, 1, False, 0, datetime(2025, 6, 30, 12, 30),
              time(12, 0), date(2025, 6, 30), True, 1, 1.0, 2.5, datetime(2025, 6, 30)]
    wb = Workbook()
    ws = wb.active
    add_table(ws, "Actuals", 1, 1, ["KPI_ID", "PeriodEnd", "Actual"], 2 * len(values))
    for r, v in enumerate(values + values[::-1], start=2):
        ws.cell(row=r, column=1, value="K1")
        ws.cell(row=r, column=2, value=v)
        ws.cell(row=r, column=3, value=v)
        if r % 4 == 0:
            ws.cell(row=r, column=2).number_format = "dd/mm/yyyy"
    path = save(wb, tmp_path / "dates.xlsx")
    got = read_rawbook_fast(path, strict=True)
    assert got == read_rawbook(path)
    slow = read_rawbook(path)
    assert ([type(r[1].value) for r in got.tables["Actuals"].rows]
            == [type(r[1].value) for r in slow.tables["Actuals"].rows])  # True is not 1, 1 is not True
    assert {bool, int, datetime} <= {type(r[1].value) for r in got.tables["Actuals"].rows}


def test_converted_values_are_remembered_by_type():
    """``_plain`` converts calamine's other values once each; ``True`` and ``1`` (and ``False`` and
    ``0``) are equal keys to a plain cache, so each must come back as what it was."""
    import sv_workbook.xlsx.fast_read as fr

    fr._as_openpyxl_remembered.cache_clear()
    for raw in ([True, 1, False, 0, date(2025, 6, 30)], [1, True, 0, False, date(2025, 6, 30)]):
        got = fr._plain(raw)
        assert [type(v) for v in got] == [type(v) for v in raw[:4]] + [datetime] and got[:4] == raw[:4]
    assert fr._plain([date(2025, 6, 30)]) == [datetime(2025, 6, 30)]
    with pytest.raises(Declined):
        fr._plain([object()])


@pytest.mark.parametrize("many", [False, True], ids=["few formulas", "many formulas"])
@pytest.mark.parametrize("odd", ["another r attribute", "single quotes", "spaces around ="])
def test_formula_markup_the_scans_misread_is_read_as_openpyxl_reads_it_or_declined(tmp_path, odd, many):
    """Legal XML the byte scans once misread silently: a namespaced ``x:r`` after the cell's ``r``
    (the formula went to the other cell), a shared formula's attributes in single quotes or with
    spaces around ``=`` (its dependents read as "="). Either openpyxl's reading or a decline."""
    plain = _register_with_actuals(tmp_path, 50 if many else 6, formulas=many)
    act = _columns(plain, "Actuals")["Actual"]
    first = int(re.search(r"[0-9]+", read_rawbook(plain).tables["Actuals"].header_cells[0]).group()) + 1
    a = act.encode()
    if odd == "another r attribute":
        edits = {f"{act}{first}": b'<c r="%s%d" xmlns:x="urn:x" x:r="Z9" t="n"><f>0+0</f><v>0</v></c>' % (a, first)}
    else:
        q = b"'" if odd == "single quotes" else b'"'
        eq = b"=" if odd == "single quotes" else b" = "
        edits = {f"{act}{first}": b'<c r="%s%d"><f t%s%sshared%s ref%s%s%s%d:%s%d%s si%s%s0%s>%s%d+1</f><v>2</v></c>'
                 % (a, first, eq, q, q, eq, q, a, first, a, first + 1, q, eq, q, q, a, first - 1),
                 f"{act}{first + 1}": b'<c r="%s%d"><f t%s%sshared%s si%s%s0%s/><v>2</v></c>'
                 % (a, first + 1, eq, q, q, eq, q, q)}
    path = _edit_cells(plain, tmp_path / "odd.xlsx", "Actuals", edits)
    slow = read_rawbook(path)
    formulas = {c.cell: c.formula for row in slow.tables["Actuals"].rows for c in row}
    assert all(formulas[coord] is not None for coord in edits)  # openpyxl reads every edited formula
    try:
        assert read_rawbook_fast(path, strict=True) == slow
    except Declined:
        pass
    assert read_rawbook_fast(path) == slow


# What calamine puts in a grid cell: text (empty too), nothing, numbers, booleans, dates and times.
_GRID_VALUES = st.one_of(st.sampled_from(["", " ", "K1", "EV-1"]), st.none(), st.floats(allow_nan=False),
                         st.sampled_from([1.0, -2.0, 1e15, 0.5]), st.booleans(),
                         st.dates(min_value=date(1900, 1, 1)), st.datetimes(min_value=datetime(1900, 1, 1)))


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.lists(_GRID_VALUES, max_size=12),
                 st.lists(st.sampled_from(["", "K1", " ", None]), max_size=12)))  # text columns, often
def test_a_column_of_values_is_converted_as_each_value_is(raw):
    """``_plain`` (the common types inline, the rest once per distinct value) gives what ``_as_openpyxl``
    gives for each value, of the same type: an empty text is None, 2.0 is 2, a date a datetime."""
    from sv_workbook.xlsx.fast_read import _as_openpyxl, _plain

    got = _plain(list(raw))
    want = [_as_openpyxl(v) for v in raw]
    assert got == want and [type(v) for v in got] == [type(v) for v in want]
