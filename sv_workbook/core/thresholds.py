"""Which procurement rules apply: the Procurement Act 2023 thresholds, kept as dated data.

Thresholds change every two years (the next revision is due from 1 January 2028), so
they are a table of dated rows rather than numbers in code: adding the next revision is
one ``ThresholdTable(...)`` line in ``TABLES``. The table in force is the latest one whose
``effective_from`` is on or before the date the procurement commenced, because the
amending instruments apply to procurements commenced on or after their date.

All figures include VAT (Procurement Act 2023 Sch. 3 values a contract including VAT),
so they are compared with ``ContractValue`` as entered: the whole-life value including
VAT. The trust is treated as a sub-central contracting authority (not central
government), so the sub-central goods/services figure and the £30,000 notifiable
below-threshold figure apply. Pure: no spreadsheet library is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sv_workbook.core.arithmetic import at_least
from sv_workbook.core.catalogue import (ROUTE_ABOVE_THRESHOLD, ROUTE_BELOW_NOTIFIABLE, ROUTE_NO_START, ROUTE_NO_TABLE,
                                        ROUTE_NO_TYPE, ROUTE_NOTIFIABLE_BELOW_THRESHOLD, ROUTE_PCR_2015,
                                        ROUTE_QUOTATION_ABOVE_THRESHOLD)
from sv_workbook.core.findings import Finding

#: The Procurement Act 2023 came into force on 24 February 2025; procurements commenced
#: before it stay under the Public Contracts Regulations 2015.
ACT_IN_FORCE = date(2025, 2, 24)


def long_date(d: date) -> str:
    """'1 January 2026' on every platform (strftime's %-d is not portable to Windows)."""
    return f"{d.day} {d:%B %Y}"
LIGHT_TOUCH = "Light-touch services"


@dataclass(frozen=True)
class ThresholdTable:
    """One revision of the thresholds (£, VAT included), with where it comes from."""

    effective_from: date
    source: str
    goods_services: float  # sub-central authorities
    works: float
    light_touch: float
    notifiable_below: float  # notifiable below-threshold contract, authorities other than central government

    @property
    def label(self) -> str:
        return f"thresholds from {long_date(self.effective_from)} ({self.source})"

    def threshold(self, contract_type: str) -> float | None:
        """The threshold for a ContractType; None for a type the table does not know."""
        return {"Goods": self.goods_services, "Services": self.goods_services, "Works": self.works,
                LIGHT_TOUCH: self.light_touch}.get(contract_type)


#: Oldest first. The next revision is one more line here.
TABLES: tuple[ThresholdTable, ...] = (
    ThresholdTable(date(2024, 1, 1), "PPN 11/23", 214_904.0, 5_372_609.0, 663_540.0, 30_000.0),
    ThresholdTable(date(2026, 1, 1), "SI 2025/1200", 207_720.0, 5_193_000.0, 663_540.0, 30_000.0),
)


def table_for(start: date, tables: tuple[ThresholdTable, ...] = TABLES) -> ThresholdTable | None:
    """The table in force for a procurement commenced on ``start`` (None before the first)."""
    in_force = [t for t in tables if t.effective_from <= start]
    return max(in_force, key=lambda t: t.effective_from) if in_force else None


def route_findings(contract_value: float, contract_type: str, start: date | None, route: str = "",
                   today: date | None = None, sheet: str = "Setup", cell: str = "",
                   tables: tuple[ThresholdTable, ...] = TABLES) -> list[Finding]:
    """Say which regime applies to this contract, naming the threshold table used.

    A contract is above threshold when its value is *not less than* the threshold
    (Procurement Act 2023 Sch. 1), so a value exactly at the threshold is above it
    (decided at 9 decimal places, ``arithmetic.at_least``).
    """
    out: list[Finding] = []
    when = start
    if when is None:
        when = today or date.today()
        out.append(ROUTE_NO_START(f"ProcurementStart is blank, so the thresholds in force on "
                        f"{long_date(when)} (today) were used.",
                        "Enter the date the procurement commenced in ProcurementStart: the thresholds that apply "
                        "are those in force on that date.", sheet, cell))
    table = table_for(when, tables)
    if table is None:
        return out + [ROUTE_NO_TABLE(f"No threshold table covers a procurement commenced on "
                              f"{long_date(when)}; the earliest held starts {long_date(tables[0].effective_from)}.",
                              "Check the thresholds by hand, or add the table in force then to "
                              "sv_workbook/core/thresholds.py.", sheet, cell)]
    if when < ACT_IN_FORCE:
        out.append(ROUTE_PCR_2015(f"A procurement commenced on {long_date(when)}, before the Procurement "
                        "Act 2023 came into force (24 February 2025), stays under the Public Contracts "
                        "Regulations 2015; the figures below are the PCR 2015 thresholds of that date.",
                        "No action if the start date is right.", sheet, cell))
    threshold = table.threshold(contract_type)
    if threshold is None:
        return out + [ROUTE_NO_TYPE(f"ContractType '{contract_type}' has no threshold in the "
                              f"{table.label}.", "Choose Goods, Services, Works or Light-touch services.",
                              sheet, cell)]
    kind = contract_type.lower() if contract_type != LIGHT_TOUCH else "light-touch services"
    figures = f"£{contract_value:,.2f} including VAT against the {kind} threshold of £{threshold:,.0f}"
    if at_least(contract_value, threshold):
        out.append(ROUTE_ABOVE_THRESHOLD(f"Above threshold: {figures} ({table.label}). The Procurement "
                        "Act 2023 applies in full: a tender notice, an assessment summary to every assessed "
                        "supplier (s.50), a contract award notice and the standstill period (s.51).",
                        "Use a competitive tendering procedure (open or competitive flexible, s.20) or a "
                        "framework; a direct award needs a s.41 justification and a transparency notice.",
                        sheet, cell))
        if route == "Quotation":
            out.append(ROUTE_QUOTATION_ABOVE_THRESHOLD(f"The route is Quotation but the contract is "
                               f"above threshold ({figures}).", "Use an open or competitive flexible procedure, "
                               "or call off from a framework.", sheet, cell))
    elif at_least(contract_value, table.notifiable_below):
        out.append(ROUTE_NOTIFIABLE_BELOW_THRESHOLD(f"Below threshold ({figures}, {table.label}) but "
                        f"at least £{table.notifiable_below:,.0f}: a notifiable below-threshold contract "
                        "(Procurement Act 2023 Part 6). If you advertise it, publish a below-threshold tender "
                        "notice; publish a contract details notice after award; no separate suitability "
                        "(pre-qualification) stage (s.85).", "No action if the value is right.", sheet, cell))
    else:
        out.append(ROUTE_BELOW_NOTIFIABLE(f"Below £{table.notifiable_below:,.0f} ({figures}, "
                        f"{table.label}): not a notifiable contract under the Procurement Act 2023; the trust's "
                        "own standing orders govern.", "No action if the value is right.", sheet, cell))
    return out


__all__ = ["ThresholdTable", "TABLES", "ACT_IN_FORCE", "LIGHT_TOUCH", "table_for", "route_findings"]
