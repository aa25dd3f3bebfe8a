"""LibreOffice computes the Scoring sheet's live formulas; they must agree with the core for every price method."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sv_workbook.core.contracts import PRICE_METHODS
from tests.support.example_tender import example_tender
from sv_workbook.core.tender.scoring import score_tender
from sv_workbook.xlsx.tender_template import SC_FIRST_BIDDER_ROW, build_tender_template, scoring_cells
from tests.support.fill import fill_tender

from tests.support.paths import TODAY
from tests.support.lo import needs_libreoffice, recalc
from tests.core.test_price_methods import worked


def tenders():
    """The worked example, the bundled example (its excluded bid must not set the lowest price), a bid with no quality."""
    yield "worked", worked()
    yield "example", example_tender()
    t = worked()
    yield "zero-quality", replace(t, consensus=tuple(replace(m, score=0.0) if m.bidder == "C" else m
                                                     for m in t.consensus))


def live_rows(path: Path) -> dict[str, dict[str, object]]:
    wb = load_workbook(path, data_only=True)
    ws, cols = wb["Scoring"], scoring_cells()
    out = {}
    row = SC_FIRST_BIDDER_ROW
    while ws[f"{cols['Bidder']}{row}"].value:
        out[ws[f"{cols['Bidder']}{row}"].value] = {k: ws[f"{c}{row}"].value for k, c in cols.items()}
        row += 1
    wb.close()
    return out


def blank(v):
    return v is None or v == ""


@needs_libreoffice
@pytest.mark.parametrize("method", PRICE_METHODS)
@pytest.mark.parametrize("name, tender", list(tenders()))
def test_live_scores_follow_price_method(tmp_path, method, name, tender):
    tender = replace(tender, setup=replace(tender.setup, price_method=method))
    wb = build_tender_template()
    fill_tender(wb, tender)
    src = tmp_path / f"{name}.xlsx"
    wb.save(src)
    live = live_rows(recalc(src, tmp_path / "lo"))
    result = score_tender(tender, today=TODAY)
    assert set(live) == {r.bidder for r in result.results}
    for r in result.results:
        row = live[r.bidder]
        for key, value in (("Price score", r.price_score), ("Quality score", r.quality_score),
                           ("Total score", r.total), ("Price per quality point", r.price_per_quality_point)):
            if value is None:
                assert blank(row[key]), (r.bidder, key, row[key])
            else:
                assert row[key] == pytest.approx(value, rel=1e-12, abs=1e-9), (r.bidder, key)
        assert (row["Rank"] if not blank(row["Rank"]) else None) == r.rank
        assert row["Status"] == r.status, r.bidder


@needs_libreoffice
def test_live_exclusion_follows_abnormally_low_log(tmp_path):
    """Disregarded with request and answer: excluded live too; without the answer: still ranked live."""
    from datetime import date

    from sv_workbook.core.tender.model import AbnormallyLowEntry

    from tests.core.test_abnormally_low import tender as al_tender

    prices = {"Low": 70_000.0, "Low2": 71_000.0, "B": 100_000.0, "C": 100_000.0, "D": 120_000.0, "E": 130_000.0,
              "F": 130_000.0}
    log = (AbnormallyLowEntry("Low", date(2026, 3, 1), date(2026, 3, 2), "No credible explanation", "Disregarded"),
           AbnormallyLowEntry("low2", date(2026, 3, 1), date(2026, 3, 2), None, "Disregarded"))
    t = al_tender(prices, log=log)
    wb = build_tender_template()
    fill_tender(wb, t)
    src = tmp_path / "al.xlsx"
    wb.save(src)
    live = live_rows(recalc(src, tmp_path / "lo"))
    result = score_tender(t, today=TODAY)
    assert result.result("Low").status == "Excluded" and result.result("Low2").status != "Excluded"
    for r in result.results:
        assert live[r.bidder]["Status"] == r.status, r.bidder
        if r.total is None:
            assert blank(live[r.bidder]["Total score"]), r.bidder
        else:
            assert live[r.bidder]["Total score"] == pytest.approx(r.total, rel=1e-12), r.bidder
