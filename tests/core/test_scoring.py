"""Unit tests of the scoring rules (Tender built in code, no files)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.support.example_tender import example_tender
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.core.tender.scoring import price_points, quality_points, rank_totals, score_tender
from sv_workbook.core.tender.model import Bidder, ConsensusMark, Criterion, EvaluatorScore, Setup, Tender

from tests.support.paths import TODAY


def codes(result):
    return [f.code for f in result.findings]


def simple(value=100_000.0, route="Open", sv_weight=10.0, rule="Moderated", prices=(1000.0, 1250.0)) -> Tender:
    setup = Setup("T1", "Test", value, "Services", route, 40.0, 60.0, 5.0, rule)
    criteria = (Criterion("Q1", "Quality", 100.0 - sv_weight, False),) + (
        (Criterion("SV1", "Social value", sv_weight, True, "Jobs & skills"),) if sv_weight else ())
    bidders = tuple(Bidder(f"B{i}", p) for i, p in enumerate(prices, 1))
    consensus = tuple(ConsensusMark(b.name, c.id, 4.0, "why") for b in bidders for c in criteria)
    return Tender(setup, criteria, bidders, (), consensus)


def test_quality_and_price_formulas_match_hand_calculation():
    # 60 × (0.9 × 4/5 + 0.1 × 3/5) = 60 × 0.78 = 46.8
    assert quality_points([4, 3], [90, 10], 60, 5) == pytest.approx(46.8, abs=1e-12)
    assert price_points(1250, 1000, 40) == pytest.approx(32.0, abs=1e-12)


def test_example_tender_ranking_by_hand():
    result = score_tender(example_tender(), DEFAULT_POLICY, TODAY)
    northern = result.result("Northern Homes Repairs Group plc")
    # consensus 4,4,4,5,2,3 ; weights 30,20,20,15,10,5 ; quality = 60 × Σ w/100 × m/5
    q = 60 * (0.30 * 4 / 5 + 0.20 * 4 / 5 + 0.20 * 4 / 5 + 0.15 * 5 / 5 + 0.10 * 2 / 5 + 0.05 * 3 / 5)
    assert northern.quality_score == pytest.approx(q, abs=1e-9)
    assert northern.sv_score == pytest.approx(60 * (0.10 * 2 / 5 + 0.05 * 3 / 5), abs=1e-9)
    # lowest qualifying price is Cheshire's 1,525,500: the excluded CIC's lower bid does not count
    assert result.lowest_price == 1_525_500.0
    assert northern.price_score == pytest.approx(40 * 1_525_500 / 1_710_250, abs=1e-9)
    assert [r.rank for r in result.results] == [1, 2, 3, None]
    excluded = result.result("Macclesfield Community Builders CIC")
    assert excluded.status == "Excluded" and "Q4" in excluded.reason and excluded.total is None


def test_sv_rule_error_above_threshold():
    assert "SV-WEIGHT-BELOW-MIN" in codes(score_tender(simple(sv_weight=5.0), today=TODAY))
    assert "SV-WEIGHT-BELOW-MIN" not in codes(score_tender(simple(sv_weight=10.0), today=TODAY))


def test_sv_rule_at_threshold_only_warns_when_absent():
    assert "SV-WEIGHT-BELOW-MIN" not in codes(score_tender(simple(value=50_000.0, sv_weight=5.0), today=TODAY))
    assert "SV-ABSENT" in codes(score_tender(simple(value=50_000.0, sv_weight=0.0), today=TODAY))
    assert "SV-WEIGHT-BELOW-MIN" in codes(score_tender(simple(value=50_000.01, sv_weight=5.0), today=TODAY))


def test_framework_call_off_is_info_not_error():
    result = score_tender(simple(route="Framework call-off", sv_weight=0.0), today=TODAY)
    assert "SV-FRAMEWORK" in codes(result) and result.ok


def test_ties_within_tolerance_share_rank():
    ranks = rank_totals({"a": 80.0, "b": 79.995, "c": 70.0}, 0.01)
    assert ranks["a"] == (1, True) and ranks["b"] == (1, True) and ranks["c"] == (3, False)


def test_moderated_rule_requires_consensus_mean_rule_warns():
    t = simple()
    scores = tuple(EvaluatorScore(m.bidder, m.criterion_id, "E1", 3.0, "c") for m in t.consensus)
    no_consensus = replace(t, consensus=(), scores=scores)
    assert "MISSING-CONSENSUS" in codes(score_tender(no_consensus, today=TODAY))
    mean = replace(no_consensus, setup=replace(t.setup, consensus_rule="Mean"))
    result = score_tender(mean, today=TODAY)
    assert "UNMODERATED-MEAN" in codes(result) and result.ok
    assert result.results[0].quality_score == pytest.approx(60 * 3 / 5)


@pytest.mark.parametrize("marks, level, code", [
    ((3.0, 3.5), "fine", None),                    # 10% of a 0-5 scale
    ((3.0, 4.0), "fine", None),                    # exactly 20%: a 1-point disagreement on 0-5 is fine
    ((1.2, 2.2), "fine", None),                    # 20% in decimals; the float spread is 0.20000000000000004
    ((3.0, 4.5), "warning", "SPREAD-WIDE"),         # 30%
    ((2.0, 4.5), "warning", "SPREAD-WIDE"),         # exactly 50%
    ((1.9, 4.4), "warning", "SPREAD-WIDE"),         # 50% in decimals; the float spread is above 0.5
    ((1.0, 4.0), "moderation required", "SPREAD-MODERATION-REQUIRED"),  # 60%
])
def test_moderation_spread_levels(marks, level, code):
    t = simple()
    scores = tuple(EvaluatorScore("B1", "Q1", f"E{i}", m, "c") for i, m in enumerate(marks))
    result = score_tender(replace(t, scores=scores), today=TODAY)
    row = next(m for m in result.moderation if (m.bidder, m.criterion_id) == ("B1", "Q1"))
    assert row.level == level and row.evaluators == 2
    spread_codes = {c for c in codes(result) if c.startswith("SPREAD")}
    assert spread_codes == ({code} if code else set())
    # the consensus mark (4) differs from the mean: listed with its change
    assert row.change == pytest.approx(4.0 - sum(marks) / 2)


def test_mean_rule_with_no_scores_at_all_is_an_error():
    t = simple(rule="Mean")
    result = score_tender(replace(t, consensus=t.consensus[1:]), today=TODAY)
    assert "NO-MARK" in codes(result) and not result.ok
    assert result.results[-1].status == "Incomplete"


def test_unknown_evaluator_warns_when_panel_is_listed():
    t = simple()
    scores = (EvaluatorScore("B1", "Q1", "Stranger", 4.0, "c"),)
    result = score_tender(replace(t, scores=scores, evaluators=("A. Patel",)), today=TODAY)
    assert "UNKNOWN-EVALUATOR" in codes(result)
