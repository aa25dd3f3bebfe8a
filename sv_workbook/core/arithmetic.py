"""Sums and threshold decisions that give the same answer on every Python and in the workbook.

Two rules, stated once here and in the README ("Arithmetic"):

* **Sums are correctly rounded.** ``total`` is ``math.fsum``: the exact sum of the values,
  rounded once to the nearest float. Plain ``sum()`` of floats rounds at every step, and
  Python 3.12 changed how (it became compensated), so 92.4 + 93.8 + 93.6 + 100.2 was
  379.99999999999994 on Python 3.11 and 380.0 on 3.12. ``fsum`` is 380.0 on both.
  ``exact_dot`` goes further for a weighted sum: every product and the sum are exact
  (``fractions.Fraction``) and only the result is rounded.

* **Thresholds are decided on the decimal value shown in the cells**: the value to 15
  significant digits (all Excel displays), rounded to 9 decimal places half away from
  zero. That is what ``ROUND(x, 9)`` gives in Excel and LibreOffice (both work to 15
  significant digits: LibreOffice rounds 5000000.000000001 to 5000000), and the templates'
  live formulas compare ``ROUND(value,9)`` with the limit. So a KPI at 380 of 400 is 95%
  and Good even where a float sum says 379.99999999999994, and a mean mark of 3.2 meets a
  MinScore of 3.2 although 9.6 / 3 is 3.1999999999999997. Nine places is far below
  anything a person types or reads (marks, percents, pounds and pence) and far above
  float noise, so an auditor working with the decimals in the cells, the tool and the
  workbook reach the same verdict.
"""

from __future__ import annotations

import math
from functools import lru_cache
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from typing import Iterable, Sequence

#: Decimal places a value is rounded to before it is compared with a threshold.
DECISION_PLACES = 9
_QUANTUM = Decimal(1).scaleb(-DECISION_PLACES)
#: Enough digits for any finite float (up to 1.8e308) with 9 places after the point.
_CONTEXT = Context(prec=330)


def total(values: Iterable[float]) -> float:
    """The correctly rounded sum (``math.fsum``): the same bits on every Python and platform."""
    return math.fsum(values)


def mean(values: Sequence[float]) -> float:
    """Correctly rounded sum ÷ count (what ``statistics.fmean`` does, said here once)."""
    if not values:
        raise ValueError("mean of no values")
    return math.fsum(values) / len(values)


def exact_dot(xs: Sequence[float], ys: Sequence[float], times: float = 1.0, divide_by: float = 1.0) -> float:
    """times × Σ x·y ÷ divide_by, computed exactly and rounded once to the nearest float.

    Each product of floats is exact as a ``Fraction``, so the result depends neither on
    the order of the terms nor on how a Python version rounds intermediate steps.
    """
    if len(xs) != len(ys):
        raise ValueError(f"{len(xs)} values but {len(ys)} weights")
    if divide_by == 0:
        raise ZeroDivisionError("exact_dot: divide_by is 0")
    if not all(math.isfinite(v) for v in (*xs, *ys, times, divide_by)):  # inf or NaN: no exact value
        return times * math.fsum(x * y for x, y in zip(xs, ys)) / divide_by
    # a float is n / 2**k, so every product has a power-of-two denominator and the exact sum
    # needs only integer arithmetic over the largest one (ten times faster than Fraction sums)
    terms = []
    for x, y in zip(xs, ys):
        (a, b), (c, d) = float(x).as_integer_ratio(), float(y).as_integer_ratio()
        terms.append((a * c, b * d))
    den = max((d for _, d in terms), default=1)
    dot = Fraction(sum(n * (den // d) for n, d in terms), den)
    return float(dot * Fraction(times) / Fraction(divide_by))


def decided(value: float) -> Decimal | float:
    """The value a threshold is decided on: 15 significant digits, then 9 decimal places, half up.

    The 15-digit decimal form is the value as Excel shows it (0.9499999999999998 shows as
    0.95); rounding that to 9 places, half away from zero, is ``ROUND(value, 9)`` in Excel
    and LibreOffice. Infinities and NaN are returned as they are (they compare as floats).
    Remembered: the policy's limits are decided again at every comparison, hundreds per register.
    Zero is not: ``0.0`` and ``-0.0`` are one key to a cache, yet decide to ``0E-9`` and ``-0E-9``,
    and ``excel_limit`` writes the sign into templates, so a cached zero would make them depend on
    which zero came first.
    """
    value = float(value)
    return _decide(value) if value == 0.0 else _remembered_decide(value)


def _decide(value: float) -> Decimal | float:
    """``decided`` of a float, worked out."""
    if not math.isfinite(value):
        return value
    return Decimal(format(value, ".15g")).quantize(_QUANTUM, rounding=ROUND_HALF_UP, context=_CONTEXT)


_remembered_decide = lru_cache(maxsize=4096)(_decide)


def _compare(value: float, limit: float) -> int | None:
    """-1, 0 or 1 as ``value`` is below, at or above ``limit`` at 9 decimal places; None with a NaN."""
    a, b = decided(value), decided(limit)
    if isinstance(a, float) or isinstance(b, float):  # an infinity or NaN: ordinary float comparison
        a, b = float(a), float(b)
        if math.isnan(a) or math.isnan(b):
            return None
    return (a > b) - (a < b)


def at_least(value: float, limit: float) -> bool:
    """value ≥ limit, decided at 9 decimal places (Excel: ``ROUND(value,9)>=limit``); False with a NaN."""
    return _compare(value, limit) in (0, 1)


def above(value: float, limit: float) -> bool:
    """value > limit, decided at 9 decimal places (Excel: ``ROUND(value,9)>limit``); False with a NaN."""
    return _compare(value, limit) == 1


def below(value: float, limit: float) -> bool:
    """value < limit, decided at 9 decimal places (Excel: ``ROUND(value,9)<limit``); False with a NaN."""
    return _compare(value, limit) == -1


def equal(value: float, limit: float) -> bool:
    """value = limit, decided at 9 decimal places (Excel: ``ROUND(value,9)=limit``); False with a NaN."""
    return _compare(value, limit) == 0


def excel_round(expr: str) -> str:
    """Template formula text for the value ``expr`` decided as ``decided`` does: ``ROUND(expr,9)``."""
    return f"ROUND({expr},{DECISION_PLACES})"


def excel_limit(limit: float) -> str:
    """A policy limit as the literal a template formula compares with (its 9-place decimal, plainly)."""
    d = decided(limit)
    if isinstance(d, float):
        raise ValueError(f"a threshold must be a finite number, not {limit!r}")
    return format(d.normalize(), "f")


__all__ = ["DECISION_PLACES", "total", "mean", "exact_dot", "decided", "at_least", "above", "below", "equal",
           "excel_round", "excel_limit"]
