"""Defensible arithmetic: correctly rounded sums, and thresholds decided at 9 decimal places.

The references are exact: ``fractions.Fraction`` sums of the same floats, rounded once,
and decimals an auditor would compute from the cells. Nothing here depends on the Python
version, which is the point (``sum()`` of floats changed in Python 3.12).
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sv_workbook.core.arithmetic import (above, at_least, below, decided, equal, excel_limit, excel_round,
                                         mean, total)
from sv_workbook.core.kpi.rules import (APPROACHING, GOOD, INADEQUATE, KPI, REQUIRES_IMPROVEMENT, Actual, Register,
                                        assess_register, rating)
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.core.tender.abnormally_low import is_abnormally_low
from sv_workbook.core.tender.model import EvaluatorScore
from sv_workbook.core.tender.scoring import quality_points, score_tender, sv_weighting_findings
from sv_workbook.core.thresholds import route_findings

from tests.support.kpi_helpers import contract
from tests.support.paths import ROOT, TODAY

#: Values as people type them: pounds and pence, marks, tonnes, up to 1e9, and some negatives.
decimals = st.decimals(min_value=-1_000_000_000, max_value=1_000_000_000, places=3, allow_nan=False,
                       allow_infinity=False).map(float)
any_float = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


def exact_total(values) -> float:
    """The reference: the exact sum of the floats, rounded once."""
    return float(sum((Fraction(v) for v in values), Fraction(0)))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(decimals, any_float), max_size=60))
def test_total_is_the_exact_sum_rounded_once(values):
    assert total(values) == exact_total(values)
    assert total(reversed(values)) == total(values)  # order cannot change a figure


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 10), st.floats(0, 100)), min_size=1, max_size=30),
       st.floats(0, 100), st.sampled_from([3.0, 5.0, 7.0, 10.0]))
def test_quality_points_are_the_exact_value_rounded_once(pairs, quality_weight, scale):
    marks, weights = [m for m, _ in pairs], [w for _, w in pairs]
    exact = Fraction(quality_weight) * sum((Fraction(w) / 100 * Fraction(m) / Fraction(scale)
                                            for m, w in pairs), Fraction(0))
    assert quality_points(marks, weights, quality_weight, scale) == float(exact)
    assert quality_points(marks[::-1], weights[::-1], quality_weight, scale) == float(exact)


@settings(max_examples=150, deadline=None)
@given(st.lists(decimals.filter(lambda v: v >= 0), min_size=1, max_size=12))
def test_delivered_to_date_is_the_exact_sum_of_the_actuals(actuals):
    periods = [date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31), date(2026, 3, 31)]
    rows = tuple(Actual("K1", periods[i % 4], a, "EV") for i, a in enumerate(actuals))
    reg = Register(contract(), (KPI("K1", "Climate & waste", "CW02", "tonnes", 100.0),), rows)
    status = assess_register(reg, DEFAULT_POLICY, date(2026, 11, 27)).statuses[0]
    assert status.delivered == exact_total(actuals)


def test_the_issue_s_figures():
    actuals = [92.4, 93.8, 93.6, 100.2]  # 380 in decimals; sum() gave 379.99999999999994 on Python 3.11
    assert total(actuals) == 380.0
    assert total([15.6] * 3) == exact_total([15.6] * 3)
    assert mean([3.0, 3.3, 3.3]) == total([3.0, 3.3, 3.3]) / 3


# ---------------------------------------------------------------- the decision rule


def test_decided_rounds_the_decimal_form_half_away_from_zero():
    assert str(decided(0.9499999999999998)) == "0.950000000"
    assert str(decided(0.8500000000000001)) == "0.850000000"
    assert str(decided(0.12345678949)) == "0.123456789"
    assert str(decided(0.1234567895)) == "0.123456790"  # half away from zero, as Excel's ROUND
    assert str(decided(-0.1234567895)) == "-0.123456790"


def test_comparisons_at_the_boundary_and_beyond():
    assert at_least(379.99999999999994 / 400, 0.95) and not below(379.99999999999994 / 400, 0.95)
    assert not above(50_000.000000000007, 50_000) and equal(50_000.000000000007, 50_000)
    assert above(50_000.01, 50_000) and below(0.949999998, 0.95)
    assert at_least(math.inf, 1e300) and not at_least(-math.inf, 0)
    for f in (at_least, above, below, equal):
        assert f(math.nan, 1.0) is False and f(1.0, math.nan) is False


def test_template_text_says_the_same_rule():
    assert excel_round("B16") == "ROUND(B16,9)"
    assert excel_limit(0.95) == "0.95" and excel_limit(5_000_000.0) == "5000000" and excel_limit(10) == "10"
    with pytest.raises(ValueError):
        excel_limit(math.inf)


@pytest.mark.parametrize("target, delivered, expected", [
    (400.0, [92.4, 93.8, 93.6, 100.2], GOOD),        # 380 of 400: the issue's register
    (16.6, [15.77], GOOD),                            # 95%: 15.77 / 16.6 is 0.9499999999999998 in floats
    (10.4, [9.36], APPROACHING),                      # 90%: 0.8999999999999999 in floats
    (10.2, [8.67], INADEQUATE),                       # 85%: 0.8500000000000001 in floats, yet at 85% or less
    (10.2, [8.68], REQUIRES_IMPROVEMENT),
])
def test_kpi_rating_is_decided_on_the_decimal_percent(target, delivered, expected):
    periods = [date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31), date(2026, 3, 31)]
    rows = tuple(Actual("K1", periods[i], a, "EV") for i, a in enumerate(delivered))
    # reporting on the last day: ExpectedToDate is the whole target
    reg = Register(replace(contract(), end=date(2026, 3, 31)),
                   (KPI("K1", "Climate & waste", "CW02", "tonnes", target),), rows)
    reg = replace(reg, actuals=rows[:-1] + (rows[-1]._replace(period_end=date(2026, 3, 31)),))
    status = assess_register(reg, DEFAULT_POLICY, date(2026, 4, 30)).statuses[0]
    assert status.expected == target
    assert status.rating == expected, (status.delivered, status.percent)


def test_rating_bands_at_the_boundaries():
    assert rating(0.95) == GOOD and rating(0.9499999999999998) == GOOD and rating(0.949999999) == APPROACHING
    assert rating(0.8999999999999999) == APPROACHING
    assert rating(0.8500000000000001) == INADEQUATE and rating(0.850000001) == REQUIRES_IMPROVEMENT


def test_social_value_minimum_and_the_50000_rule_are_decided_on_decimals():
    # 9.999999999999998% is 10% to an auditor: no finding
    assert sv_weighting_findings(100_000.0, "Open", 9.999999999999998) == []
    assert [f.code for f in sv_weighting_findings(100_000.0, "Open", 9.99999999)] == ["SV-WEIGHT-BELOW-MIN"]
    # a contract value that is £50,000 in decimals (a formula's float noise) is not over £50,000
    assert not DEFAULT_POLICY.sv_applies_minimum(50_000.000000000007, "Open")
    assert DEFAULT_POLICY.sv_applies_minimum(50_000.01, "Open")


def test_kpi_count_rule_at_five_million():
    kpis = (KPI("K1", "Climate & waste", "CW02", "tonnes", 10.0),)
    at_limit = Register(contract(value=5_000_000.000000001), kpis)
    over = Register(contract(value=5_000_000.01), kpis)
    assert "KPI-COUNT-BELOW-S52" not in [f.code for f in assess_register(at_limit, as_of=date(2025, 5, 1)).findings]
    assert "KPI-COUNT-BELOW-S52" in [f.code for f in assess_register(over, as_of=date(2025, 5, 1)).findings]


def test_procurement_threshold_exactly_at_the_figure_is_above_it():
    at = route_findings(207_719.99999999997, "Goods", date(2026, 2, 1))  # £207,720 in decimals
    assert "ROUTE-ABOVE-THRESHOLD" in [f.code for f in at]


def test_min_score_is_decided_on_the_mean_an_auditor_computes():
    from tests.core.test_scoring import simple

    t = simple(rule="Mean")
    t = replace(t, consensus=(), criteria=tuple(replace(c, min_score=3.2) for c in t.criteria))
    marks = {"B1": (3.0, 3.3, 3.3), "B2": (3.0, 3.3, 3.2)}  # means 3.2 (3.1999999999999997 in floats), 3.1666…
    scores = tuple(EvaluatorScore(b, c.id, f"E{i}", m, "c") for b, ms in marks.items() for c in t.criteria
                   for i, m in enumerate(ms))
    result = score_tender(replace(t, scores=scores), today=TODAY)
    assert result.result("B1").status != "Excluded"
    assert result.result("B2").status == "Excluded"


def test_abnormally_low_exactly_at_the_percent_is_not_flagged():
    assert not is_abnormally_low(98_765.36, 123_456.7, 20.0)  # exactly 20% below in decimals
    assert is_abnormally_low(98_765.35, 123_456.7, 20.0)


# ---------------------------------------------------------------- the same bits on every Python

FIGURES = """
import json
from sv_workbook.core.tender.scoring import score_tender
from sv_workbook.core.kpi.rules import assess_register
from tests.support.example_tender import example_tender
from tests.support.kpi_helpers import register
from datetime import date
t = score_tender(example_tender(), today=date(2026, 11, 27))
k = assess_register(register(actual_per_quarter=(("K1", 0.1), ("K2", 15.6), ("K3", 92.4))), as_of=date(2026, 11, 27))
print(json.dumps([[r.bidder, r.quality_score, r.sv_score, r.price_score, r.total] for r in t.results]
                 + [[s.kpi_id, s.delivered, s.expected, s.percent] for s in k.statuses] + [t.sv_weight]))
"""


def _other_pythons() -> list[str]:
    """Interpreters 3.11 to 3.14 found on this machine (pyenv or the PATH), besides this one."""
    found = {shutil.which(f"python3.{minor}") for minor in range(11, 15)}
    pyenv = Path(os.environ.get("PYENV_ROOT", "/root/.pyenv")) / "versions"
    if pyenv.is_dir():
        found |= {str(p / "bin" / "python") for p in pyenv.glob("3.1[1-4]*") if (p / "bin" / "python").exists()}
    out = []
    for exe in sorted(x for x in found if x):
        ok = subprocess.run([exe, "-c", "import sys; assert (3, 11) <= sys.version_info < (3, 15)"],
                            capture_output=True).returncode == 0
        if ok and os.path.realpath(exe) != os.path.realpath(sys.executable):
            out.append(exe)
    return out


def test_figures_have_the_same_bits_on_every_python_here():
    """The core is standard library only, so any Python 3.11+ can run it from the source tree.

    The figures are printed with repr (every bit) and compared; on a machine with one
    Python this compares the in-process run with a subprocess, in CI with each found.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = {}
    for exe in [sys.executable] + _other_pythons():
        proc = subprocess.run([exe, "-c", FIGURES], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
        assert proc.returncode == 0, (exe, proc.stderr)
        runs[exe] = proc.stdout
    assert len(set(runs.values())) == 1, runs


def _decided_plainly(value: float):
    """``decided`` spelt out, without its cache: 15 significant digits, then 9 places half up."""
    from decimal import ROUND_HALF_UP, Context, Decimal

    value = float(value)
    if not math.isfinite(value):
        return value
    return Decimal(format(value, ".15g")).quantize(Decimal("1E-9"), rounding=ROUND_HALF_UP, context=Context(prec=330))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=False), st.sampled_from([0.0, -0.0, -1e-10, 1e-10, 0.95, -0.95]),
                          st.integers(-10, 10), st.booleans()), min_size=1, max_size=8))
def test_decided_gives_the_same_decimal_whatever_was_decided_before(values):
    """``decided`` is remembered; the decimal it gives (its sign included: ``excel_limit`` writes it
    into templates) must not depend on what was asked before. 0.0 and -0.0, 1 and 1.0 and True are
    equal keys to a cache."""
    for v in values + values[::-1]:
        got, want = decided(v), _decided_plainly(v)
        assert type(got) is type(want) and str(got) == str(want), v


def test_a_zero_limit_is_written_the_same_whichever_zero_came_first():
    for first, then in ((0.0, -0.0), (-0.0, 0.0)):
        decided(first)
        assert excel_limit(then) == format(_decided_plainly(then).normalize(), "f")
