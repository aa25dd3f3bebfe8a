"""Would the winner change under another price method or a slightly different price/quality split?

Evaluation guidance asks buyers to test how sensitive the result is to the scoring
choices before publishing them; a winner that flips under a ±5 point change of split is
a result to be ready to defend. Each scenario re-scores the same tender with one setting
changed, through the same core, so the table cannot disagree with the ranking. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sv_workbook.core.contracts import PRICE_METHODS
from sv_workbook.core.policy import DEFAULT_POLICY, Policy
from sv_workbook.core.tender.scoring import score_tender
from sv_workbook.core.tender.model import Tender

SPLIT_STEP = 5.0


@dataclass(frozen=True)
class Scenario:
    """One what-if: the settings used, who would win, and whether that differs from the workbook's winner."""

    label: str
    price_method: str
    price_weight: float
    quality_weight: float
    winners: tuple[str, ...]
    changed: bool
    note: str = ""

    @property
    def winner_text(self) -> str:
        if not self.winners:
            return "no bid ranked"
        return " and ".join(self.winners) + (" (tie)" if len(self.winners) > 1 else "")


def winners(tender: Tender, policy: Policy, today: date) -> tuple[str, ...]:
    """The bid(s) ranked first (several when tied), in name order."""
    result = score_tender(tender, policy, today)
    return tuple(sorted((r.bidder for r in result.results if r.rank == 1), key=str.casefold))


def sensitivity(tender: Tender, policy: Policy = DEFAULT_POLICY, today: date | None = None) -> tuple[Scenario, ...]:
    """The workbook's own settings first, then each other price method, then the split ±5 points."""
    today = today or date.today()
    s = tender.setup
    base = winners(tender, policy, today)
    rows = [Scenario("As set in the workbook", s.price_method, s.price_weight, s.quality_weight, base, False)]

    def run(label: str, **changes) -> None:
        setup = replace(s, **changes)
        won = winners(replace(tender, setup=setup), policy, today)
        note = ("price per quality point ranks by £ per quality point, which the split does not change"
                if setup.price_method == PRICE_METHODS[2] and "price_weight" in changes else "")
        rows.append(Scenario(label, setup.price_method, setup.price_weight, setup.quality_weight, won, won != base,
                             note))

    for method in PRICE_METHODS:
        if method != s.price_method:
            run(f"Price method: {method}", price_method=method)
    for step in (SPLIT_STEP, -SPLIT_STEP):
        pw, qw = s.price_weight + step, s.quality_weight - step
        label = f"Price {pw:g} / quality {qw:g} ({'+' if step > 0 else '−'}{SPLIT_STEP:g} points of price)"
        if pw < 0 or qw < 0:
            rows.append(Scenario(label, s.price_method, pw, qw, (), False, "not possible: a weight would be below 0"))
            continue
        run(label, price_weight=pw, quality_weight=qw)
    return tuple(rows)


__all__ = ["Scenario", "sensitivity", "winners", "SPLIT_STEP"]
