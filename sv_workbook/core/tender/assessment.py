"""Assessment summaries (Procurement Act 2023 s.50; Procurement Regulations 2024 reg. 31), as plain data.

Every supplier whose tender was assessed gets a summary before the contract award
notice: the award criteria with their relative importance and the scores available, its
own score on each criterion with the reason by reference to its tender, its sub-totals
and totals, and the same for the most advantageous tender; an excluded bid also gets
why. The content is built here once, as a list of blocks (headings, paragraphs, tables),
so the Word writer (``summaries_docx``) and the Markdown rendering used in tests and
reviews cannot say different things. Pure: no docx or spreadsheet library is imported.

A summary that quotes a mark without its reason invites a challenge, so nothing is
produced while any mark used lacks a consensus rationale, while the result has errors,
or while first place is tied: ``build_summaries`` returns the gaps instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sv_workbook.core.catalogue import (SUMMARY_AL_OPEN, SUMMARY_NO_CONSENSUS, SUMMARY_NO_RATIONALE, SUMMARY_NO_WINNER, SUMMARY_TIE)
from sv_workbook.core.arithmetic import total
from sv_workbook.core.bind import norm
from sv_workbook.core.tender.declarations import declarations_for_suppliers
from sv_workbook.core.tender.descriptors import descriptor
from sv_workbook.core.findings import Finding, Severity
from sv_workbook.core.policy import DEFAULT_POLICY, Policy
from sv_workbook.core.tender.scoring import (PRICE_DEVIATION, PRICE_PQP, STATUS_EXCLUDED, BidderResult, TenderResult,
                                             quality_points)
from sv_workbook.core.tender.model import ConsensusMark, Criterion, Setup, Tender


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = Heading | Para | Table


@dataclass(frozen=True)
class Summary:
    """One supplier's assessment summary."""

    supplier: str
    is_winner: bool
    blocks: tuple[Block, ...] = field(default_factory=tuple)

    def to_markdown(self) -> str:
        return render_markdown(self.blocks)


def render_markdown(blocks: tuple[Block, ...]) -> str:
    """Plain Markdown: the same words and figures the Word document carries."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append("#" * b.level + " " + b.text)
        elif isinstance(b, Para):
            out.append(b.text)
        else:
            out.append("| " + " | ".join(b.headers) + " |")
            out.append("|" + " --- |" * len(b.headers))
            out.extend("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in b.rows)
        out.append("")
    return "\n".join(out)


def fmt(value: float | None, decimals: int = 2) -> str:
    """Display rounding only; the figures behind it stay unrounded."""
    return "–" if value is None else f"{value:,.{decimals}f}"


def mark_text(mark: float | None, scale: float) -> str:
    return "–" if mark is None else f"{mark:g} of {scale:g} ({descriptor(mark, scale)})"


# --- gaps ---------------------------------------------------------------------------------

def summary_gaps(result: TenderResult, findings: list[Finding] | None = None) -> list[Finding]:
    """Why summaries cannot be written yet, each with the cell to fix.

    ``findings`` are all the workbook's findings (reading included); by default the
    scoring core's. Any error among them is a gap: a summary must not quote a result
    the tool itself calls provisional.
    """
    t = result.tender
    gaps = [f for f in (result.findings if findings is None else findings) if f.severity is Severity.ERROR]
    consensus = _consensus_index(t)
    for r in result.results:
        for c in t.criteria:
            m = consensus.get((norm(r.bidder), norm(c.id)))
            if m is None or m.score is None:
                gaps.append(SUMMARY_NO_CONSENSUS(
                    f"{r.bidder} has no consensus mark on {c.id}, so the "
                    "summary would have no agreed reason for that score.",
                    "Record the panel's mark and rationale in the Consensus table.", "Consensus"))
            elif not (m.rationale or "").strip():
                sheet, cell = m.where.get("rationale", m.where.get("score", ("Consensus", "")))
                gaps.append(SUMMARY_NO_RATIONALE(
                    f"The consensus mark for {r.bidder} on {c.id} has no "
                    "rationale.", "Write why the panel agreed this mark, by reference to the tender.",
                    sheet, cell))
    for check in result.abnormally_low:
        if (check.flagged or check.entry) and check.state not in ("Retained", "Disregarded"):
            where = check.entry.where.get("decision", check.entry.where.get("bidder")) if check.entry else None
            gaps.append(SUMMARY_AL_OPEN(
                f"{check.bidder}'s price is flagged as possibly abnormally low and "
                f"no valid decision is recorded ({check.state}): the result may still change.",
                "Finish the s.19 process in the AbnormallyLow table (request, answer, decision).",
                *(where or ("Bidders", ""))))
    winners = [r for r in result.results if r.rank == 1]
    if not winners:
        gaps.append(SUMMARY_NO_WINNER("No tender is ranked, so there is no most advantageous tender to "
                                      "compare with.", "Fix the errors that stop the bids being ranked.", "Report"))
    elif len(winners) > 1:
        gaps.append(SUMMARY_TIE(
            "First place is tied between " + " and ".join(r.bidder for r in winners) + ".",
            "Apply the published tie-break and record the outcome before writing summaries.", "Report"))
    return gaps


def _consensus_index(t: Tender) -> dict[tuple[str, str], ConsensusMark]:
    out: dict[tuple[str, str], ConsensusMark] = {}
    for m in t.consensus:
        out.setdefault((norm(m.bidder), norm(m.criterion_id)), m)
    return out


# --- content --------------------------------------------------------------------------------

def build_summaries(result: TenderResult, policy: Policy = DEFAULT_POLICY,
                    findings: list[Finding] | None = None) -> tuple[list[Summary], list[Finding]]:
    """One summary per assessed supplier, or no summaries and the gaps."""
    gaps = summary_gaps(result, findings)
    if gaps:
        return [], gaps
    winner = next(r for r in result.results if r.rank == 1)
    return [_summary(result, r, winner, policy) for r in result.results], []


def criterion_points(c: Criterion, mark: float | None, quality_weight: float, scale: float) -> float | None:
    """Points a mark earns: QualityWeight × Weight/100 × mark / ScoreScaleMax (the scoring core's formula)."""
    return None if mark is None else quality_points([mark], [c.weight], quality_weight, scale)


def _summary(result: TenderResult, r: BidderResult, winner: BidderResult, policy: Policy) -> Summary:
    t = result.tender
    s = t.setup
    d = policy.display_decimals
    is_winner = r.bidder == winner.bidder
    ranked = sum(1 for x in result.results if x.rank is not None)
    cons = _consensus_index(t)
    blocks: list[Block] = [
        Heading(f"Assessment summary: {s.title} ({s.ref})"),
        Para(f"Supplier: {r.bidder}"),
        Para("This assessment summary is given under section 50 of the Procurement Act 2023 and regulation 31 of "
             "the Procurement Regulations 2024. It sets out the award criteria, their relative importance and the "
             "scores available; your tender's score on each criterion with the reasons for it; and "
             + ("your totals. Yours is the most advantageous tender." if is_winner else
                f"the same for the most advantageous tender, submitted by {winner.bidder}.")),
        Heading("How tenders were assessed", 2),
        Para(methodology_text(t, policy)),
        Para(declarations_for_suppliers(t, policy)),
        Heading("Your result", 2),
        Para(_result_text(r, winner, ranked, d, is_winner)),
    ]
    quality = [c for c in t.criteria if not c.social_value]
    social = [c for c in t.criteria if c.social_value]
    blocks += _criteria_section("Quality criteria", quality, r, winner, cons, t, is_winner, d)
    sv_share = total(c.weight for c in social)
    blocks.append(Heading("Social value", 2))
    blocks.append(Para(f"Social value criteria carry {sv_share:g}% of the quality score, which is "
                       f"{sv_share * s.quality_weight / 100:g}% of the total score."
                       + ("" if social else " This tender had no social value criteria.")))
    if social:
        blocks += _criteria_section(None, social, r, winner, cons, t, is_winner, d)
    blocks += _price_section(r, winner, t, is_winner, d)
    blocks += _totals(r, winner, t, is_winner, d)
    if r.status == STATUS_EXCLUDED:
        blocks.append(Heading("Why your tender was excluded", 2))
        blocks.append(Para(f"Your tender was excluded: {r.reason}. An excluded tender is not ranked and its price "
                           "does not count when other tenders' price scores are calculated."))
    return Summary(r.bidder, is_winner, tuple(blocks))


def methodology_text(t: Tender, policy: Policy) -> str:
    """The published assessment methodology in one paragraph (s.23), from the workbook's settings."""
    s = t.setup
    mins = [c for c in t.criteria if c.min_score is not None]
    text = (f"Price carried {s.price_weight:g}% and quality {s.quality_weight:g}% of the total score. Each quality "
            f"criterion was marked from 0 to {s.scale_max:g} against published descriptors; a criterion's points are "
            f"its weight × mark ÷ {s.scale_max:g}. {price_method_text(s.price_method, s.price_weight)} ")
    if mins:
        text += ("Failing a minimum disqualified a tender: a tender marked below " +
                 " or ".join(f"{c.min_score:g} on {c.id}" for c in mins) + " was excluded. ")
    text += ("Marks are the panel's moderated consensus marks. " if s.consensus_rule == "Moderated" else
             "Marks are the panel's consensus marks where recorded, otherwise the mean of the evaluators' marks. ")
    text += (f"Totals within {policy.tie_tolerance:g} points of each other are treated as a tie; figures are shown "
             f"to {policy.display_decimals} decimal places but compared unrounded.")
    return text


def price_method_text(method: str, price_weight: float) -> str:
    if method == PRICE_DEVIATION:
        return (f"Price was scored by deviation from the lowest price: {price_weight:g} × (1 − (tender price − "
                "lowest price) ÷ lowest price), and never less than 0.")
    if method == PRICE_PQP:
        return ("Tenders were ranked by price per quality point (tender price ÷ quality points; lower is better). "
                "The total score is 100 × the lowest price per quality point ÷ the tender's own.")
    return f"Price was scored as {price_weight:g} × lowest price ÷ tender price."


def _result_text(r: BidderResult, winner: BidderResult, ranked: int, d: int, is_winner: bool) -> str:
    if r.status == STATUS_EXCLUDED:
        return f"Your tender was excluded ({r.reason}), so it was not ranked."
    if r.rank is None:
        return f"Your tender could not be ranked: {r.reason}."
    text = f"Your tender scored {fmt(r.total, d)} points in total and was ranked {r.rank} of {ranked}."
    if not is_winner:
        text += f" The most advantageous tender scored {fmt(winner.total, d)} points."
    return text


def _criteria_section(title: str | None, crits: list[Criterion], r: BidderResult, winner: BidderResult,
                      cons: dict, t: Tender, is_winner: bool, d: int) -> list[Block]:
    s = t.setup
    blocks: list[Block] = [Heading(title, 2)] if title else []
    if not crits:
        return blocks + [Para("No criteria in this section.")]
    headers = ["Criterion", "Weight (% of quality)", "Weight (% of total)", "Marks available", "Points available",
               "Your mark", "Your points"]
    if not is_winner:
        headers += ["Winning tender's mark", "Winning tender's points"]
    rows = []
    for c in crits:
        row = [f"{c.id} {c.name}", f"{c.weight:g}", f"{c.weight * s.quality_weight / 100:g}", f"0 to {s.scale_max:g}"
               + (f" (minimum {c.min_score:g})" if c.min_score is not None else ""),
               fmt(s.quality_weight * c.weight / 100, d), fmt(r.marks.get(c.id), d),
               fmt(criterion_points(c, r.marks.get(c.id), s.quality_weight, s.scale_max), d)]
        if not is_winner:
            row += [fmt(winner.marks.get(c.id), d),
                    fmt(criterion_points(c, winner.marks.get(c.id), s.quality_weight, s.scale_max), d)]
        rows.append(tuple(row))
    own = _subtotal(crits, r, s)
    weights = total(c.weight for c in crits)
    sub = ["Sub-total", f"{weights:g}", f"{weights * s.quality_weight / 100:g}",
           "", fmt(total(s.quality_weight * c.weight / 100 for c in crits), d), "", fmt(own, d)]
    if not is_winner:
        sub += ["", fmt(_subtotal(crits, winner, s), d)]
    rows.append(tuple(sub))
    blocks.append(Table(tuple(headers), tuple(rows)))
    for c in crits:
        blocks.append(Heading(f"{c.id} {c.name}", 3))
        blocks.append(Para(f"Your mark: {mark_text(r.marks.get(c.id), s.scale_max)}. Reason: "
                           f"{_rationale(cons, r.bidder, c.id)}"))
        if not is_winner:
            blocks.append(Para(f"Winning tender's mark: {mark_text(winner.marks.get(c.id), s.scale_max)}. Reason: "
                               f"{_rationale(cons, winner.bidder, c.id)}"))
    return blocks


def _subtotal(crits: list[Criterion], r: BidderResult, s: Setup) -> float | None:
    """The section's points, computed as QualityScore is (exactly, rounded once), so they add up to it."""
    marks = [r.marks.get(c.id) for c in crits]
    if any(m is None for m in marks):
        return None
    return quality_points(marks, [c.weight for c in crits], s.quality_weight, s.scale_max)


def _rationale(cons: dict, bidder: str, cid: str) -> str:
    return (cons[(norm(bidder), norm(cid))].rationale or "").strip()


def _price_section(r: BidderResult, winner: BidderResult, t: Tender, is_winner: bool, d: int) -> list[Block]:
    s = t.setup
    blocks: list[Block] = [Heading("Price", 2), Para(price_method_text(s.price_method, s.price_weight))]
    if s.price_method == PRICE_PQP:
        text = f"Your price per quality point: £{fmt(r.price_per_quality_point)}."
        if not is_winner:
            text += f" The winning tender's: £{fmt(winner.price_per_quality_point)}."
    elif r.price_score is None:
        text = "Your tender's price was not scored because the tender was excluded or incomplete."
        if not is_winner:
            text += f" The winning tender's price score: {fmt(winner.price_score, d)} of {s.price_weight:g} points."
    else:
        text = f"Your price score: {fmt(r.price_score, d)} of {s.price_weight:g} points."
        if not is_winner:
            text += f" The winning tender's price score: {fmt(winner.price_score, d)} points."
    return blocks + [Para(text)]


def _totals(r: BidderResult, winner: BidderResult, t: Tender, is_winner: bool, d: int) -> list[Block]:
    def q_excl(x: BidderResult) -> float | None:
        return None if x.quality_score is None or x.sv_score is None else x.quality_score - x.sv_score

    lines = [("Quality excluding social value", q_excl), ("Social value", lambda x: x.sv_score),
             ("Quality total", lambda x: x.quality_score),
             ("Price score" if t.setup.price_method != PRICE_PQP else "Price score (not used)", lambda x: x.price_score),
             ("Total score", lambda x: x.total)]
    headers = ("Score", "Your tender") + (() if is_winner else ("Winning tender",))
    rows = [tuple([label, fmt(get(r), d)] + ([] if is_winner else [fmt(get(winner), d)])) for label, get in lines]
    rows.append(tuple(["Rank", "–" if r.rank is None else str(r.rank)] + ([] if is_winner else [str(winner.rank)])))
    return [Heading("Totals", 2), Table(headers, tuple(rows))]


__all__ = ["Summary", "Heading", "Para", "Table", "Block", "build_summaries", "summary_gaps", "render_markdown",
           "methodology_text", "price_method_text", "criterion_points", "fmt"]
