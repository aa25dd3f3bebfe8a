"""The procurement-route check: which dated threshold table applies, and what it says."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from sv_workbook.core.tender.scoring import score_tender
from sv_workbook.core.thresholds import TABLES, ThresholdTable, route_findings, table_for

from tests.support.paths import TODAY
from tests.core.test_scoring import simple

NYE, NYD = date(2025, 12, 31), date(2026, 1, 1)


def codes(findings):
    return [f.code for f in findings]


def test_table_changes_on_1_january_2026():
    assert table_for(NYE).effective_from == date(2024, 1, 1)
    assert table_for(NYD).effective_from == date(2026, 1, 1)
    assert table_for(NYE).goods_services == 214_904 and table_for(NYD).goods_services == 207_720
    assert table_for(NYE).works == 5_372_609 and table_for(NYD).works == 5_193_000
    assert table_for(date(2023, 12, 31)) is None


@pytest.mark.parametrize("start, expected", [(NYE, "ROUTE-NOTIFIABLE-BELOW-THRESHOLD"), (NYD, "ROUTE-ABOVE-THRESHOLD")])
def test_services_value_between_the_two_tables(start, expected):
    # £210,000 is below the 2024 figure (£214,904) but above the 2026 one (£207,720)
    found = route_findings(210_000.0, "Services", start)
    assert codes(found) == [expected]
    assert ("1 January 2026" if start == NYD else "1 January 2024") in found[0].message
    assert ("SI 2025/1200" if start == NYD else "PPN 11/23") in found[0].message


@pytest.mark.parametrize("start, works_threshold", [(NYE, 5_372_609.0), (NYD, 5_193_000.0)])
def test_works_exactly_at_threshold_is_above(start, works_threshold):
    assert codes(route_findings(works_threshold, "Works", start)) == ["ROUTE-ABOVE-THRESHOLD"]
    assert codes(route_findings(works_threshold - 0.01, "Works", start)) == ["ROUTE-NOTIFIABLE-BELOW-THRESHOLD"]


def test_light_touch_and_notifiable_boundaries():
    assert codes(route_findings(663_540.0, "Light-touch services", NYD)) == ["ROUTE-ABOVE-THRESHOLD"]
    assert codes(route_findings(663_539.99, "Light-touch services", NYD)) == ["ROUTE-NOTIFIABLE-BELOW-THRESHOLD"]
    assert codes(route_findings(30_000.0, "Goods", NYD)) == ["ROUTE-NOTIFIABLE-BELOW-THRESHOLD"]
    assert codes(route_findings(29_999.99, "Goods", NYD)) == ["ROUTE-BELOW-NOTIFIABLE"]


def test_blank_start_uses_today_and_says_so():
    found = route_findings(300_000.0, "Services", None, today=NYE)
    assert codes(found) == ["ROUTE-NO-START", "ROUTE-ABOVE-THRESHOLD"]
    assert "PPN 11/23" in found[1].message


def test_before_the_act_and_before_any_table():
    assert "ROUTE-PCR-2015" in codes(route_findings(300_000.0, "Services", date(2024, 6, 1)))
    assert codes(route_findings(300_000.0, "Services", date(2023, 6, 1))) == ["ROUTE-NO-TABLE"]


def test_quotation_above_threshold_warns():
    assert "ROUTE-QUOTATION-ABOVE-THRESHOLD" in codes(route_findings(300_000.0, "Goods", NYD, "Quotation"))


def test_next_revision_is_one_line():
    future = TABLES + (ThresholdTable(date(2028, 1, 1), "future SI", 200_000.0, 5_000_000.0, 700_000.0, 30_000.0),)
    assert table_for(date(2028, 1, 1), future).source == "future SI"
    found = route_findings(205_000.0, "Services", date(2028, 1, 1), tables=future)
    assert codes(found) == ["ROUTE-ABOVE-THRESHOLD"] and "future SI" in found[0].message


def test_scoring_reports_the_route():
    t = simple(value=210_000.0)
    result = score_tender(replace(t, setup=replace(t.setup, procurement_start=NYD)), today=TODAY)
    route = [f for f in result.findings if f.code.startswith("ROUTE-")]
    assert [f.code for f in route] == ["ROUTE-ABOVE-THRESHOLD"] and route[0].severity.value == "info"
