"""The workbook contracts: sheet names, defined names, Excel Tables and headers.

These are public API: macros, other tools and batch validation rely on them. Each is
declared once, here, as data; the template generators, the readers, the validators and
the README's contract section (``sv-workbook contract``) are all driven from it, so they
cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FieldType(StrEnum):
    """What a cell holds (text, a number, money, a date...); drives parsing, data validation and the docs."""

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
    type: FieldType
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
    return f.type.value


def _f(name: str, type_: FieldType, doc: str, **kw) -> Field:
    return Field(name, type_, doc, **kw)


TENDER = WorkbookContract(
    kind="tender",
    title="Tender evaluation workbook",
    sheets=("Setup", "Criteria", "Bidders", "Scores", "Consensus", "Report"),
    names=tuple(
        NamedCell("Setup", f)
        for f in (
            _f("TenderRef", FieldType.TEXT, "Reference of the tender."),
            _f("TenderTitle", FieldType.TEXT, "Title of the tender."),
            _f("ContractValue", FieldType.MONEY, "Estimated whole-life contract value, including VAT."),
            _f("ContractType", FieldType.CHOICE, "Kind of contract.", choices=CONTRACT_TYPES),
            _f("ProcurementRoute", FieldType.CHOICE, "How the contract is procured.", choices=ROUTES),
            _f("PriceWeight", FieldType.PERCENT, "Price share of the total score (percent; with QualityWeight sums to 100)."),
            _f("QualityWeight", FieldType.PERCENT, "Quality share of the total score (percent)."),
            _f("ScoreScaleMax", FieldType.NUMBER, "Top of the marking scale, e.g. 5 or 10."),
            _f("ConsensusRule", FieldType.CHOICE, "Moderated: a consensus mark is required. Mean: the evaluators' mean is used "
               "where no consensus mark exists.", choices=CONSENSUS_RULES),
            _f("PriceMethod", FieldType.CHOICE, "How price is scored; blank means Lowest price.", required=False,
               choices=PRICE_METHODS),
            _f("PreTenderEstimate", FieldType.MONEY, "The buyer's estimate of the price before tenders were opened (£); "
               "a bid more than the policy's percent below it is flagged as possibly abnormally low.", required=False),
            _f("ProcurementStart", FieldType.DATE, "Date the procurement commenced; decides which thresholds apply.",
               required=False),
        )
    ),
    tables=(
        TableSpec("Criteria", "Criteria", (
            _f("ID", FieldType.TEXT, "Unique criterion ID, e.g. Q1 or SV1."),
            _f("Criterion", FieldType.TEXT, "What is assessed."),
            _f("Weight", FieldType.PERCENT, "Share of the quality score (percent); the weights sum to 100."),
            _f("SocialValue", FieldType.YESNO, "Yes for a social value criterion.", choices=YES_NO),
            _f("Priority", FieldType.CHOICE, "For social value criteria: the national priority served, or a local priority.",
               required=False, choices=NATIONAL_PRIORITIES, open_choices=True),
            _f("MinScore", FieldType.NUMBER, "Minimum acceptable mark; a bid below it is excluded. Blank = none.", required=False),
        ), "the quality criteria and their weights."),
        TableSpec("Bidders", "Bidders", (
            _f("Bidder", FieldType.TEXT, "Bidder's name, unique."),
            _f("Price", FieldType.MONEY, "Tendered price evaluated (£, greater than 0)."),
            _f("SME", FieldType.YESNO, "Small or medium-sized enterprise.", choices=YES_NO),
            _f("VCSE", FieldType.YESNO, "Voluntary, community or social enterprise.", choices=YES_NO),
        ), "one row per bid."),
        TableSpec("Scores", "Scores", (
            _f("Bidder", FieldType.TEXT, "A bidder from the Bidders table."),
            _f("CriterionID", FieldType.TEXT, "An ID from the Criteria table."),
            _f("Evaluator", FieldType.TEXT, "Evaluator's name."),
            _f("Score", FieldType.NUMBER, "Mark from 0 to ScoreScaleMax."),
            _f("Comment", FieldType.TEXT, "Why this mark (needed for supplier debriefs).", required=False),
        ), "one row per evaluator's mark."),
        TableSpec("Consensus", "Consensus", (
            _f("Bidder", FieldType.TEXT, "A bidder from the Bidders table."),
            _f("CriterionID", FieldType.TEXT, "An ID from the Criteria table."),
            _f("Score", FieldType.NUMBER, "Moderated mark from 0 to ScoreScaleMax."),
            _f("Rationale", FieldType.TEXT, "Why the panel agreed this mark (needed for debriefs).", required=False),
        ), "the moderated consensus marks."),
        TableSpec("AbnormallyLow", "Bidders", (
            _f("Bidder", FieldType.TEXT, "A bidder from the Bidders table whose price may be abnormally low."),
            _f("FlaggedOn", FieldType.DATE, "When the price was flagged.", required=False),
            _f("RequestSent", FieldType.DATE, "When the supplier was asked to show it can perform for that price "
               "(Procurement Act 2023 s.19(4)).", required=False),
            _f("SupplierAnswer", FieldType.TEXT, "The supplier's explanation, or 'No answer by <date>'.", required=False),
            _f("Decision", FieldType.CHOICE, "Retained, or Disregarded (only once the request and answer are recorded).",
               required=False, choices=AL_DECISIONS),
        ), "the abnormally low tender log: flag, request for explanation, answer, decision.", required=False),
        TableSpec("Evaluators", "Setup", (
            _f("Evaluator", FieldType.TEXT, "Name of an evaluator on the panel."),
        ), "the panel; feeds the Evaluator dropdown and flags unknown names.", required=False),
        TableSpec("Declarations", "Setup", (
            _f("Evaluator", FieldType.TEXT, "An evaluator on the panel."),
            _f("DeclaredOn", FieldType.DATE, "When the evaluator declared, before scoring (Procurement Act 2023 s.81)."),
            _f("Conflict", FieldType.YESNO, "Yes if the evaluator has or may have a conflict of interest.", choices=YES_NO),
            _f("Details", FieldType.TEXT, "What the conflict is (blank when Conflict is No).", required=False),
            _f("Mitigation", FieldType.TEXT, "The steps taken to mitigate it (s.82); required when Conflict is Yes.",
               required=False),
        ), "one conflict-of-interest declaration per evaluator, made before they score; every evaluator with marks "
           "needs one.", required=False),
        TableSpec("Ranking", "Report", (
            _f("Rank", FieldType.NUMBER, "1 = best; tied bids share a rank; blank when not ranked."),
            _f("Bidder", FieldType.TEXT, "Bidder's name."),
            _f("Price", FieldType.MONEY, "Tendered price."),
            _f("PriceScore", FieldType.NUMBER, "Price points under PriceMethod; blank under Price per quality point."),
            _f("QualityScore", FieldType.NUMBER, "Quality points, social value included."),
            _f("SocialValueScore", FieldType.NUMBER, "The part of QualityScore from social value criteria."),
            _f("TotalScore", FieldType.NUMBER, "PriceScore + QualityScore; under Price per quality point, "
               "100 × the lowest £ per quality point ÷ this bid's."),
            _f("Status", FieldType.TEXT, "Ranked, Tie, Excluded (with the criterion) or Incomplete (with the reason)."),
        ), "the result, written by `sv-workbook score`.", output=True),
        TableSpec("ScoredInputs", "Scored inputs", (
            _f("Key", FieldType.TEXT, "Stable identity of one input, e.g. score|Bob Khan|Alpha Ltd|Q2."),
            _f("Item", FieldType.TEXT, "The input in words."),
            _f("Place", FieldType.TEXT, "Where it was when scored, e.g. Scores row 14."),
            _f("Value", FieldType.TEXT, "Its canonical value when scored (numbers unrounded)."),
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
            _f("ContractRef", FieldType.TEXT, "Contract reference, unique across the trust."),
            _f("ContractTitle", FieldType.TEXT, "Title of the contract."),
            _f("Supplier", FieldType.TEXT, "Supplier's name."),
            _f("SupplierIsSME", FieldType.YESNO, "Supplier is a small or medium-sized enterprise.", choices=YES_NO),
            _f("SupplierIsVCSE", FieldType.YESNO, "Supplier is a voluntary, community or social enterprise.", choices=YES_NO),
            _f("ContractValue", FieldType.MONEY, "Whole-life contract value (£)."),
            _f("StartDate", FieldType.DATE, "Contract start date."),
            _f("EndDate", FieldType.DATE, "Contract end date."),
            _f("BudgetHolder", FieldType.TEXT, "Budget holder responsible for the KPIs."),
            _f("ReportingFrequency", FieldType.CHOICE, "How often delivery is recorded.", choices=REPORTING_FREQUENCIES),
        )
    ),
    tables=(
        TableSpec("KPIs", "KPIs", (
            _f("KPI_ID", FieldType.TEXT, "Unique KPI ID, e.g. K1."),
            _f("Priority", FieldType.CHOICE, "National priority served, or a local priority.",
               choices=NATIONAL_PRIORITIES, open_choices=True),
            _f("MeasureCode", FieldType.TEXT, "Code from the measure library (`sv-workbook measures`)."),
            _f("Description", FieldType.TEXT, "What the supplier committed to deliver.", required=False),
            _f("Unit", FieldType.TEXT, "Unit of the measure (must match the library)."),
            _f("Baseline", FieldType.NUMBER, "Starting level, for context.", required=False),
            _f("Target", FieldType.NUMBER, "Whole-contract commitment (greater than 0)."),
            _f("Owner", FieldType.TEXT, "Who reports this KPI.", required=False),
        ), "the social value commitments of the contract."),
        TableSpec("Actuals", "Actuals", (
            _f("KPI_ID", FieldType.TEXT, "A KPI from the KPIs table."),
            _f("PeriodEnd", FieldType.DATE, "Last day of the reporting period."),
            _f("Actual", FieldType.NUMBER, "Quantity delivered in that period (0 or more)."),
            _f("Evidence", FieldType.TEXT, "Reference or link to the evidence.", required=False),
            _f("Comment", FieldType.TEXT, "Anything the reader should know.", required=False),
        ), "one row per KPI per reporting period."),
        TableSpec("KPIStatus", "KPI Report", (
            _f("KPI_ID", FieldType.TEXT, "KPI ID."),
            _f("Priority", FieldType.TEXT, "Priority served."),
            _f("Target", FieldType.NUMBER, "Whole-contract commitment."),
            _f("ExpectedToDate", FieldType.NUMBER, "Target pro rata to the latest reported period."),
            _f("DeliveredToDate", FieldType.NUMBER, "Sum of actuals."),
            _f("PercentOfExpected", FieldType.PERCENT, "DeliveredToDate / ExpectedToDate."),
            _f("Rating", FieldType.TEXT, "Good / Approaching target / Requires improvement / Inadequate."),
            _f("SocialValueGBP", FieldType.MONEY, "£ social value from the proxy set in force; blank without a proxy."),
        ), "the KPI status, written by `sv-workbook score`.", output=True),
    ),
)

CONTRACTS: dict[str, WorkbookContract] = {c.kind: c for c in (TENDER, KPI_REGISTER)}
