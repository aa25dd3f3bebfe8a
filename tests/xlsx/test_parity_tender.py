"""The template's live Excel formulas and the Python core give the same scores.

The filled template is recalculated by LibreOffice headless (an independent spreadsheet
engine); every bidder's quality, social value, price and total score, rank and status on
the Scoring sheet must equal ``score_tender`` to 1e-9.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.support.example_tender import example_tender
from sv_workbook.core.tender.scoring import score_tender
from sv_workbook.xlsx.tender_template import SC_FIRST_BIDDER_ROW, build_tender_template, scoring_cells
from sv_workbook.core.tender.model import Bidder, ConsensusMark, Criterion, EvaluatorScore, Setup, Tender
from tests.support.fill import fill_tender

from tests.support.paths import TODAY
from tests.support.lo import needs_libreoffice, recalc


def mean_rule_tender() -> Tender:
    """Mean rule, partial consensus, a tie, a missing mark, an invalid price, fractional marks, scale 10,
    and names that COUNTIFS would read as expressions or wildcards."""
    setup = Setup("T-MEAN", "Mean rule", 40_000.0, "Goods", "Quotation", 35.0, 65.0, 10.0, "Mean")
    criteria = (Criterion("A", "Delivery", 55.5, False, None, 3.0), Criterion("B", "Support", 32.25, False),
                Criterion("C", "Apprenticeships", 12.25, True, "Jobs & skills"))
    bidders = (Bidder("Alpha", 1000.0), Bidder("Beta", 1000.0), Bidder("Be?a", 1100.0), Bidder("Gamma", 733.33),
               Bidder("Delta", -5.0), Bidder("Epsilon", 1200.0), Bidder("=Zeta", 999.99))
    scores = []
    marks = {"Alpha": (7, 6, 8), "Beta": (7, 6, 8), "Be?a": (1, 2, 3), "Gamma": (4, 9, 2), "Delta": (5, 5, 5), "Epsilon": (2, 9, 9),
             "=Zeta": (6.5, 7.25, 3)}
    for b, triple in marks.items():
        for cid, m in zip(("A", "B", "C"), triple):
            for e, delta in (("E1", 0), ("E2", 1), ("E3", -1)):
                if b == "Epsilon" and cid == "B":
                    continue  # no mark at all: Incomplete
                scores.append(EvaluatorScore(b, cid, e, max(0.0, min(10.0, float(m + delta))), "c"))
    consensus = (ConsensusMark("Gamma", "A", 4.5, "r"), ConsensusMark("=Zeta", "C", 2.0, "r"))
    return Tender(setup, criteria, bidders, tuple(scores), consensus)


def decimal_boundary_tender() -> Tender:
    """Values exactly at a threshold in decimals but not in floats.

    Bidder "At minimum" has Q1 marks 3.0, 3.3 and 3.3: their mean is 3.2, the MinScore,
    but 9.6 / 3 is 3.1999999999999997 in floats; "Below minimum" averages 3.1666…. The
    social value weights 2.3 + 6.1 + 1.6 are 10% (the policy minimum), 9.999999999999998
    when added left to right as a spreadsheet does.
    """
    setup = Setup("T-DEC", "Decimal boundaries", 100_000.0, "Services", "Open", 40.0, 60.0, 5.0, "Mean")
    criteria = (Criterion("Q1", "Method", 45.0, False, None, 3.2), Criterion("Q2", "Team", 45.0, False),
                Criterion("SV1", "Jobs", 2.3, True, "Jobs & skills"), Criterion("SV2", "Waste", 6.1, True,
                                                                                  "Climate & waste"),
                Criterion("SV3", "Suppliers", 1.6, True, "Supplier diversity"))
    bidders = (Bidder("At minimum", 1000.0), Bidder("Below minimum", 950.0), Bidder("Clear", 1100.0))
    q1 = {"At minimum": (3.0, 3.3, 3.3), "Below minimum": (3.0, 3.3, 3.2), "Clear": (4.0, 4.0, 4.5)}
    scores = tuple(EvaluatorScore(b.name, c.id, f"E{i}", q1[b.name][i] if c.id == "Q1" else 3.5, "c")
                   for b in bidders for c in criteria for i in range(3))
    return Tender(setup, criteria, bidders, scores, ())


CASES = {
    "decimal-boundaries": decimal_boundary_tender(),
    "example": example_tender(),
    "mean-rule": mean_rule_tender(),
    "framework-no-sv": replace(example_tender(), setup=replace(example_tender().setup, route="Framework call-off")),
}


def live_values(path: Path, n: int) -> list[dict[str, object]]:
    wb = load_workbook(path, data_only=True)
    ws = wb["Scoring"]
    cols = scoring_cells()
    rows = []
    for i in range(n):
        r = SC_FIRST_BIDDER_ROW + i
        rows.append({name: ws[f"{col}{r}"].value for name, col in cols.items()})
    wb.close()
    return rows


def blank(v):
    return None if v in ("", None) else v


@needs_libreoffice
@pytest.mark.parametrize("case", sorted(CASES))
def test_live_formulas_agree_with_core(case, tmp_path):
    tender = CASES[case]
    wb = build_tender_template()
    fill_tender(wb, tender)
    src = tmp_path / f"{case}.xlsx"
    wb.save(src)
    live = live_values(recalc(src, tmp_path / "lo"), len(tender.bidders))
    result = score_tender(tender, today=TODAY)
    assert [row["Bidder"] for row in live] == [b.name for b in tender.bidders]
    for row in live:
        core = result.result(row["Bidder"])
        for name, value in (("Quality score", core.quality_score), ("Social value score", core.sv_score),
                            ("Price score", core.price_score), ("Total score", core.total)):
            got = blank(row[name])
            if value is None:
                assert got is None, (case, core.bidder, name, got)
            else:
                assert got == pytest.approx(value, abs=1e-9, rel=0), (case, core.bidder, name)
        assert blank(row["Rank"]) == core.rank, (case, core.bidder)
        assert row["Status"] == core.status, (case, core.bidder, core.status_text)


@needs_libreoffice
def test_live_setup_checks_follow_policy(tmp_path):
    tender = example_tender()
    low_sv = replace(tender, criteria=tuple(replace(c, weight=c.weight + (5.0 if c.id == "Q1" else 0.0) - (
        5.0 if c.id == "SV1" else 0.0)) for c in tender.criteria))
    wb = build_tender_template()
    fill_tender(wb, low_sv)
    src = tmp_path / "low.xlsx"
    wb.save(src)
    out = load_workbook(recalc(src, tmp_path / "lo"), data_only=True)["Setup"]
    assert out["B16"].value == pytest.approx(10.0)  # 5 + 5 after moving 5 points from SV1
    assert out["C16"].value == "OK"
    assert score_tender(low_sv, today=TODAY).sv_weight == pytest.approx(out["B16"].value)


@needs_libreoffice
def test_live_checks_decide_thresholds_as_the_core_does(tmp_path):
    """At the boundaries the Setup checks and the exclusion column agree with Python (ROUND(...,9))."""
    tender = decimal_boundary_tender()
    wb = build_tender_template()
    fill_tender(wb, tender)
    src = tmp_path / "boundaries.xlsx"
    wb.save(src)
    out = load_workbook(recalc(src, tmp_path / "lo"), data_only=True)
    setup, scoring = out["Setup"], out["Scoring"]
    assert (setup["C14"].value, setup["C15"].value, setup["C16"].value) == ("OK", "OK", "OK")
    result = score_tender(tender, today=TODAY)
    codes = {f.code for f in result.findings}
    assert not codes & {"SV-WEIGHT-BELOW-MIN", "WEIGHTS-SUM", "PRICE-QUALITY-SUM"}
    excluded = {scoring[f"A{SC_FIRST_BIDDER_ROW + i}"].value: scoring[f"D{SC_FIRST_BIDDER_ROW + i}"].value
                for i in range(len(tender.bidders))}
    assert excluded == {"At minimum": "No", "Below minimum": "Yes", "Clear": "No"}
    assert {r.bidder: r.status for r in result.results} == {"At minimum": "Ranked", "Below minimum": "Excluded",
                                                             "Clear": "Ranked"}
