"""The workbook contracts: sheet names, defined names, Excel Tables and headers.

These are public API: macros, other tools and batch validation rely on them. Each is
declared once, here, as data; the template generators, the readers, the validators and
the README's contract section (``sv-workbook contract``) are all driven from it, so they
cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a cell holds; drives parsing, data validation and the docs."""

    TEXT = "text"
    NUMBER = "number"
    MONEY = "money (£)"
    PERCENT = "percent"
    YESNO = "Yes/No"
    CHOICE = "choice"
    DATE = "date"


YES_NO = ("Yes", "No")
CONTRACT_TYPES = ("Services", "Goods", "Works", "Light-touch services")
ROUTES = ("Open", "Restricted", "Competitive flexible", "Framework call-off", "Direct award", "Quotation")
CONSENSUS_RULES = ("Moderated", "Mean")
#: The first is the default when ``PriceMethod`` is blank or absent (older workbooks).
PRICE_METHODS = ("Lowest price", "Deviation from lowest", "Price per quality point")
AL_DECISIONS = ("Retained", "Disregarded")
NATIONAL_PRIORITIES = ("Jobs & skills", "Climate & waste", "Supplier diversity")
REPORTING_FREQUENCIES = ("Monthly", "Quarterly", "6-monthly", "Annual")


@dataclass(frozen=True)
class Field:
    """A column of a table or a single named cell.

    ``open_choices`` means the listed choices are offered but others are allowed (local
    priorities a trust adds later), so the dropdown warns instead of refusing.
    """

    name: str
    kind: Kind
    doc: str
    required: bool = True
    choices: tuple[str, ...] = ()
    open_choices: bool = False


@dataclass(frozen=True)
class NamedCell:
    """A workbook-scoped defined name pointing at one cell of ``sheet``."""

    sheet: str
    field: Field

    @property
    def name(self) -> str:
        return self.field.name


@dataclass(frozen=True)
class TableSpec:
    """An Excel Table (ListObject). ``output`` tables are written by the tool."""

    name: str
    sheet: str
    columns: tuple[Field, ...]
    doc: str
    output: bool = False
    required: bool = True

    def column(self, name: str) -> Field:
        return next(c for c in self.columns if c.name == name)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class WorkbookContract:
    """Everything a workbook of one kind must contain to be accepted."""

    kind: str
    title: str
    sheets: tuple[str, ...]
    names: tuple[NamedCell, ...]
    tables: tuple[TableSpec, ...]

    def table(self, name: str) -> TableSpec:
        return next(t for t in self.tables if t.name == name)

    def named(self, name: str) -> NamedCell:
        return next(n for n in self.names if n.name == name)

    @property
    def input_tables(self) -> tuple[TableSpec, ...]:
        return tuple(t for t in self.tables if not t.output)

    def to_markdown(self) -> str:
        """The contract as the README shows it (generated, so docs and code agree)."""
        lines = [f"### {self.title} (`{self.kind}`)", ""]
        lines.append("Sheets: " + ", ".join(f"`{s}`" for s in self.sheets) + ".")
        lines.append("")
        by_sheet: dict[str, list[NamedCell]] = {}
        for n in self.names:
            by_sheet.setdefault(n.sheet, []).append(n)
        for sheet, names in by_sheet.items():
            lines.append(f"Defined names (single cells) on sheet `{sheet}`:")
            lines.append("")
            lines.append("| Name | Holds | Required | Meaning |")
            lines.append("| --- | --- | --- | --- |")
            for n in names:
                lines.append(f"| `{n.name}` | {_holds(n.field)} | {'yes' if n.field.required else 'no'} | {n.field.doc} |")
            lines.append("")
        for t in self.tables:
            role = "written by the tool" if t.output else "filled in by people"
            if not t.required:
                role += ", optional"
            lines.append(f"Excel Table `{t.name}` on sheet `{t.sheet}` ({role}): {t.doc}")
            lines.append("")
            lines.append("| Column | Holds | Required | Meaning |")
            lines.append("| --- | --- | --- | --- |")
            for c in t.columns:
                lines.append(f"| `{c.name}` | {_holds(c)} | {'yes' if c.required else 'no'} | {c.doc} |")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


def _holds(f: Field) -> str:
    if f.choices:
        joined = " / ".join(f.choices)
        return f"{joined}{' or other' if f.open_choices else ''}"
    return f.kind.value


def _f(name: str, kind: Kind, doc: str, **kw) -> Field:
    return Field(name, kind, doc, **kw)


TENDER = WorkbookContract(
    kind="tender",
    title="Tender evaluation workbook",
    sheets=("Setup", "Criteria", "Bidders", "Scores", "Consensus", "Report"),
    names=tuple(
        NamedCell("Setup", f)
        for f in (
            _f("TenderRef", Kind.TEXT, "Reference of the tender."),
            _f("TenderTitle", Kind.TEXT, "Title of the tender."),
            _f("ContractValue", Kind.MONEY, "Estimated whole-life contract value, including VAT."),
            _f("ContractType", Kind.CHOICE, "Kind of contract.", choices=CONTRACT_TYPES),
            _f("ProcurementRoute", Kind.CHOICE, "How the contract is procured.", choices=ROUTES),
            _f("PriceWeight", Kind.PERCENT, "Price share of the total score (percent; with QualityWeight sums to 100)."),
            _f("QualityWeight", Kind.PERCENT, "Quality share of the total score (percent)."),
            _f("ScoreScaleMax", Kind.NUMBER, "Top of the marking scale, e.g. 5 or 10."),
            _f("ConsensusRule", Kind.CHOICE, "Moderated: a consensus mark is required. Mean: the evaluators' mean is used "
               "where no consensus mark exists.", choices=CONSENSUS_RULES),
            _f("PriceMethod", Kind.CHOICE, "How price is scored; blank means Lowest price.", required=False,
               choices=PRICE_METHODS),
            _f("PreTenderEstimate", Kind.MONEY, "The buyer's estimate of the price before tenders were opened (£); "
               "a bid more than the policy's percent below it is flagged as possibly abnormally low.", required=False),
            _f("ProcurementStart", Kind.DATE, "Date the procurement commenced; decides which thresholds apply.",
               required=False),
        )
    ),
    tables=(
        TableSpec("Criteria", "Criteria", (
            _f("ID", Kind.TEXT, "Unique criterion ID, e.g. Q1 or SV1."),
            _f("Criterion", Kind.TEXT, "What is assessed."),
            _f("Weight", Kind.PERCENT, "Share of the quality score (percent); the weights sum to 100."),
            _f("SocialValue", Kind.YESNO, "Yes for a social value criterion.", choices=YES_NO),
            _f("Priority", Kind.CHOICE, "For social value criteria: the national priority served, or a local priority.",
               required=False, choices=NATIONAL_PRIORITIES, open_choices=True),
            _f("MinScore", Kind.NUMBER, "Minimum acceptable mark; a bid below it is excluded. Blank = none.", required=False),
        ), "the quality criteria and their weights."),
        TableSpec("Bidders", "Bidders", (
            _f("Bidder", Kind.TEXT, "Bidder's name, unique."),
            _f("Price", Kind.MONEY, "Tendered price evaluated (£, greater than 0)."),
            _f("SME", Kind.YESNO, "Small or medium-sized enterprise.", choices=YES_NO),
            _f("VCSE", Kind.YESNO, "Voluntary, community or social enterprise.", choices=YES_NO),
        ), "one row per bid."),
        TableSpec("Scores", "Scores", (
            _f("Bidder", Kind.TEXT, "A bidder from the Bidders table."),
            _f("CriterionID", Kind.TEXT, "An ID from the Criteria table."),
            _f("Evaluator", Kind.TEXT, "Evaluator's name."),
            _f("Score", Kind.NUMBER, "Mark from 0 to ScoreScaleMax."),
            _f("Comment", Kind.TEXT, "Why this mark (needed for supplier debriefs).", required=False),
        ), "one row per evaluator's mark."),
        TableSpec("Consensus", "Consensus", (
            _f("Bidder", Kind.TEXT, "A bidder from the Bidders table."),
            _f("CriterionID", Kind.TEXT, "An ID from the Criteria table."),
            _f("Score", Kind.NUMBER, "Moderated mark from 0 to ScoreScaleMax."),
            _f("Rationale", Kind.TEXT, "Why the panel agreed this mark (needed for debriefs).", required=False),
        ), "the moderated consensus marks."),
        TableSpec("AbnormallyLow", "Bidders", (
            _f("Bidder", Kind.TEXT, "A bidder from the Bidders table whose price may be abnormally low."),
            _f("FlaggedOn", Kind.DATE, "When the price was flagged.", required=False),
            _f("RequestSent", Kind.DATE, "When the supplier was asked to show it can perform for that price "
               "(Procurement Act 2023 s.19(4)).", required=False),
            _f("SupplierAnswer", Kind.TEXT, "The supplier's explanation, or 'No answer by <date>'.", required=False),
            _f("Decision", Kind.CHOICE, "Retained, or Disregarded (only once the request and answer are recorded).",
               required=False, choices=AL_DECISIONS),
        ), "the abnormally low tender log: flag, request for explanation, answer, decision.", required=False),
        TableSpec("Evaluators", "Setup", (
            _f("Evaluator", Kind.TEXT, "Name of an evaluator on the panel."),
        ), "the panel; feeds the Evaluator dropdown and flags unknown names.", required=False),
        TableSpec("Declarations", "Setup", (
            _f("Evaluator", Kind.TEXT, "An evaluator on the panel."),
            _f("DeclaredOn", Kind.DATE, "When the evaluator declared, before scoring (Procurement Act 2023 s.81)."),
            _f("Conflict", Kind.YESNO, "Yes if the evaluator has or may have a conflict of interest.", choices=YES_NO),
            _f("Details", Kind.TEXT, "What the conflict is (blank when Conflict is No).", required=False),
            _f("Mitigation", Kind.TEXT, "The steps taken to mitigate it (s.82); required when Conflict is Yes.",
               required=False),
        ), "one conflict-of-interest declaration per evaluator, made before they score; every evaluator with marks "
           "needs one.", required=False),
        TableSpec("Ranking", "Report", (
            _f("Rank", Kind.NUMBER, "1 = best; tied bids share a rank; blank when not ranked."),
            _f("Bidder", Kind.TEXT, "Bidder's name."),
            _f("Price", Kind.MONEY, "Tendered price."),
            _f("PriceScore", Kind.NUMBER, "Price points under PriceMethod; blank under Price per quality point."),
            _f("QualityScore", Kind.NUMBER, "Quality points, social value included."),
            _f("SocialValueScore", Kind.NUMBER, "The part of QualityScore from social value criteria."),
            _f("TotalScore", Kind.NUMBER, "PriceScore + QualityScore; under Price per quality point, "
               "100 × the lowest £ per quality point ÷ this bid's."),
            _f("Status", Kind.TEXT, "Ranked, Tie, Excluded (with the criterion) or Incomplete (with the reason)."),
        ), "the result, written by `sv-workbook score`.", output=True),
        TableSpec("ScoredInputs", "Scored inputs", (
            _f("Key", Kind.TEXT, "Stable identity of one input, e.g. score|Bob Khan|Alpha Ltd|Q2."),
            _f("Item", Kind.TEXT, "The input in words."),
            _f("Place", Kind.TEXT, "Where it was when scored, e.g. Scores row 14."),
            _f("Value", Kind.TEXT, "Its canonical value when scored (numbers unrounded)."),
        ), "the record `sv-workbook verify` compares with: every input that decides the result, and the unrounded "
           "totals; the defined name `ResultFingerprint` holds their SHA-256.", output=True, required=False),
    ),
)


KPI_REGISTER = WorkbookContract(
    kind="kpi-register",
    title="Social value KPI register",
    sheets=("Contract", "KPIs", "Actuals", "KPI Report"),
    names=tuple(
        NamedCell("Contract", f)
        for f in (
            _f("ContractRef", Kind.TEXT, "Contract reference, unique across the trust."),
            _f("ContractTitle", Kind.TEXT, "Title of the contract."),
            _f("Supplier", Kind.TEXT, "Supplier's name."),
            _f("SupplierIsSME", Kind.YESNO, "Supplier is a small or medium-sized enterprise.", choices=YES_NO),
            _f("SupplierIsVCSE", Kind.YESNO, "Supplier is a voluntary, community or social enterprise.", choices=YES_NO),
            _f("ContractValue", Kind.MONEY, "Whole-life contract value (£)."),
            _f("StartDate", Kind.DATE, "Contract start date."),
            _f("EndDate", Kind.DATE, "Contract end date."),
            _f("BudgetHolder", Kind.TEXT, "Budget holder responsible for the KPIs."),
            _f("ReportingFrequency", Kind.CHOICE, "How often delivery is recorded.", choices=REPORTING_FREQUENCIES),
        )
    ),
    tables=(
        TableSpec("KPIs", "KPIs", (
            _f("KPI_ID", Kind.TEXT, "Unique KPI ID, e.g. K1."),
            _f("Priority", Kind.CHOICE, "National priority served, or a local priority.",
               choices=NATIONAL_PRIORITIES, open_choices=True),
            _f("MeasureCode", Kind.TEXT, "Code from the measure library (`sv-workbook measures`)."),
            _f("Description", Kind.TEXT, "What the supplier committed to deliver.", required=False),
            _f("Unit", Kind.TEXT, "Unit of the measure (must match the library)."),
            _f("Baseline", Kind.NUMBER, "Starting level, for context.", required=False),
            _f("Target", Kind.NUMBER, "Whole-contract commitment (greater than 0)."),
            _f("Owner", Kind.TEXT, "Who reports this KPI.", required=False),
        ), "the social value commitments of the contract."),
        TableSpec("Actuals", "Actuals", (
            _f("KPI_ID", Kind.TEXT, "A KPI from the KPIs table."),
            _f("PeriodEnd", Kind.DATE, "Last day of the reporting period."),
            _f("Actual", Kind.NUMBER, "Quantity delivered in that period (0 or more)."),
            _f("Evidence", Kind.TEXT, "Reference or link to the evidence.", required=False),
            _f("Comment", Kind.TEXT, "Anything the reader should know.", required=False),
        ), "one row per KPI per reporting period."),
        TableSpec("KPIStatus", "KPI Report", (
            _f("KPI_ID", Kind.TEXT, "KPI ID."),
            _f("Priority", Kind.TEXT, "Priority served."),
            _f("Target", Kind.NUMBER, "Whole-contract commitment."),
            _f("ExpectedToDate", Kind.NUMBER, "Target pro rata to the latest reported period."),
            _f("DeliveredToDate", Kind.NUMBER, "Sum of actuals."),
            _f("PercentOfExpected", Kind.PERCENT, "DeliveredToDate / ExpectedToDate."),
            _f("Rating", Kind.TEXT, "Good / Approaching target / Requires improvement / Inadequate."),
            _f("SocialValueGBP", Kind.MONEY, "£ social value from the proxy set in force; blank without a proxy."),
        ), "the KPI status, written by `sv-workbook score`.", output=True),
    ),
)

CONTRACTS: dict[str, WorkbookContract] = {c.kind: c for c in (TENDER, KPI_REGISTER)}
