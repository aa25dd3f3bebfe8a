"""An independent builder of contract workbooks, as a person (or another tool) would make them.

It follows only the published contract, the README's "Workbook contracts" section: sheet
names, defined names and Excel Tables with their headers, copied here as literals. It never
calls our template, fill or contract code, so a reader that only understands what our own
template writes fails against it. What it varies, as hand-made workbooks do:

* Table columns shuffled, with extra columns of the user's own between them;
* Tables away from A1, at a different place on each sheet;
* defined names anywhere on their sheet, optionally scoped to that sheet (as Excel makes
  them when a sheet is copied between workbooks), optionally also at workbook level;
* Excel's Total Row under any Table (``totalsRowCount="1"``, a label and ``SUBTOTAL``);
* input cells holding a formula with the value Excel saved for it (a zip rewrite, as
  openpyxl writes no cached values);
* whatever values the test gives: numbers and dates as text, odd spaces and all.

Written with openpyxl as a plain writer (cells, ``Table``, ``DefinedName``) and a zip rewrite.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils.cell import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from tests.support.zips import rewrite

# --- the published contract (README "Workbook contracts"), as literals --------------------------

TENDER_SHEETS = ("Setup", "Criteria", "Bidders", "Scores", "Consensus", "Report")
#: Table name -> (sheet, columns)
TENDER_TABLES = {
    "Criteria": ("Criteria", ("ID", "Criterion", "Weight", "SocialValue", "Priority", "MinScore")),
    "Bidders": ("Bidders", ("Bidder", "Price", "SME", "VCSE")),
    "Scores": ("Scores", ("Bidder", "CriterionID", "Evaluator", "Score", "Comment")),
    "Consensus": ("Consensus", ("Bidder", "CriterionID", "Score", "Rationale")),
    "AbnormallyLow": ("Bidders", ("Bidder", "FlaggedOn", "RequestSent", "SupplierAnswer", "Decision")),
    "Evaluators": ("Setup", ("Evaluator",)),
}
KPI_SHEETS = ("Contract", "KPIs", "Actuals", "KPI Report")
KPI_TABLES = {
    "KPIs": ("KPIs", ("KPI_ID", "Priority", "MeasureCode", "Description", "Unit", "Baseline", "Target", "Owner")),
    "Actuals": ("Actuals", ("KPI_ID", "PeriodEnd", "Actual", "Evidence", "Comment")),
}
#: Columns a person adds to their own tables (the contract allows extra columns).
EXTRA_COLUMNS = ("Notes", "Checked by", "Internal ref")


def tender_data() -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """A small complete tender: names on Setup and the rows of each Table."""
    names = {"TenderRef": "HT-2026-014", "TenderTitle": "Kitchen and bathroom replacements",
             "ContractValue": 1_800_000, "ContractType": "Works", "ProcurementRoute": "Open",
             "PriceWeight": 40, "QualityWeight": 60, "ScoreScaleMax": 5, "ConsensusRule": "Moderated",
             "PriceMethod": "Lowest price", "PreTenderEstimate": 1_750_000,
             "ProcurementStart": datetime(2026, 3, 2)}
    criteria = [
        {"ID": "Q1", "Criterion": "Delivery approach", "Weight": 50, "SocialValue": "No"},
        {"ID": "Q2", "Criterion": "Resident liaison", "Weight": 30, "SocialValue": "No"},
        {"ID": "SV1", "Criterion": "Local jobs", "Weight": 20, "SocialValue": "Yes", "Priority": "Jobs & skills"},
    ]
    bidders = [
        {"Bidder": "Acme Builders Ltd", "Price": 1_640_000, "SME": "Yes", "VCSE": "No"},
        {"Bidder": "Borough Homes", "Price": 1_710_000, "SME": "No", "VCSE": "No"},
        {"Bidder": "Cooperative Works", "Price": 1_695_500.5, "SME": "Yes", "VCSE": "Yes"},
    ]
    marks = {"Acme Builders Ltd": (4, 3, 4), "Borough Homes": (3, 4, 3), "Cooperative Works": (4, 4, 5)}
    scores, consensus = [], []
    for bidder, by_criterion in marks.items():
        for crit, mark in zip(("Q1", "Q2", "SV1"), by_criterion):
            for evaluator in ("Priya Shah", "Tom Ellis"):
                scores.append({"Bidder": bidder, "CriterionID": crit, "Evaluator": evaluator, "Score": mark,
                               "Comment": f"{evaluator} on {crit}"})
            consensus.append({"Bidder": bidder, "CriterionID": crit, "Score": mark, "Rationale": "Agreed"})
    tables = {"Criteria": criteria, "Bidders": bidders, "Scores": scores, "Consensus": consensus,
              "Evaluators": [{"Evaluator": "Priya Shah"}, {"Evaluator": "Tom Ellis"}]}
    return names, tables


def register_data() -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """A small KPI register: names on Contract, KPIs and quarterly Actuals."""
    names = {"ContractRef": "C-2025-031", "ContractTitle": "Responsive repairs", "Supplier": "Acme Builders Ltd",
             "SupplierIsSME": "Yes", "SupplierIsVCSE": "No", "ContractValue": 2_400_000,
             "StartDate": datetime(2025, 4, 1), "EndDate": datetime(2027, 3, 31), "BudgetHolder": "Sam Okafor",
             "ReportingFrequency": "Quarterly"}
    kpis = [{"KPI_ID": "K1", "Priority": "Jobs & skills", "MeasureCode": "JS01", "Description": "Local hires",
             "Unit": "FTE", "Target": 8, "Owner": "Site lead"}]
    actuals = [{"KPI_ID": "K1", "PeriodEnd": datetime(2025, 6, 30), "Actual": 1, "Evidence": "HR list"},
               {"KPI_ID": "K1", "PeriodEnd": datetime(2025, 9, 30), "Actual": 1.5, "Evidence": "HR list"}]
    return names, {"KPIs": kpis, "Actuals": actuals}


@dataclass
class Layout:
    """How the workbook bends within the contract. ``seed`` places and shuffles everything."""

    seed: int = 0
    shuffle: bool = True
    extra_columns: bool = True
    #: "book" (workbook-level names), "sheet" (scoped to the names' sheet) or "both"
    name_scope: str = "book"
    #: with "both": names whose workbook-level twin points elsewhere (at a cell holding this value)
    stray_book_names: dict[str, Any] = field(default_factory=dict)
    #: Tables that get Excel's Total Row
    total_rows: tuple[str, ...] = ()
    #: (table, row index, column) or name -> formula text (without '='); the given value is its cached result
    formulas: dict[Any, str] = field(default_factory=dict)


def write_contract_workbook(path: Path, kind: str, names: dict[str, Any], tables: dict[str, list[dict[str, Any]]],
                            layout: Layout | None = None) -> Path:
    """Write a ``tender`` or ``kpi-register`` workbook following the published contract."""
    layout = layout or Layout()
    rnd = random.Random(layout.seed)
    sheets, specs = (TENDER_SHEETS, TENDER_TABLES) if kind == "tender" else (KPI_SHEETS, KPI_TABLES)
    names_sheet = sheets[0]
    wb = Workbook()
    wb.remove(wb.active)
    order = list(sheets)
    order.insert(1, "Notes")  # a sheet of the user's own
    for title in order:
        wb.create_sheet(title)
    wb["Notes"]["A1"] = "Working notes (not part of the contract)"
    cells: dict[Any, tuple[str, str]] = {}

    # names: label and value pairs at random rows, in a random column
    ws = wb[names_sheet]
    col = rnd.randint(2, 4)
    rows = rnd.sample(range(2, 40), len(names) + len(layout.stray_book_names))
    for (name, value), row in zip(names.items(), rows):
        ws.cell(row=row, column=col, value=name)
        target = ws.cell(row=row, column=col + 1, value=value)
        cells[name] = (names_sheet, target.coordinate)
        ref = f"{quote_sheetname(names_sheet)}!${get_column_letter(col + 1)}${row}"
        if layout.name_scope in ("book", "both") and name not in layout.stray_book_names:
            wb.defined_names[name] = DefinedName(name, attr_text=ref)
        if layout.name_scope in ("sheet", "both"):
            ws.defined_names[name] = DefinedName(name, attr_text=ref)
    for (name, value), row in zip(layout.stray_book_names.items(), rows[len(names):]):
        ws.cell(row=row, column=col, value=f"old {name}")
        ws.cell(row=row, column=col + 1, value=value)
        wb.defined_names[name] = DefinedName(
            name, attr_text=f"{quote_sheetname(names_sheet)}!${get_column_letter(col + 1)}${row}")

    # tables: shuffled columns with extras, away from A1; a second table on a sheet goes to the right
    next_col: dict[str, int] = {}
    for tname, rows_data in tables.items():
        sheet, columns = specs[tname]
        ws = wb[sheet]
        present = list(columns)
        if layout.shuffle:
            rnd.shuffle(present)
        if layout.extra_columns:
            for extra in rnd.sample(EXTRA_COLUMNS, rnd.randint(1, 2)):
                present.insert(rnd.randint(0, len(present)), extra)
        first_col = next_col.get(sheet, 0) or rnd.randint(2, 5)
        if sheet == names_sheet and sheet not in next_col:
            first_col = col + 3
        first_row = rnd.randint(3, 7)
        for j, header in enumerate(present):
            ws.cell(row=first_row, column=first_col + j, value=header)
        for i, row_data in enumerate(rows_data):
            for j, header in enumerate(present):
                value = row_data.get(header, f"own {i}" if header in EXTRA_COLUMNS else None)
                c = ws.cell(row=first_row + 1 + i, column=first_col + j, value=value)
                cells[(tname, i, header)] = (sheet, c.coordinate)
        last_row = first_row + max(1, len(rows_data))
        totals = int(tname in layout.total_rows)
        if totals:
            last_row += 1
            ws.cell(row=last_row, column=first_col, value="Total")
            for j, header in enumerate(present[1:], start=1):
                if any(isinstance(r.get(header), (int, float)) for r in rows_data):
                    letter = get_column_letter(first_col + j)
                    ws.cell(row=last_row, column=first_col + j,
                            value=f"=SUBTOTAL(109,{letter}{first_row + 1}:{letter}{last_row - 1})")
        ref = f"{get_column_letter(first_col)}{first_row}:{get_column_letter(first_col + len(present) - 1)}{last_row}"
        body = f"{ref.split(':')[0]}:{get_column_letter(first_col + len(present) - 1)}{last_row - totals}"
        # the Table's columns carry the header text, as Excel requires (openpyxl only fills them in
        # for a Table without columns); Excel's filter excludes the Total Row
        table = Table(displayName=tname, name=tname, ref=ref, autoFilter=AutoFilter(ref=body),
                      tableColumns=[TableColumn(id=j + 1, name=h) for j, h in enumerate(present)],
                      tableStyleInfo=TableStyleInfo(name="TableStyleMedium2", showRowStripes=True))
        if totals:
            table.totalsRowCount = 1
            table.tableColumns[0].totalsRowLabel = "Total"
        ws.add_table(table)
        next_col[sheet] = first_col + len(present) + 2
    wb.save(path)
    if layout.formulas:
        _add_formulas(path, wb, {cells[k]: f for k, f in layout.formulas.items()})
    return path


def _add_formulas(path: Path, wb: Workbook, formulas: dict[tuple[str, str], str]) -> None:
    """Give cells a formula while keeping their saved value, as Excel saves a calculated formula."""
    parts = {f"xl/worksheets/sheet{i}.xml": ws.title for i, ws in enumerate(wb.worksheets, start=1)}

    def edit(name: str, data: bytes) -> bytes:
        sheet = parts.get(name)
        for (s, coord), formula in formulas.items():
            if s != sheet:
                continue
            pattern = re.compile(rb'(<c r="' + coord.encode() + rb'"[^>]*>)(<v>[^<]*</v>)')
            data, n = pattern.subn(lambda m: m.group(1) + b"<f>" + formula.encode() + b"</f>" + m.group(2), data)
            assert n == 1, f"no numeric cell {s}!{coord} to give a formula"
        return data

    tmp = path.with_name(path.stem + ".formulas.xlsx")
    rewrite(path, tmp, edit)
    tmp.replace(path)
