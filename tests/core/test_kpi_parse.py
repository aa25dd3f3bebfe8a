"""kpi_parse: RawBook (plain data, as any reader produces it) → Register + findings with cells."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl.utils.cell import get_column_letter

from sv_workbook.core.bind import Coerce
from sv_workbook.core.contracts import KPI_REGISTER
from sv_workbook.core.kpi.rules import Actual, assess_register
from sv_workbook.core.bind import Row
from sv_workbook.core.kpi.parse import (ACTUALS_COLUMNS, _actuals, _coerced_actual, _coerced_kpi, _plain_actual,
                                        _plain_kpi, parse_register)
from sv_workbook.core.rawbook import CellValue, RawBook, RawTable

NAMES = {"ContractRef": "C-1", "ContractTitle": "Repairs", "Supplier": "S Ltd", "SupplierIsSME": "Yes",
         "SupplierIsVCSE": "No", "ContractValue": 900_000, "StartDate": datetime(2025, 4, 1),
         "EndDate": datetime(2027, 3, 31), "BudgetHolder": "B. Holder", "ReportingFrequency": "Quarterly"}
KPIS = [["K1", "Jobs & skills", "JS02", "Apprentices", "apprenticeships", 0, 12, "HR"]]
ACTUALS = [["K1", datetime(2025, 6, 30), 2, "EV1", ""], ["K1", datetime(2025, 9, 30), 1, "EV2", ""]]


def rawbook(names=None, kpis=None, actuals=None, drop_table=None) -> RawBook:
    names = {**NAMES, **(names or {})}
    raw = RawBook("reg.xlsx", list(KPI_REGISTER.sheets))
    for i, (name, value) in enumerate(names.items()):
        raw.names[name] = CellValue("Contract", f"B{3 + i}", value)
    for spec, rows in ((KPI_REGISTER.table("KPIs"), kpis or KPIS), (KPI_REGISTER.table("Actuals"), actuals or ACTUALS)):
        if spec.name == drop_table:
            continue
        letters = [get_column_letter(i + 1) for i in range(len(spec.headers))]
        raw.tables[spec.name] = RawTable(
            spec.name, spec.sheet, f"A1:{letters[-1]}{len(rows) + 1}", list(spec.headers), [f"{x}1" for x in letters],
            [[CellValue(spec.sheet, f"{x}{r + 2}", v) for x, v in zip(letters, row)] for r, row in enumerate(rows)])
    return raw


def test_parses_a_clean_register():
    register, findings = parse_register(rawbook())
    assert findings == []
    assert register.contract.start == date(2025, 4, 1) and register.contract.frequency == "Quarterly"
    assert register.kpis[0].target == 12 and register.kpis[0].where["target"] == ("KPIs", "G2")
    result = assess_register(register, as_of=date(2025, 10, 1))
    assert result.ok and result.status("K1").delivered == 3


def test_actuals_rule_findings_name_the_row_cells_and_spare_a_table_without_evidence():
    """The rules' findings on Actuals rows name the cell that is wrong (read from the row's cells);
    a blank Evidence cell is a finding at that cell, but a table with no Evidence column is not
    one finding per row (the binder has already warned of the missing column, once)."""
    actuals = [["K9", datetime(2025, 6, 30), 2, "EV1", ""], ["K1", datetime(2025, 9, 30), -1, "", ""]]
    register, findings = parse_register(rawbook(actuals=actuals))
    assert findings == []
    got = {(f.code, f.sheet, f.cell) for f in assess_register(register, as_of=date(2025, 10, 1)).findings}
    assert {("ACTUAL-UNKNOWN-KPI", "Actuals", "A2"), ("ACTUAL-NEGATIVE", "Actuals", "C3"),
            ("EVIDENCE-MISSING", "Actuals", "D3")} <= got

    raw = rawbook(actuals=actuals)
    table = raw.tables["Actuals"]
    evidence = table.headers.index("Evidence")
    table.headers[evidence] = "Notes"  # the column is there under another name: the contract has none
    register, findings = parse_register(raw)
    assert [f.code for f in findings] == ["MISSING-COLUMN"]
    assert [list(a.where) for a in register.actuals] == [["kpi_id", "period_end", "actual"]] * 2
    got = [f.code for f in assess_register(register, as_of=date(2025, 10, 1)).findings]
    assert "ACTUAL-NEGATIVE" in got and "EVIDENCE-MISSING" not in got


def test_cell_errors_name_sheet_and_cell():
    actuals = [["K1", "30 June", 2, "EV", ""], ["", datetime(2025, 6, 30), 1, "EV", ""],
               ["K1", datetime(2025, 9, 30), "two", "EV", ""], ["K1", datetime(2025, 9, 30), None, "EV", ""]]
    register, findings = parse_register(rawbook(actuals=actuals))
    where = {(f.code, f.sheet, f.cell) for f in findings}
    assert ("NOT-A-DATE", "Actuals", "B2") in where
    assert ("KPI-ID-BLANK", "Actuals", "A3") in where
    assert ("NOT-A-NUMBER", "Actuals", "C4") in where
    assert ("BLANK", "Actuals", "C5") in where
    assert len(register.actuals) == 3  # the row without a KPI_ID cannot be used


def test_end_before_start_is_an_error_on_end_date():
    register, findings = parse_register(rawbook(names={"EndDate": datetime(2025, 1, 1)}))
    assert register is None
    f = next(f for f in findings if f.code == "CONTRACT-DATES-REVERSED")
    assert (f.sheet, f.cell) == ("Contract", "B10")


def test_missing_table_and_name_are_reported():
    raw = rawbook(drop_table="Actuals")
    del raw.names["StartDate"]
    register, findings = parse_register(raw)
    assert register is None
    assert {"MISSING-TABLE", "MISSING-NAME"} <= {f.code for f in findings}


def test_blank_kpi_id_in_kpis_table():
    register, findings = parse_register(rawbook(kpis=KPIS + [["", "Jobs & skills", "JS01", "", "FTE", "", 2, ""]]))
    assert ("KPI-ID-BLANK", "KPIs", "A3") in {(f.code, f.sheet, f.cell) for f in findings}
    assert len(register.kpis) == 1


def test_missing_sheet_and_column_are_reported():
    raw = rawbook()
    raw.sheets.remove("KPI Report")
    kpis = raw.tables["KPIs"]
    kpis.headers[kpis.headers.index("Target")] = "Targets"
    register, findings = parse_register(raw)
    assert register is None
    by_code = {f.code: f for f in findings}
    assert by_code["MISSING-SHEET"].sheet == "KPI Report"
    assert "Rename the header 'Targets' to 'Target'" in by_code["MISSING-COLUMN"].hint


def test_register_without_kpis_is_an_error():
    register, findings = parse_register(rawbook(kpis=[["", "", "", "", "", "", "", ""]], actuals=[["", "", "", "", ""]]))
    result = assess_register(register, as_of=date(2025, 10, 1))
    assert "KPI-NONE" in [f.code for f in result.findings] and not result.ok


# Every kind of value a reader can put in an Actuals cell.
_CELL_VALUES = st.one_of(
    st.none(), st.text(alphabet=" \tK1x", max_size=4), st.booleans(), st.integers(-5, 5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)))
# What each Actuals column usually holds, so that many examples are plain rows.
_TYPICAL = (st.text(alphabet=" K19", min_size=1, max_size=4), st.datetimes(min_value=datetime(2000, 1, 1)),
            st.one_of(st.integers(-5, 500), st.floats(),
                      st.sampled_from([float("nan"), float("inf"), -float("inf")])),
            st.one_of(st.none(), st.text(alphabet=" EV1", max_size=4)),
            st.one_of(st.none(), st.text(alphabet=" ok", max_size=3)))


def _mostly(typical, anything):
    """Three times in four what the column usually holds, else anything (``one_of`` would
    flatten the nested choices and pick the typical values only rarely)."""
    return st.integers(0, 3).flatmap(lambda i: anything if i == 0 else typical)


@settings(max_examples=500, deadline=None)
@given(values=st.tuples(*(_mostly(typical, _CELL_VALUES) for typical in _TYPICAL)),
       formulas=st.lists(_mostly(st.none(), st.just("=A1")), min_size=5, max_size=5),
       present=st.sampled_from(["both", "no evidence", "no comment"]))
@example(values=("K1", datetime(2025, 6, 30), 2, "", ""), formulas=[None] * 5, present="both")
@example(values=("K1", datetime(2025, 6, 30), 2.5, "  ", "\t "), formulas=[None] * 5, present="both")
@example(values=("  ", datetime(2025, 6, 30), 2, "EV", None), formulas=[None] * 5, present="both")
@example(values=(" K1\u200b", datetime(2025, 6, 30, 9), -1, None, "\u200b ok\u00a0"), formulas=[None] * 5, present="no evidence")
def test_plain_actual_rows_read_as_coerce_reads_them(values, formulas, present):
    """The one-step reading of plain Actuals rows must give exactly what Coerce gives, and be
    taken only for rows where Coerce reports nothing."""
    cells = [CellValue("Actuals", f"{x}7", v, f) for x, v, f in zip("ABCDE", values, formulas)]
    ev = None if present == "no evidence" else cells[3]
    cm = None if present == "no comment" else cells[4]
    row = (cells[0], cells[1], cells[2], ev, cm)
    plain = _plain_actual(row)
    findings: list = []
    general = _coerced_actual(row, Coerce(findings))
    if plain is not None:
        assert findings == [] and plain == general and plain.cells is general.cells is row
        assert [type(v) for v in plain] == [type(v) for v in general]  # 2.0 is not 2, None is not ""


def test_ordinary_actuals_rows_take_the_one_step_reading():
    row = [CellValue("Actuals", "A7", " K1 "), CellValue("Actuals", "B7", datetime(2025, 6, 30)),
           CellValue("Actuals", "C7", 2), CellValue("Actuals", "D7", "EV1"), CellValue("Actuals", "E7", None)]
    assert _plain_actual(tuple(row)) == Actual("K1", date(2025, 6, 30), 2.0, "EV1", None)
    assert _plain_actual((*row[:2], CellValue("Actuals", "C7", "n/a"), *row[3:])) is None


KPI_COLUMNS = ("KPI_ID", "Priority", "MeasureCode", "Unit", "Target", "Description", "Baseline", "Owner")
# What each KPIs column usually holds, so that many examples are plain rows.
_TYPICAL_KPI = (st.text(alphabet=" K19", min_size=1, max_size=4), st.text(alphabet=" Jobs", max_size=4),
                st.text(alphabet=" JS0", max_size=4), st.text(alphabet=" FTE\u00a0", max_size=4),
                st.one_of(st.integers(-5, 500), st.floats()), st.one_of(st.none(), st.text(alphabet=" ab", max_size=3)),
                st.one_of(st.none(), st.integers(-5, 5), st.floats()),
                st.one_of(st.none(), st.text(alphabet=" HR\u200b", max_size=3)))


@settings(max_examples=500, deadline=None)
@given(values=st.tuples(*(_mostly(typical, _CELL_VALUES) for typical in _TYPICAL_KPI)),
       formulas=st.lists(_mostly(st.none(), st.just("=A1")), min_size=8, max_size=8),
       present=st.lists(st.booleans(), min_size=3, max_size=3))
@example(values=("K1", "Jobs", "JS02", "FTE", 12, None, None, None), formulas=[None] * 8, present=[True] * 3)
@example(values=("K1", "Jobs", "JS02", "FTE", 12.5, "  ", 3, "\u200b"), formulas=[None] * 8, present=[True] * 3)
@example(values=("K1", "Jobs", "JS02", "FTE", 12, "d", float("nan"), "o"), formulas=[None] * 8, present=[True] * 3)
@example(values=(" K1\u200b", "Jobs", " ", "FTE", 12, "d", 1, "o"), formulas=[None] * 8, present=[False] * 3)
@example(values=("K1", "Jobs", "JS02", "FTE", 12, None, None, None), formulas=[None] * 5 + ["=A1", None, None],
         present=[True] * 3)  # a formula never calculated: a finding, so not plain
@example(values=("K1", "Jobs", "JS02", "FTE", 12, None, None, None), formulas=[None] * 6 + ["=A1", None],
         present=[True] * 3)
@example(values=("K1", "Jobs", "JS02", "FTE", 12, None, None, None), formulas=[None] * 7 + ["=A1"],
         present=[True] * 3)
def test_plain_kpi_rows_read_as_coerce_reads_them(values, formulas, present):
    """The one-step reading of plain KPIs rows must give exactly what Coerce gives (values, their
    types and where each sits), and be taken only for rows where Coerce reports nothing."""
    cells = {c: CellValue("KPIs", f"{x}4", v, f) for c, x, v, f in zip(KPI_COLUMNS, "ABCDEFGH", values, formulas)}
    for column, kept in zip(KPI_COLUMNS[5:], present):
        if not kept:
            del cells[column]
    row = Row("KPIs", "KPIs", cells)
    plain = _plain_kpi(row)
    findings: list = []
    general = _coerced_kpi(row, Coerce(findings))
    if plain is not None:
        assert findings == [] and plain == general and plain.where == general.where
        assert list(plain.where) == list(general.where)
        assert [type(getattr(plain, f)) for f in KPI_COLUMNS_FIELDS] == [type(getattr(general, f)) for f in KPI_COLUMNS_FIELDS]


KPI_COLUMNS_FIELDS = ("id", "priority", "measure_code", "unit", "target", "description", "baseline", "owner")


def test_ordinary_kpis_rows_take_the_one_step_reading():
    cells = dict(zip(KPI_COLUMNS, (CellValue("KPIs", f"{x}4", v) for x, v in zip(
        "ABCDEFGH", (" K1 ", "Jobs & skills", "JS02", "FTE", 12, None, 0, "HR")))))
    kpi = _plain_kpi(Row("KPIs", "KPIs", cells))
    assert kpi is not None and (kpi.id, kpi.target, kpi.baseline, kpi.owner) == ("K1", 12.0, 0.0, "HR")
    assert kpi.where["target"] == ("KPIs", "E4")
    assert _plain_kpi(Row("KPIs", "KPIs", {**cells, "Target": CellValue("KPIs", "E4", "12")})) is None


def test_actual_equality_and_hash_ignore_its_cells():
    """Two Actuals rows that say the same are equal wherever they sit, as the dataclass was
    (``where``, now worked out from ``cells``, had ``compare=False``); anything else they say tells them apart."""
    a = Actual("K1", date(2025, 6, 30), 2.0, "EV", None, (CellValue("Actuals", "A2", "K1"),))
    b = Actual("K1", date(2025, 6, 30), 2.0, "EV", None, (CellValue("Actuals", "A9", "K1"),))
    assert a == b and not a != b and hash(a) == hash(b) and len({a, b}) == 1
    assert a.where == {"kpi_id": ("Actuals", "A2")} and b.where == {"kpi_id": ("Actuals", "A9")}
    assert a == Actual("K1", date(2025, 6, 30), 2.0, "EV") and Actual("K1", None, None).where == {}
    for other in (a._replace(kpi_id="K2"), a._replace(period_end=None), a._replace(actual=3.0),
                  a._replace(evidence=None), a._replace(comment="c")):
        assert a != other and not a == other
    assert a != tuple(a) and a != ("K1", date(2025, 6, 30), 2.0, "EV", None)  # only an Actual equals an Actual


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(*(_mostly(typical, _CELL_VALUES) for typical in _TYPICAL)), max_size=6),
       formulas=st.lists(_mostly(st.none(), st.just("=A1")), min_size=5, max_size=5))
def test_the_actuals_loop_reads_every_row_as_coerce_reads_it(rows, formulas):
    """``_actuals`` (each row plain in one step, else through Coerce) gives Coerce's Actuals, their
    places and its findings, row for row."""
    bound = [tuple(CellValue("Actuals", f"{x}{r + 2}", v, f) for x, v, f in zip("ABCDE", values, formulas))
             for r, values in enumerate(rows)]  # the cells of ACTUALS_COLUMNS, as BoundBook.cells gives them
    got_findings: list = []
    got = _actuals(bound, Coerce(got_findings))
    want_findings: list = []
    co = Coerce(want_findings)
    want = []
    for row in bound:
        actual = _coerced_actual(row, co)
        if actual is not None:
            c = dict(zip(ACTUALS_COLUMNS, row))
            # the places findings name, as the rules read them from ``where``
            want.append((actual, {"kpi_id": c["KPI_ID"][:2], "period_end": c["PeriodEnd"][:2],
                                  "actual": c["Actual"][:2], "evidence": c["Evidence"][:2]}))
    assert got == tuple(a for a, _ in want) and [a.where for a in got] == [where for _, where in want]
    assert got_findings == want_findings
