"""Portfolio figures from registers built in code: periods, exclusions, duplicates, ratings."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.example_tender import example_tender
from sv_workbook.core.outcome import Outcome
from sv_workbook.core.kpi.rules import KPI, Actual, ContractInfo, Register, assess_register
from sv_workbook.core.periods import date_range, parse_period
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.core.portfolio import (DUPLICATE, EXCLUDED_ERRORS, H_EXCLUDED, H_SME_SHARE, H_SV_CUMULATIVE, H_SV_PERIOD,
                                   INCLUDED, NOT_STARTED, TENDER_BELOW, TENDER_EXEMPT, TENDER_MET,
                                   TENDER_NOT_REQUIRED, TENDER_OUTSIDE, build_portfolio, contract_rating_of)
from sv_workbook.core.kpi.proxies import parse_proxies
from sv_workbook.core.tender.scoring import score_tender

AS_OF = date(2026, 11, 27)
PROXIES, _ = parse_proxies("code,gbp_per_unit,year,source,deadweight_pct\nJS05,10,2025,test,20\nCW02,3,2024,test,0\n",
                           "test-set", "test-set.csv")

# One Actuals row on each side of every boundary the issue names; the amounts are powers of two
# so a total says exactly which rows were counted.
BOUNDARY_ROWS = {date(2025, 3, 31): 1, date(2025, 4, 1): 2, date(2025, 6, 30): 4, date(2025, 7, 1): 8,
                 date(2025, 9, 30): 16, date(2025, 10, 1): 32, date(2025, 12, 31): 64, date(2026, 1, 1): 128,
                 date(2026, 3, 31): 256, date(2026, 4, 1): 512}


def contract(ref="C1", start=date(2025, 1, 1), end=date(2027, 12, 31), value=1_000_000.0, sme=True, vcse=False,
             supplier="Supplier Ltd") -> ContractInfo:
    return ContractInfo(ref, f"Contract {ref}", supplier, sme, vcse, value, start, end, "B. Holder", "Annual")


def boundary_register(ref="C1", **kw) -> Register:
    kpis = (KPI("K1", "Jobs & skills", "JS05", "hours", 5000.0),)
    actuals = tuple(Actual("K1", d, float(v), f"EV{i}") for i, (d, v) in enumerate(BOUNDARY_ROWS.items()))
    return Register(contract(ref, **kw), kpis, actuals)


def outcome(register: Register, path: str, proxies=PROXIES) -> Outcome:
    result = assess_register(register, DEFAULT_POLICY, AS_OF, None, proxies)
    return Outcome(path, "kpi-register", list(result.findings), result)


def build(outcomes, period, proxies=PROXIES):
    return build_portfolio(outcomes, period, AS_OF, DEFAULT_POLICY, None, proxies)


@pytest.mark.parametrize("period,in_period,cumulative", [
    ("2025", 1 + 2 + 4 + 8 + 16 + 32 + 64, 127),
    ("2025-H1", 1 + 2 + 4, 7),
    ("2025-H2", 8 + 16 + 32 + 64, 127),
    ("FY2025", 2 + 4 + 8 + 16 + 32 + 64 + 128 + 256, 511),
    ("FY2025-H1", 2 + 4 + 8 + 16, 31),
    ("FY2025-H2", 32 + 64 + 128 + 256, 511),
    ("FY2024", 1, 1),
    ("FY2026", 512, 1023),
])
def test_period_filtering_is_exact_at_the_boundaries(period, in_period, cumulative):
    p = build([outcome(boundary_register(), "a.xlsx")], parse_period(period))
    row = p.kpis.iloc[0]
    assert row["DeliveredInPeriod"] == in_period
    assert row["DeliveredToDate"] == cumulative
    proxy = PROXIES.get("JS05")
    assert p.headline(H_SV_PERIOD).value == pytest.approx(in_period * proxy.gbp_per_unit * 0.8)
    assert p.headline(H_SV_CUMULATIVE).value == pytest.approx(cumulative * proxy.gbp_per_unit * 0.8)


def test_a_date_range_is_inclusive_at_both_ends():
    p = build([outcome(boundary_register(), "a.xlsx")], date_range(date(2025, 7, 1), date(2025, 9, 30)))
    assert p.kpis.iloc[0]["DeliveredInPeriod"] == 8 + 16


def test_cumulative_to_a_late_period_end_equals_the_registers_own_result():
    """The portfolio's cumulative figures are the KPI core's figures for the same rows."""
    o = outcome(boundary_register(), "a.xlsx")
    p = build([o], date_range(date(2020, 1, 1), AS_OF))
    status = o.result.status("K1")
    assert p.kpis.iloc[0]["DeliveredToDate"] == status.delivered
    assert p.kpis.iloc[0]["ExpectedToDate"] == status.expected
    assert p.kpis.iloc[0]["Rating"] == status.rating
    assert p.headline(H_SV_CUMULATIVE).value == o.result.social_value_total


def test_ratings_are_as_at_the_period_end():
    """A rating at an earlier period end uses only the rows up to it, as the core would have then."""
    reg = boundary_register()
    p = build([outcome(reg, "a.xlsx")], parse_period("FY2025-H1"))
    early = assess_register(replace(reg, actuals=tuple(a for a in reg.actuals if a.period_end <= date(2025, 9, 30))),
                            DEFAULT_POLICY, date(2025, 9, 30))
    assert p.kpis.iloc[0]["ExpectedToDate"] == early.status("K1").expected
    assert p.kpis.iloc[0]["Rating"] == early.status("K1").rating


def test_a_register_with_errors_is_listed_and_left_out_of_every_total():
    good = outcome(boundary_register("C1"), "good.xlsx")
    broken_reg = boundary_register("C2")
    broken_reg = replace(broken_reg, actuals=broken_reg.actuals + (Actual("K1", date(2025, 5, 1), -3.0, "EV"),))
    broken = outcome(broken_reg, "broken.xlsx")
    assert not broken.ok
    alone = build([good], parse_period("FY2025"))
    both = build([good, broken], parse_period("FY2025"))
    status = {s.path: s.status for s in both.sources}
    assert status == {"good.xlsx": INCLUDED, "broken.xlsx": EXCLUDED_ERRORS}
    assert list(both.by_contract["ContractRef"]) == ["C1"]
    assert both.headline(H_SV_PERIOD).value == alone.headline(H_SV_PERIOD).value
    assert both.headline(H_EXCLUDED).value == 1
    assert any(f.code == "ACTUAL-NEGATIVE" for f in both.findings)


def test_a_contract_appearing_twice_is_a_finding_and_counted_once_from_the_latest_report():
    full = boundary_register("C1")
    older = replace(full, actuals=full.actuals[:4])
    p = build([outcome(older, "a-old.xlsx"), outcome(full, "b-new.xlsx")], parse_period("FY2025"))
    status = {s.path: s.status for s in p.sources}
    assert status == {"a-old.xlsx": DUPLICATE, "b-new.xlsx": INCLUDED}
    assert len(p.by_contract) == 1 and p.by_contract.iloc[0]["Workbook"] == "b-new.xlsx"
    single = build([outcome(full, "b-new.xlsx")], parse_period("FY2025"))
    assert p.headline(H_SV_PERIOD).value == single.headline(H_SV_PERIOD).value
    dup = [f for f in p.findings if f.code == "PORTFOLIO-DUPLICATE-CONTRACT"]
    assert len(dup) == 1 and "a-old.xlsx" in dup[0].message and "b-new.xlsx" in dup[0].message


def test_equal_duplicates_count_the_first_file_by_name():
    reg = boundary_register(" c1 ")
    p = build([outcome(boundary_register("C1"), "z.xlsx"), outcome(reg, "a.xlsx")], parse_period("FY2025"))
    assert {s.path: s.status for s in p.sources} == {"a.xlsx": INCLUDED, "z.xlsx": DUPLICATE}


def test_a_contract_starting_after_the_period_is_not_counted():
    later = boundary_register("C9", start=date(2026, 4, 2))
    later = replace(later, actuals=())
    p = build([outcome(later, "later.xlsx")], parse_period("FY2025"))
    assert p.sources[0].status == NOT_STARTED
    assert p.by_contract.empty


def test_without_proxies_there_are_no_pound_figures_only_quantities():
    p = build([outcome(boundary_register(), "a.xlsx", proxies=None)], parse_period("FY2025"), proxies=None)
    assert p.headline(H_SV_PERIOD).value is None
    assert p.kpis.iloc[0]["DeliveredInPeriod"] == 510
    assert p.by_measure.iloc[0]["ProxySet"] == "no proxy: quantity only"
    assert "no proxy set" in p.headline(H_SV_PERIOD).note


def test_every_pound_figure_names_its_proxy_set_and_year():
    p = build([outcome(boundary_register(), "a.xlsx")], parse_period("FY2025"))
    assert p.kpis.iloc[0]["ProxySet"] == "test-set 2025"
    assert p.by_measure.iloc[0]["ProxySet"] == "test-set 2025"
    assert "test-set (2024–2025)" in p.headline(H_SV_PERIOD).note


def test_contract_rating_uses_the_cores_priority_method():
    """With every KPI under one priority, the contract's rating is the core's priority total."""
    kpis = (KPI("K1", "Climate & waste", "CW02", "tonnes", 100.0), KPI("K2", "Climate & waste", "CW01", "tCO2e", 40.0))
    actuals = (Actual("K1", date(2025, 12, 31), 20.0, "E"), Actual("K2", date(2025, 12, 31), 13.0, "E"))
    reg = Register(contract(), kpis, actuals)
    result = assess_register(reg, DEFAULT_POLICY, AS_OF)
    exp, dlv, pct, rating = contract_rating_of(result.statuses, DEFAULT_POLICY)
    total = result.totals[0]
    assert (exp, dlv, pct, rating) == (total.expected_share, total.delivered_share, total.percent, total.rating)


def test_sme_and_vcse_shares_are_of_live_contract_value():
    regs = [boundary_register("A", value=600_000.0, sme=True, vcse=False),
            boundary_register("B", value=300_000.0, sme=False, vcse=True),
            boundary_register("C", value=100_000.0, sme=False, vcse=False),
            boundary_register("D", value=9_000_000.0, sme=True, vcse=True, start=date(2023, 1, 1),
                              end=date(2025, 3, 30))]  # ended before FY2025: not live
    regs[3] = replace(regs[3], actuals=())
    p = build([outcome(r, f"{r.contract.ref}.xlsx") for r in regs], parse_period("FY2025"))
    shares = dict(zip(p.diversity["Suppliers"], p.diversity["ShareOfValue"]))
    assert shares["SME"] == pytest.approx(0.6)
    assert shares["VCSE"] == pytest.approx(0.3)
    assert shares["SME or VCSE"] == pytest.approx(0.9)
    assert p.headline(H_SME_SHARE).value == shares["SME"]


def _tender_outcome(tender, path):
    result = score_tender(tender, DEFAULT_POLICY, AS_OF)
    return Outcome(path, "tender", list(result.findings), result)


def test_tenders_are_listed_with_their_weighting_and_the_policy_verdict():
    base = example_tender()
    below = replace(base, setup=replace(base.setup, ref="T-BELOW"),
                    criteria=tuple(replace(c, weight={"Q1": 38.0, "SV1": 4.0, "SV2": 3.0}.get(c.id, c.weight))
                                   for c in base.criteria))
    framework = replace(base, setup=replace(base.setup, ref="T-FW", route="Framework call-off"))
    small = replace(below, setup=replace(below.setup, ref="T-SMALL", contract_value=40_000.0))
    outcomes = [_tender_outcome(t, f"{t.setup.ref}.xlsx") for t in (base, below, framework, small)]
    p = build(outcomes, parse_period("FY2025"))
    verdicts = dict(zip(p.tenders["TenderRef"], p.tenders["Result"]))
    assert verdicts == {base.setup.ref: TENDER_MET, "T-BELOW": TENDER_BELOW, "T-FW": TENDER_EXEMPT,
                        "T-SMALL": TENDER_NOT_REQUIRED}
    weights = dict(zip(p.tenders["TenderRef"], p.tenders["SVWeightPercent"]))
    assert weights["T-BELOW"] == 7.0 and weights[base.setup.ref] == 15.0


def test_a_dated_tender_is_listed_only_in_its_period():
    base = example_tender()
    dated = {d: replace(base, setup=replace(base.setup, ref=f"T-{d}", procurement_start=d))
             for d in (date(2025, 3, 31), date(2025, 4, 1), date(2026, 3, 31), date(2026, 4, 1))}
    p = build([_tender_outcome(t, f"{t.setup.ref}.xlsx") for t in dated.values()], parse_period("FY2025"))
    assert sorted(p.tenders["TenderRef"]) == ["T-2025-04-01", "T-2026-03-31"]
    assert {s.path: s.status for s in p.sources}["T-2025-03-31.xlsx"] == TENDER_OUTSIDE


def test_the_policy_review_notice_is_said_once_for_the_report():
    """Every workbook's check carries the POLICY-APPLIED notice (as analyse_file does); the report says once,
    as a notice, that the Strategy is past review, and its policy line says so too."""
    outcomes = []
    for ref in ("A", "B", "C"):
        o = outcome(boundary_register(ref), f"{ref}.xlsx")
        o.findings += DEFAULT_POLICY.review_findings(AS_OF)
        outcomes.append(o)
    assert sum(f.code == "POLICY-APPLIED" for o in outcomes for f in o.findings) == 3
    p = build(outcomes, parse_period("FY2025"))
    overdue = [f for f in p.findings if f.code == "POLICY-REVIEW-OVERDUE"]
    assert len(overdue) == 1 and overdue[0].severity.value == "info"
    assert not [f for f in p.findings if f.code.startswith("POLICY") and f.severity.value == "warning"]
    assert "PAST ITS REVIEW DATE" in p.policy_label


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.dates(date(2025, 1, 1), date(2026, 11, 27)),
                          st.integers(0, 1000).map(float)), min_size=1, max_size=12),
       st.integers(2025, 2026))
def test_halves_add_up_to_the_year_and_cumulative_runs_on(rows, year):
    """In-period totals partition: H1 + H2 = the year; cumulative at H2's end = at H1's end + H2."""
    reg = Register(contract(), (KPI("K1", "Jobs & skills", "JS05", "hours", 5000.0),),
                   tuple(Actual("K1", d, v, "EV") for d, v in rows))
    o = outcome(reg, "a.xlsx")
    assert o.ok
    for prefix in ("", "FY"):
        whole, h1, h2 = (build([o], parse_period(f"{prefix}{year}{half}")).kpis.iloc[0]
                         for half in ("", "-H1", "-H2"))
        assert h1["DeliveredInPeriod"] + h2["DeliveredInPeriod"] == whole["DeliveredInPeriod"]
        assert h1["DeliveredToDate"] + h2["DeliveredInPeriod"] == h2["DeliveredToDate"] == whole["DeliveredToDate"]
