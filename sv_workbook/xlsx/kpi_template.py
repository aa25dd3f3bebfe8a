"""Generate the social value KPI register template (``sv-workbook new kpi-register``).

Everything the contract names comes from ``contracts.KPI_REGISTER``; the rating bands
come from the ``Policy`` and the dropdown lists from the measure library in force. The
live columns beside the KPIs table implement ``core/kpi/rules.py``'s arithmetic with functions
Excel 2016 and LibreOffice 7.4 both know (SUMIFS, COUNTIF, MATCH, INDEX and one
single-cell array formula, MAX(IF(…)), for the reporting date), so a budget holder
sees each KPI's position as they type; the parity test proves the two agree.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from sv_workbook.core.arithmetic import excel_limit, excel_round
from sv_workbook.core.contracts import KPI_REGISTER, REPORTING_FREQUENCIES, YES_NO
from sv_workbook.core.kpi.rules import NOT_RATED, NOT_YET_DUE
from sv_workbook.core.kpi.measures import MeasureLibrary, default_library
from sv_workbook.core.policy import DEFAULT_POLICY, Policy
from sv_workbook.xlsx.print_layout import DataRows, fit_columns, setup_print
from sv_workbook.xlsx.write_helpers import (BOLD, FORMULA_FILL, LOCKED, TITLE_FONT, WRAP, add_table, date_validation, define_name,
                          fix_properties, header_row, list_validation, mark_input, number_validation,
                          positive_validation, protect, put_formula, put_text, set_widths, settings_sheet,
                          write_instructions, write_template)

MAX_KPIS = 40
ACTUAL_ROWS = 600
DATE_FORMAT = "dd/mm/yyyy"
GBP = '"£"#,##0.00'

CONTRACT_ROWS = {  # defined name -> (row on Contract, label)
    "ContractRef": (3, "Contract reference"),
    "ContractTitle": (4, "Contract title"),
    "Supplier": (5, "Supplier"),
    "SupplierIsSME": (6, "Supplier is an SME"),
    "SupplierIsVCSE": (7, "Supplier is a VCSE"),
    "ContractValue": (8, "Contract value (£, whole life)"),
    "StartDate": (9, "Start date"),
    "EndDate": (10, "End date"),
    "BudgetHolder": (11, "Budget holder"),
    "ReportingFrequency": (12, "Reporting frequency"),
}
#: Live cells on the Contract sheet (read by the parity test).
REPORTING_DATE_CELL = "B15"
ELAPSED_CELL = "B16"
#: Live columns beside the KPIs table, one row per KPI row.
LIVE_COLUMNS = ("DeliveredToDate", "ExpectedToDate", "PercentOfExpected", "Rating", "Library check")
LIVE_FIRST_COL = 10  # column J


def live_cells() -> dict[str, str]:
    """Column letter of each live column on the KPIs sheet."""
    return {name: get_column_letter(LIVE_FIRST_COL + i) for i, name in enumerate(LIVE_COLUMNS)}


def build_kpi_template(policy: Policy = DEFAULT_POLICY, library: MeasureLibrary | None = None) -> Workbook:
    """The blank KPI register, ready for a budget holder."""
    library = library or default_library()
    wb = Workbook()
    wb.remove(wb.active)
    instructions = wb.create_sheet("Instructions")
    _contract(wb, policy)
    _kpis(wb, policy)
    _actuals(wb)
    _report(wb, policy)
    _lists(wb, library)
    _instructions(instructions, policy, library)
    for ws in wb.worksheets:
        fit_columns(ws, grow_only=True)
    print_layout(wb)
    fix_properties(wb)
    return wb


#: The document named in every page header.
DOCUMENT = "Social value KPI register"
TEMPLATE_SHEETS = ("Instructions", "Contract", "KPIs", "Actuals", "KPI Report", "Lists")


def print_layout(wb: Workbook, ref: str | None = None) -> None:
    """Print set-up of every sheet the template makes (see ``print_layout``): ``new`` sets it
    on the blank register, ``score`` again with the contract reference and the rows in use.
    A sheet laid out otherwise prints its used range; a sheet the template does not make
    keeps its author's page set-up, if it has one."""
    data = {
        "KPIs": DataRows(1, tuple("ABCDEFGH"), get_column_letter(LIVE_FIRST_COL + len(LIVE_COLUMNS) - 1), min_rows=10),
        "Actuals": DataRows(1, tuple("ABCDE"), "E"),
    }
    for ws in wb.worksheets:
        name = ws.title
        if name in data and name in ws.tables and ws.tables[name].ref.startswith("A1:"):
            setup_print(ws, DOCUMENT, ref, title_rows=(1, 1), area=data[name].area(ws))
        elif name in TEMPLATE_SHEETS or ws.page_setup.paperSize is None:
            setup_print(ws, DOCUMENT, ref)


def write_kpi_template(path: str | Path, policy: Policy = DEFAULT_POLICY, library: MeasureLibrary | None = None,
                       replace: bool = False) -> Path | None:
    """Write the template to ``path`` (refused if it exists, unless ``replace``); returns the backup made."""
    return write_template(build_kpi_template, path, policy, library, kind="kpi-register", replace=replace)


def _col(table: str, column: str) -> str:
    """Column letter of a contract column in its template table (tables start at A1)."""
    return get_column_letter(KPI_REGISTER.table(table).headers.index(column) + 1)


def _contract(wb: Workbook, policy: Policy) -> None:
    ws = settings_sheet(wb, KPI_REGISTER, "Contract", "Contract and its social value reporting", CONTRACT_ROWS,
                        {"ContractValue": GBP, "StartDate": DATE_FORMAT, "EndDate": DATE_FORMAT})
    r = CONTRACT_ROWS
    list_validation(ws, f"B{r['SupplierIsSME'][0]}:B{r['SupplierIsVCSE'][0]}", YES_NO, "Yes or No.")
    list_validation(ws, f"B{r['ReportingFrequency'][0]}", "=Frequencies",
                    "How often the supplier's delivery is recorded: " + ", ".join(REPORTING_FREQUENCIES) + ".")
    number_validation(ws, f"B{r['ContractValue'][0]}", "0", None, "Whole-life contract value in £ (0 or more).")
    date_validation(ws, f"B{r['StartDate'][0]}:B{r['EndDate'][0]}", "A date, e.g. 01/04/2025.")

    ws["A14"] = "Live checks"
    ws["A14"].font = BOLD
    cond = _counted_row_conditions()
    ws.cell(row=15, column=1, value="Latest period reported")
    cell = ws[REPORTING_DATE_CELL]
    cell.value = ArrayFormula(REPORTING_DATE_CELL, f"=MAX({cond})")
    cell.fill, cell.protection, cell.number_format = FORMULA_FILL, LOCKED, DATE_FORMAT + ';;"none yet"'
    ws["C15"] = ("The latest PeriodEnd among Actuals rows that count (a known KPI, a date within the contract and "
                 "an Actual of 0 or more).")
    ws.cell(row=16, column=1, value="Share of the contract elapsed")
    put_formula(ws, ELAPSED_CELL, f"=IF({REPORTING_DATE_CELL}=0,0,({_clamped_date()}-StartDate)/(EndDate-StartDate))",
                "0.0%")
    ws.cell(row=17, column=1, value="Contract dates")
    put_formula(ws, "B17", '=IF(AND(ISNUMBER(StartDate),ISNUMBER(EndDate)),IF(EndDate>StartDate,"OK",'
                '"EndDate must be after StartDate"),"Enter both dates")')
    ws.cell(row=18, column=1, value="KPIs entered")
    put_formula(ws, "B18", '=COUNTIF(KPIs[KPI_ID],"?*")')
    # ROUND(...,9): the threshold is decided as the core decides it (arithmetic.above); the ISNUMBER test
    # comes first because AND evaluates every argument and ROUND of text is an error
    put_formula(ws, "C18", f'=IF(ISNUMBER(ContractValue),IF(AND({excel_round("ContractValue")}>'
                f'{excel_limit(policy.kpi_min_count_threshold_gbp)},B18<{policy.kpi_min_count}),"Contracts over '
                f'£{policy.kpi_min_count_threshold_gbp:,.0f} need at least {policy.kpi_min_count} KPIs (Procurement Act '
                f'2023 s.52)","OK"),"OK")')
    ws["A20"] = "Policy applied"
    put_text(ws, "B20", policy.policy_label())  # from a TOML file: text, never a formula
    for row in range(15, 19):
        ws.cell(row=row, column=3).alignment = WRAP
    set_widths(ws, {"A": 32, "B": 26, "C": 80})
    protect(ws)


def _counted_row_conditions() -> str:
    """Array expression: each Actuals row's PeriodEnd when the row counts (kpi.py's rule), else 0."""
    tests = ["ISNUMBER(Actuals[PeriodEnd])", "Actuals[PeriodEnd]>=StartDate", "Actuals[PeriodEnd]<=EndDate",
             "ISNUMBER(Actuals[Actual])", "Actuals[Actual]>=0", 'Actuals[KPI_ID]<>""',
             "COUNTIF(KPIs[KPI_ID],Actuals[KPI_ID])>0"]
    expr = "Actuals[PeriodEnd]"
    for test in reversed(tests):
        expr = f"IF({test},{expr},0)"
    return expr


def _clamped_date() -> str:
    return f"MIN(MAX(Contract!${REPORTING_DATE_CELL[0]}${REPORTING_DATE_CELL[1:]},StartDate),EndDate)"


def _kpis(wb: Workbook, policy: Policy) -> None:
    ws = wb.create_sheet("KPIs")
    spec = KPI_REGISTER.table("KPIs")
    last = MAX_KPIS + 1
    add_table(ws, "KPIs", 1, 1, list(spec.headers), MAX_KPIS)
    for row in range(2, last + 1):
        for col in range(1, len(spec.headers) + 1):
            mark_input(ws, f"{get_column_letter(col)}{row}")
    c = {name: _col("KPIs", name) for name in spec.headers}
    list_validation(ws, f"{c['Priority']}2:{c['Priority']}{last}", "=Priorities",
                    "A national priority, or a local priority from the measure library.", strict=False)
    list_validation(ws, f"{c['MeasureCode']}2:{c['MeasureCode']}{last}", "=MeasureCodes",
                    "A measure code from the Lists sheet (`sv-workbook measures` lists them).")
    list_validation(ws, f"{c['Unit']}2:{c['Unit']}{last}", "=Units", "The unit of the measure (see the Lists sheet).")
    positive_validation(ws, f"{c['Target']}2:{c['Target']}{last}",
                        "The whole-contract commitment, a number greater than 0, in the measure's unit.")
    number_validation(ws, f"{c['Baseline']}2:{c['Baseline']}{last}", "0", None, "Starting level (optional).")

    live = live_cells()
    header_row(ws, 1, LIVE_FIRST_COL, LIVE_COLUMNS)
    ident, tgt, code, unit = (f"${c['KPI_ID']}", f"${c['Target']}", f"${c['MeasureCode']}", f"${c['Unit']}")
    counted = ('Actuals[PeriodEnd],">="&StartDate,Actuals[PeriodEnd],"<="&EndDate,Actuals[Actual],">=0"')
    # the percent is decided at 9 decimal places, as kpi.rules.rating does (380 of 400 is 95%: Good)
    bands = (f'IF({{r}}>={excel_limit(policy.rating_good)},"Good",IF({{r}}>={excel_limit(policy.rating_approaching)},'
             f'"Approaching target",IF({{r}}>{excel_limit(policy.rating_requires_improvement)},'
             '"Requires improvement","Inadequate")))')
    for r in range(2, last + 1):
        d, e, p, rt, chk = (f"{live[n]}{r}" for n in LIVE_COLUMNS)
        match = f"MATCH({code}{r},MeasureCodes,0)"
        formulas = {
            d: (f'=IF({ident}{r}="","",SUMIFS(Actuals[Actual],Actuals[KPI_ID],{ident}{r},{counted}))', "#,##0.00"),
            e: (f'=IF(OR({ident}{r}="",NOT(ISNUMBER({tgt}{r}))),"",IF({tgt}{r}<=0,"",IF(Contract!$B$15=0,0,'
                f'{tgt}{r}*(({_clamped_date()}-StartDate)/(EndDate-StartDate)))))', "#,##0.00"),
            p: (f'=IF(OR({e}="",{e}=0),"",{d}/{e})', "0.0%"),
            rt: (f'=IF({ident}{r}="","",IF({e}="","{NOT_RATED}",IF({p}="","{NOT_YET_DUE}",'
                 f'{bands.format(r=excel_round(p))})))', None),
            chk: (f'=IF({ident}{r}="","",IF(ISNA({match}),"Unknown measure code",'
                  f'IF(INDEX(MeasureUnits,{match})<>{unit}{r}&"","Unit should be "&INDEX(MeasureUnits,{match}),'
                  f'"OK")))', None),
        }
        for coord, (formula, fmt) in formulas.items():
            put_formula(ws, coord, formula, fmt)
    from sv_workbook.xlsx.kpi_report import colour_ratings

    colour_ratings(ws, f"{live['Rating']}2:{live['Rating']}{last}")
    set_widths(ws, {"A": 9, "B": 22, "C": 13, "D": 48, "E": 16, "F": 10, "G": 10, "H": 18, "I": 3,
                    live["DeliveredToDate"]: 15, live["ExpectedToDate"]: 15, live["PercentOfExpected"]: 12,
                    live["Rating"]: 21, live["Library check"]: 24})
    ws.freeze_panes = "B2"
    protect(ws)


def _actuals(wb: Workbook) -> None:
    ws = wb.create_sheet("Actuals")
    spec = KPI_REGISTER.table("Actuals")
    last = ACTUAL_ROWS + 1
    add_table(ws, "Actuals", 1, 1, list(spec.headers), ACTUAL_ROWS)
    c = {name: _col("Actuals", name) for name in spec.headers}
    for row in range(2, last + 1):
        for name in spec.headers:
            mark_input(ws, f"{c[name]}{row}", DATE_FORMAT if name == "PeriodEnd" else None)
    list_validation(ws, f"{c['KPI_ID']}2:{c['KPI_ID']}{last}", f"=KPIs!$A$2:$A${MAX_KPIS + 1}",
                    "A KPI_ID from the KPIs sheet.")
    date_validation(ws, f"{c['PeriodEnd']}2:{c['PeriodEnd']}{last}", "Last day of the reporting period, e.g. 30/06/2025.")
    number_validation(ws, f"{c['Actual']}2:{c['Actual']}{last}", "0", None,
                      "Quantity delivered in this period, in the KPI's unit (0 or more).")
    set_widths(ws, {"A": 9, "B": 13, "C": 12, "D": 40, "E": 50})
    ws.freeze_panes = "A2"
    protect(ws)


def _report(wb: Workbook, policy: Policy) -> None:
    from sv_workbook.xlsx.kpi_report import SHEET, write_report_placeholder

    write_report_placeholder(wb.create_sheet(SHEET), policy)


def _lists(wb: Workbook, library: MeasureLibrary) -> None:
    ws = wb.create_sheet("Lists")
    ws["A1"] = "Measure library (from `sv-workbook measures`; the trust adds its own with --measures FILE.csv)"
    ws["A1"].font = BOLD
    header_row(ws, 2, 1, ["MeasureCode", "Priority", "Unit", "Type", "Financial", "Description", "Source"])
    for i, m in enumerate(library.measures):
        for j, v in enumerate([m.code, m.priority, m.unit, m.type, "Yes" if m.financial else "No", m.description,
                               m.source]):
            put_text(ws, ws.cell(row=3 + i, column=1 + j).coordinate, v)  # a trust's CSV is untrusted text
    n = len(library.measures)
    define_name(wb, "MeasureCodes", "Lists", f"A3:A{2 + n}")
    define_name(wb, "MeasureUnits", "Lists", f"C3:C{2 + n}")
    for col, title, values, name in ((9, "Priorities", library.priorities, "Priorities"),
                                     (10, "Units", library.units, "Units"),
                                     (11, "Frequencies", REPORTING_FREQUENCIES, "Frequencies")):
        header_row(ws, 2, col, [title])
        for i, v in enumerate(values):
            put_text(ws, ws.cell(row=3 + i, column=col).coordinate, v)
        letter = get_column_letter(col)
        define_name(wb, name, "Lists", f"{letter}3:{letter}{2 + len(values)}")
    set_widths(ws, {"A": 13, "B": 26, "C": 16, "D": 9, "E": 9, "F": 60, "G": 60, "H": 3, "I": 28, "J": 16,
                    "K": 13})
    protect(ws)


def _instructions(ws: Worksheet, policy: Policy, library: MeasureLibrary) -> None:
    ws["A1"] = "Social value KPI register: how to use it"
    ws["A1"].font = TITLE_FONT
    lines = [
        ("Who fills what", True),
        ("Yellow cells are for you to fill in; grey cells are calculated and locked. The sheets are protected "
         "without a password only so that formulas are not overwritten by accident (Review › Unprotect Sheet).", False),
        ("1. Contract: the contract's reference, title, supplier, value, start and end dates, the budget holder and "
         "how often delivery is recorded (Monthly, Quarterly, 6-monthly or Annual).", False),
        ("2. KPIs: one row per social value KPI agreed with the supplier: a unique KPI_ID, the priority it serves, "
         "the measure code from the library (Lists sheet), the unit (it must be the measure's unit), the baseline "
         "and the Target, the whole-contract commitment.", False),
        ("3. Actuals: every period, one row per KPI: the KPI_ID, the last day of the period (PeriodEnd), the "
         "quantity delivered in that period (Actual; enter 0 if nothing was delivered), and the evidence "
         "reference or link.", False),
        ("4. The grey columns beside the KPIs table show each KPI's delivered and expected figures and its rating "
         f"as you type (for the first {MAX_KPIS} KPIs).", False),
        ("5. Before reporting, run `sv-workbook validate THIS.xlsx` to list anything to fix, cell by cell; then "
         "`sv-workbook score THIS.xlsx -o REPORT.xlsx --proxies PROXIES.csv` fills the KPI Report sheet.", False),
        ("Need more rows? Unprotect the sheet, drag the table's bottom-right corner down, then protect it again.",
         False),
        ("The rules", True),
        (f"Policy applied: {policy.policy_label()}.", False),
        ("ExpectedToDate = Target × (days from StartDate to the latest period reported) ÷ (days from StartDate to "
         "EndDate). DeliveredToDate = the sum of the KPI's Actuals. PercentOfExpected = Delivered ÷ Expected.", False),
        (f"Rating (Procurement Act 2023 words): Good at {policy.rating_good:.0%} or more; Approaching target at "
         f"{policy.rating_approaching:.0%} or more; Requires improvement above {policy.rating_requires_improvement:.0%}; "
         f"Inadequate at {policy.rating_requires_improvement:.0%} or less. Before any period is reported: "
         f"{NOT_YET_DUE}.", False),
        (f"Contracts over £{policy.kpi_min_count_threshold_gbp:,.0f} need at least {policy.kpi_min_count} KPIs "
         "(Procurement Act 2023 s.52).", False),
        ("Every period the reporting frequency implies, from the start date to today, needs an Actuals row for "
         "every KPI; a missing one is reported as overdue.", False),
        ("A rating below Good is a result to report, not a mistake: a correct register whose supplier is behind "
         "still validates cleanly.", False),
        ("Measures and £ values", True),
        (f"The measure library in this workbook has {len(library.measures)} measures ({', '.join(library.sources)}), "
         "written for the trust from the Cabinet Office Social Value Model (Open Government Licence).", False),
        ("£ social value needs a proxy set the trust is licensed to use, imported from CSV at scoring time. "
         "National TOMs and HACT Social Value Bank values are licensed and are never built into this workbook.",
         False),
    ]
    write_instructions(ws, lines)
