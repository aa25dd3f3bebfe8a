"""Abnormally low tenders: the flag at its boundary, the log, and exclusion only once decided."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from sv_workbook.core.tender.abnormally_low import is_abnormally_low
from sv_workbook.core.policy import Policy
from sv_workbook.core.tender.scoring import score_tender
from sv_workbook.core.tender.model import AbnormallyLowEntry, Bidder, ConsensusMark, Criterion, Setup, Tender

from tests.support.paths import TODAY


def tender(prices, estimate=None, log=()) -> Tender:
    setup = Setup("T", "t", 500_000.0, "Services", "Open", 40.0, 60.0, 5.0, pre_tender_estimate=estimate)
    crit = (Criterion("Q1", "Quality", 90.0, False), Criterion("SV1", "SV", 10.0, True, "Jobs & skills"))
    bids = tuple(Bidder(n, p) for n, p in prices.items())
    return Tender(setup, crit, bids, (), tuple(ConsensusMark(b.name, c.id, 3.0, "r") for b in bids for c in crit),
                  abnormally_low_log=tuple(log))


def checks(result):
    return {c.bidder: c for c in result.abnormally_low}


def codes(result):
    return [f.code for f in result.findings]


# Median of 80,000 / 100,000 / 100,000 / 120,000 / 130,000 is 100,000; 20% below it is 80,000.
AT_LIMIT = {"Low": 80_000.0, "B": 100_000.0, "C": 100_000.0, "D": 120_000.0, "E": 130_000.0}


def test_exactly_20_percent_below_median_is_not_flagged():
    result = score_tender(tender(AT_LIMIT), today=TODAY)
    low = checks(result)["Low"]
    assert low.median == 100_000.0 and low.below_median_percent == pytest.approx(20.0)
    assert not low.flagged and "ABNORMALLY-LOW" not in codes(result)


def test_one_penny_more_than_20_percent_below_is_flagged():
    result = score_tender(tender({**AT_LIMIT, "Low": 79_999.99}), today=TODAY)
    assert checks(result)["Low"].flagged and "ABNORMALLY-LOW" in codes(result)
    assert [c.bidder for c in result.abnormally_low if c.flagged] == ["Low"]
    # flagged is not excluded: it is still ranked and still sets the lowest price
    assert result.result("Low").rank is not None and result.lowest_price == 79_999.99


def test_boundary_follows_policy_percent_and_pence():
    assert not is_abnormally_low(75_000.0, 100_000.0, 25.0)
    assert is_abnormally_low(74_999.99, 100_000.0, 25.0)
    # 20% below £1,000.10 is £800.08 exactly: float noise must not flag it
    assert not is_abnormally_low(800.08, 1000.10, 20.0)
    result = score_tender(tender({**AT_LIMIT, "Low": 79_000.0}), Policy(abnormally_low_percent=25.0), TODAY)
    assert not checks(result)["Low"].flagged


def test_pre_tender_estimate_boundary():
    prices = {"A": 96_000.0, "B": 100_000.0, "C": 104_000.0}  # close to the median: not flagged by it
    at = score_tender(tender(prices, estimate=120_000.0), today=TODAY)  # 20% below 120,000 = 96,000
    assert not checks(at)["A"].flagged
    below = score_tender(tender(prices, estimate=120_000.02), today=TODAY)
    assert checks(below)["A"].flagged and not checks(below)["B"].flagged
    assert checks(below)["A"].below_estimate_percent == pytest.approx((120_000.02 - 96_000) / 120_000.02 * 100)


FLAGGED = {**AT_LIMIT, "Low": 70_000.0}


def entry(**kw) -> AbnormallyLowEntry:
    return AbnormallyLowEntry("Low", date(2026, 3, 1), **kw)


def test_disregarding_without_request_or_answer_is_an_error_and_keeps_the_bid():
    for e in (entry(decision="Disregarded"), entry(request_sent=date(2026, 3, 2), decision="Disregarded")):
        result = score_tender(tender(FLAGGED, log=[e]), today=TODAY)
        assert "AL-DISREGARD-WITHOUT-NOTICE" in codes(result) and not result.ok
        assert result.result("Low").status != "Excluded" and result.lowest_price == 70_000.0


def test_disregarded_with_request_and_answer_is_excluded():
    e = entry(request_sent=date(2026, 3, 2), supplier_answer="Could not explain labour rates.",
              decision="Disregarded")
    result = score_tender(tender(FLAGGED, log=[e]), today=TODAY)
    low = result.result("Low")
    assert low.status == "Excluded" and "s.19" in low.reason and low.rank is None
    assert result.lowest_price == 100_000.0  # it no longer sets the lowest price
    assert "AL-DISREGARDED" in codes(result) and checks(result)["Low"].state == "Disregarded"


def test_pending_and_retained_states():
    pending = score_tender(tender(FLAGGED, log=[entry(request_sent=date(2026, 3, 2))]), today=TODAY)
    assert checks(pending)["Low"].state == "Awaiting: record the supplier's answer" and "AL-PENDING" in codes(pending)
    retained = score_tender(tender(FLAGGED, log=[entry(request_sent=date(2026, 3, 2), supplier_answer="ok",
                                                       decision="Retained")]), today=TODAY)
    assert "AL-RETAINED" in codes(retained) and retained.result("Low").rank == 1


def test_log_for_unknown_or_duplicate_bidder():
    result = score_tender(tender(FLAGGED, log=[replace(entry(), bidder="Nobody"), entry(), entry()]), today=TODAY)
    assert "UNKNOWN-BIDDER" in codes(result) and "DUPLICATE-AL-LOG" in codes(result)


def test_report_sheet_keeps_the_log(tmp_path):
    from openpyxl import load_workbook

    from sv_workbook.app.jobs import score_file
    from sv_workbook.core.policy import DEFAULT_POLICY
    from sv_workbook.xlsx.tender_template import build_tender_template
    from tests.support.fill import fill_tender

    e = entry(request_sent=date(2026, 3, 2), supplier_answer="=HYPERLINK(\"x\") costs explained", decision="Retained")
    wb = build_tender_template()
    fill_tender(wb, tender(FLAGGED, log=[e]))
    src = tmp_path / "t.xlsx"
    wb.save(src)
    outcome = score_file(src, tmp_path / "scored.xlsx", DEFAULT_POLICY, TODAY)
    assert "AL-RETAINED" in [f.code for f in outcome.findings]  # the log was read back from the workbook
    ws = load_workbook(tmp_path / "scored.xlsx")["Report"]
    rows = [[c.value for c in row] for row in ws[ws.tables["AbnormallyLowChecks"].ref]]
    by_bidder = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    low = by_bidder["Low"]
    assert low["Flagged"] == "Yes" and low["Decision"] == "Retained" and low["State"] == "Retained"
    assert low["BelowMedianPercent"] == pytest.approx(0.30) and low["MedianOfQualifying"] == 100_000
    assert low["SupplierAnswer"].startswith("=HYPERLINK")  # written as text, never as a formula
    assert ws.cell(row=ws[ws.tables["AbnormallyLowChecks"].ref][1][0].row, column=9).data_type == "s"
    assert by_bidder["B"]["Flagged"] == "No" and by_bidder["B"]["State"] == "Not flagged"
