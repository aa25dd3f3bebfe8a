"""Abnormally low tenders (Procurement Act 2023 s.19(3)-(5)): flag, log, decide.

s.19(3) lets a buyer disregard a tender whose price is abnormally low, but s.19(4) only
after notifying the supplier and giving it a reasonable opportunity to show it can
perform for that price; if it shows it can, the tender may not be disregarded (s.19(5)).
So the tool flags, and people decide: a bid is excluded only when the log records the
request, the answer and a decision to disregard it.

The flag: a price more than ``Policy.abnormally_low_percent`` below the median of the
qualifying bids (those not excluded on quality thresholds), or the same percent below
``PreTenderEstimate`` when one is given. The percent below is decided at 9 decimal places
(``arithmetic.above``), so a price exactly 20% below (80,000 against 100,000) is not
flagged, whatever float noise the division leaves. Pure: no spreadsheet library is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from sv_workbook.core.catalogue import (ABNORMALLY_LOW, AL_DISREGARDED, AL_DISREGARD_WITHOUT_NOTICE, AL_PENDING, AL_RETAINED, DUPLICATE_AL_LOG,
    UNKNOWN_BIDDER)
from sv_workbook.core.arithmetic import above
from sv_workbook.core.bind import norm
from sv_workbook.core.findings import Finding
from sv_workbook.core.policy import Policy
from sv_workbook.core.tender.model import AbnormallyLowEntry, Tender, Where

DISREGARDED, RETAINED = "Disregarded", "Retained"


def below_percent(price: float, reference: float) -> float:
    """How far ``price`` is below ``reference``, in percent of ``reference`` (negative when above)."""
    return (reference - price) / reference * 100.0


def is_abnormally_low(price: float, reference: float, percent: float) -> bool:
    """True when ``price`` is more than ``percent`` below ``reference`` (exactly at the limit is not)."""
    return above(below_percent(price, reference), percent)


@dataclass(frozen=True)
class LowBidCheck:
    """One qualifying bid's check and where its log stands."""

    bidder: str
    price: float
    median: float
    below_median_percent: float
    estimate: float | None
    below_estimate_percent: float | None
    flagged: bool
    entry: AbnormallyLowEntry | None
    state: str
    disregarded: bool


def check_abnormally_low(tender: Tender, prices: dict[str, float], policy: Policy,
                         findings: list[Finding]) -> tuple[LowBidCheck, ...]:
    """Check every qualifying price (``prices``: bidder → price) against the median and the estimate.

    Returns the checks (for the report); adds findings; ``disregarded`` is True only for
    a bid whose log shows the request, the answer and the decision to disregard it.
    """
    log = _log_by_bidder(tender, list(prices) + [b.name for b in tender.bidders], findings)
    if not prices:
        return ()
    mid = median(prices.values())
    price_cells = {b.name: b.where for b in tender.bidders}
    pct = policy.abnormally_low_percent
    estimate = tender.setup.pre_tender_estimate
    out: list[LowBidCheck] = []
    for name, price in prices.items():
        entry = log.get(norm(name))
        by_median = is_abnormally_low(price, mid, pct)
        by_estimate = estimate is not None and estimate > 0 and is_abnormally_low(price, estimate, pct)
        flagged = by_median or by_estimate
        below_est = below_percent(price, estimate) if estimate else None
        if not flagged and entry is None:
            out.append(LowBidCheck(name, price, mid, below_percent(price, mid), estimate, below_est, False, None,
                                   "Not flagged", False))
            continue
        why = []
        if by_median:
            why.append(f"{below_percent(price, mid):.1f}% below the median of qualifying bids (£{mid:,.2f})")
        if by_estimate:
            why.append(f"{below_est:.1f}% below the pre-tender estimate (£{estimate:,.2f})")
        state, disregarded = _log_state(name, price, pct, why, entry, findings, price_cells.get(name, {}))
        out.append(LowBidCheck(name, price, mid, below_percent(price, mid), estimate, below_est, flagged, entry,
                               state, disregarded))
    return tuple(out)


def _log_by_bidder(tender: Tender, known: list[str], findings: list[Finding]) -> dict[str, AbnormallyLowEntry]:
    log: dict[str, AbnormallyLowEntry] = {}
    known_keys = {norm(k) for k in known}
    for entry in tender.abnormally_low_log:
        key = norm(entry.bidder)
        at = entry.where.get("bidder", ("Bidders", ""))
        if key not in known_keys:
            findings.append(UNKNOWN_BIDDER(f"The AbnormallyLow log names the bidder '{entry.bidder}', "
                                           "which is not in the Bidders table.",
                                           "Use a bidder from the Bidders table (pick from the dropdown).", *at))
            continue
        if key in log:
            findings.append(DUPLICATE_AL_LOG(
                f"The AbnormallyLow log has more than one row for "
                f"{entry.bidder}.", "Keep one row per bidder, updated as the case moves on.", *at))
            continue
        log[key] = entry
    return log


def _log_state(name: str, price: float, pct: float, why: list[str], entry: AbnormallyLowEntry | None,
               findings: list[Finding], bid_where: Where) -> tuple[str, bool]:
    """Where the s.19 process stands for one bid, with the finding that says what to do next."""
    flag_text = (f"{name}'s price (£{price:,.2f}) is " + " and ".join(why) +
                 f", more than the {pct:g}% the policy allows, so it may be abnormally low (Procurement Act 2023 "
                 "s.19(3)).") if why else f"{name} is in the AbnormallyLow log although the {pct:g}% rule did not flag it."
    notice = ("Before disregarding it, notify the supplier and give it a reasonable opportunity to show it can "
              "perform for that price (s.19(4)); if it shows it can, the tender may not be disregarded (s.19(5)). ")
    if entry is None:
        findings.append(ABNORMALLY_LOW(flag_text, notice + "Record the flag, the request, the answer and "
                                       "the decision in the AbnormallyLow table on the Bidders sheet.",
                                       *bid_where.get("price", ("Bidders", ""))))
        return "Flagged: not yet logged", False
    at = entry.where.get("decision", entry.where.get("bidder", ("Bidders", "")))
    if entry.decision == DISREGARDED:
        missing = [label for label, value in (("the date the request was sent (RequestSent)", entry.request_sent),
                                              ("the supplier's answer (SupplierAnswer)", entry.supplier_answer))
                   if not value]
        if missing:
            findings.append(AL_DISREGARD_WITHOUT_NOTICE(
                f"{name} is marked Disregarded as abnormally low, "
                f"but the log has no {' and no '.join(missing)}. The bid stays in the ranking.",
                notice + "Record the request and the answer (or 'No answer by <date>') first.", *at))
            return "Decision not valid: request or answer missing", False
        findings.append(AL_DISREGARDED(f"{flag_text} The supplier was asked on {entry.request_sent:%d/%m/%Y} "
                                       "and answered; the recorded decision is to disregard it, so it is excluded.",
                                       "Give the reasons in its assessment summary.", *at))
        return DISREGARDED, True
    if entry.decision == RETAINED:
        findings.append(AL_RETAINED(f"{flag_text} The recorded decision is to retain it.",
                                    "No action: it is scored as usual.", *at))
        return RETAINED, False
    step = ("send the request for explanation" if not entry.request_sent else
            "record the supplier's answer" if not entry.supplier_answer else "record the decision")
    findings.append(AL_PENDING(f"{flag_text} The log has no decision yet, so the bid is ranked as usual.",
                               f"Next step: {step} (s.19(4)); then set Decision to Retained or Disregarded.", *at))
    return "Awaiting: " + step, False


__all__ = ["LowBidCheck", "check_abnormally_low", "is_abnormally_low", "below_percent"]
