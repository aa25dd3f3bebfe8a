"""A tender as plain data: what the scoring core takes.

Each record may carry ``where``, a map from field to (sheet, cell), so the core can say
exactly where a problem is; records built in code (tests, other tools) can leave it empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

Where = dict[str, tuple[str, str]]


@dataclass(frozen=True)
class Setup:
    ref: str
    title: str
    contract_value: float
    contract_type: str
    route: str
    price_weight: float
    quality_weight: float
    scale_max: float
    consensus_rule: str = "Moderated"
    price_method: str = "Lowest price"
    pre_tender_estimate: float | None = None
    procurement_start: date | None = None
    where: Where = field(default_factory=dict, compare=False)

    def named_values(self) -> tuple[tuple[str, object], ...]:
        """Each setting under its defined name in the contract, in the contract's order: what a
        workbook's Setup holds (the fingerprint record lists them; test builders write them)."""
        return (("TenderRef", self.ref), ("TenderTitle", self.title), ("ContractValue", self.contract_value),
                ("ContractType", self.contract_type), ("ProcurementRoute", self.route),
                ("PriceWeight", self.price_weight), ("QualityWeight", self.quality_weight),
                ("ScoreScaleMax", self.scale_max), ("ConsensusRule", self.consensus_rule),
                ("PriceMethod", self.price_method), ("PreTenderEstimate", self.pre_tender_estimate),
                ("ProcurementStart", self.procurement_start))


@dataclass(frozen=True)
class Criterion:
    id: str
    name: str
    weight: float
    social_value: bool
    priority: str | None = None
    min_score: float | None = None
    where: Where = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Bidder:
    name: str
    price: float | None
    sme: bool | None = None
    vcse: bool | None = None
    where: Where = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class EvaluatorScore:
    bidder: str
    criterion_id: str
    evaluator: str
    score: float | None
    comment: str | None = None
    where: Where = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ConsensusMark:
    bidder: str
    criterion_id: str
    score: float | None
    rationale: str | None = None
    where: Where = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class AbnormallyLowEntry:
    """One row of the abnormally low tender log (Procurement Act 2023 s.19(3)-(5))."""

    bidder: str
    flagged_on: date | None = None
    request_sent: date | None = None
    supplier_answer: str | None = None
    decision: str | None = None
    where: Where = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Declaration:
    """One evaluator's conflict-of-interest declaration (Procurement Act 2023 ss.81-83)."""

    evaluator: str
    declared_on: date | None = None
    conflict: bool | None = None
    details: str | None = None
    mitigation: str | None = None
    where: Where = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Tender:
    setup: Setup
    criteria: tuple[Criterion, ...]
    bidders: tuple[Bidder, ...]
    scores: tuple[EvaluatorScore, ...] = ()
    consensus: tuple[ConsensusMark, ...] = ()
    evaluators: tuple[str, ...] = ()
    abnormally_low_log: tuple[AbnormallyLowEntry, ...] = ()
    #: None when the workbook has no Declarations table (made before the table existed);
    #: () when it has the table and nobody has declared yet.
    declarations: tuple[Declaration, ...] | None = None
