"""Worksheet functions, called through xlwings the way Excel calls them.

``custom_functions_call`` is xlwings' own entry point for a custom-function call from
Excel (xlwings Lite and Server): arguments arrive as Excel sends them (every argument a
2-D block, a single cell as ``[[v]]``, blanks as None, numbers as floats) and go through
the ``@xw.arg`` converters. ``custom_functions_meta`` is what Excel registers: the
names and the docstrings shown as help. Each result is compared with the core function
the Report sheet uses, so worksheet and report cannot disagree.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest
import xlwings as xw
from xlwings.server import custom_functions_call, custom_functions_meta

from sv_workbook import udfs
from tests.support.example_tender import example_tender
from sv_workbook.core.kpi.rules import APPROACHING, GOOD, INADEQUATE, NOT_YET_DUE, expected_to_date, percent_of_expected, rating
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.core.tender.scoring import price_points, quality_points, score_tender, sv_weighting_findings

from tests.support.paths import TODAY


def excel(func: str, *args):
    """Call a worksheet function as Excel does (ExcelApi 1.4 runtime)."""
    data = {"func_name": func, "args": list(args), "version": xw.__version__, "client": "Office.js",
            "runtime": "1.4", "caller_address": "Scoring!Z9", "culture_info_name": "en-GB", "date_format": "dd/mm/yyyy"}
    result = asyncio.run(custom_functions_call(data, udfs))
    return result[0][0] if isinstance(result, list) else result


def cell(v):
    return [[v]]


def row(*vs):
    return [list(vs)]


def column(*vs):
    return [[v] for v in vs]


def test_functions_are_registered_with_the_sv_prefix_and_their_help():
    meta = {f["name"]: f for f in custom_functions_meta(udfs)["functions"]}
    assert set(meta) == {"SV_QUALITY_SCORE", "SV_PRICE_SCORE", "SV_WEIGHTING_CHECK", "SV_KPI_EXPECTED_TO_DATE",
                         "SV_KPI_PERCENT", "SV_KPI_RATING"}
    for name, f in meta.items():
        assert f["description"] == getattr(udfs, name.lower()).__doc__
        assert all(p["description"] and not p["description"].startswith("Positional") for p in f["parameters"])
    assert "lowest" in meta["SV_PRICE_SCORE"]["description"]


def test_quality_score_equals_the_report_for_every_example_bid():
    t = example_tender()
    result = score_tender(t, DEFAULT_POLICY, TODAY)
    weights = [c.weight for c in t.criteria]
    for r in result.results:
        marks = [r.marks[c.id] for c in t.criteria]
        # a row of marks, a column of weights, trailing unused cells blank in both
        got = excel("sv_quality_score", row(*marks, None), column(*weights, None), cell(60.0), cell(5.0))
        assert got == r.quality_score


def test_quality_score_skips_unused_criteria_columns_as_the_scoring_sheet_lays_them_out():
    """The Scoring sheet gives unused criteria a weight of 0 and a blank ("") mark."""
    assert excel("sv_quality_score", row(4.0, 3.0, "", ""), row(90.0, 10.0, 0.0, 0.0), cell(60.0), cell(5.0)) == \
        quality_points([4.0, 3.0], [90.0, 10.0], 60.0, 5.0)


def test_quality_score_says_what_is_wrong():
    assert excel("sv_quality_score", row(4.0, None), row(90.0, 10.0), cell(60.0), cell(5.0)) == \
        "Not scored: mark 2 is blank"
    assert excel("sv_quality_score", row(4.0, 3.0), row(90.0), cell(60.0), cell(5.0)).startswith("2 marks but 1 weight")
    assert excel("sv_quality_score", row(4.0, 6.0), row(90.0, 10.0), cell(60.0), cell(5.0)) == \
        "Mark 2 (6) is outside 0 to 5"
    assert excel("sv_quality_score", row(4.0, "four"), row(90.0, 10.0), cell(60.0), cell(5.0)) == \
        "Mark 2 should be a number but is 'four'"
    assert excel("sv_quality_score", row(4.0), row(100.0), cell(60.0), cell(0.0)) == \
        "ScoreScaleMax is 0; it must be greater than 0"


def test_quality_score_matches_the_core_on_a_single_cell_and_fractions():
    assert excel("sv_quality_score", cell(3.5), cell(100.0), cell(65.0), cell(10.0)) == quality_points([3.5], [100.0], 65.0, 10.0)


def test_price_score_is_the_lowest_price_method():
    prices = column(1_640_000.0, 1_525_500.0, 1_710_250.0, None, 0.0)
    got = excel("sv_price_score", cell(1_710_250.0), prices, cell(40.0))
    assert got == price_points(1_710_250.0, 1_525_500.0, 40.0)
    assert excel("sv_price_score", cell(1_525_500.0), prices, cell(40.0)) == 40.0
    # the bid's own price counts even when the range holds only the others
    assert excel("sv_price_score", cell(900.0), column(1000.0, 1200.0), cell(40.0)) == 40.0


def test_price_score_says_what_is_wrong():
    assert excel("sv_price_score", cell(None), column(1000.0), cell(40.0)) == "The price is blank"
    assert excel("sv_price_score", cell(-5.0), column(1000.0), cell(40.0)) == "The price is -5; it must be greater than 0"
    assert excel("sv_price_score", cell(1000.0), column(1000.0, "TBC"), cell(40.0)) == \
        "Price 2 should be a number but is 'TBC'"


@pytest.mark.parametrize("value, route, weight", [
    (1_800_000.0, "Open", 15.0), (1_800_000.0, "Open", 5.0), (50_000.0, "Quotation", 0.0),
    (50_000.01, "Restricted", 9.99), (2_000_000.0, "Framework call-off", 0.0), (40_000.0, "open", 5.0),
])
def test_weighting_check_is_the_strategy_rule(value, route, weight):
    findings = sv_weighting_findings(value, route.capitalize() if route == "open" else route, weight, DEFAULT_POLICY)
    expected = findings[0].message if findings else "OK"
    assert excel("sv_weighting_check", cell(value), cell(route), cell(weight)) == expected


def test_weighting_check_below_minimum_names_the_clause():
    text = excel("sv_weighting_check", cell(1_800_000.0), cell("Open"), cell(5.0))
    assert "clause 4.2" in text and "10%" in text


def test_weighting_check_refuses_an_unknown_route():
    assert excel("sv_weighting_check", cell(100_000.0), cell("Tender"), cell(10.0)).startswith(
        "Route 'Tender' is not one of: Open,")


def serial(d: date) -> float:
    """Excel's date serial number, as custom functions receive date cells."""
    return float((d - date(1899, 12, 30)).days)


def test_kpi_expected_to_date_is_the_register_arithmetic():
    start, end, reported = date(2025, 4, 1), date(2028, 3, 31), date(2026, 9, 30)
    expected = expected_to_date(120.0, start, end, reported)
    assert excel("sv_kpi_expected_to_date", cell(120.0), cell(serial(start)), cell(serial(end)),
                 cell(serial(reported))) == expected
    # desktop Excel passes date cells as datetimes
    assert udfs.sv_kpi_expected_to_date(120.0, datetime(2025, 4, 1), datetime(2028, 3, 31), datetime(2026, 9, 30)) \
        == expected
    assert excel("sv_kpi_expected_to_date", cell(120.0), cell(serial(start)), cell(serial(end)), cell(None)) == 0.0
    assert excel("sv_kpi_expected_to_date", cell(120.0), cell("April"), cell(serial(end)), cell(None)) == \
        "StartDate should be a date but is 'April'"
    assert excel("sv_kpi_expected_to_date", cell(120.0), cell(serial(end)), cell(serial(start)), cell(None)) == \
        "EndDate must be after StartDate"


@pytest.mark.parametrize("delivered, expected", [(57.0, 60.0), (54.0, 60.0), (51.0, 60.0), (51.01, 60.0), (0.0, 0.0)])
def test_kpi_percent_and_rating_are_the_register_rules(delivered, expected):
    pct = percent_of_expected(delivered, expected)
    got = excel("sv_kpi_percent", cell(delivered), cell(expected))
    assert got == (NOT_YET_DUE if pct is None else pct)
    assert excel("sv_kpi_rating", cell(got)) == rating(pct, DEFAULT_POLICY)


def test_kpi_rating_bands_at_their_boundaries():
    p = DEFAULT_POLICY
    assert excel("sv_kpi_rating", cell(p.rating_good)) == GOOD
    assert excel("sv_kpi_rating", cell(p.rating_approaching)) == APPROACHING
    assert excel("sv_kpi_rating", cell(p.rating_requires_improvement)) == INADEQUATE
    assert excel("sv_kpi_rating", cell(None)) == NOT_YET_DUE
