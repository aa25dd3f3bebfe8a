"""Turn a bound KPI register workbook into a ``Register``, reporting every unusable cell.

Pure: works on ``RawBook`` data from any reader. Cell-level problems (blank, not a
number, not a date) are found here through ``Coerce``; the register's rules (unknown
measures, overdue periods, ratings…) are applied by ``kpi.assess_register``.
"""

from __future__ import annotations

import math
from datetime import datetime
from functools import lru_cache, partial

from sv_workbook.core.bind import BoundBook, Coerce, Row, bind, where_of
from sv_workbook.core.contracts import KPI_REGISTER
from sv_workbook.core.catalogue import CONTRACT_DATES_REVERSED, KPI_ID_BLANK
from sv_workbook.core.findings import Finding
from sv_workbook.core.kpi.rules import KPI, Actual, ContractInfo, Register
from sv_workbook.core.rawbook import CellValue, RawBook
from sv_workbook.core.reading import clean_text


def parse_register(raw: RawBook) -> tuple[Register | None, list[Finding]]:
    """Return the register (None when it is too broken to assess) and the findings."""
    book = bind(raw, KPI_REGISTER)
    findings = book.findings
    if not book.complete:
        return None, findings
    co = Coerce(findings)
    contract = _contract(book, co)
    kpis = tuple(k for k in (_kpi(r, co) for r in book.table_rows("KPIs")) if k is not None)
    actuals = _actuals(book.cells("Actuals", ACTUALS_COLUMNS), co)
    if contract is None:
        return None, findings
    return Register(contract, kpis, actuals), findings


def _contract(book: BoundBook, co: Coerce) -> ContractInfo | None:
    n = book.names
    spec = KPI_REGISTER

    def what(name: str) -> str:
        return f"'{name}'"

    ref = co.text(n["ContractRef"], what("ContractRef"))
    title = co.text(n["ContractTitle"], what("ContractTitle"))
    supplier = co.text(n["Supplier"], what("Supplier"))
    sme = co.yesno(n["SupplierIsSME"], what("SupplierIsSME"))
    vcse = co.yesno(n["SupplierIsVCSE"], what("SupplierIsVCSE"))
    value = co.number(n["ContractValue"], what("ContractValue"), minimum=0)
    start = co.date(n["StartDate"], what("StartDate"))
    end = co.date(n["EndDate"], what("EndDate"))
    holder = co.text(n["BudgetHolder"], what("BudgetHolder"))
    frequency = co.choice(n["ReportingFrequency"], what("ReportingFrequency"), spec.named("ReportingFrequency").field)
    if start is None or end is None:
        return None
    if end <= start:
        cv = n["EndDate"]
        co.findings.append(CONTRACT_DATES_REVERSED(
            f"EndDate {end:%d/%m/%Y} is not after StartDate {start:%d/%m/%Y}.",
            "Check both dates (day/month order, year); the contract must end after it starts.", cv.sheet, cv.cell))
        return None
    return ContractInfo(ref or "", title or "", supplier or "", sme, vcse, value, start, end, holder or "", frequency,
                        where_of(value=n["ContractValue"], start=n["StartDate"], end=n["EndDate"],
                           frequency=n["ReportingFrequency"]))


def _kpi_id(cv: CellValue, co: Coerce, table: str) -> str | None:
    ident = co.text(cv, _ID_WHAT.get(table) or f"{table} KPI_ID", required=False)
    if ident is None and cv.formula is None:
        co.findings.append(KPI_ID_BLANK(
            f"A row of the {table} table has no KPI_ID.",
            "Enter the KPI's ID (e.g. K1), or delete the row if it is not used." if table == "KPIs" else
            "Enter the ID of the KPI this actual belongs to (from the KPIs table).", cv.sheet, cv.cell))
    return ident


def _opt(row: Row, column: str) -> CellValue | None:
    return row.cells.get(column)


def _kpi(row: Row, co: Coerce) -> KPI | None:
    """The row's ``KPI`` (None without a KPI_ID): in one step when the row is plain
    (``_plain_kpi``), else cell by cell through ``Coerce`` (``_coerced_kpi``)."""
    return _plain_kpi(row) or _coerced_kpi(row, co)


def _coerced_kpi(row: Row, co: Coerce) -> KPI | None:
    """Any KPIs row, cell by cell through ``Coerce``: every unusable cell becomes a finding."""
    ident = _kpi_id(row.cell("KPI_ID"), co, "KPIs")
    what = f"KPI '{ident}'" if ident else "KPI"
    priority = co.text(row.cell("Priority"), f"{what} Priority")
    measure = co.text(row.cell("MeasureCode"), f"{what} MeasureCode")
    unit = co.text(row.cell("Unit"), f"{what} Unit")
    target = co.number(row.cell("Target"), f"{what} Target")
    cells = {c: _opt(row, c) for c in ("Description", "Baseline", "Owner")}
    description = co.text(cells["Description"], f"{what} Description", required=False) if cells["Description"] else None
    baseline = co.number(cells["Baseline"], f"{what} Baseline", required=False) if cells["Baseline"] else None
    owner = co.text(cells["Owner"], f"{what} Owner", required=False) if cells["Owner"] else None
    if ident is None:
        return None
    return KPI(ident, priority, measure, unit, target, description, baseline, owner,
               where_of(id=row.cell("KPI_ID"), priority=row.cell("Priority"), measure_code=row.cell("MeasureCode"),
                  unit=row.cell("Unit"), target=row.cell("Target")))


def _plain_kpi(row: Row) -> KPI | None:
    """The ``KPI`` of a row ``Coerce`` would read without a finding, or None.

    A plain row has no formula, text in KPI_ID, Priority, MeasureCode and Unit, a finite number
    as Target, and nothing or the expected type in Description, Baseline and Owner. It is read
    here without the four finding texts (``"KPI 'K1' Priority"``...) that ``_coerced_kpi``, the
    authority, spells for every row in case a cell is wrong; a property test checks both agree.
    """
    cells = row.cells
    id_cell, pr_cell, mc_cell, un_cell, tg_cell = (cells["KPI_ID"], cells["Priority"], cells["MeasureCode"],
                                                   cells["Unit"], cells["Target"])
    texts = []
    for cv in (id_cell, pr_cell, mc_cell, un_cell):
        value = cv.value
        if cv.formula is not None or type(value) is not str:
            return None
        value = clean_text(value)
        if not value:
            return None
        texts.append(value)
    target = tg_cell.value
    if (tg_cell.formula is not None or not (type(target) is float or type(target) is int)
            or not math.isfinite(target)):
        return None
    description = _plain_note(cells.get("Description"))
    owner = _plain_note(cells.get("Owner"))
    if description is NOT_PLAIN or owner is NOT_PLAIN:
        return None
    baseline = None
    cv = cells.get("Baseline")
    if cv is not None:
        baseline = cv.value
        if cv.formula is not None:
            return None
        if baseline is not None:
            if not (type(baseline) is float or type(baseline) is int) or not math.isfinite(baseline):
                return None
            baseline = float(baseline)
    ident, priority, measure, unit = texts
    return KPI(ident, priority, measure, unit, float(target), description, baseline, owner,
               {"id": id_cell[:2], "priority": pr_cell[:2], "measure_code": mc_cell[:2], "unit": un_cell[:2],
                "target": tg_cell[:2]})


#: What the KPI_ID cell of each table is called in findings (spelt once, not per row).
_ID_WHAT = {"KPIs": "KPIs KPI_ID", "Actuals": "Actuals KPI_ID"}


@lru_cache(maxsize=4096)
def _actual_whats(ident: str | None) -> tuple[str, str, str, str]:
    """How findings name the PeriodEnd, Actual, Evidence and Comment cells of a KPI's rows.

    Remembered: a register has hundreds of Actuals rows but only a few dozen KPI IDs, and
    these texts are needed only for the rare row with a finding.
    """
    what = f"Actuals row of KPI '{ident}'" if ident else "Actuals row"
    return f"{what}: PeriodEnd", f"{what}: Actual", f"{what}: Evidence", f"{what}: Comment"


#: The Actuals columns ``_actuals`` reads, in the order of its rows' cells (``BoundBook.cells``).
ACTUALS_COLUMNS = ("KPI_ID", "PeriodEnd", "Actual", "Evidence", "Comment")


def _actuals(rows: list[tuple[CellValue | None, ...]], co: Coerce) -> tuple[Actual, ...]:
    """Every Actuals row that names a KPI, as an ``Actual``: each plain row in one step
    (``_plain_actual``), any other through ``Coerce`` (``_coerced_actual``).

    ``rows`` are the cells of ``ACTUALS_COLUMNS``: None for an optional column the table lacks
    (or a cell a row made by hand does not reach, which no reader makes). Each ``Actual`` keeps
    its row's cells as they are (``Actual.cells``): the Actuals table is most of a register, so
    no map of places is made per row.
    """
    out = []
    for row in rows:
        actual = _plain_actual(row) or _coerced_actual(row, co)
        if actual is not None:
            out.append(actual)
    return tuple(out)


def _coerced_actual(row: tuple[CellValue | None, ...], co: Coerce) -> Actual | None:
    """Any Actuals row, cell by cell through ``Coerce``: every unusable cell becomes a finding."""
    id_cell, pe_cell, ac_cell, ev_cell, cm_cell = row
    ident = _kpi_id(id_cell, co, "Actuals")
    pe_what, ac_what, ev_what, cm_what = _actual_whats(ident)
    period_end = co.date(pe_cell, pe_what)
    actual = co.number(ac_cell, ac_what)
    evidence = co.text(ev_cell, ev_what, required=False) if ev_cell else None
    comment = co.text(cm_cell, cm_what, required=False) if cm_cell else None
    if ident is None:
        return None
    return Actual(ident, period_end, actual, evidence, comment, row)


def _plain_actual(row: tuple[CellValue | None, ...]) -> Actual | None:
    """The ``Actual`` of a row ``Coerce`` would read without a finding, or None.

    Nearly every row of a register is plain: no formula, an ID, a date, a finite number,
    text or nothing in Evidence and Comment, and the Actuals table is most of a register.
    Such a row is read here in one step instead of a ``Coerce`` call per cell; anything
    else goes to ``_coerced_actual``, the authority. A property test checks both agree.
    """
    id_cell, pe_cell, ac_cell, ev_cell, cm_cell = row
    # cells are indexed, not read by name (``CellValue``: sheet, cell, value, formula): this runs
    # for every row of every register in a batch, and an index is the cheaper of the two
    ident, day, amount = id_cell[2], pe_cell[2], ac_cell[2]
    if (type(ident) is not str or type(day) is not datetime or not (type(amount) is float or type(amount) is int)
            or id_cell[3] is not None or pe_cell[3] is not None or ac_cell[3] is not None
            or not math.isfinite(amount)):
        return None
    ident = _clean_id(ident)
    if not ident:
        return None
    evidence, comment = _plain_note(ev_cell), _plain_note(cm_cell)
    if evidence is NOT_PLAIN or comment is NOT_PLAIN:
        return None
    return _new_actual((ident, _day(day), float(amount), evidence, comment, row))


#: What ``_plain_note`` says of a cell ``Coerce`` would not read without a word.
NOT_PLAIN = object()


def _plain_note(cv: CellValue | None) -> str | None | object:
    """An optional text cell (Description, Owner, Evidence, Comment) as ``Coerce.text(...,
    required=False)`` reads it when it says nothing: None for no cell or no value, else the text
    cleaned (None when only spaces); ``NOT_PLAIN`` for a formula or a value that is not text."""
    if cv is None:
        return None
    value = cv[2]
    if cv[3] is not None or not (value is None or type(value) is str):
        return NOT_PLAIN
    return None if value is None else clean_text(value) or None


#: ``Actual(...)`` without the NamedTuple's Python-level constructor (as ``fast_read`` makes cells).
_new_actual = partial(tuple.__new__, Actual)
#: The date of a PeriodEnd, remembered: a register's hundreds of rows share a few dozen period ends,
#: and its rows then share their date objects too.
_day = lru_cache(maxsize=4096)(datetime.date)
#: ``clean_text`` for KPI IDs, remembered: a register repeats a few dozen IDs over hundreds of rows.
_clean_id = lru_cache(maxsize=4096)(clean_text)


__all__ = ["parse_register"]
