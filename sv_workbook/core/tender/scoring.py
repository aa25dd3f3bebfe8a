"""The pure scoring core: a tender in, scores, ranking and findings out.

Nothing here reads or writes a file. The headless CLI, the xlwings macros and the
worksheet functions all call these functions, so each rule exists once. Values are
compared unrounded; rounding is only for display (``Policy.display_decimals``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from difflib import get_close_matches
from statistics import fmean
from typing import Sequence

from sv_workbook.core.tender.abnormally_low import LowBidCheck, check_abnormally_low
from sv_workbook.core.bind import norm
from sv_workbook.core.contracts import PRICE_METHODS
from sv_workbook.core.findings import Finding, error, info, sort_findings, warning
from sv_workbook.core.policy import DEFAULT_POLICY, Policy
from sv_workbook.core.tender.model import Bidder, Criterion, Setup, Tender, Where
from sv_workbook.core.thresholds import route_findings

STATUS_RANKED = "Ranked"
STATUS_TIE = "Tie"
STATUS_EXCLUDED = "Excluded"
STATUS_INCOMPLETE = "Incomplete"
WEIGHT_TOLERANCE = 1e-9
PRICE_LOWEST, PRICE_DEVIATION, PRICE_PQP = PRICE_METHODS


# --- the formulas, one function each (the worksheet functions call these too) ----------

def quality_points(marks: Sequence[float], weights: Sequence[float], quality_weight: float, scale_max: float) -> float:
    """QualityWeight × Σ (Weight/100) × mark / ScoreScaleMax.

    The sum is ``math.fsum`` (correctly rounded): plain ``sum`` of floats is compensated
    from Python 3.12 on, so it gave other last bits in xlwings Lite's Pyodide than on 3.11.
    """
    if len(marks) != len(weights):
        raise ValueError(f"{len(marks)} marks but {len(weights)} weights")
    if scale_max <= 0:
        raise ValueError("ScoreScaleMax must be greater than 0")
    return quality_weight * math.fsum((w / 100.0) * m / scale_max for m, w in zip(marks, weights))


def price_points(price: float, lowest: float, price_weight: float) -> float:
    """Lowest price method: PriceWeight × lowest qualifying price / bid price."""
    if price <= 0 or lowest <= 0:
        raise ValueError("prices must be greater than 0")
    return price_weight * lowest / price


def deviation_points(price: float, lowest: float, price_weight: float) -> float:
    """Deviation from lowest: PriceWeight × (1 − (bid − lowest) / lowest), never below 0.

    Unlike the lowest-price ratio, a bid twice the lowest (or more) scores nothing, so
    price gaps count in proportion to the lowest bid.
    """
    if price <= 0 or lowest <= 0:
        raise ValueError("prices must be greater than 0")
    return max(0.0, price_weight * (1.0 - (price - lowest) / lowest))


def price_score(method: str, price: float, lowest: float, price_weight: float) -> float | None:
    """Price points under ``method``; None for Price per quality point, which scores no price points."""
    if method == PRICE_PQP:
        return None
    if method == PRICE_DEVIATION:
        return deviation_points(price, lowest, price_weight)
    return price_points(price, lowest, price_weight)


def price_per_quality_point(price: float, quality: float) -> float | None:
    """£ per quality point (price ÷ QualityScore); None when the bid earned no quality points."""
    return price / quality if quality > 0 else None


def value_index(pqp: float | None, best_pqp: float) -> float:
    """Price per quality point as a 0–100 total: 100 × best (lowest) £ per point ÷ this bid's.

    Ranking by this index (higher is better) is ranking by £ per quality point (lower is
    better), so the tie tolerance and the Rank column work as for the other methods. A
    bid with no quality points has an infinite price per point, hence an index of 0.
    """
    return 0.0 if pqp is None else 100.0 * best_pqp / pqp


def sv_weighting_findings(contract_value: float, route: str, sv_weight: float,
                          policy: Policy = DEFAULT_POLICY, sheet: str = "", cell: str = "") -> list[Finding]:
    """Strategy 4.1/4.2: is social value weighted enough for this tender?

    ``sv_weight`` is the social value criteria's share of the quality score, in percent.
    Returns no findings when the rule is met.
    """
    minimum = policy.sv_min_percent_of_quality
    rule = f"{policy.strategy_name} {policy.strategy_version} clause 4.2"
    if route in policy.sv_exempt_routes:
        return [info(
            "SV-FRAMEWORK", f"This is a {route.lower()}: the framework agreement's own social value criteria govern "
            f"({policy.strategy_name} 4.1 and 4.5.1), so the trust's {minimum:g}% minimum does not apply.",
            "Check the framework's social value requirements are reflected in the call-off.", sheet, cell)]
    if policy.sv_applies_minimum(contract_value, route):
        if sv_weight < minimum - WEIGHT_TOLERANCE:
            return [error(
                "SV-WEIGHT-BELOW-MIN",
                f"Social value carries {sv_weight:g}% of the quality score; {rule} requires at least {minimum:g}% "
                f"for tenders over £{policy.sv_threshold_gbp:,.0f} (this one is £{contract_value:,.2f}).",
                f"Raise the weights of the social value criteria (SocialValue = Yes) to at least {minimum:g}% "
                "of the quality weights in total.", sheet, cell)]
        return []
    if sv_weight <= 0:
        return [warning(
            "SV-ABSENT", f"No social value criterion is weighted. At £{contract_value:,.2f} the {minimum:g}% minimum "
            f"of {rule} does not bind, but {policy.strategy_name} 4.1 expects social value in procurements of any size.",
            "Add a proportionate social value criterion (SocialValue = Yes) with a weight.", sheet, cell)]
    return []


def rank_totals(totals: dict[str, float], tolerance: float) -> dict[str, tuple[int, bool]]:
    """Rank = 1 + the number of totals more than ``tolerance`` above this one; tie flag.

    Totals within the tolerance share a rank and are flagged as a tie. The template's
    live formulas use exactly these comparisons (``SUMPRODUCT(ISNUMBER(t)*(t>total+tol))``
    and ``total-tol <= t <= total+tol``), so Excel and Python agree even at the boundary.
    """
    out: dict[str, tuple[int, bool]] = {}
    for name, total in totals.items():
        rank = 1 + sum(1 for other in totals.values() if other > total + tolerance)
        tie = any(total - tolerance <= other <= total + tolerance for o, other in totals.items() if o != name)
        out[name] = (rank, tie)
    return out


# --- results ----------------------------------------------------------------------------

@dataclass(frozen=True)
class BidderResult:
    bidder: str
    price: float | None
    price_score: float | None
    quality_score: float | None
    sv_score: float | None
    total: float | None
    rank: int | None
    status: str
    marks: dict[str, float | None] = field(default_factory=dict)
    reason: str = ""
    #: £ per quality point; set only when PriceMethod is Price per quality point.
    price_per_quality_point: float | None = None

    @property
    def status_text(self) -> str:
        return f"{self.status}: {self.reason}" if self.reason else self.status


@dataclass(frozen=True)
class ModerationRow:
    """Moderation aid for one bidder and criterion."""

    bidder: str
    criterion_id: str
    evaluators: int
    mean: float | None
    spread: float | None  # (max - min) / scale
    consensus: float | None
    change: float | None  # consensus - mean
    level: str  # "fine", "warning", "moderation required", "single evaluator"


@dataclass(frozen=True)
class TenderResult:
    tender: Tender
    policy_label: str
    results: tuple[BidderResult, ...]
    lowest_price: float | None
    sv_weight: float
    findings: tuple[Finding, ...]
    moderation: tuple[ModerationRow, ...]
    abnormally_low: tuple[LowBidCheck, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(f.severity.value == "error" for f in self.findings)

    def result(self, bidder: str) -> BidderResult:
        return next(r for r in self.results if r.bidder == bidder)


# --- the whole tender -------------------------------------------------------------------

def score_tender(tender: Tender, policy: Policy = DEFAULT_POLICY, today: date | None = None) -> TenderResult:
    """Check every rule and compute every score; never raises on bad data (it reports it)."""
    today = today or date.today()
    f: list[Finding] = list(policy.review_findings(today))
    s = tender.setup
    crits = _unique_criteria(tender, f)
    bidder_names = _unique_bidders(tender, f)

    _check_setup(tender, policy, f)
    sv_weight = sum(c.weight for c in crits.values() if c.social_value)
    f.extend(sv_weighting_findings(s.contract_value, s.route, sv_weight, policy, *_at(s.where, "route")))
    f.append(_price_method_finding(s))
    if s.contract_type:
        sheet, cell = _at(s.where, "value")
        f.extend(route_findings(s.contract_value, s.contract_type, s.procurement_start, s.route, today,
                                sheet or "Setup", cell))

    evaluator_scores = _collect_scores(tender, crits, bidder_names, f)
    consensus = _collect_consensus(tender, crits, bidder_names, f)
    moderation = _moderation(tender, crits, bidder_names, evaluator_scores, consensus, policy, f)

    marks: dict[str, dict[str, float | None]] = {}
    for b in bidder_names:
        marks[b] = {}
        for cid in crits:
            if (b, cid) in consensus:
                marks[b][cid] = consensus[(b, cid)]
            elif s.consensus_rule == "Mean" and evaluator_scores.get((b, cid)):
                marks[b][cid] = fmean(evaluator_scores[(b, cid)])
            else:
                marks[b][cid] = None
    _missing_mark_findings(tender, crits, bidder_names, evaluator_scores, consensus, f)

    results = _results(tender, crits, bidder_names, marks, policy, f)
    low = check_abnormally_low(tender, {n: r["price"] for n, r in results.items() if r["qualifies"]}, policy, f)
    for check in low:
        if check.disregarded:
            results[check.bidder].update(qualifies=False, status=STATUS_EXCLUDED,
                                         reason="abnormally low tender disregarded (Procurement Act 2023 s.19)")
    qualifying = [r["price"] for r in results.values() if r["qualifies"]]
    lowest = min(qualifying) if qualifying else None
    final = _finalise(results, lowest, s, policy)
    return TenderResult(tender, policy.policy_label(), tuple(final), lowest, sv_weight,
                        tuple(sort_findings(f)), tuple(moderation), low)


def _at(where: Where, key: str) -> tuple[str, str]:
    return where.get(key, ("", ""))


def _price_method_finding(s: Setup) -> Finding:
    sheet, cell = _at(s.where, "price_method")
    text = {
        PRICE_LOWEST: f"PriceWeight ({s.price_weight:g}) × lowest qualifying price ÷ bid price",
        PRICE_DEVIATION: f"PriceWeight ({s.price_weight:g}) × (1 − (bid − lowest) ÷ lowest), never below 0",
        PRICE_PQP: "price ÷ quality score (£ per quality point, lower is better); TotalScore is 100 × the lowest "
                   "£ per quality point ÷ the bid's, and PriceWeight does not change the ranking",
    }.get(s.price_method, f"unknown method '{s.price_method}', so Lowest price")
    return info("PRICE-METHOD", f"Price method: {s.price_method}: {text}.",
                "Choose the method in PriceMethod on the Setup sheet before tenders are opened, and publish it "
                "(Methodology sheet).", sheet or "Setup", cell)


def _unique_criteria(tender: Tender, f: list[Finding]) -> dict[str, Criterion]:
    crits: dict[str, Criterion] = {}
    seen: set[str] = set()
    for c in tender.criteria:
        if norm(c.id) in seen:
            f.append(error("DUPLICATE-CRITERION", f"Criterion ID '{c.id}' is used more than once.",
                           "Give each criterion its own ID.", *_at(c.where, "id")))
            continue
        crits[c.id] = c
        seen.add(norm(c.id))
    if not crits:
        f.append(error("NO-CRITERIA", "The Criteria table has no criteria.",
                       "Add the quality criteria with their weights.", "Criteria"))
    return crits


def _unique_bidders(tender: Tender, f: list[Finding]) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for b in tender.bidders:
        if norm(b.name) in seen:
            f.append(error("DUPLICATE-BIDDER", f"Bidder '{b.name}' appears more than once in the Bidders table.",
                           "Keep one row per bidder (merge or rename the duplicates).", *_at(b.where, "name")))
            continue
        names.append(b.name)
        seen.add(norm(b.name))
    if not names:
        f.append(error("NO-BIDDERS", "The Bidders table has no bidders.", "Add one row per bid.", "Bidders"))
    return names


def _check_setup(tender: Tender, policy: Policy, f: list[Finding]) -> None:
    s = tender.setup
    if abs(s.price_weight + s.quality_weight - 100.0) > WEIGHT_TOLERANCE:
        f.append(error("PRICE-QUALITY-SUM",
                       f"PriceWeight ({s.price_weight:g}) + QualityWeight ({s.quality_weight:g}) = "
                       f"{s.price_weight + s.quality_weight:g}, not 100.",
                       "Make the price and quality weights add up to 100.", *_at(s.where, "price_weight")))
    total = sum(c.weight for c in tender.criteria)
    if tender.criteria and abs(total - 100.0) > WEIGHT_TOLERANCE:
        sheet, cell = _at(tender.criteria[0].where, "weight")
        last = _at(tender.criteria[-1].where, "weight")[1]
        f.append(error("WEIGHTS-SUM", f"The criteria weights add up to {total:g}, not 100.",
                       "Adjust the Weight column so the weights add up to 100 (they are shares of the quality score).",
                       sheet, f"{cell}:{last}" if cell and last and last != cell else cell))
    for c in tender.criteria:
        if c.weight < 0:
            f.append(error("NEGATIVE-WEIGHT", f"Criterion '{c.id}' has a negative weight ({c.weight:g}).",
                           "Enter a weight of 0 or more.", *_at(c.where, "weight")))
        if c.min_score is not None and not 0 <= c.min_score <= s.scale_max:
            f.append(error("MIN-SCORE-RANGE", f"Criterion '{c.id}' has MinScore {c.min_score:g}, outside 0 to "
                           f"ScoreScaleMax ({s.scale_max:g}).", "Enter a minimum within the scale, or leave it blank.",
                           *_at(c.where, "min_score")))
        if c.social_value and not c.priority:
            f.append(warning("SV-NO-PRIORITY", f"Social value criterion '{c.id}' names no priority.",
                             "Choose the national or local priority it serves (Strategy 3.2-3.3).",
                             *_at(c.where, "priority")))
    for b in tender.bidders:
        if b.price is None or not math.isfinite(b.price) or b.price <= 0:
            f.append(error("NO-PRICE", f"Bidder '{b.name}' has no valid price"
                           f"{'' if b.price is None else f' ({b.price:g})'}.",
                           "Enter the evaluated tender price in £, greater than 0.", *_at(b.where, "price")))


def _index(bidders: list[str], crits: dict[str, Criterion]) -> tuple[dict[str, str], dict[str, str]]:
    """Case- and space-insensitive lookups, built once per tender (not once per mark)."""
    return {norm(b): b for b in bidders}, {norm(c): c for c in crits}


def _resolve(bidder: str, criterion_id: str, where: Where, table: str, bidders: list[str],
             crits: dict[str, Criterion], index: tuple[dict[str, str], dict[str, str]],
             f: list[Finding]) -> tuple[str, str] | None:
    """The bidder and criterion a Scores/Consensus row names, as spelt in their own tables.

    Unknown names become findings with the nearest known name suggested.
    """
    b = index[0].get(norm(bidder))
    c = index[1].get(norm(criterion_id))
    for kind, value, known, found, key in (("bidder", bidder, bidders, b, "bidder"),
                                           ("criterion", criterion_id, list(crits), c, "criterion_id")):
        if found is None:
            source = "Bidders" if kind == "bidder" else "Criteria"
            close = get_close_matches(value, known, n=1, cutoff=0.5)
            hint = f"Did you mean '{close[0]}'? " if close else ""
            f.append(error(f"UNKNOWN-{kind.upper()}", f"{table} names the {kind} '{value}', which is not in the "
                           f"{source} table.", hint + f"Use a {kind} from the {source} table (pick from the dropdown).",
                           *_at(where, key)))
    return (b, c) if b is not None and c is not None else None


def _in_scale(score: float, scale: float, what: str, where: Where, f: list[Finding]) -> bool:
    if 0 <= score <= scale:
        return True
    f.append(error("SCORE-OUT-OF-RANGE", f"{what} is {score:g}, outside 0 to {scale:g}.",
                   f"Enter a mark from 0 to {scale:g}.", *_at(where, "score")))
    return False


def _collect_scores(tender: Tender, crits: dict[str, Criterion], bidders: list[str],
                    f: list[Finding]) -> dict[tuple[str, str], list[float]]:
    out: dict[tuple[str, str], list[float]] = defaultdict(list)
    seen: set[tuple[str, str, str]] = set()
    scale = tender.setup.scale_max
    known_evaluators = {norm(e) for e in tender.evaluators}
    index = _index(bidders, crits)
    for sc in tender.scores:
        found = _resolve(sc.bidder, sc.criterion_id, sc.where, "Scores", bidders, crits, index, f)
        if found is None:
            continue
        b, c = found
        key = (b, c, norm(sc.evaluator))
        if key in seen:
            f.append(error("DUPLICATE-SCORE", f"{sc.evaluator} has scored {b} on {c} more than once.",
                           "Delete the extra row, keeping the evaluator's final mark.", *_at(sc.where, "bidder")))
            continue
        seen.add(key)
        if known_evaluators and norm(sc.evaluator) not in known_evaluators:
            f.append(warning("UNKNOWN-EVALUATOR", f"'{sc.evaluator}' is not in the Evaluators table.",
                             "Pick the evaluator from the dropdown, or add them to the panel on the Setup sheet.",
                             *_at(sc.where, "evaluator")))
        if sc.score is None or not _in_scale(sc.score, scale, f"{sc.evaluator}'s score for {b} on {c}", sc.where, f):
            continue
        out[(b, c)].append(sc.score)
        if not (sc.comment or "").strip():
            f.append(warning("MISSING-COMMENT", f"{sc.evaluator}'s score for {b} on {c} has no comment.",
                             "Write why the mark was given: supplier debriefs quote it.", *_at(sc.where, "comment")))
    return out


def _collect_consensus(tender: Tender, crits: dict[str, Criterion], bidders: list[str],
                       f: list[Finding]) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = {}
    seen: set[tuple[str, str]] = set()
    scale = tender.setup.scale_max
    index = _index(bidders, crits)
    for m in tender.consensus:
        found = _resolve(m.bidder, m.criterion_id, m.where, "Consensus", bidders, crits, index, f)
        if found is None:
            continue
        b, c = found
        if (b, c) in seen:
            f.append(error("DUPLICATE-CONSENSUS", f"There is more than one consensus mark for {b} on {c}.",
                           "Keep one consensus row per bidder and criterion.", *_at(m.where, "bidder")))
            continue
        seen.add((b, c))
        if m.score is None or not _in_scale(m.score, scale, f"The consensus mark for {b} on {c}", m.where, f):
            continue
        out[(b, c)] = m.score
        if not (m.rationale or "").strip():
            f.append(warning("MISSING-RATIONALE", f"The consensus mark for {b} on {c} has no rationale.",
                             "Write the panel's reason: the assessment summary must explain each score.",
                             *_at(m.where, "rationale")))
    return out


def _moderation(tender: Tender, crits: dict[str, Criterion], bidders: list[str],
                scores: dict[tuple[str, str], list[float]], consensus: dict[tuple[str, str], float],
                policy: Policy, f: list[Finding]) -> list[ModerationRow]:
    rows: list[ModerationRow] = []
    scale = tender.setup.scale_max
    cons_where = {(norm(m.bidder), norm(m.criterion_id)): m.where for m in tender.consensus}
    score_cells: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for sc in tender.scores:
        score_cells[(norm(sc.bidder), norm(sc.criterion_id))].append(_at(sc.where, "score"))
    for b in bidders:
        for c in crits:
            marks = scores.get((b, c), [])
            cons = consensus.get((b, c))
            if not marks and cons is None:
                continue
            mean = fmean(marks) if marks else None
            spread = (max(marks) - min(marks)) / scale if len(marks) >= 2 else None
            change = cons - mean if cons is not None and mean is not None else None
            if spread is None:
                level = "single evaluator" if marks else "no evaluator scores"
            elif spread > policy.spread_moderation_required:
                level = "moderation required"
                f.append(warning("SPREAD-MODERATION-REQUIRED",
                                 f"Evaluators' scores for {b} on {c} range from {min(marks):g} to {max(marks):g} "
                                 f"({spread:.0%} of the scale, over {policy.spread_moderation_required:.0%}).",
                                 "Hold a moderation meeting and record the agreed mark in the Consensus table.",
                                 *_cells(score_cells[(norm(b), norm(c))])))
            elif spread >= policy.spread_warning:
                level = "warning"
                f.append(warning("SPREAD-WIDE", f"Evaluators' scores for {b} on {c} range from {min(marks):g} to "
                                 f"{max(marks):g} ({spread:.0%} of the scale).",
                                 "Discuss at moderation and record the reason for the agreed mark.",
                                 *_cells(score_cells[(norm(b), norm(c))])))
            else:
                level = "fine"
            if change is not None and abs(change) > WEIGHT_TOLERANCE:
                f.append(info("CONSENSUS-CHANGED", f"The consensus mark for {b} on {c} ({cons:g}) differs from the "
                              f"evaluators' mean ({mean:.2f}) by {change:+.2f}.",
                              "Make sure the rationale explains the change.",
                              *_at(cons_where.get((norm(b), norm(c)), {}), "score")))
            rows.append(ModerationRow(b, c, len(marks), mean, spread, cons, change, level))
    return rows


def _cells(places: list[tuple[str, str]]) -> tuple[str, str]:
    """One sheet and the cells of several marks ('D2,D5,D9'), for findings about a group."""
    places = [p for p in places if p[1]]
    if not places:
        return ("Scores", "")
    return (places[0][0], ",".join(cell for _, cell in places))


def _missing_mark_findings(tender: Tender, crits: dict[str, Criterion], bidders: list[str],
                           scores: dict[tuple[str, str], list[float]], consensus: dict[tuple[str, str], float],
                           f: list[Finding]) -> None:
    rule = tender.setup.consensus_rule
    for b in bidders:
        for c in crits:
            if (b, c) in consensus:
                continue
            if rule == "Mean" and scores.get((b, c)):
                f.append(warning("UNMODERATED-MEAN", f"{b} on {c} has no consensus mark; the evaluators' mean "
                                 f"({fmean(scores[(b, c)]):.2f}) is used, unmoderated.",
                                 "Record a moderated mark in the Consensus table.", "Consensus"))
            elif rule == "Mean":
                f.append(error("NO-MARK", f"{b} has no mark on {c}: no consensus mark and no evaluator score.",
                               "Score the bid on this criterion.", "Scores"))
            else:
                f.append(error("MISSING-CONSENSUS", f"{b} has no consensus mark on {c}, and ConsensusRule is "
                               "Moderated.", "Add the moderated mark to the Consensus table "
                               "(or set ConsensusRule to Mean to use the evaluators' mean).", "Consensus"))


def _results(tender: Tender, crits: dict[str, Criterion], bidders: list[str],
             marks: dict[str, dict[str, float | None]], policy: Policy, f: list[Finding]) -> dict[str, dict]:
    s = tender.setup
    by_name: dict[str, Bidder] = {}
    for b in tender.bidders:
        by_name.setdefault(b.name, b)  # a duplicated row is reported; the first one counts, as in the checks
    ids = list(crits)
    weights = [crits[c].weight for c in ids]
    sv_ids = [c for c in ids if crits[c].social_value]
    out: dict[str, dict] = {}
    for name in bidders:
        bid = by_name[name]
        m = marks[name]
        valid_price = bid.price is not None and math.isfinite(bid.price) and bid.price > 0
        below = [c for c in ids if crits[c].min_score is not None and m[c] is not None and m[c] < crits[c].min_score]
        complete = bool(ids) and all(m[c] is not None for c in ids) and s.scale_max > 0
        quality = sv = None
        if complete:
            quality = quality_points([m[c] for c in ids], weights, s.quality_weight, s.scale_max)
            sv = quality_points([m[c] for c in sv_ids], [crits[c].weight for c in sv_ids], s.quality_weight,
                                s.scale_max) if sv_ids else 0.0
        reason = ""
        if below:
            status = STATUS_EXCLUDED
            reason = "below the minimum score on " + ", ".join(
                f"{c} ({m[c]:g} < {crits[c].min_score:g})" for c in below)
            f.append(info("EXCLUDED-BELOW-MIN", f"{name} is excluded: {reason}.",
                          "No action if the marks are right: an excluded bid is not ranked and does not set the "
                          "lowest price.", *_at(bid.where, "name")))
        elif not valid_price:
            status, reason = STATUS_INCOMPLETE, "no valid price"
        elif not complete:
            missing = [c for c in ids if m[c] is None]
            status, reason = STATUS_INCOMPLETE, "no mark for " + ", ".join(missing) if missing else "no criteria"
        else:
            status = STATUS_RANKED
        out[name] = {"bidder": bid, "price": bid.price, "qualifies": valid_price and not below, "quality": quality,
                     "sv": sv, "status": status, "reason": reason, "marks": dict(m)}
    return out


def _finalise(results: dict[str, dict], lowest: float | None, setup: Setup, policy: Policy) -> list[BidderResult]:
    """Price points and totals under the chosen price method, then ranks.

    Lowest price and Deviation from lowest: TotalScore = PriceScore + QualityScore.
    Price per quality point: no price points (PriceScore blank); TotalScore is the value
    index 100 × lowest £ per quality point ÷ this bid's (see ``value_index``).
    """
    method = setup.price_method
    totals: dict[str, float] = {}
    price_scores: dict[str, float | None] = {}
    pqps: dict[str, float | None] = {}
    for name, r in results.items():
        ps = None
        if r["qualifies"] and lowest is not None:
            ps = price_score(method, r["price"], lowest, setup.price_weight)
        price_scores[name] = ps
        if r["status"] != STATUS_RANKED or r["quality"] is None:
            continue
        if method == PRICE_PQP:
            pqps[name] = price_per_quality_point(r["price"], r["quality"])
        elif ps is not None:
            totals[name] = ps + r["quality"]
    if method == PRICE_PQP:
        finite = [v for v in pqps.values() if v is not None]
        if finite:
            totals = {name: value_index(v, min(finite)) for name, v in pqps.items()}
    ranks = rank_totals(totals, policy.tie_tolerance)
    out: list[BidderResult] = []
    for name, r in results.items():
        status, reason = r["status"], r["reason"]
        rank = None
        if name in ranks:
            rank, tie = ranks[name]
            if tie:
                status, reason = STATUS_TIE, f"within {policy.tie_tolerance:g} points of another bid"
        elif status == STATUS_RANKED:
            status, reason = STATUS_INCOMPLETE, "no bid has quality points, so price per quality point cannot compare"
        out.append(BidderResult(name, r["price"], price_scores[name], r["quality"], r["sv"], totals.get(name), rank,
                                status, r["marks"], reason, pqps.get(name)))
    out.sort(key=lambda x: (x.rank is None, -(x.total or 0.0), x.bidder.casefold()))
    return out
