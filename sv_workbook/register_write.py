"""openpyxl adapter: write a KPI register workbook from a plain ``Register``.

A register that follows ``contracts.KPI_REGISTER`` (its sheets, defined names and
Tables) and nothing more: the bundled example portfolio and the portfolio tests need
real register files on disk. The full KPI template (dropdowns, live formulas, the
instructions) is the KPI register feature's; this writer only has to be readable by
the same readers every register goes through.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from .contracts import KPI_REGISTER
from .kpi import Register
from .safe_write import atomic_save
from .xlsx_common import add_table, define_name, fix_properties, put_value, set_widths
from .xlsx_fill import fill_table, yes_no


def build_register(register: Register) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in KPI_REGISTER.sheets:
        wb.create_sheet(sheet)
    c = register.contract
    values = {"ContractRef": c.ref, "ContractTitle": c.title, "Supplier": c.supplier,
              "SupplierIsSME": yes_no(c.sme), "SupplierIsVCSE": yes_no(c.vcse), "ContractValue": c.value,
              "StartDate": c.start, "EndDate": c.end, "BudgetHolder": c.budget_holder,
              "ReportingFrequency": c.frequency}
    ws = wb["Contract"]
    for row, named in enumerate(KPI_REGISTER.names, start=1):
        ws.cell(row=row, column=1, value=named.name)
        put_value(ws, f"B{row}", values[named.name])
        if named.field.kind.value == "date":
            ws[f"B{row}"].number_format = "dd/mm/yyyy"
        define_name(wb, named.name, "Contract", f"B{row}")
    set_widths(ws, {"A": 22, "B": 44})
    for spec, rows in (
        ("KPIs", [{"KPI_ID": k.id, "Priority": k.priority, "MeasureCode": k.measure_code, "Description": k.description,
                   "Unit": k.unit, "Baseline": k.baseline, "Target": k.target, "Owner": k.owner}
                  for k in register.kpis]),
        ("Actuals", [{"KPI_ID": a.kpi_id, "PeriodEnd": a.period_end, "Actual": a.actual, "Evidence": a.evidence,
                      "Comment": a.comment} for a in register.actuals]),
    ):
        table = KPI_REGISTER.table(spec)
        add_table(wb[table.sheet], table.name, 1, 1, list(table.headers), len(rows))
        fill_table(wb, table.name, rows)
    for row in wb["Actuals"].iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].number_format = "dd/mm/yyyy"
    wb["KPI Report"]["A1"] = "Run `sv-workbook score` to fill this sheet."
    fix_properties(wb)
    return wb


def write_register(path: str | Path, register: Register) -> Path:
    path = Path(path)
    atomic_save(build_register(register), path)
    return path


__all__ = ["build_register", "write_register"]
