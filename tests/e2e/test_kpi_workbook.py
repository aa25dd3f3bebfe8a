"""KPI register files end to end: template, fill, validate, score, seeded errors, LibreOffice parity."""

from __future__ import annotations

import json
import re
from datetime import date, time

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from sv_workbook.cli.commands import main
from sv_workbook.core.contracts import KPI_REGISTER
from sv_workbook.app.analyse import analyse_file
from tests.support.example_registers import example_register, make_register, write_register
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.xlsx.kpi_template import ELAPSED_CELL, REPORTING_DATE_CELL, build_kpi_template, live_cells

from tests.support.paths import ROOT
from tests.support.lo import needs_libreoffice, recalc

AS_OF = "2026-11-27"


def test_template_follows_the_contract_and_protects_formulas():
    wb = build_kpi_template()
    for sheet in KPI_REGISTER.sheets:
        assert sheet in wb.sheetnames
    for named in KPI_REGISTER.names:
        sheet, coord = next(iter(wb.defined_names[named.name].destinations))
        assert sheet == named.sheet
        assert wb[sheet][coord.replace("$", "")].protection.locked is False
    for spec in KPI_REGISTER.tables:
        ws = wb[spec.sheet]
        assert spec.name in ws.tables
        first = ws.tables[spec.name].ref.split(":")[0]
        header = [ws.cell(row=ws[first].row, column=ws[first].column + i).value for i in range(len(spec.headers))]
        assert header == list(spec.headers)
    kpis = wb["KPIs"]
    assert kpis.protection.sheet and kpis["A2"].protection.locked is False
    live = live_cells()
    assert kpis[f"{live['Rating']}2"].protection.locked and kpis[f"{live['Rating']}2"].value.startswith("=IF(")
    assert {"MeasureCodes", "Priorities", "Units"} <= set(wb.defined_names)


#: Every function the template may use: known to both Excel 2016 and LibreOffice 7.4.
PORTABLE = {"IF", "SUMIFS", "COUNTIF", "MATCH", "INDEX", "ISNA", "ISNUMBER", "MAX", "MIN", "AND", "OR", "NOT", "ROUND"}


def test_template_uses_only_portable_functions():
    used = set()
    for ws in build_kpi_template().worksheets:
        for row in ws.iter_rows():
            for cell in row:
                text = getattr(cell.value, "text", cell.value)
                if isinstance(text, str) and text.startswith("="):
                    used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", re.sub(r'"[^"]*"', '""', text)))
    assert used and used <= PORTABLE, used - PORTABLE


def test_committed_template_is_current(tmp_path):
    fresh = tmp_path / "kpi_register.xlsx"
    assert CliRunner().invoke(main, ["new", "kpi-register", str(fresh)]).exit_code == 0
    committed = load_workbook(ROOT / "workbooks" / "kpi_register.xlsx")
    new = load_workbook(fresh)
    for name in new.sheetnames:
        a = [[c.value if not hasattr(c.value, "text") else c.value.text for c in r] for r in new[name].iter_rows()]
        b = [[c.value if not hasattr(c.value, "text") else c.value.text for c in r]
             for r in committed[name].iter_rows()]
        assert a == b, f"workbooks/kpi_register.xlsx is out of date on sheet {name}: regenerate it"


def test_new_fill_validate_score_end_to_end(tmp_path):
    runner = CliRunner()
    template = tmp_path / "register.xlsx"
    assert runner.invoke(main, ["new", "kpi-register", str(template)]).exit_code == 0
    wb = load_workbook(template)
    from tests.support.example_registers import fill_register

    fill_register(wb, example_register())
    wb.save(template)
    out = runner.invoke(main, ["validate", str(template), "--as-of", AS_OF])
    assert out.exit_code == 0, out.output
    assert "K2" in out.output and "Inadequate" in out.output

    proxies = tmp_path / "trust-proxies-2025.csv"
    proxies.write_text("code,gbp_per_unit,year,source,deadweight_pct,attribution_pct\n"
                       "JS02,2500,2025,Trust's licensed values,20,10\nCW02,95.5,2025,Trust's licensed values,,\n",
                       encoding="utf-8")
    scored = tmp_path / "scored.xlsx"
    out = runner.invoke(main, ["score", str(template), "-o", str(scored), "--as-of", AS_OF, "--proxies", str(proxies)])
    assert out.exit_code == 0, out.output
    ws = load_workbook(scored)["KPI Report"]
    table = ws.tables["KPIStatus"]
    first_row = int(table.ref.split(":")[0][1:])
    headers = [c.value for c in ws[first_row]][:11]
    rows = {r[0]: dict(zip(headers, r)) for r in ws.iter_rows(min_row=first_row + 1, max_row=first_row + 5,
                                                               values_only=True)}
    assert rows["K1"]["SocialValueGBP"] == pytest.approx(6 * 2500 * 0.8 * 0.9, abs=1e-9)
    assert rows["K1"]["ProxySet"] == "trust-proxies-2025 2025"
    assert rows["K3"]["SocialValueGBP"] == pytest.approx(207 * 95.5, abs=1e-9)
    assert rows["K2"]["SocialValueGBP"] is None and rows["K2"]["Rating"] == "Inadequate"
    assert {"KPIStatus", "PriorityTotals", "Findings"} <= set(ws.tables)
    assert len(ws._charts) == 1
    text = [c.value for c in ws["B"] if isinstance(c.value, str)]
    assert any("trust-proxies-2025 (2025)" in t for t in text)
    assert any(DEFAULT_POLICY.strategy_version in t and "PAST ITS REVIEW DATE" in t for t in text)

    again = runner.invoke(main, ["score", str(template), "-o", str(scored), "--as-of", AS_OF])
    assert again.exit_code == 0 and "backup" in again.output  # never overwritten without a backup


def test_validate_recognises_register_and_reports_overdue_periods(tmp_path):
    path = write_register(example_register(), tmp_path / "r.xlsx")
    runner = CliRunner()
    out = runner.invoke(main, ["validate", str(path), "--as-of", "2027-01-05", "--format", "json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)[0]
    assert report["kind"] == "kpi-register" and report["ok"]
    overdue = [f for f in report["findings"] if f["code"] == "KPI-OVERDUE"]
    assert len(overdue) == 5 and all("01 Oct 2026 – 31 Dec 2026" in f["message"] for f in overdue)
    assert {f["cell"] for f in overdue} == {f"A{r}" for r in range(2, 7)}
    strict = runner.invoke(main, ["validate", str(path), "--as-of", "2027-01-05", "--fail-on", "warning"])
    assert strict.exit_code == 1


def test_bad_proxy_file_stops_scoring(tmp_path):
    path = write_register(example_register(), tmp_path / "r.xlsx")
    bad = tmp_path / "p.csv"
    bad.write_text("code,gbp_per_unit,year,source\nJS02,lots,2025,x\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["score", str(path), "--proxies", str(bad), "--as-of", AS_OF])
    assert out.exit_code == 2 and "row 2" in out.output and not (tmp_path / "r.scored.xlsx").exists()


def test_cell_errors_in_a_real_file_name_the_cell(tmp_path):
    data = example_register()
    data.kpis[1]["MeasureCode"] = "JS1"
    data.actuals[0]["Actual"] = "six"
    data.names["EndDate"] = date(2025, 1, 1)
    path = write_register(data, tmp_path / "bad.xlsx")
    outcome = analyse_file(path, DEFAULT_POLICY, date(2026, 11, 27))
    where = {(f.code, f.sheet, f.cell) for f in outcome.findings}
    assert ("CONTRACT-DATES-REVERSED", "Contract", "B10") in where
    assert ("NOT-A-NUMBER", "Actuals", "C2") in where
    assert all(f.workbook == "bad.xlsx" for f in outcome.findings)
    assert not outcome.ok and outcome.result is None


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_registers_report_every_planted_mistake(tmp_path, seed):
    data = make_register(seed, n_kpis=10, n_periods=6, error_rate=0.15)
    assert data.injected, "the seed should plant at least one mistake"
    path = write_register(data, tmp_path / f"gen{seed}.xlsx")
    outcome = analyse_file(path, DEFAULT_POLICY, data.as_of)
    found = {(f.code, f.sheet, f.cell) for f in outcome.findings}
    for planted in data.injected:
        assert (planted.code, *planted.cell()) in found, planted


def test_generated_clean_register_is_clean(tmp_path):
    data = make_register(7, n_kpis=6, n_periods=5, error_rate=0.0)
    outcome = analyse_file(write_register(data, tmp_path / "clean.xlsx"), DEFAULT_POLICY, data.as_of)
    assert [f.code for f in outcome.findings if f.code not in ("POLICY-REVIEW-OVERDUE", "POLICY-APPLIED")] == []
    assert outcome.result.reporting_date == data.actuals[-1]["PeriodEnd"]


def boundary_register():
    """Decimal actuals exactly at 95%, 90% and 85% of expected, reported to the contract's last day.

    An auditor adding the cells gets 380 of 400 (95%: Good), 15.77 of 16.6 (95%), 9.36 of
    10.4 (90%: Approaching target) and 8.67 of 10.2 (85%: Inadequate); in floats the
    percents are 0.9499999999999998, 0.8999999999999999 and 0.8500000000000001, and
    Python 3.11's sum() of K1's actuals is 379.99999999999994.
    """
    data = example_register()
    data.names.update(StartDate=date(2025, 4, 1), EndDate=date(2026, 3, 31))
    cases = {"K1": (400.0, [92.4, 93.8, 93.6, 100.2]), "K2": (16.6, [4, 4, 4, 3.77]),
             "K3": (10.4, [2, 2, 2, 3.36]), "K4": (10.2, [2, 2, 2, 2.67]), "K5": (10.2, [2, 2, 2, 2.68])}
    data.kpis = [{"KPI_ID": k, "Priority": "Climate & waste", "MeasureCode": "CW02", "Description": "Waste diverted",
                  "Unit": "tonnes", "Baseline": 0, "Target": target, "Owner": "Waste lead"}
                 for k, (target, _) in cases.items()]
    ends = [date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31), date(2026, 3, 31)]
    data.actuals = [{"KPI_ID": k, "PeriodEnd": end, "Actual": float(a), "Evidence": f"EV-{k}-{i}", "Comment": None}
                    for k, (_, actuals) in cases.items() for i, (end, a) in enumerate(zip(ends, actuals))]
    data.as_of = date(2026, 4, 30)
    return data


BOUNDARY_RATINGS = {"K1": "Good", "K2": "Good", "K3": "Approaching target", "K4": "Inadequate",
                    "K5": "Requires improvement"}


def _live(path, out_dir):
    wb = load_workbook(recalc(path, out_dir), data_only=True)
    contract, kpis = wb["Contract"], wb["KPIs"]
    cols = live_cells()
    rows = {}
    for r in range(2, 60):
        ident = kpis[f"A{r}"].value
        if ident:
            rows[str(ident)] = {name: kpis[f"{cols[name]}{r}"].value for name in cols}
    return contract[REPORTING_DATE_CELL].value, contract[ELAPSED_CELL].value, rows


@needs_libreoffice
@pytest.mark.parametrize("case", ["example", "generated", "not-yet-due", "decimal-boundaries"])
def test_live_formulas_agree_with_python_in_libreoffice(tmp_path, case):
    if case == "example":
        data = example_register()
    elif case == "decimal-boundaries":
        data = boundary_register()
    elif case == "generated":
        data = make_register(11, n_kpis=12, n_periods=7, error_rate=0.0)
        data.actuals[3]["Evidence"] = None  # a warning does not change the arithmetic
    else:
        data = example_register()
        data.actuals = []
    path = write_register(data, tmp_path / f"{case}.xlsx")
    outcome = analyse_file(path, DEFAULT_POLICY, data.as_of)
    assert outcome.ok, [str(f) for f in outcome.findings]
    result = outcome.result
    reporting, elapsed, rows = _live(path, tmp_path / "lo")
    if result.reporting_date is None:
        assert reporting in (0, None, time(0, 0))  # serial 0, shown blank; openpyxl reads it as a time
    else:
        assert reporting.date() == result.reporting_date
    assert elapsed == pytest.approx(result.elapsed, abs=1e-9)
    assert set(rows) == {s.kpi_id for s in result.statuses}
    for s in result.statuses:
        live = rows[s.kpi_id]
        assert live["DeliveredToDate"] == pytest.approx(s.delivered, abs=1e-9)
        assert live["ExpectedToDate"] == pytest.approx(s.expected, abs=1e-9)
        if s.percent is None:
            assert live["PercentOfExpected"] in (None, "")
        else:
            assert live["PercentOfExpected"] == pytest.approx(s.percent, abs=1e-9)
        assert live["Rating"] == s.rating
        assert live["Library check"] == "OK"
    if case == "decimal-boundaries":
        assert {s.kpi_id: s.rating for s in result.statuses} == BOUNDARY_RATINGS
