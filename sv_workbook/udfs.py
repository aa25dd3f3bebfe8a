"""Worksheet functions (xlwings UDFs): the scoring rules as formulas that recalculate as you type.

Each function is a thin shell over the pure core that ``sv-workbook score`` and the
buttons use (``scoring.quality_points``, ``scoring.price_points``,
``scoring.sv_weighting_findings``), so a cell using ``SV_QUALITY_SCORE`` and the Report
sheet cannot disagree. The shells only turn what Excel passes (2-D blocks, blanks as
None, numbers as floats) into the core's arguments, and bad input into a sentence in the
cell instead of ``#VALUE!``, so evaluators see what to fix.

Desktop Excel (Windows): list ``sv_workbook.udfs`` under "UDF Modules" in the xlwings
ribbon and click "Import Functions". xlwings Lite: ``macros/lite/main.py`` imports them.
The docstrings are what Excel shows in the function wizard and the formula tooltip.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import xlwings as xw

from sv_workbook.core.contracts import ROUTES
from sv_workbook.core.kpi.rules import NOT_YET_DUE, expected_to_date, percent_of_expected, rating
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.core.tender.scoring import price_points, quality_points, sv_weighting_findings

__all__ = ["sv_quality_score", "sv_price_score", "sv_weighting_check", "sv_kpi_expected_to_date", "sv_kpi_percent",
           "sv_kpi_rating"]


class _Unusable(ValueError):
    """An argument the rule cannot use; the message goes into the cell."""


@xw.func
@xw.arg("marks", ndim=2, doc="The marks of one bid, one per criterion (a row or a column of cells).")
@xw.arg("weights", ndim=2, doc="The criteria weights in the same order (percent of quality; they add up to 100).")
@xw.arg("quality_weight", doc="QualityWeight: the quality share of the total score, e.g. 60.")
@xw.arg("scale_max", doc="ScoreScaleMax: the top of the marking scale, e.g. 5.")
def sv_quality_score(marks: Any, weights: Any, quality_weight: Any, scale_max: Any) -> Any:
    """Quality points of one bid: QualityWeight × Σ (weight/100 × mark / ScoreScaleMax), as sv-workbook scores it.

    A blank mark whose weight is blank or 0 is ignored (unused columns); a blank mark with a weight gives
    "Not scored" and the reason.
    """
    try:
        pairs = _pairs(marks, weights, "mark", "weight")
        qw = _number(quality_weight, "QualityWeight", minimum=0)
        top = _number(scale_max, "ScoreScaleMax", above=0)
        for i, (mark, _) in enumerate(pairs, 1):
            if mark is None:
                raise _Unusable(f"Not scored: mark {i} is blank")
            if not 0 <= mark <= top:
                raise _Unusable(f"Mark {i} ({mark:g}) is outside 0 to {top:g}")
        return quality_points([m for m, _ in pairs], [w for _, w in pairs], qw, top)
    except _Unusable as exc:
        return str(exc)


@xw.func
@xw.arg("price", doc="The bid's evaluated price in £ (greater than 0).")
@xw.arg("prices", ndim=2, doc="The prices of the qualifying bids (blanks ignored); the lowest sets full marks.")
@xw.arg("price_weight", doc="PriceWeight: the price share of the total score, e.g. 40.")
def sv_price_score(price: Any, prices: Any, price_weight: Any) -> Any:
    """Price points by the lowest price method: PriceWeight × lowest qualifying price / this bid's price.

    The bid's own price counts as qualifying; prices of 0 or less are not prices and are ignored.
    """
    try:
        own = _number(price, "The price", above=0)
        weight = _number(price_weight, "PriceWeight", minimum=0)
        listed = [_number(v, f"Price {i}") for i, v in enumerate(_flat(prices), 1) if v is not None]
        lowest = min([p for p in listed if p > 0] + [own])
        return price_points(own, lowest, weight)
    except _Unusable as exc:
        return str(exc)


@xw.func
@xw.arg("contract_value", doc="ContractValue: estimated whole-life value in £, including VAT.")
@xw.arg("route", doc="ProcurementRoute, e.g. Open or Framework call-off.")
@xw.arg("sv_weight", doc="Social value criteria's total weight, in percent of the quality score (10 = 10%).")
def sv_weighting_check(contract_value: Any, route: Any, sv_weight: Any) -> str:
    """"OK" when social value is weighted as the trust's Social Value Strategy (4.1, 4.2) requires; otherwise the rule broken.

    For a framework call-off it says that the framework's own criteria govern.
    """
    try:
        value = _number(contract_value, "ContractValue", minimum=0)
        weight = _number(sv_weight, "The social value weight", minimum=0, maximum=100)
        chosen = _route(route)
    except _Unusable as exc:
        return str(exc)
    findings = sv_weighting_findings(value, chosen, weight, DEFAULT_POLICY)
    return findings[0].message if findings else "OK"


@xw.func
@xw.arg("target", doc="The KPI's whole-contract Target.")
@xw.arg("start_date", doc="StartDate of the contract.")
@xw.arg("end_date", doc="EndDate of the contract.")
@xw.arg("reporting_date", doc="The latest period end reported (blank: nothing reported yet).")
def sv_kpi_expected_to_date(target: Any, start_date: Any, end_date: Any, reporting_date: Any) -> Any:
    """Target pro rata to the reporting date: Target × (days from StartDate to it) ÷ (days from StartDate to EndDate).

    0 before anything is reported; never more than the Target.
    """
    try:
        goal = _number(target, "Target", above=0)
        start = _date(start_date, "StartDate")
        end = _date(end_date, "EndDate")
        reported = None if _blank(reporting_date) else _date(reporting_date, "The reporting date")
    except _Unusable as exc:
        return str(exc)
    if end <= start:
        return "EndDate must be after StartDate"
    return expected_to_date(goal, start, end, reported)


@xw.func
@xw.arg("delivered", doc="DeliveredToDate: the sum of the KPI's actuals.")
@xw.arg("expected", doc="ExpectedToDate (see SV_KPI_EXPECTED_TO_DATE).")
def sv_kpi_percent(delivered: Any, expected: Any) -> Any:
    """PercentOfExpected = DeliveredToDate ÷ ExpectedToDate, unrounded (format the cell as a percentage).

    "Not yet due" while nothing is expected yet.
    """
    try:
        done = _number(delivered, "DeliveredToDate", minimum=0)
        due = _number(expected, "ExpectedToDate", minimum=0)
    except _Unusable as exc:
        return str(exc)
    percent = percent_of_expected(done, due)
    return NOT_YET_DUE if percent is None else percent


@xw.func
@xw.arg("percent", doc="PercentOfExpected as a fraction (0.95 = 95%), e.g. from SV_KPI_PERCENT; blank = not yet due.")
def sv_kpi_rating(percent: Any) -> str:
    """The KPI's rating in the Procurement Act 2023 s.71 words, from the unrounded percent and the trust's bands:

    Good, Approaching target, Requires improvement or Inadequate.
    """
    if _blank(percent) or percent == NOT_YET_DUE:
        return rating(None, DEFAULT_POLICY)
    try:
        return rating(_number(percent, "PercentOfExpected", minimum=0), DEFAULT_POLICY)
    except _Unusable as exc:
        return str(exc)


# --- what Excel passes → what the core takes --------------------------------------------

def _flat(block: Any) -> list[Any]:
    """A row or column of cells (2-D list, as ``ndim=2`` gives it) as one list; a single value as [value]."""
    if isinstance(block, (list, tuple)):
        return [v for row in block for v in (row if isinstance(row, (list, tuple)) else [row])]
    return [block]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Any, what: str, minimum: float | None = None, maximum: float | None = None,
            above: float | None = None) -> float:
    if _blank(value):
        raise _Unusable(f"{what} is blank")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _Unusable(f"{what} should be a number but is {str(value)!r}")
    value = float(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum) or (
            above is not None and value <= above):
        limit = (f"greater than {above:g}" if above is not None else
                 f"from {minimum:g} to {maximum:g}" if maximum is not None else f"at least {minimum:g}")
        raise _Unusable(f"{what} is {value:g}; it must be {limit}")
    return value


def _date(value: Any, what: str) -> date:
    """A date cell: desktop Excel passes a datetime, Excel's custom functions pass the serial number."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2958466:
        return xw.to_datetime(value).date()
    raise _Unusable(f"{what} should be a date but is {str(value)!r}")


def _pairs(marks: Any, weights: Any, left: str, right: str) -> list[tuple[float | None, float]]:
    """Line up marks and weights; drop blank marks whose weight is blank or 0 (unused criteria columns)."""
    ms, ws = _flat(marks), _flat(weights)
    if len(ms) != len(ws):
        raise _Unusable(f"{len(ms)} {left}s but {len(ws)} {right}s: select the same number of cells")
    out: list[tuple[float | None, float]] = []
    for i, (m, w) in enumerate(zip(ms, ws), 1):
        if _blank(m) and (_blank(w) or w == 0):
            continue
        weight = _number(w, f"{right.capitalize()} {i}", minimum=0)
        out.append((None if _blank(m) else _number(m, f"{left.capitalize()} {i}"), weight))
    if not out:
        raise _Unusable(f"No {right}s given")
    return out


def _route(value: Any) -> str:
    text = "" if _blank(value) else str(value).strip()
    for route in ROUTES:
        if route.casefold() == text.casefold():
            return route
    raise _Unusable(f"Route {text!r} is not one of: {', '.join(ROUTES)}")
