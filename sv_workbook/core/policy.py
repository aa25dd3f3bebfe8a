"""The trust's policy numbers, in one place a trust can change.

The 10%-over-£50,000 rule and its framework exemption come from the trust's Social
Value Strategy (clauses 4.1 and 4.2), not from law. They live here, with the Strategy
version they encode, so that every report can say which policy it applied and a trust
can change them from a TOML file without touching code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

from sv_workbook.core.catalogue import POLICY_APPLIED, POLICY_REVIEW_OVERDUE
from sv_workbook.core.arithmetic import above
from sv_workbook.core.findings import Finding

FRAMEWORK_ROUTE = "Framework call-off"


@dataclass(frozen=True)
class Policy:
    """Every configurable rule. Defaults encode Social Value Strategy V0.2 (Nov 2021)."""

    strategy_name: str = "Social Value Strategy"
    strategy_version: str = "V0.2"
    strategy_approved: date = date(2021, 11, 1)
    strategy_next_review: date = date(2024, 11, 1)

    # Strategy 4.2: tenders over this value must give social value a minimum weighting.
    sv_threshold_gbp: float = 50_000.0
    # Strategy 4.2: minimum social value weighting, as a percent of the quality score.
    sv_min_percent_of_quality: float = 10.0
    # Strategy 4.1 / 4.5.1: routes whose own criteria govern social value.
    sv_exempt_routes: tuple[str, ...] = (FRAMEWORK_ROUTE,)

    # Scoring: totals closer than this share a rank (points, compared unrounded).
    tie_tolerance: float = 0.01
    # Moderation aid: spread of evaluators' scores as a share of the scale.
    spread_warning: float = 0.20
    spread_moderation_required: float = 0.50
    display_decimals: int = 2

    # KPI ratings (Procurement Act 2023 s.71 words): lower bounds of PercentOfExpected.
    rating_good: float = 0.95
    rating_approaching: float = 0.90
    rating_requires_improvement: float = 0.85  # strictly above this; at or below is Inadequate
    # Procurement Act 2023 s.52: contracts over this value need at least `kpi_min_count` KPIs.
    kpi_min_count_threshold_gbp: float = 5_000_000.0
    kpi_min_count: int = 3
    # KPI registers: a period's Actuals row is overdue this many days after the period ends.
    kpi_overdue_grace_days: int = 0

    # Portfolio reporting: first month of the financial year (April).
    financial_year_start_month: int = 4

    # Award stage: a bid this percent below the median of qualifying bids is abnormally low.
    abnormally_low_percent: float = 20.0

    # Conflict-of-interest declarations (Procurement Act 2023 ss.81-83): a missing declaration, or a
    # conflict without mitigation, is an error; a trust that keeps declarations elsewhere sets this to
    # true to make both warnings.
    declarations_kept_elsewhere: bool = False

    # Reading untrusted files: limits checked before parsing.
    max_file_bytes: int = 50 * 1024 * 1024
    max_uncompressed_bytes: int = 500 * 1024 * 1024
    max_compression_ratio: float = 200.0
    max_rows: int = 100_000
    max_columns: int = 200
    # Cells actually present in all sheets together (bounds openpyxl's memory, ~150 bytes a cell).
    max_cells: int = 2_000_000
    # Parts in the zip package (a real workbook has tens; a hostile one may have millions).
    max_package_parts: int = 10_000

    def policy_label(self) -> str:
        """What every report prints: which Strategy version the rules came from."""
        return (
            f"{self.strategy_name} {self.strategy_version} "
            f"(approved {self.strategy_approved:%B %Y}, next review {self.strategy_next_review:%B %Y})"
        )

    def policy_statement(self, today: date) -> str:
        """The label, plus a plain warning when the Strategy is past its review date."""
        if today > self.strategy_next_review:
            return (f"{self.policy_label()}; PAST ITS REVIEW DATE ({self.strategy_next_review:%B %Y}): check these "
                    "rules are still the trust's policy")
        return self.policy_label()

    def review_findings(self, today: date) -> list[Finding]:
        """The notice every workbook's findings carry: which policy was applied.

        A passed review date is not a fault of the workbook, so it is no warning here (it
        would fail ``--fail-on warning`` for every clean workbook); ``review_notice`` says
        it once per run and ``policy_statement`` on every report's policy line.
        """
        return [POLICY_APPLIED(f"Policy applied: {self.policy_statement(today)}.", hint="")]

    def review_notice(self, today: date) -> Finding | None:
        """Once per run (and once in a portfolio report): the Strategy is past its review date (4.7)."""
        if today <= self.strategy_next_review:
            return None
        return POLICY_REVIEW_OVERDUE(f"The policy applied is {self.policy_label()}; its review date has passed, so these rules may "
                    "no longer be the trust's current policy.",
                    "Ask the Procurement & Risk Manager for the current Strategy and update the policy file "
                    "(--policy FILE.toml).")

    def sv_applies_minimum(self, contract_value: float, route: str) -> bool:
        """True when Strategy 4.2's minimum weighting binds this tender (value over the threshold, 9 places)."""
        return above(contract_value, self.sv_threshold_gbp) and route not in self.sv_exempt_routes


DEFAULT_POLICY = Policy()


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and key."""


def load_policy(path: str | Path) -> Policy:
    """Read a TOML policy file; keys are the field names of ``Policy``, all optional.

    Unknown keys are refused rather than ignored: a misspelt key silently falling back
    to the default would apply a rule the trust thought it had changed.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"{path}: cannot read policy file: {exc}") from exc
    data = data.get("policy", data)
    known = {f.name: f for f in fields(Policy)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise PolicyError(f"{path}: unknown policy keys {unknown}; known keys are {sorted(known)}")
    values: dict[str, Any] = {}
    for key, raw in data.items():
        default = getattr(DEFAULT_POLICY, key)
        values[key] = _coerce(path, key, raw, default)
    policy = replace(DEFAULT_POLICY, **values)
    _check_ranges(path, policy)
    return policy


def _check_ranges(path: Path, p: Policy) -> None:
    """Refuse numbers no trust could mean: a silently absurd rule is worse than an error."""
    problems = []
    for key in ("sv_min_percent_of_quality", "abnormally_low_percent"):
        if not 0 <= getattr(p, key) <= 100:
            problems.append(f"'{key}' must be a percentage from 0 to 100")
    if not 1 >= p.rating_good >= p.rating_approaching >= p.rating_requires_improvement >= 0:
        problems.append("rating bands must satisfy 1 >= rating_good >= rating_approaching >= "
                        "rating_requires_improvement >= 0 (shares, e.g. 0.95)")
    if not 1 <= p.financial_year_start_month <= 12:
        problems.append("'financial_year_start_month' must be from 1 to 12")
    if p.strategy_next_review < p.strategy_approved:
        problems.append("'strategy_next_review' is before 'strategy_approved'")
    for key in ("sv_threshold_gbp", "tie_tolerance", "max_file_bytes", "max_uncompressed_bytes", "max_rows",
                "max_columns", "kpi_min_count_threshold_gbp"):
        if getattr(p, key, 0) < 0:
            problems.append(f"'{key}' must not be negative")
    if problems:
        raise PolicyError(f"{path}: " + "; ".join(problems))


def _coerce(path: Path, key: str, raw: Any, default: Any) -> Any:
    if isinstance(default, tuple):
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            raise PolicyError(f"{path}: '{key}' must be a list of strings")
        return tuple(raw)
    if isinstance(default, date):
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw))
        except ValueError as exc:
            raise PolicyError(f"{path}: '{key}' must be a date such as 2024-11-01") from exc
    if isinstance(default, bool) or isinstance(default, str):
        if not isinstance(raw, type(default)):
            raise PolicyError(f"{path}: '{key}' must be {type(default).__name__}")
        return raw
    if isinstance(default, int) and not isinstance(raw, bool) and isinstance(raw, int):
        return raw
    if isinstance(default, float) and not isinstance(raw, bool) and isinstance(raw, (int, float)):
        return float(raw)
    raise PolicyError(f"{path}: '{key}' must be a number")


__all__ = ["Policy", "DEFAULT_POLICY", "PolicyError", "load_policy", "FRAMEWORK_ROUTE"]
