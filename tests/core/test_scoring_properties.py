"""Property tests of the scoring core (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.core.tender.scoring import rank_totals, score_tender
from sv_workbook.core.tender.model import Bidder, ConsensusMark, Criterion, Setup, Tender

from tests.support.paths import TODAY

money = st.floats(min_value=1.0, max_value=1e8, allow_nan=False, allow_infinity=False)


@st.composite
def tenders(draw):
    scale = draw(st.sampled_from([5.0, 10.0]))
    price_weight = draw(st.integers(0, 100))
    n_crit = draw(st.integers(1, 6))
    raw = draw(st.lists(st.integers(1, 50), min_size=n_crit, max_size=n_crit))
    weights = [100.0 * w / sum(raw) for w in raw]
    criteria = tuple(Criterion(f"C{i}", f"c{i}", w, draw(st.booleans()), None,
                               draw(st.one_of(st.none(), st.floats(0, scale))))
                     for i, w in enumerate(weights))
    n_bid = draw(st.integers(1, 7))
    bidders = tuple(Bidder(f"B{i}", draw(money)) for i in range(n_bid))
    marks = tuple(ConsensusMark(b.name, c.id, draw(st.floats(0, scale)), "r") for b in bidders for c in criteria)
    setup = Setup("T", "t", draw(money), "Services", draw(st.sampled_from(["Open", "Framework call-off"])),
                  float(price_weight), float(100 - price_weight), scale, "Moderated")
    return Tender(setup, criteria, bidders, (), marks)


@settings(max_examples=200, deadline=None)
@given(tenders())
def test_scores_stay_within_bounds(tender):
    result = score_tender(tender, today=TODAY)
    s = tender.setup
    for r in result.results:
        if r.quality_score is not None:
            assert -1e-9 <= r.quality_score <= s.quality_weight + 1e-9
            assert -1e-9 <= r.sv_score <= r.quality_score + 1e-9
        if r.price_score is not None:
            assert 0 <= r.price_score <= s.price_weight + 1e-9
        if r.total is not None:
            assert r.total <= 100 + 1e-9


@settings(max_examples=200, deadline=None)
@given(tenders())
def test_ranking_is_a_function_of_totals(tender):
    result = score_tender(tender, today=TODAY)
    ranked = [r for r in result.results if r.rank is not None]
    for a in ranked:
        for b in (x for x in ranked if x is not a):
            if a.total > b.total + DEFAULT_POLICY.tie_tolerance:
                assert a.rank < b.rank
            if abs(a.total - b.total) <= DEFAULT_POLICY.tie_tolerance / 2:
                assert a.status == b.status == "Tie"
    # exclusion never depends on price, and an excluded bid never sets the lowest price
    excluded_prices = {r.price for r in result.results if r.status == "Excluded"}
    qualifying = [r.price for r in result.results if r.status != "Excluded"]
    if result.lowest_price is not None:
        assert result.lowest_price == min(qualifying)
    assert not excluded_prices or result.lowest_price not in excluded_prices - set(qualifying)


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.floats(0, 100), min_size=1, max_size=8))
def test_rank_totals_orders_like_sorting(totals):
    ranks = rank_totals(totals, 0.0)
    ordered = sorted(totals.values(), reverse=True)
    for name, total in totals.items():
        assert ranks[name][0] == 1 + sum(1 for t in ordered if t > total)


@settings(max_examples=300, deadline=None)
@given(value=st.floats(0, 200_000, allow_nan=False), sv=st.floats(0, 9.99))
def test_sv_rule_triggers_exactly_above_threshold(value, sv):
    setup = Setup("T", "t", value, "Services", "Open", 40.0, 60.0, 5.0)
    tender = Tender(setup, (Criterion("Q", "q", 100 - sv, False), Criterion("S", "s", sv, True)),
                    (Bidder("B", 1.0),), (), (ConsensusMark("B", "Q", 1.0, "r"), ConsensusMark("B", "S", 1.0, "r")))
    codes = {f.code for f in score_tender(tender, today=TODAY).findings}
    assert ("SV-WEIGHT-BELOW-MIN" in codes) == (value > DEFAULT_POLICY.sv_threshold_gbp)
