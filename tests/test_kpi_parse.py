"""kpi_parse: RawBook (plain data, as any reader produces it) → Register + findings with cells."""

from __future__ import annotations

from datetime import date, datetime

from openpyxl.utils.cell import get_column_letter

from sv_workbook.contracts import KPI_REGISTER
from sv_workbook.kpi import assess_register
from sv_workbook.kpi_parse import parse_register
from sv_workbook.rawbook import CellValue, RawBook, RawTable

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
