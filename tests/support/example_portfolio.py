"""The bundled example portfolio: a dozen KPI registers, a few tenders and a proxy set.

Generated (seeded, so the files are the same on every run) so that a newcomer can see
a whole portfolio report from one command, including what the report does with a
register that has errors and with a register saved twice. ``examples/portfolio/`` is
written by ``write_example_portfolio``; a test checks the committed files match.

The proxy values are made up for the example and say so: real values (HACT, National
TOMs) are licensed and are never bundled (see docs/kpi-registers.md).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from tests.support.example_tender import example_tender
from sv_workbook.core.kpi.rules import KPI, Actual, ContractInfo, Register, add_months, reporting_periods
from tests.support.example_registers import RegisterData, write_register
from sv_workbook.core.kpi.measures import default_library
from sv_workbook.core.tender.model import Tender
from tests.support.fill import yes_no

#: The last PeriodEnd the example registers report (so they are valid from this date on).
REPORTED_UP_TO = date(2026, 9, 30)
PROXY_FILE = "example-proxies-2025.csv"

_CONTRACTS = (
    # ref, title, supplier, SME, VCSE, value, start, years, frequency, delivery (share of pro-rata)
    ("PPHT-C-101", "Responsive repairs (north)", "Moorland Property Services Ltd", True, False, 1_640_000, date(2024, 4, 1), 4, "Quarterly", 1.04),
    ("PPHT-C-102", "Responsive repairs (south)", "Cheshire Building Maintenance Ltd", True, False, 1_525_500, date(2024, 4, 1), 4, "Quarterly", 0.93),
    ("PPHT-C-103", "Kitchen and bathroom replacements", "Northern Homes Repairs Group plc", False, False, 6_200_000, date(2024, 7, 1), 5, "Quarterly", 0.88),
    ("PPHT-C-104", "Grounds maintenance", "Macclesfield Community Builders CIC", True, True, 420_000, date(2025, 1, 1), 3, "Quarterly", 1.10),
    ("PPHT-C-105", "Gas servicing and repairs", "Peak Heating Services Ltd", True, False, 2_300_000, date(2024, 10, 1), 4, "Quarterly", 0.97),
    ("PPHT-C-106", "Retrofit insulation programme", "GreenShell Retrofit Ltd", True, False, 5_400_000, date(2025, 4, 1), 3, "Quarterly", 0.80),
    ("PPHT-C-107", "Communal cleaning", "Bright Spaces Cooperative", True, True, 310_000, date(2025, 4, 1), 3, "6-monthly", 1.00),
    ("PPHT-C-108", "Lift maintenance", "Liftwise UK plc", False, False, 680_000, date(2024, 4, 1), 5, "6-monthly", 0.91),
    ("PPHT-C-109", "Void property works", "Stockport Renovations Ltd", True, False, 1_150_000, date(2025, 10, 1), 3, "Monthly", 0.95),
    ("PPHT-C-110", "Tenancy sustainment support", "Homeward Advice Trust", False, True, 260_000, date(2025, 7, 1), 2, "Quarterly", 1.20),
    ("PPHT-C-111", "Planned roofing works", "Pennine Roofing Ltd", True, False, 2_900_000, date(2025, 1, 1), 4, "Quarterly", 0.86),
    ("PPHT-C-112", "Fire safety remediation", "SafeGuard Fire Systems plc", False, False, 3_750_000, date(2024, 10, 1), 3, "Quarterly", 0.99),
)

# (measure code, whole-contract target per £1m of contract value per year)
_KPI_MENUS = (
    (("JS02", 0.8), ("JS05", 240), ("CW02", 12), ("SD01", 90_000)),
    (("JS01", 0.6), ("JS03", 0.5), ("CW01", 9), ("CM01", 60)),
    (("JS06", 4), ("CW03", 6), ("SD03", 110_000), ("CM02", 1_500)),
)


def example_registers() -> list[Register]:
    """The twelve example registers, valid on any date from ``REPORTED_UP_TO``."""
    rng = random.Random(2026)
    library = default_library()
    registers = []
    for i, (ref, title, supplier, sme, vcse, value, start, years, freq, delivery) in enumerate(_CONTRACTS):
        end = add_months(start, 12 * years) - timedelta(days=1)
        contract = ContractInfo(ref, title, supplier, sme, vcse, float(value), start, end,
                                ("A. Shah", "R. Hughes", "M. Byrne")[i % 3], freq)
        kpis = []
        for j, (code, per_m_year) in enumerate(_KPI_MENUS[i % len(_KPI_MENUS)]):
            m = library.get(code)
            assert m is not None  # the menus use the shipped library's codes
            target = max(1.0, round(per_m_year * value / 1_000_000 * years, 0))
            kpis.append(KPI(f"K{j + 1}", m.priority, m.code, m.unit, target, m.description, 0.0,
                            ("Contract manager", "Supplier's social value lead")[j % 2]))
        periods = reporting_periods(start, end, freq)
        actuals = []
        for p in periods:
            if p.end > REPORTED_UP_TO:
                break
            for k in kpis:
                share = (p.end - p.start).days / (end - start).days
                amount = k.target * share * delivery * rng.uniform(0.8, 1.2)
                amount = round(amount, 2) if k.unit == "£" else round(amount, 1)
                actuals.append(Actual(k.id, p.end, amount, f"EV-{ref[-3:]}-{k.id}-{p.index:02d}",
                                      None))
        registers.append(Register(contract, tuple(kpis), tuple(actuals)))
    return registers


def register_with_errors() -> Register:
    """An extra register with two mistakes a budget holder makes: a mistyped code and a negative actual."""
    base = example_registers()[0]
    contract = replace(base.contract, ref="PPHT-C-113", title="Estate CCTV maintenance", supplier="Vigil Systems Ltd",
                       sme=True, vcse=False, value=180_000.0)
    kpis = (replace(base.kpis[0], measure_code="JS2"),) + base.kpis[1:]
    actuals = list(base.actuals[:8])
    actuals[3] = actuals[3]._replace(actual=-4.0)
    return Register(contract, kpis, tuple(actuals))


def old_copy(register: Register) -> Register:
    """An older copy of a register (fewer periods reported): the report counts the newer one."""
    return replace(register, actuals=register.actuals[: len(register.actuals) // 2])


def example_tenders() -> list[Tender]:
    """Three tenders: one meets the social value minimum, one is below it, one is a framework call-off."""
    base = example_tender()
    base = replace(base, setup=replace(base.setup, procurement_start=date(2025, 6, 2)))
    below = replace(base, setup=replace(base.setup, ref="PPHT-2026-021", title="Door entry systems 2026-2029",
                                        contract_value=640_000.0, procurement_start=date(2025, 11, 3)),
                    criteria=tuple(replace(c, weight={"Q1": 38.0, "SV1": 4.0, "SV2": 3.0}.get(c.id, c.weight))
                                   for c in base.criteria))
    framework = replace(base, setup=replace(base.setup, ref="PPHT-2026-030", title="Electrical testing (framework)",
                                            contract_value=900_000.0, route="Framework call-off",
                                            procurement_start=date(2026, 1, 12)))
    return [base, below, framework]


def example_proxy_csv() -> str:
    """Made-up £ values for the example only (clearly labelled as such in every £ figure)."""
    source = "Illustrative value made up for the sv-workbook example portfolio; not a published proxy"
    values = (("JS01", 12_500, 20, 10), ("JS02", 9_800, 15, 0), ("JS03", 14_000, 20, 10), ("JS05", 25, 10, 0),
              ("JS06", 180, 10, 0), ("CW01", 70, 0, 0), ("CW02", 95, 0, 0), ("CW03", 1_200, 10, 0),
              ("SD01", 0.15, 0, 0), ("SD03", 0.2, 0, 0), ("CM02", 1, 0, 0))
    lines = ["code,gbp_per_unit,year,source,deadweight_pct,attribution_pct"]
    lines += [f"{code},{gbp},2025,{source},{dw},{at}" for code, gbp, dw, at in values]
    return "\n".join(lines) + "\n"


def register_data(register: Register, as_of: date = REPORTED_UP_TO) -> RegisterData:
    """A plain ``Register`` as the KPI template's fill data (names and table rows keyed by the contract)."""
    c = register.contract
    names = {"ContractRef": c.ref, "ContractTitle": c.title, "Supplier": c.supplier, "SupplierIsSME": yes_no(c.sme),
             "SupplierIsVCSE": yes_no(c.vcse), "ContractValue": c.value, "StartDate": c.start, "EndDate": c.end,
             "BudgetHolder": c.budget_holder, "ReportingFrequency": c.frequency}
    kpis = [{"KPI_ID": k.id, "Priority": k.priority, "MeasureCode": k.measure_code, "Description": k.description,
             "Unit": k.unit, "Baseline": k.baseline, "Target": k.target, "Owner": k.owner} for k in register.kpis]
    actuals = [{"KPI_ID": a.kpi_id, "PeriodEnd": a.period_end, "Actual": a.actual, "Evidence": a.evidence,
                "Comment": a.comment} for a in register.actuals]
    return RegisterData(names, kpis, actuals, as_of)


def write_register_file(register: Register, path: str | Path) -> Path:
    """The KPI register template filled with ``register``, saved atomically."""
    return write_register(register_data(register), path)


def write_example_portfolio(folder: str | Path) -> list[Path]:
    """Write the registers, tenders and proxy CSV into ``folder``; return the paths written."""
    from sv_workbook.xlsx.safe_write import atomic_save
    from sv_workbook.xlsx.tender_template import build_tender_template, print_layout
    from tests.support.fill import fill_tender

    folder = Path(folder)
    (folder / "registers").mkdir(parents=True, exist_ok=True)
    (folder / "tenders").mkdir(parents=True, exist_ok=True)
    written = []
    registers = example_registers()
    for reg in registers:
        written.append(write_register_file(reg, folder / "registers" / f"{reg.contract.ref}.xlsx"))
    written.append(write_register_file(register_with_errors(), folder / "registers" / "PPHT-C-113.xlsx"))
    written.append(write_register_file(old_copy(registers[1]),
                                       folder / "registers" / f"{registers[1].contract.ref} (old copy).xlsx"))
    for tender in example_tenders():
        path = folder / "tenders" / f"{tender.setup.ref}.xlsx"
        wb = build_tender_template()
        fill_tender(wb, tender)
        print_layout(wb, tender.setup.ref, len(tender.bidders), len(tender.criteria))
        atomic_save(wb, path)
        written.append(path)
    proxy = folder / PROXY_FILE
    proxy.write_text(example_proxy_csv(), encoding="utf-8")
    written.append(proxy)
    return written


__all__ = ["example_registers", "register_with_errors", "old_copy", "example_tenders", "example_proxy_csv",
           "register_data", "write_register_file", "write_example_portfolio", "REPORTED_UP_TO", "PROXY_FILE"]
