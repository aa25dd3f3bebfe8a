"""The three price methods on a worked example computed by hand."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sv_workbook.core.tender.scoring import deviation_points, price_points, score_tender
from sv_workbook.core.tender.model import Bidder, ConsensusMark, Criterion, Setup, Tender

from tests.support.paths import TODAY


def worked(method: str = "Lowest price", price_weight: float = 40.0) -> Tender:
    """Three bids; quality 60 points × (0.9 × Q1/5 + 0.1 × SV1/5)."""
    setup = Setup("T", "Worked example", 300_000.0, "Services", "Open", price_weight, 100.0 - price_weight, 5.0,
                  "Moderated", method)
    criteria = (Criterion("Q1", "Quality", 90.0, False), Criterion("SV1", "Social value", 10.0, True, "Jobs & skills"))
    bids = {"A": (100_000.0, 3.0), "B": (125_000.0, 5.0), "C": (220_000.0, 4.0)}
    bidders = tuple(Bidder(n, p) for n, (p, _) in bids.items())
    consensus = tuple(ConsensusMark(n, c.id, m, "why") for n, (_, m) in bids.items() for c in criteria)
    return Tender(setup, criteria, bidders, (), consensus)


def by_name(result):
    return {r.bidder: r for r in result.results}


def test_quality_scores_by_hand():
    r = by_name(score_tender(worked(), today=TODAY))
    # A: 60 × 3/5 = 36; B: 60 × 5/5 = 60; C: 60 × 4/5 = 48
    assert [r[n].quality_score for n in "ABC"] == pytest.approx([36.0, 60.0, 48.0], abs=1e-12)


def test_lowest_price_by_hand():
    r = by_name(score_tender(worked("Lowest price"), today=TODAY))
    # 40 × 100,000 / bid: A 40, B 32, C 18.1818...
    assert r["A"].price_score == pytest.approx(40.0, abs=1e-12)
    assert r["B"].price_score == pytest.approx(32.0, abs=1e-12)
    assert r["C"].price_score == pytest.approx(40 * 100 / 220, abs=1e-12)
    assert r["B"].total == pytest.approx(92.0, abs=1e-12) and r["A"].total == pytest.approx(76.0, abs=1e-12)
    assert [r[n].rank for n in "BAC"] == [1, 2, 3]


def test_default_method_is_lowest_price():
    assert Setup("T", "t", 1.0, "Goods", "Open", 40, 60, 5).price_method == "Lowest price"
    assert price_points(125_000, 100_000, 40) == pytest.approx(32.0)


def test_deviation_from_lowest_by_hand_and_floor_at_zero():
    r = by_name(score_tender(worked("Deviation from lowest"), today=TODAY))
    # 40 × (1 − (bid − 100,000)/100,000): A 40; B 40 × 0.75 = 30; C 40 × (1 − 1.2) = −8 → floored to 0
    assert r["A"].price_score == pytest.approx(40.0, abs=1e-12)
    assert r["B"].price_score == pytest.approx(30.0, abs=1e-12)
    assert r["C"].price_score == 0.0
    assert r["B"].total == pytest.approx(90.0, abs=1e-12) and r["C"].total == pytest.approx(48.0, abs=1e-12)
    assert deviation_points(200_000, 100_000, 40) == 0.0  # exactly double the lowest scores nothing


def test_price_per_quality_point_by_hand():
    result = score_tender(worked("Price per quality point"), today=TODAY)
    r = by_name(result)
    # £ per quality point: A 100,000/36 = 2,777.78; B 125,000/60 = 2,083.33 (best); C 220,000/48 = 4,583.33
    assert r["A"].price_per_quality_point == pytest.approx(100_000 / 36, abs=1e-9)
    assert r["B"].price_per_quality_point == pytest.approx(125_000 / 60, abs=1e-9)
    assert all(r[n].price_score is None for n in "ABC")
    # total = 100 × best / own: B 100; A 100 × (125,000 × 36)/(60 × 100,000) = 75; C 100 × 6.0/13.2 = 45.45...
    assert r["B"].total == pytest.approx(100.0, abs=1e-12)
    assert r["A"].total == pytest.approx(75.0, abs=1e-12)
    assert r["C"].total == pytest.approx(100 * 6.0 / 13.2, abs=1e-12)
    assert [r[n].rank for n in "BAC"] == [1, 2, 3]
    assert "PRICE-METHOD" in [f.code for f in result.findings]


def test_price_per_quality_point_ignores_the_split_and_zero_quality_ranks_last():
    a = by_name(score_tender(worked("Price per quality point", 40.0), today=TODAY))
    b = by_name(score_tender(worked("Price per quality point", 20.0), today=TODAY))
    assert {n: a[n].total for n in "ABC"} == pytest.approx({n: b[n].total for n in "ABC"}, abs=1e-12)
    t = worked("Price per quality point")
    zero = replace(t, consensus=tuple(replace(m, score=0.0) if m.bidder == "C" else m for m in t.consensus))
    c = by_name(score_tender(zero, today=TODAY))["C"]
    assert c.total == 0.0 and c.rank == 3 and c.price_per_quality_point is None
