"""The sensitivity table: does the winner change under each price method and a ±5 point split?"""

from __future__ import annotations

from dataclasses import replace

from tests.support.example_tender import example_tender
from sv_workbook.core.tender.sensitivity import sensitivity
from sv_workbook.core.tender.model import Bidder, ConsensusMark, Criterion, Setup, Tender

from tests.support.paths import TODAY


def close_call(price_weight: float = 67.5) -> Tender:
    """Cheap/weaker X (£100,000, mark 3 of 5) against dearer/stronger Y (£110,000, mark 4 of 5)."""
    setup = Setup("T", "t", 200_000.0, "Services", "Open", price_weight, 100 - price_weight, 5.0)
    crit = (Criterion("Q1", "Quality", 90.0, False), Criterion("SV1", "SV", 10.0, True, "Jobs & skills"))
    bids = (Bidder("X", 100_000.0), Bidder("Y", 110_000.0))
    marks = {"X": 3.0, "Y": 4.0}
    return Tender(setup, crit, bids, (), tuple(ConsensusMark(b.name, c.id, marks[b.name], "r") for b in bids
                                               for c in crit))


def test_rows_and_no_change_for_example():
    rows = sensitivity(example_tender(), today=TODAY)
    assert [r.label for r in rows][:3] == ["As set in the workbook", "Price method: Deviation from lowest",
                                           "Price method: Price per quality point"]
    assert [(r.price_weight, r.quality_weight) for r in rows[3:]] == [(45.0, 55.0), (35.0, 65.0)]
    assert rows[0].winners == ("Northern Homes Repairs Group plc",)


def test_winner_changes_by_hand():
    rows = {r.label.split(" (")[0]: r for r in sensitivity(close_call(), today=TODAY)}
    # As set, lowest price at 67.5/32.5: X 67.5 + 32.5 × 0.6 = 87.0; Y 67.5 × 100/110 + 32.5 × 0.8 = 87.36 → Y
    assert rows["As set in the workbook"].winners == ("Y",)
    # Deviation: Y 67.5 × (1 − 0.1) + 26 = 86.75 < X 87.0 → X
    dev = rows["Price method: Deviation from lowest"]
    assert dev.winners == ("X",) and dev.changed
    # Price per quality point: X 100,000 / 19.5 = £5,128 per point; Y 110,000 / 26 = £4,231 → Y
    pqp = rows["Price method: Price per quality point"]
    assert pqp.winners == ("Y",) and not pqp.changed
    # +5 points of price, 72.5/27.5: X 72.5 + 16.5 = 89.0; Y 65.91 + 22 = 87.91 → X
    assert rows["Price 72.5 / quality 27.5"].winners == ("X",) and rows["Price 72.5 / quality 27.5"].changed
    # −5 points, 62.5/37.5: X 62.5 + 22.5 = 85.0; Y 56.82 + 30 = 86.82 → Y
    assert rows["Price 62.5 / quality 37.5"].winners == ("Y",) and not rows["Price 62.5 / quality 37.5"].changed


def test_split_beyond_range_is_not_possible():
    rows = sensitivity(replace(close_call(), setup=replace(close_call().setup, price_weight=100.0,
                                                           quality_weight=0.0)), today=TODAY)
    assert any("not possible" in r.note and r.price_weight == 105.0 for r in rows)


def test_report_sheet_shows_the_table(tmp_path):
    from openpyxl import load_workbook

    from sv_workbook.app.jobs import score_file
    from sv_workbook.core.policy import DEFAULT_POLICY
    from sv_workbook.xlsx.tender_template import build_tender_template
    from tests.support.fill import fill_tender

    wb = build_tender_template()
    fill_tender(wb, close_call())
    src = tmp_path / "t.xlsx"
    wb.save(src)
    score_file(src, tmp_path / "scored.xlsx", DEFAULT_POLICY, TODAY)
    out = load_workbook(tmp_path / "scored.xlsx")
    ws = out["Report"]
    ref = ws.tables["Sensitivity"].ref
    rows = [[c.value for c in row] for row in ws[ref]]
    assert rows[0][:6] == ["Scenario", "PriceMethod", "PriceWeight", "QualityWeight", "Winner", "WinnerChanges"]
    expected = [(r.label, r.winner_text, "Yes" if r.changed else "No") for r in sensitivity(close_call(), today=TODAY)]
    assert [(r[0], r[4], r[5]) for r in rows[1:]] == expected
    assert ("Price method: Deviation from lowest", "X", "Yes") in expected
