"""The award-stage names and the AbnormallyLow table are optional: older workbooks still work."""

from __future__ import annotations

from pathlib import Path

from sv_workbook.core.tender.parse import parse_tender
from sv_workbook.xlsx.tender_template import build_tender_template
from tests.support.fill import set_name
from sv_workbook.xlsx.openpyxl_read import read_rawbook

from tests.support.paths import ROOT


def test_workbook_without_award_settings_uses_defaults(tmp_path):
    wb = build_tender_template()
    for name in ("PriceMethod", "PreTenderEstimate", "ProcurementStart"):
        del wb.defined_names[name]
    del wb["Bidders"].tables["AbnormallyLow"]
    path = tmp_path / "old.xlsx"
    wb.save(path)
    _, findings = parse_tender(read_rawbook(path))
    assert not [f for f in findings if f.code.startswith("MISSING")]
    # the blank template has blank required inputs, so the setup is not usable; the older bundled example is
    example, found = parse_tender(read_rawbook(ROOT / "examples" / "tender_example.xlsx"))
    assert example is not None and not [f for f in found if f.severity.value == "error"]
    s = example.setup
    assert (s.price_method, s.pre_tender_estimate, s.procurement_start, example.abnormally_low_log) == (
        "Lowest price", None, None, ())


def test_bad_award_settings_are_findings_with_cells(tmp_path):
    from tests.support.example_tender import example_tender
    from tests.support.fill import fill_tender

    wb = build_tender_template()
    fill_tender(wb, example_tender())
    set_name(wb, "PriceMethod", "Cheapest wins")
    set_name(wb, "PreTenderEstimate", "about a million")
    set_name(wb, "ProcurementStart", "next spring")
    path = Path(tmp_path / "bad.xlsx")
    wb.save(path)
    tender, findings = parse_tender(read_rawbook(path))
    by_code = {(f.code, f.cell) for f in findings}
    assert {("UNKNOWN-CHOICE", "B21"), ("NOT-A-NUMBER", "B22"), ("NOT-A-DATE", "B23")} <= by_code
    assert tender.setup.price_method == "Lowest price" and tender.setup.procurement_start is None
