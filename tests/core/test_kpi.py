"""Unit and property tests of the KPI register rules (registers built in code, no files)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from sv_workbook.core.kpi.rules import (KPI, NOT_RATED, NOT_YET_DUE, RATINGS, Actual, add_months, assess_register, due_periods,
                             expected_to_date, rating, reporting_periods)
from sv_workbook.core.policy import DEFAULT_POLICY, Policy
from sv_workbook.core.kpi.proxies import parse_proxies

from tests.support.kpi_helpers import END, START, contract, register

AS_OF = date(2026, 11, 27)


def codes(result):
    return [f.code for f in result.findings]


def test_clean_register_has_no_findings_and_hand_checked_status():
    result = assess_register(register(), DEFAULT_POLICY, AS_OF)
    assert codes(result) == []
    # six quarters reported: the latest PeriodEnd is 30/09/2026
    assert result.reporting_date == date(2026, 9, 30)
    d, total = (date(2026, 9, 30) - START).days, (END - START).days  # 547 of 729 days
    k1 = result.status("K1")
    assert k1.delivered == 18.0
    assert k1.expected == pytest.approx(24 * d / total, abs=1e-12)
    assert k1.percent == pytest.approx(18 / (24 * d / total), abs=1e-12)
    assert k1.rating == "Good"  # 18 / 18.008 = 99.95 %
    assert result.status("K2").rating == "Inadequate"  # 48 of 60.03 expected: 80 %
    assert result.status("K3").rating == "Approaching target"  # 138 of 150.07: 92 %
    assert result.elapsed == pytest.approx(d / total)


def test_poor_rating_is_a_result_not_a_finding():
    result = assess_register(register(actual_per_quarter=(("K1", 1.0), ("K2", 1.0), ("K3", 1.0))), as_of=AS_OF)
    assert result.ok and codes(result) == []
    assert {s.rating for s in result.statuses} == {"Inadequate"}


@pytest.mark.parametrize("percent, expected", [
    (1.20, "Good"), (0.95, "Good"), (0.9499999, "Approaching target"), (0.90, "Approaching target"),
    (0.8999, "Requires improvement"), (0.8500001, "Requires improvement"), (0.85, "Inadequate"), (0.0, "Inadequate"),
    (None, NOT_YET_DUE)])
def test_rating_bands_at_their_edges(percent, expected):
    assert rating(percent) == expected


def test_rating_bands_follow_policy():
    strict = Policy(rating_good=0.99, rating_approaching=0.97, rating_requires_improvement=0.95)
    assert rating(0.98, strict) == "Approaching target" and rating(0.95, strict) == "Inadequate"


@given(st.floats(min_value=0, max_value=10, allow_nan=False))
def test_rating_is_monotonic_in_percent(p):
    order = {name: i for i, name in enumerate(RATINGS)}
    assert order[rating(p)] >= order[rating(p + 0.01)]


dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


@given(st.floats(min_value=0.001, max_value=1e9, allow_nan=False), dates, st.integers(1, 5000), dates)
def test_expected_to_date_stays_between_zero_and_target(target, start, length, reported):
    end = start + timedelta(days=length)
    value = expected_to_date(target, start, end, reported)
    assert 0 <= value <= target
    if reported >= end:
        assert value == target
    if reported <= start:
        assert value == 0


@given(st.floats(min_value=0.001, max_value=1e6, allow_nan=False), dates, st.integers(2, 5000), st.data())
def test_expected_to_date_is_pro_rata_and_monotonic(target, start, length, data):
    end = start + timedelta(days=length)
    d1 = data.draw(st.integers(0, length - 1))
    a = expected_to_date(target, start, end, start + timedelta(days=d1))
    b = expected_to_date(target, start, end, start + timedelta(days=d1 + 1))
    assert a <= b
    assert a == pytest.approx(target * d1 / length, rel=1e-12, abs=1e-12)


@given(dates, st.integers(1, 3000), st.sampled_from(["Monthly", "Quarterly", "6-monthly", "Annual"]))
def test_periods_tile_the_contract_without_gaps(start, length, frequency):
    end = start + timedelta(days=length)
    periods = reporting_periods(start, end, frequency)
    assert periods[0].start == start and periods[-1].end == end
    for a, b in zip(periods, periods[1:]):
        assert b.start == a.end + timedelta(days=1)


def test_periods_step_calendar_months():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    q = reporting_periods(date(2025, 4, 1), date(2026, 3, 31), "Quarterly")
    assert [(p.start, p.end) for p in q][:2] == [(date(2025, 4, 1), date(2025, 6, 30)),
                                                  (date(2025, 7, 1), date(2025, 9, 30))]
    assert len(q) == 4
    assert len(due_periods(date(2025, 4, 1), date(2026, 3, 31), "Quarterly", date(2025, 7, 1))) == 1
    assert len(due_periods(date(2025, 4, 1), date(2026, 3, 31), "Quarterly", date(2025, 6, 30))) == 0
    assert len(due_periods(date(2025, 4, 1), date(2026, 3, 31), "Quarterly", date(2025, 7, 10), grace_days=14)) == 0


def test_missing_period_is_overdue_naming_kpi_and_period():
    reg = register(quarters=7)  # Q7 ends 31/12/2026; as of 10/01/2027 Q7 is due, and has rows
    reg = replace(reg, actuals=tuple(a for a in reg.actuals if not (a.kpi_id == "K2" and a.period_end ==
                                                                      date(2026, 6, 30))))
    result = assess_register(reg, as_of=date(2027, 1, 10))
    overdue = [f for f in result.findings if f.code == "KPI-OVERDUE"]
    assert len(overdue) == 1
    assert "K2" in overdue[0].message and "01 Apr 2026 – 30 Jun 2026" in overdue[0].message
    assert overdue[0].severity.value == "warning"


def test_as_of_before_next_period_end_is_not_overdue():
    assert "KPI-OVERDUE" not in codes(assess_register(register(quarters=6), as_of=date(2026, 12, 31)))
    assert codes(assess_register(register(quarters=6), as_of=date(2027, 1, 1))).count("KPI-OVERDUE") == 3


def test_s52_needs_three_kpis_over_five_million():
    two = register(kpis=(KPI("K1", "Jobs & skills", "JS02", "apprenticeships", 24.0),
                         KPI("K2", "Climate & waste", "CW02", "tonnes", 80.0)),
                   actual_per_quarter=(("K1", 3.0), ("K2", 10.0)))
    assert "KPI-COUNT-BELOW-S52" not in codes(assess_register(replace(two, contract=contract(5_000_000.0)),
                                                              as_of=AS_OF))
    over = assess_register(replace(two, contract=contract(5_000_000.01)), as_of=AS_OF)
    assert "KPI-COUNT-BELOW-S52" in codes(over) and not over.ok
    assert "KPI-COUNT-BELOW-S52" not in codes(assess_register(register(value=9e6), as_of=AS_OF))


def test_kpi_rules_duplicate_target_unknown_measure_unit_priority():
    kpis = (
        KPI("K1", "Jobs & skills", "JS1", "apprenticeships", 24.0),
        KPI("K1", "Jobs & skills", "JS02", "apprenticeships", 24.0),
        KPI("K2", "Climate & waste", "CW02", "kg", 0.0),
        KPI("K3", "Suplier diversity", "SD01", "£", 100.0),
        KPI("K4", "Jobs & skills", "SD01", "£", 100.0),
    )
    result = assess_register(register(kpis=kpis, actual_per_quarter=()), as_of=date(2025, 6, 1))
    by_code = {f.code: f for f in result.findings}
    assert "Did you mean JS01?" in by_code["KPI-UNKNOWN-MEASURE"].hint
    assert "KPI-ID-DUPLICATE" in by_code
    assert "KPI-TARGET-NOT-POSITIVE" in by_code
    assert "'tonnes'" in by_code["KPI-UNIT-MISMATCH"].hint
    assert "Supplier diversity" in by_code["KPI-UNKNOWN-PRIORITY"].hint
    assert by_code["KPI-PRIORITY-MISMATCH"].severity.value == "warning"
    assert result.status("K2").rating == NOT_RATED


def test_actual_rules():
    reg = register(quarters=2)
    bad = (
        Actual("K9", date(2025, 6, 30), 1.0, "ev"),  # unknown KPI
        Actual("K1", date(2025, 3, 31), 1.0, "ev"),  # before the contract
        Actual("K1", date(2026, 12, 31), 1.0, "ev"),  # after the as-of date
        Actual("K1", date(2025, 9, 30), -2.0, "ev"),  # negative (and a second row in the period)
        Actual("K2", date(2025, 9, 30), 1.0, None),  # no evidence: counted, warned
    )
    result = assess_register(replace(reg, actuals=reg.actuals + bad), as_of=AS_OF)
    c = codes(result)
    for code in ("ACTUAL-UNKNOWN-KPI", "PERIOD-OUTSIDE-CONTRACT", "PERIOD-IN-FUTURE", "ACTUAL-NEGATIVE",
                 "EVIDENCE-MISSING", "ACTUAL-DUPLICATE-PERIOD"):
        assert code in c, code
    assert result.status("K1").delivered == 6.0  # the bad K1 rows are not counted
    assert result.status("K2").delivered == 17.0
    assert result.reporting_date == date(2025, 9, 30)


def test_no_actuals_means_not_yet_due():
    result = assess_register(register(actual_per_quarter=()), as_of=date(2025, 5, 1))
    assert result.reporting_date is None and all(s.rating == NOT_YET_DUE and s.expected == 0 for s in result.statuses)


def test_social_value_uses_proxy_with_deadweight_and_attribution():
    proxies, findings = parse_proxies("code,gbp_per_unit,year,source,deadweight_pct,attribution_pct\n"
                                      "JS02,1000,2024,Trust set,10,25\n", "trust", "trust.csv")
    assert findings == []
    result = assess_register(register(), as_of=AS_OF, proxies=proxies)
    assert result.status("K1").social_value_gbp == pytest.approx(18 * 1000 * 0.9 * 0.75, abs=1e-9)
    assert result.status("K1").proxy_label == "trust 2024"
    assert result.status("K2").social_value_gbp is None and result.status("K2").proxy_label == ""
    assert "KPI-NO-PROXY" in codes(result) and result.ok
    assert result.proxy_label == "trust (2024)"


def test_totals_by_priority_use_share_of_target_not_mixed_units():
    result = assess_register(register(), as_of=AS_OF)
    jobs = next(t for t in result.totals if t.priority == "Jobs & skills")
    k1 = result.status("K1")
    assert jobs.delivered_share == pytest.approx(k1.delivered / k1.target)
    assert jobs.expected_share == pytest.approx(result.elapsed)
    assert jobs.percent == pytest.approx(k1.percent)


KPI_IDS = st.sampled_from(["K1", "K2", "k1 ", "K9", ""])
ANY_DATE = st.dates(min_value=date(1990, 1, 1), max_value=date(9999, 12, 31))


@given(st.lists(st.tuples(KPI_IDS, st.one_of(st.none(), ANY_DATE),
                          st.one_of(st.none(), st.floats(-10, 1e6, allow_nan=False)), st.booleans()), max_size=30),
       ANY_DATE, st.integers(1, 4000), st.sampled_from(["Monthly", "Quarterly", "6-monthly", "Annual", None]),
       ANY_DATE)
def test_any_register_is_assessed_without_exceptions(rows, start, length, frequency, as_of):
    end = min(start + timedelta(days=length), date(9999, 12, 31))
    if end <= start:
        return
    kpis = (KPI("K1", "Jobs & skills", "JS02", "apprenticeships", 10.0),
            KPI("K2", "Climate & waste", "CW02", "tonnes", None))
    actuals = tuple(Actual(k, d, v, "ev" if e else None) for k, d, v, e in rows)
    reg = replace(register(), contract=contract(frequency=frequency, start=start, end=end), kpis=kpis,
                  actuals=actuals)
    result = assess_register(reg, as_of=as_of)
    counted = [a for a in actuals if a.kpi_id.strip().casefold() == "k1" and a.period_end and a.actual is not None
               and a.actual >= 0 and start <= a.period_end <= min(end, as_of)]
    assert result.status("K1").delivered == pytest.approx(sum(a.actual for a in counted))
    assert 0 <= result.elapsed <= 1
    assert result.status("K2").rating == NOT_RATED
