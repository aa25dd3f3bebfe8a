"""Findings only (``result=False``, what batch validation asks for) are the findings of the full analysis."""

from __future__ import annotations

from datetime import date

import pytest

from sv_workbook.app.analyse import analyse_raw
from sv_workbook.app.workbook_kinds import KINDS
from sv_workbook.core.kpi.measures import default_library
from sv_workbook.core.kpi.proxies import parse_proxies
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.xlsx.openpyxl_read import read_rawbook
from tests.support.example_registers import make_register, write_register
from tests.support.paths import ROOT

AS_OF = date(2026, 11, 27)


@pytest.mark.parametrize("seed", range(8))
def test_findings_only_are_the_findings_of_the_full_analysis(tmp_path, seed):
    # seeded registers with planted mistakes: every rule of the register has something to say
    path = write_register(make_register(seed, n_kpis=12, n_periods=10, error_rate=0.15), tmp_path / "r.xlsx")
    raw = read_rawbook(path)
    # a proxy set valuing two measures only: KPI-NO-PROXY comes from the rules too
    proxies = parse_proxies("code,gbp_per_unit,year,source,deadweight_pct\nJS05,10,2025,test,20\nCW02,3,2024,test,0\n",
                            "test", "test.csv", default_library())[0] if seed % 2 else None
    options = {"library": default_library(), "proxies": proxies}
    full = analyse_raw(raw, str(path), DEFAULT_POLICY, AS_OF, options)
    only = analyse_raw(raw, str(path), DEFAULT_POLICY, AS_OF, options, result=False)
    assert full.kind == only.kind == "kpi-register"
    assert full.result is not None and only.result is None
    assert only.findings == full.findings
    assert len({f.code for f in full.findings}) >= 3  # the comparison is not between two empty lists


def test_a_kind_without_a_cheaper_check_is_analysed_in_full():
    tender = KINDS["tender"]
    assert tender.check is None  # scoring is how a tender's findings are found
    raw = read_rawbook(ROOT / "examples" / "tender_example.xlsx")
    only = analyse_raw(raw, "t.xlsx", DEFAULT_POLICY, AS_OF, result=False)
    full = analyse_raw(raw, "t.xlsx", DEFAULT_POLICY, AS_OF)
    assert only.findings == full.findings and only.result is not None
