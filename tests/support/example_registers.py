"""KPI registers as plain data: the bundled example and a seeded generator for tests and benchmarks.

``make_register`` builds a realistic register (contract, KPIs drawn from the default
measure library, one Actuals row per KPI per period) and, with ``error_rate`` > 0,
plants a seeded mix of the mistakes people make. Each planted mistake is listed in
``injected`` with the finding code and the table cell it must produce, so a test or a
benchmark can check that validation finds every one of them.

The data is plain (dicts keyed by the contract's names and columns); ``write_register``
puts it into the template. Only the writer touches openpyxl.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sv_workbook.core.contracts import KPI_REGISTER, REPORTING_FREQUENCIES
from sv_workbook.core.kpi.rules import reporting_periods
from sv_workbook.core.kpi.measures import MeasureLibrary, default_library
from sv_workbook.core.policy import DEFAULT_POLICY, Policy


@dataclass(frozen=True)
class Injected:
    """A planted mistake: the finding ``code`` expected at ``table`` row ``index`` (0-based), ``column``."""

    code: str
    table: str
    index: int
    column: str

    def cell(self) -> tuple[str, str]:
        """(sheet, cell) in the template's layout, where every table starts at A1."""
        spec = KPI_REGISTER.table(self.table)
        letter = chr(ord("A") + spec.headers.index(self.column))
        return spec.sheet, f"{letter}{self.index + 2}"


@dataclass
class RegisterData:
    """A register as plain data; ``as_of`` is the date it is meant to be checked at."""

    names: dict[str, Any]
    kpis: list[dict[str, Any]]
    actuals: list[dict[str, Any]]
    as_of: date
    injected: list[Injected] = field(default_factory=list)


def example_register() -> RegisterData:
    """Planned kitchen and bathroom replacements: five KPIs, six quarters reported, checked at 27/11/2026."""
    names = {"ContractRef": "PPHT-2025-007", "ContractTitle": "Planned kitchen and bathroom replacements 2025-2028",
             "Supplier": "Moorland Property Services Ltd", "SupplierIsSME": "Yes", "SupplierIsVCSE": "No",
             "ContractValue": 6_200_000.0, "StartDate": date(2025, 4, 1), "EndDate": date(2028, 3, 31),
             "BudgetHolder": "Head of Asset Management", "ReportingFrequency": "Quarterly"}
    kpis = [
        ("K1", "Jobs & skills", "JS02", "Apprentices started on site (Level 2+)", "apprenticeships", 0, 12, "HR lead",
         [1, 1, 0, 2, 1, 1]),
        ("K2", "Jobs & skills", "JS01", "Local residents employed on the contract", "FTE", 0, 18, "Site manager",
         [1, 1, 1, 1.5, 1, 1]),
        ("K3", "Climate & waste", "CW02", "Strip-out waste diverted from landfill", "tonnes", 0, 450, "Waste lead",
         [40, 30, 33, 35, 34, 35]),
        ("K4", "Supplier diversity", "SD01", "Spend with local SMEs", "£", 0, 900_000, "Commercial manager",
         [60_000, 65_000, 62_000, 68_000, 66_000, 70_000]),
        ("K5", "Community spirit & wellbeing", "CM01", "Staff volunteering in the trust's neighbourhoods", "hours", 0,
         1200, "Community investment lead", [60, 120, 90, 140, 110, 130]),
    ]
    quarters = [p.end for p in reporting_periods(date(2025, 4, 1), date(2028, 3, 31), "Quarterly")[:6]]
    actuals = [{"KPI_ID": k[0], "PeriodEnd": end, "Actual": float(k[8][q]),
                "Evidence": f"SV-{k[0]}-{end:%Y%m}", "Comment": None}
               for q, end in enumerate(quarters) for k in kpis]
    actuals[2]["Comment"] = "Cold spell: two skips of mixed waste landfilled."
    return RegisterData(names, [dict(zip(("KPI_ID", "Priority", "MeasureCode", "Description", "Unit", "Baseline",
                                          "Target", "Owner"), k[:8])) for k in kpis], actuals, date(2026, 11, 27))


SUPPLIERS = ("Moorland Property Services Ltd", "Cheshire Building Maintenance Ltd", "Peak Grounds CIC",
             "Northern Homes Repairs Group plc", "Macclesfield Community Builders CIC", "Bollin Facilities Ltd")
SERVICES = ("Responsive repairs", "Gas servicing", "Grounds maintenance", "Void works", "Window replacement",
            "Cleaning of communal areas", "Roofing", "Electrical testing")


def make_register(seed: int, n_kpis: int = 8, n_periods: int = 8, error_rate: float = 0.0,
                  library: MeasureLibrary | None = None) -> RegisterData:
    """A realistic register; with ``error_rate`` p, each KPI and each Actuals row gets a planted mistake with
    probability p (and a period's row goes missing with probability p / 2)."""
    rng = random.Random(seed)
    library = library or default_library()
    frequency = rng.choice(REPORTING_FREQUENCIES)
    start = date(rng.randint(2019, 2024), rng.choice((1, 4, 7, 10)), 1)
    planned = reporting_periods(start, date(start.year + 40, 1, 1), frequency)
    n_total = n_periods + rng.randint(2, 8)
    end = planned[n_total - 1].end
    periods = planned[:n_periods]
    as_of = periods[-1].end + timedelta(days=1) if periods else start + timedelta(days=1)
    values = (250_000.0, 1_200_000.0, 4_800_000.0) + ((7_500_000.0, 12_000_000.0) if n_kpis >= 3 else ())
    value = rng.choice(values)  # over £5m only with enough KPIs: s.52 breaches are planted, not accidental
    names = {"ContractRef": f"PPHT-{start.year}-{seed % 1000:03d}",
             "ContractTitle": f"{rng.choice(SERVICES)} {start.year}-{end.year}",
             "Supplier": rng.choice(SUPPLIERS), "SupplierIsSME": rng.choice(("Yes", "No")),
             "SupplierIsVCSE": rng.choice(("Yes", "No")), "ContractValue": value, "StartDate": start, "EndDate": end,
             "BudgetHolder": rng.choice(("Head of Repairs", "Head of Asset Management", "Head of Neighbourhoods")),
             "ReportingFrequency": frequency}
    injected: list[Injected] = []
    kpis: list[dict[str, Any]] = []
    rates: list[float] = []
    for i in range(n_kpis):
        m = rng.choice(library.measures)
        scale = {"£": 10_000.0, "hours": 50.0, "tonnes": 10.0, "miles": 500.0}.get(m.unit, 1.0)
        per_period = round(rng.uniform(1, 8) * scale, 2 if scale == 1.0 else 0)
        kpis.append({"KPI_ID": f"K{i + 1}", "Priority": m.priority, "MeasureCode": m.code,
                     "Description": m.description, "Unit": m.unit, "Baseline": 0,
                     "Target": round(per_period * n_total, 2), "Owner": f"Owner {i + 1}"})
        rates.append(per_period * rng.uniform(0.75, 1.15))
    broken: set[int] = set()
    for i, k in enumerate(kpis):
        if rng.random() >= error_rate:
            continue
        kind = rng.choice(("measure", "unit", "target", "priority", "duplicate") if i else
                          ("measure", "unit", "target", "priority"))
        broken.add(i)
        if kind == "measure":
            k["MeasureCode"] = k["MeasureCode"][:2] + k["MeasureCode"][3:]
            injected.append(Injected("KPI-UNKNOWN-MEASURE", "KPIs", i, "MeasureCode"))
        elif kind == "unit":
            k["Unit"] = "kg" if k["Unit"] != "kg" else "g"
            injected.append(Injected("KPI-UNIT-MISMATCH", "KPIs", i, "Unit"))
        elif kind == "target":
            k["Target"] = rng.choice((0, -k["Target"]))
            injected.append(Injected("KPI-TARGET-NOT-POSITIVE", "KPIs", i, "Target"))
        elif kind == "priority":
            k["Priority"] = k["Priority"].replace("&", "and").rstrip("s")
            injected.append(Injected("KPI-UNKNOWN-PRIORITY", "KPIs", i, "Priority"))
        else:
            k["KPI_ID"] = kpis[i - 1]["KPI_ID"]
            injected.append(Injected("KPI-ID-DUPLICATE", "KPIs", i, "KPI_ID"))
    actuals: list[dict[str, Any]] = []
    for p in periods:
        for i, k in enumerate(kpis):
            if i not in broken and rng.random() < error_rate / 2:
                injected.append(Injected("KPI-OVERDUE", "KPIs", i, "KPI_ID"))
                broken.add(i)  # one missing period per KPI keeps the expectation exact
                continue
            actual = round(max(rates[i] * rng.uniform(0.6, 1.4), 0), 2)
            row = {"KPI_ID": k["KPI_ID"], "PeriodEnd": p.end, "Actual": actual,
                   "Evidence": f"EV-{k['KPI_ID']}-{p.end:%Y%m%d}", "Comment": None}
            if rng.random() < error_rate:
                _plant_actual_error(rng, row, len(actuals), start, as_of, injected)
            actuals.append(row)
    return RegisterData(names, kpis, actuals, as_of, injected)


def _plant_actual_error(rng: random.Random, row: dict[str, Any], index: int, start: date, as_of: date,
                        injected: list[Injected]) -> None:
    kind = rng.choice(("text", "negative", "blank", "date-text", "future", "before", "unknown", "evidence"))
    if kind == "text":
        row["Actual"], code, column = "n/a", "NOT-A-NUMBER", "Actual"
    elif kind == "negative":
        row["Actual"], code, column = -abs(row["Actual"]) - 1, "ACTUAL-NEGATIVE", "Actual"
    elif kind == "blank":
        row["Actual"], code, column = None, "BLANK", "Actual"
    elif kind == "date-text":
        row["PeriodEnd"], code, column = f"Q{rng.randint(1, 4)} {row['PeriodEnd']:%Y}", "NOT-A-DATE", "PeriodEnd"
    elif kind == "future":
        row["PeriodEnd"], code, column = as_of + timedelta(days=1), "PERIOD-IN-FUTURE", "PeriodEnd"
    elif kind == "before":
        row["PeriodEnd"], code, column = start - timedelta(days=1), "PERIOD-OUTSIDE-CONTRACT", "PeriodEnd"
    elif kind == "unknown":
        row["KPI_ID"], code, column = "X" + row["KPI_ID"], "ACTUAL-UNKNOWN-KPI", "KPI_ID"
    else:
        row["Evidence"], code, column = None, "EVIDENCE-MISSING", "Evidence"
    injected.append(Injected(code, "Actuals", index, column))


def fill_register(wb, data: RegisterData) -> None:
    """Put ``data`` into a KPI register template (openpyxl workbook)."""
    from tests.support.fill import fill_table, set_name

    for name, value in data.names.items():
        set_name(wb, name, value)
    fill_table(wb, "KPIs", data.kpis)
    fill_table(wb, "Actuals", data.actuals)


def write_register(data: RegisterData, path: str | Path, policy: Policy = DEFAULT_POLICY,
                   library: MeasureLibrary | None = None) -> Path:
    """The template filled with ``data``, saved atomically at ``path``."""
    from sv_workbook.xlsx.lite_buttons import BUTTONS, add_buttons
    from sv_workbook.xlsx.safe_write import atomic_save
    from sv_workbook.xlsx.kpi_template import build_kpi_template, print_layout

    wb = build_kpi_template(policy, library)
    fill_register(wb, data)
    print_layout(wb, data.names.get("ContractRef"))  # print areas over the rows now filled in
    path = Path(path)
    atomic_save(wb, path, finish=lambda saved: add_buttons(saved, BUTTONS["kpi-register"]))  # as the template has them
    return path


__all__ = ["Injected", "RegisterData", "example_register", "make_register", "fill_register", "write_register"]
