"""The finding catalogue: every code a user can see, declared once with what it means and how to fix it.

A code is a promise to the people who read findings: scripts and dashboards key on it, and an
evaluator who meets ``WEIGHTS-SUM`` can look it up in ``docs/findings.md`` (generated from this
module; a test keeps it in step). So codes are declared here and nowhere else: a finding is made by
calling its code, ``WEIGHTS_SUM("Weights add up to 90, not 100.", sheet="Criteria", cell="C2:C5")``,
and no code is written as a string literal in any other module (a test checks that too).

Each entry gives the default severity; a caller may give another where the rule says so (a policy
setting that lowers an error to a warning, say), and the catalogue's ``severities`` lists every
severity the code can take, so the documentation says it.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from sv_workbook.core.findings import Finding, Severity, new_finding

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@dataclass(frozen=True)
class Code:
    """One finding code: its default severity, a short title, what it means and the usual fix."""

    code: str
    severity: Severity
    title: str
    meaning: str
    fix: str
    area: str
    #: Every severity the code can be given (the default first).
    severities: tuple[Severity, ...] = ()

    def __call__(self, message: str, hint: str | None = None, sheet: str = "", cell: str = "",
                 severity: Severity | None = None) -> Finding:
        """A finding of this code. ``hint`` defaults to the catalogue's fix; ``severity`` to its default."""
        chosen = severity or self.severity
        if chosen not in (self.severities or (self.severity,)):
            raise ValueError(f"{self.code} is never a {chosen.value}; the catalogue allows {self.severities}")
        return new_finding(chosen, self.code, message, self.fix if hint is None else hint, sheet, cell)


#: Every code, in the order the documentation lists them.
CATALOGUE: dict[str, Code] = {}


def _code(code: str, severity: Severity, title: str, meaning: str, fix: str, area: str,
          also: tuple[Severity, ...] = ()) -> Code:
    if code in CATALOGUE:
        raise ValueError(f"finding code {code} is declared twice")
    entry = Code(code, severity, title, meaning, fix, area, (severity, *also))
    CATALOGUE[code] = entry
    return entry


def by_area() -> dict[str, list[Code]]:
    """The entries grouped by area, areas in the order first declared (a later section may add to one)."""
    areas: dict[str, list[Code]] = {}
    for entry in CATALOGUE.values():
        areas.setdefault(entry.area, []).append(entry)
    return areas


def describe(entry: Code) -> str:
    """One entry as plain text, for ``sv-workbook codes CODE``: what a user reads on meeting the code."""
    also = [s.value for s in entry.severities[1:]]
    severity = entry.severity.value + (f" (can also be {' or '.join(also)})" if also else "")
    return (f"{entry.code}: {entry.title}\nSeverity: {severity}\nArea: {entry.area}\n\n"
            f"{textwrap.fill(entry.meaning, 88)}\n\n{textwrap.fill('Fix: ' + entry.fix, 88)}\n")


def catalogue_markdown() -> str:
    """``docs/findings.md``: every code by area, with an index (generated, so docs and code agree)."""
    areas = by_area()
    lines = ["# Finding codes", "",
             "<!-- Generated from sv_workbook/core/catalogue.py by scripts/update-findings-doc.py: do not edit. -->",
             "",
             "Every finding the tool reports carries one of these codes, a severity, the workbook, sheet and cell, "
             "a message naming the rule and a fix for that case. The message and fix in the finding itself are "
             "the precise ones; this page says what each code means in general. `sv-workbook codes CODE` prints "
             "one entry.", "",
             "Severities: **error** blocks a clean result (the report is marked provisional, `validate` exits "
             "1); **warning** should be looked at; **info** is a notice (text output shows notices with "
             "`--verbose`).", ""]
    for area, entries in areas.items():
        lines += [f"- [{area}](#{_anchor(area)}): " + ", ".join(f"[`{e.code}`](#{_anchor(e.code)})"
                                                               for e in entries)]
    lines.append("")
    for area, entries in areas.items():
        lines += [f"## {area}", ""]
        for e in entries:
            also = "; can also be " + " or ".join(s.value for s in e.severities[1:]) if e.severities[1:] else ""
            lines += [f"### {e.code}", "", f"**{e.title}** ({e.severity.value}{also})", "", e.meaning, "",
                      f"Fix: {e.fix}", ""]
    return "\n".join(lines).rstrip() + "\n"


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, spaces to hyphens, punctuation dropped."""
    return "".join(ch for ch in heading.lower().replace(" ", "-") if ch.isalnum() or ch in "-_")


# Areas, in the order the documentation lists them.
FILES = "Files and packages"
READING = "Contract and reading"
POLICY = "Policy"
TENDER = "Tender settings"
SCORES = "Scores and moderation"
AWARD = "Award stage"
KPI = "KPI registers"
CSV = "Measures and proxies"
PORTFOLIO = "Portfolio"
WRITING = "Writing"

# --- Files and packages ----------------------------------------------------------------------

FILE_UNREADABLE = _code(
    "FILE-UNREADABLE", ERROR, "The file cannot be read",
    "The file never reached the checks: it is missing, empty, too big for the policy's limits, damaged, "
    "password-protected, not an .xlsx/.xlsm workbook (.xls, .xlsb, .ods, a Word file...), or built in a way "
    "no safe reader should open (a zip bomb, hostile XML). The message gives the reason.",
    "Follow the finding's own fix; usually open the file in Excel and save it again as an .xlsx workbook "
    "(File › Save As › Excel Workbook), without a password.", FILES)
CHECK_FAILED = _code(
    "CHECK-FAILED", ERROR, "The check stopped on this workbook",
    "Batch validation hit an unexpected failure on this one file (or the process checking it died, for "
    "example for lack of memory); the other files were still checked.",
    "Open and re-save the workbook in Excel and try again; if it persists, send the file and the message to "
    "the sv-workbook maintainers.", FILES)
OPEN_IN_EXCEL = _code(
    "OPEN-IN-EXCEL", INFO, "The workbook is open in Excel",
    "Excel's owner file (~$name) sits beside the workbook, so someone has it open: changes not yet saved "
    "were not checked.",
    "Save the workbook in Excel, then run the check again.", FILES)
HAS_MACROS = _code(
    "HAS-MACROS", INFO, "The workbook carries VBA macros",
    "The file holds VBA macros. sv-workbook never runs them. In an .xlsm file that is normal (a notice); in "
    "a file named otherwise it is a warning, because Excel may refuse the file and the sender should say why.",
    "No action for an .xlsm; otherwise ask the sender, then save it as .xlsx (macros removed) or name it .xlsm.",
    FILES, also=(WARNING,))
EMBEDDED_OBJECTS = _code(
    "EMBEDDED-OBJECTS", INFO, "Embedded objects or ActiveX controls",
    "The workbook contains embedded objects or ActiveX controls; sv-workbook never opens or runs them.",
    "No action needed.", FILES)
EXTERNAL_LINKS = _code(
    "EXTERNAL-LINKS", INFO, "Links to other workbooks",
    "The workbook links to other workbooks. sv-workbook never follows or refreshes those links: it uses the "
    "values last stored in this file.",
    "If those values matter, open the file in Excel and update the links first (Data › Edit Links).", FILES)
HUGE_RANGE = _code(
    "HUGE-RANGE", INFO, "A sheet or table declares a huge range",
    "A sheet's used range or an Excel Table's range is declared far beyond the policy's row and column "
    "limits; only the cells really present (or the rows holding data) were read.",
    "Usually none; for a table, resize it to its data (Table Design › Resize Table).", FILES)

# --- Contract and reading --------------------------------------------------------------------

UNKNOWN_KIND = _code(
    "UNKNOWN-KIND", ERROR, "Not a tender workbook or KPI register",
    "The workbook has none of the tables or defined names of any workbook contract, so the tool cannot tell "
    "what it is and checks nothing else.",
    "Start from a template made by `sv-workbook new tender` or `sv-workbook new kpi-register` and copy the "
    "data into it.", READING)
MISSING_SHEET = _code(
    "MISSING-SHEET", ERROR, "A contract sheet is missing",
    "The workbook has no sheet with a name its contract requires (see `sv-workbook contract`).",
    "Add the sheet, or rename the sheet that holds its content, as in the template.", READING)
BAD_NAME = _code(
    "BAD-NAME", ERROR, "A defined name does not point at one cell",
    "A defined name the contract uses exists, but it points at a range, another workbook, a deleted cell "
    "(#REF!), a sheet that does not exist or something that is not a cell reference, so no single value can "
    "be read from it.",
    "In Formulas › Name Manager, point the name at the single input cell on its sheet.", READING)
MISSING_NAME = _code(
    "MISSING-NAME", ERROR, "A required defined name is missing",
    "A single-cell input the contract requires (such as ContractValue) has no defined name, so the tool cannot "
    "find it.",
    "Select the input cell and type the name in the Name Box (left of the formula bar).", READING)
RENAMED_TABLE = _code(
    "RENAMED-TABLE", ERROR, "An Excel Table looks renamed",
    "A table the contract requires is missing, but another table has all its required columns: it was "
    "probably renamed. It is not read under the wrong name.",
    "Click in the table and type the contract's name under Table Design › Table Name.", READING)
MISSING_TABLE = _code(
    "MISSING-TABLE", ERROR, "A required Excel Table is missing",
    "The workbook has no Excel Table (ListObject) with a name the contract requires; data typed on a sheet "
    "without a Table is not read.",
    "Select the data with its header row, choose Insert › Table, and name it under Table Design › Table Name.",
    READING)
DUPLICATE_HEADER = _code(
    "DUPLICATE-HEADER", ERROR, "A table has the same header twice",
    "Two columns of a contract table have the same header (ignoring case and spaces); only the first is read.",
    "Rename or delete one of the two columns.", READING)
MISSING_COLUMN = _code(
    "MISSING-COLUMN", ERROR, "A table lacks a contract column",
    "A contract table has no column with one of the contract's headers. For a required column this is an "
    "error and the table is not read; for an optional column (such as Evidence) it is a warning and the table "
    "is read without it.",
    "Rename the header to the contract's name (the message suggests the closest), or add the column.",
    READING, also=(WARNING,))
HIDDEN_SHEET = _code(
    "HIDDEN-SHEET", INFO, "A sheet is hidden",
    "A sheet is hidden (a notice) or very hidden, which Excel's Unhide list does not show (a warning: readers "
    "of the record cannot see what it holds).",
    "Unhide it (right-click a sheet tab › Unhide); for a very hidden sheet set its Visible property in the VBA "
    "editor (Alt+F11), or ask the sender why it is hidden.", READING, also=(WARNING,))
MERGED_INPUT = _code(
    "MERGED-INPUT", ERROR, "Merged cells hide input cells",
    "A merged range covers contract input cells; a merge keeps only its top-left value, so the other inputs "
    "read as blank.",
    "Select the range, choose Home › Merge & Center › Unmerge Cells, and re-enter the values.", READING)
FORMULA_NOT_CALCULATED = _code(
    "FORMULA-NOT-CALCULATED", ERROR, "An input formula has no calculated value",
    "An input cell holds a formula but the file stores no result for it (often because the program that "
    "saved it does not calculate), so there is no value to read.",
    "Type the value itself, or open and save the workbook in Excel so the formula is calculated.", READING)
BLANK = _code(
    "BLANK", ERROR, "A required cell is blank",
    "A cell the contract requires (a named input, or a required column of a row that has other data) is empty.",
    "Enter the value the message asks for.", READING)
NOT_A_NUMBER = _code(
    "NOT-A-NUMBER", ERROR, "Not a number",
    "A cell that must hold a number holds text (units, words, a stray character) or an error value.",
    "Type a plain number; put notes in the comment column.", READING)
OUT_OF_RANGE = _code(
    "OUT-OF-RANGE", ERROR, "A number outside its allowed range",
    "A number is below or above what the contract allows for that cell (a negative value, say); it is not used.",
    "Enter a number in the range the message gives.", READING)
NOT_YES_NO = _code(
    "NOT-YES-NO", ERROR, "Not Yes or No",
    "A Yes/No cell holds something else.", "Choose Yes or No from the dropdown.", READING)
UNKNOWN_CHOICE = _code(
    "UNKNOWN-CHOICE", ERROR, "Not one of the allowed choices",
    "A choice cell (contract type, route, frequency...) holds a value that is not in its list; it is not used.",
    "Choose a value from the dropdown (the message suggests the closest).", READING)
NOT_A_DATE = _code(
    "NOT-A-DATE", ERROR, "Not a date",
    "A date cell holds text or a number that is not a date (Excel shows a real date right-aligned).",
    "Enter a date such as 31/03/2026.", READING)

# --- Policy ----------------------------------------------------------------------------------

POLICY_APPLIED = _code(
    "POLICY-APPLIED", INFO, "Which policy the rules came from",
    "Names the Social Value Strategy version (and its review date) whose rules were applied, so a report "
    "can be traced to the policy in force.",
    "No action needed.", POLICY)
POLICY_REVIEW_OVERDUE = _code(
    "POLICY-REVIEW-OVERDUE", INFO, "The policy is past its review date",
    "Said once per run (and on every report's policy line): the Strategy version encoded in the policy has passed "
    "its next review date, so its rules may no longer "
    "be the trust's current policy.",
    "Ask the Procurement & Risk Manager for the current Strategy and update the policy file (--policy FILE.toml).",
    POLICY)

# --- Tender settings -------------------------------------------------------------------------

PRICE_METHOD = _code(
    "PRICE-METHOD", INFO, "The price method used",
    "States the price scoring method from PriceMethod on the Setup sheet and the formula it applies.",
    "Choose the method before tenders are opened and publish it (Methodology sheet).", TENDER)
PRICE_QUALITY_SUM = _code(
    "PRICE-QUALITY-SUM", ERROR, "Price and quality weights do not add up to 100",
    "PriceWeight plus QualityWeight on the Setup sheet is not 100.",
    "Make the price and quality weights add up to 100.", TENDER)
WEIGHTS_SUM = _code(
    "WEIGHTS-SUM", ERROR, "Criteria weights do not add up to 100",
    "The Weight column of the Criteria table does not add up to 100; the weights are shares of the quality "
    "score.",
    "Adjust the weights so they add up to 100.", TENDER)
NEGATIVE_WEIGHT = _code(
    "NEGATIVE-WEIGHT", ERROR, "A criterion has a negative weight",
    "A criterion's weight is below 0.", "Enter a weight of 0 or more.", TENDER)
MIN_SCORE_RANGE = _code(
    "MIN-SCORE-RANGE", ERROR, "A minimum score outside the scale",
    "A criterion's MinScore is below 0 or above ScoreScaleMax.",
    "Enter a minimum within the scale, or leave it blank.", TENDER)
SV_NO_PRIORITY = _code(
    "SV-NO-PRIORITY", WARNING, "A social value criterion names no priority",
    "A criterion marked SocialValue = Yes does not say which national or local priority it serves.",
    "Choose the priority it serves (Strategy 3.2-3.3).", TENDER)
NO_CRITERIA = _code(
    "NO-CRITERIA", ERROR, "No criteria",
    "The Criteria table has no criteria, so no bid can be scored.",
    "Add the quality criteria with their weights.", TENDER)
DUPLICATE_CRITERION = _code(
    "DUPLICATE-CRITERION", ERROR, "A criterion ID is used twice",
    "Two criteria have the same ID (ignoring case and spaces); only the first is used.",
    "Give each criterion its own ID.", TENDER)
NO_BIDDERS = _code(
    "NO-BIDDERS", ERROR, "No bidders",
    "The Bidders table has no bidders.", "Add one row per bid.", TENDER)
DUPLICATE_BIDDER = _code(
    "DUPLICATE-BIDDER", ERROR, "A bidder appears twice",
    "Two rows of the Bidders table name the same bidder (ignoring case and spaces); only the first is used.",
    "Keep one row per bidder (merge or rename the duplicates).", TENDER)
NO_PRICE = _code(
    "NO-PRICE", ERROR, "A bidder has no valid price",
    "A bidder's price is blank, 0 or less, so the bid cannot be ranked.",
    "Enter the evaluated tender price in £, greater than 0.", TENDER)
SV_FRAMEWORK = _code(
    "SV-FRAMEWORK", INFO, "A framework call-off: the framework's social value criteria govern",
    "For a framework call-off the framework agreement's own social value criteria apply (Strategy 4.1 and "
    "4.5.1), so the trust's minimum social value weighting is not checked.",
    "Check the framework's social value requirements are reflected in the call-off.", TENDER)
SV_WEIGHT_BELOW_MIN = _code(
    "SV-WEIGHT-BELOW-MIN", ERROR, "Social value weighted below the minimum",
    "The tender is over the policy's value threshold (£50,000 by default) and its social value criteria carry "
    "less than the minimum share of the quality score (10% by default, Strategy 4.2). Portfolio reports count "
    "it as below the minimum.",
    "Raise the weights of the social value criteria (SocialValue = Yes) to at least the minimum.", TENDER)
SV_ABSENT = _code(
    "SV-ABSENT", WARNING, "No social value criterion",
    "No social value criterion carries weight. Below the threshold the minimum does not bind, but the Strategy "
    "(4.1) expects social value in procurements of any size.",
    "Add a proportionate social value criterion (SocialValue = Yes) with a weight.", TENDER)
ROUTE_NO_START = _code(
    "ROUTE-NO-START", INFO, "No procurement start date",
    "ProcurementStart is blank, so the thresholds in force today were used.",
    "Enter the date the procurement commenced: the thresholds in force on that date apply.", TENDER)
ROUTE_NO_TABLE = _code(
    "ROUTE-NO-TABLE", WARNING, "No threshold table for the start date",
    "The procurement started before the earliest threshold table the tool holds, so no regime is stated.",
    "Check the thresholds by hand, or add the table in force then to sv_workbook/core/thresholds.py.", TENDER)
ROUTE_PCR_2015 = _code(
    "ROUTE-PCR-2015", INFO, "Started under the Public Contracts Regulations 2015",
    "The procurement commenced before the Procurement Act 2023 came into force (24 February 2025), so it "
    "stays under the PCR 2015; the thresholds quoted are those of that date.",
    "No action if the start date is right.", TENDER)
ROUTE_NO_TYPE = _code(
    "ROUTE-NO-TYPE", WARNING, "No threshold for the contract type",
    "The ContractType has no threshold in the table in force, so no regime is stated.",
    "Choose Goods, Services, Works or Light-touch services.", TENDER)
ROUTE_ABOVE_THRESHOLD = _code(
    "ROUTE-ABOVE-THRESHOLD", INFO, "Above threshold",
    "The contract value (including VAT) is at or above the threshold for its type: the Procurement Act 2023 "
    "applies in full (tender notice, assessment summaries, contract award notice, standstill).",
    "Use a competitive tendering procedure or a framework; a direct award needs a s.41 justification.", TENDER)
ROUTE_QUOTATION_ABOVE_THRESHOLD = _code(
    "ROUTE-QUOTATION-ABOVE-THRESHOLD", WARNING, "A quotation above threshold",
    "The route is Quotation but the contract is above threshold, where a quotation is not a lawful procedure.",
    "Use an open or competitive flexible procedure, or call off from a framework.", TENDER)
ROUTE_NOTIFIABLE_BELOW_THRESHOLD = _code(
    "ROUTE-NOTIFIABLE-BELOW-THRESHOLD", INFO, "A notifiable below-threshold contract",
    "The value is below threshold but at or above the notifiable amount: Part 6 of the Procurement Act 2023 "
    "applies (notices; no separate suitability stage).",
    "No action if the value is right.", TENDER)
ROUTE_BELOW_NOTIFIABLE = _code(
    "ROUTE-BELOW-NOTIFIABLE", INFO, "Below the notifiable amount",
    "The value is below the notifiable amount: not a notifiable contract under the Procurement Act 2023; the "
    "trust's own standing orders govern.",
    "No action if the value is right.", TENDER)

# --- Scores and moderation -------------------------------------------------------------------

UNKNOWN_BIDDER = _code(
    "UNKNOWN-BIDDER", ERROR, "A bidder not in the Bidders table",
    "A Scores, Consensus or AbnormallyLow row names a bidder the Bidders table does not have (ignoring case "
    "and spaces); the row is not used.",
    "Use a bidder from the Bidders table (pick from the dropdown); the message suggests the closest.", SCORES)
UNKNOWN_CRITERION = _code(
    "UNKNOWN-CRITERION", ERROR, "A criterion not in the Criteria table",
    "A Scores or Consensus row names a criterion ID the Criteria table does not have; the row is not used.",
    "Use a criterion from the Criteria table (pick from the dropdown); the message suggests the closest.", SCORES)
UNKNOWN_EVALUATOR = _code(
    "UNKNOWN-EVALUATOR", WARNING, "An evaluator not on the panel",
    "A score is given by someone who is not in the Evaluators table on the Setup sheet; the score is still "
    "used.",
    "Pick the evaluator from the dropdown, or add them to the panel on the Setup sheet.", SCORES)
SCORE_OUT_OF_RANGE = _code(
    "SCORE-OUT-OF-RANGE", ERROR, "A mark outside the scale",
    "An evaluator's score or a consensus mark is below 0 or above ScoreScaleMax; it is not used.",
    "Enter a mark within the scale.", SCORES)
DUPLICATE_SCORE = _code(
    "DUPLICATE-SCORE", ERROR, "An evaluator scored the same thing twice",
    "The same evaluator has more than one row for a bidder and criterion; only the first is used.",
    "Delete the extra row, keeping the evaluator's final mark.", SCORES)
MISSING_COMMENT = _code(
    "MISSING-COMMENT", WARNING, "A score has no comment",
    "An evaluator's score has no comment saying why it was given; supplier debriefs quote these.",
    "Write why the mark was given.", SCORES)
DUPLICATE_CONSENSUS = _code(
    "DUPLICATE-CONSENSUS", ERROR, "Two consensus marks for one bid and criterion",
    "The Consensus table has more than one row for a bidder and criterion; only the first is used.",
    "Keep one consensus row per bidder and criterion.", SCORES)
MISSING_RATIONALE = _code(
    "MISSING-RATIONALE", WARNING, "A consensus mark has no rationale",
    "A consensus mark has no rationale; the assessment summary must explain each score.",
    "Write the panel's reason for the agreed mark.", SCORES)
SPREAD_MODERATION_REQUIRED = _code(
    "SPREAD-MODERATION-REQUIRED", WARNING, "Evaluators disagree widely: moderate",
    "The evaluators' scores for a bid on a criterion range over more than the policy's moderation share of "
    "the scale (50% by default).",
    "Hold a moderation meeting and record the agreed mark in the Consensus table.", SCORES)
SPREAD_WIDE = _code(
    "SPREAD-WIDE", WARNING, "Evaluators' scores are spread",
    "The evaluators' scores for a bid on a criterion range over at least the policy's warning share of the "
    "scale (20% by default).",
    "Discuss at moderation and record the reason for the agreed mark.", SCORES)
CONSENSUS_CHANGED = _code(
    "CONSENSUS-CHANGED", INFO, "The consensus mark differs from the evaluators' mean",
    "The moderated mark is not the mean of the evaluators' scores; that is allowed, but the change should be "
    "explained.",
    "Make sure the rationale explains the change.", SCORES)
UNMODERATED_MEAN = _code(
    "UNMODERATED-MEAN", WARNING, "The evaluators' mean is used unmoderated",
    "ConsensusRule is Mean and a bid has no consensus mark on a criterion, so the mean of the evaluators' "
    "scores is used as its mark.",
    "Record a moderated mark in the Consensus table.", SCORES)
NO_MARK = _code(
    "NO-MARK", ERROR, "No mark at all",
    "ConsensusRule is Mean and a bid has neither a consensus mark nor any evaluator score on a criterion, so "
    "it cannot be ranked.",
    "Score the bid on this criterion.", SCORES)
MISSING_CONSENSUS = _code(
    "MISSING-CONSENSUS", ERROR, "A moderated mark is missing",
    "ConsensusRule is Moderated and a bid has no consensus mark on a criterion, so it cannot be ranked.",
    "Add the moderated mark to the Consensus table (or set ConsensusRule to Mean to use the evaluators' mean).",
    SCORES)
EXCLUDED_BELOW_MIN = _code(
    "EXCLUDED-BELOW-MIN", INFO, "A bid is excluded below a minimum score",
    "A bid's mark on a criterion is below that criterion's MinScore, so it is excluded: not ranked, and its "
    "price does not set the lowest price.",
    "No action if the marks are right.", SCORES)

# --- Award stage -----------------------------------------------------------------------------

ABNORMALLY_LOW = _code(
    "ABNORMALLY-LOW", WARNING, "A price may be abnormally low",
    "A qualifying bid's price is more than the policy's percentage (20% by default) below the median of "
    "qualifying bids or below the pre-tender estimate, and the AbnormallyLow log has no row for it "
    "(Procurement Act 2023 s.19).",
    "Notify the supplier and ask it to show it can perform for that price; record the flag, request, answer "
    "and decision in the AbnormallyLow table on the Bidders sheet.", AWARD)
AL_DISREGARD_WITHOUT_NOTICE = _code(
    "AL-DISREGARD-WITHOUT-NOTICE", ERROR, "Disregarded without notice or answer",
    "The AbnormallyLow log marks a bid Disregarded but records no request sent or no supplier answer; s.19(4) "
    "requires both, so the bid stays in the ranking.",
    "Record the request and the answer (or 'No answer by <date>') first.", AWARD)
AL_DISREGARDED = _code(
    "AL-DISREGARDED", INFO, "An abnormally low bid is disregarded",
    "The log records the request, the answer and a decision to disregard the bid, so it is excluded from the "
    "ranking.",
    "Give the reasons in its assessment summary.", AWARD)
AL_RETAINED = _code(
    "AL-RETAINED", INFO, "An abnormally low bid is retained",
    "The log records a decision to retain the bid, so it is scored as usual.", "No action needed.", AWARD)
AL_PENDING = _code(
    "AL-PENDING", WARNING, "An abnormally low case awaits a decision",
    "The AbnormallyLow log has a row for the bid but no decision yet, so it is ranked as usual for now.",
    "Take the next step the message names (request, answer), then set Decision to Retained or Disregarded.",
    AWARD)
DUPLICATE_AL_LOG = _code(
    "DUPLICATE-AL-LOG", ERROR, "Two AbnormallyLow rows for one bidder",
    "The AbnormallyLow log has more than one row for a bidder; only the first is used.",
    "Keep one row per bidder, updated as the case moves on.", AWARD)
SUMMARY_NO_CONSENSUS = _code(
    "SUMMARY-NO-CONSENSUS", ERROR, "Summaries: a mark has no consensus",
    "Assessment summaries are not written while a bid has no consensus mark on a criterion: the summary would "
    "have no agreed reason for that score.",
    "Record the panel's mark and rationale in the Consensus table.", AWARD)
SUMMARY_NO_RATIONALE = _code(
    "SUMMARY-NO-RATIONALE", ERROR, "Summaries: a consensus mark has no rationale",
    "Assessment summaries are not written while a consensus mark has no rationale.",
    "Write why the panel agreed the mark, by reference to the tender.", AWARD)
SUMMARY_AL_OPEN = _code(
    "SUMMARY-AL-OPEN", ERROR, "Summaries: an abnormally low case is open",
    "Assessment summaries are not written while a flagged price has no valid decision: the result may change.",
    "Finish the s.19 process in the AbnormallyLow table (request, answer, decision).", AWARD)
SUMMARY_NO_WINNER = _code(
    "SUMMARY-NO-WINNER", ERROR, "Summaries: no tender is ranked",
    "No bid is ranked, so there is no most advantageous tender for the summaries to compare with.",
    "Fix the errors that stop the bids being ranked.", AWARD)
SUMMARY_TIE = _code(
    "SUMMARY-TIE", ERROR, "Summaries: first place is tied",
    "Two or more bids share first place (totals within the policy's tie tolerance).",
    "Apply the published tie-break and record the outcome before writing summaries.", AWARD)

# --- KPI registers ---------------------------------------------------------------------------

CONTRACT_DATES_REVERSED = _code(
    "CONTRACT-DATES-REVERSED", ERROR, "The contract ends before it starts",
    "EndDate on the Contract sheet is not after StartDate, so no reporting period can be worked out.",
    "Check both dates (day/month order, year).", KPI)
KPI_ID_BLANK = _code(
    "KPI-ID-BLANK", ERROR, "A row has no KPI_ID",
    "A row of the KPIs or Actuals table has data but no KPI_ID, so it cannot be matched; it is not used.",
    "Enter the KPI's ID (e.g. K1), or delete the row if it is not used.", KPI)
KPI_ID_DUPLICATE = _code(
    "KPI-ID-DUPLICATE", ERROR, "A KPI_ID is used twice",
    "Two KPIs have the same ID (ignoring case and spaces); only the first is used.",
    "Give every KPI its own ID, e.g. K1, K2.", KPI)
KPI_TARGET_NOT_POSITIVE = _code(
    "KPI-TARGET-NOT-POSITIVE", ERROR, "A KPI target is not above 0",
    "A KPI's target, the supplier's whole-contract commitment, is 0 or less.",
    "Enter the quantity the supplier committed to deliver over the whole contract.", KPI)
KPI_UNKNOWN_MEASURE = _code(
    "KPI-UNKNOWN-MEASURE", ERROR, "A measure code not in the library",
    "A KPI uses a measure code that is neither a default measure nor one from the trust's measures file.",
    "Choose a code from the dropdown (or `sv-workbook measures`), or add the measure to the trust's measures "
    "file.", KPI)
KPI_UNIT_MISMATCH = _code(
    "KPI-UNIT-MISMATCH", ERROR, "A KPI's unit differs from its measure's",
    "A KPI is recorded in a different unit from the one its measure is defined in.",
    "Change the unit to the measure's and make sure the target and actuals are in it.", KPI)
KPI_UNKNOWN_PRIORITY = _code(
    "KPI-UNKNOWN-PRIORITY", ERROR, "A priority not in the library",
    "A KPI names a priority that is neither a national priority nor a local priority in the measure library.",
    "Choose from the dropdown, or add the local priority to the trust's measures file.", KPI)
KPI_PRIORITY_MISMATCH = _code(
    "KPI-PRIORITY-MISMATCH", WARNING, "A KPI filed under another priority than its measure",
    "A KPI's priority differs from the priority its measure serves; reports total it under the KPI's priority.",
    "Check the priority.", KPI)
KPI_NONE = _code(
    "KPI-NONE", ERROR, "No KPIs",
    "The KPIs table has no KPIs.", "Enter the social value KPIs agreed with the supplier, one per row.", KPI)
KPI_COUNT_BELOW_S52 = _code(
    "KPI-COUNT-BELOW-S52", ERROR, "Too few KPIs for the contract value",
    "The contract is worth more than the policy's threshold (£5 million by default), so Procurement Act 2023 "
    "s.52 needs at least the policy's number of KPIs (3 by default); the register has fewer.",
    "Agree and record further KPIs with the supplier.", KPI)
ACTUAL_UNKNOWN_KPI = _code(
    "ACTUAL-UNKNOWN-KPI", ERROR, "An actual for a KPI not in the KPIs table",
    "An Actuals row names a KPI_ID the KPIs table does not have; it is not counted.",
    "Correct the KPI_ID, or add the KPI to the KPIs table.", KPI)
PERIOD_IN_FUTURE = _code(
    "PERIOD-IN-FUTURE", ERROR, "A period that has not ended",
    "An Actuals row's PeriodEnd is after the as-of date (today unless --as-of is given); it is not counted.",
    "Record a period only once it has ended (check the year).", KPI)
PERIOD_OUTSIDE_CONTRACT = _code(
    "PERIOD-OUTSIDE-CONTRACT", ERROR, "A period outside the contract",
    "An Actuals row's PeriodEnd is before the contract's StartDate or after its EndDate; it is not counted.",
    "Check the date against the contract's StartDate and EndDate.", KPI)
ACTUAL_DUPLICATE_PERIOD = _code(
    "ACTUAL-DUPLICATE-PERIOD", WARNING, "Two actuals in one period",
    "A KPI has more than one Actuals row in the same reporting period; all of them are added up.",
    "If a row repeats an earlier one, delete it so delivery is not counted twice.", KPI)
ACTUAL_NEGATIVE = _code(
    "ACTUAL-NEGATIVE", ERROR, "A negative actual",
    "An Actuals row reports less than 0; it is not counted.",
    "Enter the quantity delivered in the period (0 or more); correct an earlier over-report in that period's row.",
    KPI)
EVIDENCE_MISSING = _code(
    "EVIDENCE-MISSING", WARNING, "An actual has no evidence",
    "An Actuals row has no evidence reference; it is still counted.",
    "Add the reference or link to the evidence (timesheets, certificates, invoices).", KPI)
KPI_OVERDUE = _code(
    "KPI-OVERDUE", WARNING, "A KPI's report is overdue",
    "A reporting period (from the contract's start, end and ReportingFrequency) has ended, plus the policy's "
    "grace days, and the KPI has no Actuals row in it.",
    "Add an Actuals row for the period (enter 0 if nothing was delivered).", KPI)
KPI_NO_PROXY = _code(
    "KPI-NO-PROXY", INFO, "No £ proxy value for a KPI's measure",
    "A proxy set was given (--proxies) but has no value for this KPI's measure code, so the KPI is reported "
    "as a quantity only, with no £ social value.",
    "Add a row for the code to the proxy CSV if the trust has a value for it.", KPI)

# --- Measures and proxies --------------------------------------------------------------------

CSV_EMPTY = _code(
    "CSV-EMPTY", ERROR, "The CSV file is empty",
    "A measures or proxy CSV file has no header row; nothing is read from it.",
    "Put the header row first (the message lists its columns).", CSV)
CSV_UNREADABLE = _code(
    "CSV-UNREADABLE", ERROR, "The CSV file cannot be read",
    "A measures or proxy CSV file cannot be opened, is not UTF-8, or is not valid CSV.",
    "Check the path, and save it from Excel as 'CSV UTF-8 (Comma delimited)'.", CSV)
CSV_MISSING_COLUMN = _code(
    "CSV-MISSING-COLUMN", ERROR, "The CSV file lacks a required column",
    "The header row of a measures or proxy CSV file lacks a required column, so no row is read.",
    "Use the header row the message gives.", CSV)
MEASURE_ROW_INVALID = _code(
    "MEASURE-ROW-INVALID", ERROR, "A measures file row is unusable",
    "A row of the trust's measures file has a blank column, an unknown type, a financial value other than "
    "Yes/No, or a code already used; the row is not used and commands that need the library stop.",
    "Correct the row as the message says.", CSV)
MEASURE_REPLACED = _code(
    "MEASURE-REPLACED", INFO, "A trust measure replaces a default one",
    "The trust's measures file defines a code the default library also has; the trust's row is used.",
    "No action if that is intended.", CSV)
PROXY_ROW_INVALID = _code(
    "PROXY-ROW-INVALID", ERROR, "A proxy file row is unusable",
    "A row of the proxy CSV has a blank code or source, a £ value that is not a number of 0 or more, a year "
    "out of range, a deadweight or attribution that is not a percent, or a code already valued; the row is "
    "not used and the command stops.",
    "Correct the row as the message says.", CSV)
PROXY_UNKNOWN_CODE = _code(
    "PROXY-UNKNOWN-CODE", WARNING, "A proxy value for a code not in the library",
    "The proxy CSV values a code the measure library does not have, so no KPI can use that value.",
    "Use a code listed by `sv-workbook measures`.", CSV)

# --- Portfolio -------------------------------------------------------------------------------

PORTFOLIO_DUPLICATE_CONTRACT = _code(
    "PORTFOLIO-DUPLICATE-CONTRACT", WARNING, "One contract in several registers",
    "Several KPI registers give the same ContractRef; the portfolio report counts it once, from the most "
    "recently reported register (on a tie, the first by file name).",
    "Keep one register per contract, or correct the ContractRef if they are different contracts.", PORTFOLIO)

# --- Writing ---------------------------------------------------------------------------------

WRITE_LOST_CONTENT = _code(
    "WRITE-LOST-CONTENT", WARNING, "The scored copy lacks content of the original",
    "With --allow-loss, the scored copy was written although it lacks content openpyxl cannot keep (pictures, "
    "shapes, pivot tables...).",
    "Keep the original as the record; the scored copy is for the results only.", WRITING)

# --- Independent evaluation: declarations, evaluator returns, verifiable results (issue 16) ---------

DECLARATION_MISSING = _code(
    "DECLARATION-MISSING", ERROR, "Evaluator with marks has no declaration",
    "An evaluator has marks in the Scores table but no row in the Declarations table: the record cannot show "
    "that they declared any conflict of interest before scoring (Procurement Act 2023 ss.81-83).",
    "Add the evaluator's row to the Declarations table on the Setup sheet (DeclaredOn, Conflict, and Details and "
    "Mitigation where there is a conflict).", "Evaluation", also=(WARNING,))
DECLARATION_NO_MITIGATION = _code(
    "DECLARATION-NO-MITIGATION", ERROR, "Conflict declared without mitigation",
    "A declaration says Conflict = Yes but records no Mitigation: the steps taken to keep the evaluation fair "
    "(s.82) are not on record.",
    "Write the mitigation agreed (e.g. the evaluator stood down from that bid) in the Mitigation column.",
    "Evaluation", also=(WARNING,))
DECLARATION_DUPLICATE = _code(
    "DECLARATION-DUPLICATE", WARNING, "Two declarations for one evaluator",
    "The Declarations table has more than one row for an evaluator; only the first is used.",
    "Keep one declaration per evaluator (update it rather than adding another row).", "Evaluation")
DECLARATIONS_NOT_RECORDED = _code(
    "DECLARATIONS-NOT-RECORDED", INFO, "Workbook has no Declarations table",
    "The workbook was made before the Declarations table existed, so this tool cannot check the panel's "
    "conflict-of-interest declarations.",
    "Keep the declarations with the tender records, or copy the data into a workbook from "
    "`sv-workbook new tender`.", "Evaluation")
RETURN_NOT_A_RETURN = _code(
    "RETURN-NOT-A-RETURN", ERROR, "Not an evaluator workbook",
    "A file given to `merge` is not an evaluator workbook written by `sv-workbook split` (its ReturnTenderRef, "
    "ReturnEvaluator or ReturnFingerprint is missing), or it cannot be read.",
    "Give the evaluator workbooks that `sv-workbook split` wrote and the evaluators sent back.", "Evaluation")
RETURN_OTHER_TENDER = _code(
    "RETURN-OTHER-TENDER", ERROR, "Return from another tender",
    "The evaluator workbook was split from a tender with another TenderRef.",
    "Merge it into the tender it came from; for this tender, use the returns split from this workbook.",
    "Evaluation")
RETURN_STALE = _code(
    "RETURN-STALE", ERROR, "Return split before the criteria or bidders changed",
    "The evaluator workbook was split from this tender, but the criteria, weights, scale or bidders have changed "
    "since, so its marks may be for a different question or bid.",
    "Split the tender again and ask the evaluator to mark the new workbook (their earlier marks are carried "
    "over once merged).", "Evaluation")
RETURN_TAMPERED = _code(
    "RETURN-TAMPERED", ERROR, "Locked cells of a return were edited",
    "A locked cell of the evaluator workbook (a bidder, criterion or evaluator label, the row check, or the "
    "criteria shown) differs from what `split` wrote, or rows were added or deleted.",
    "Ask the evaluator to enter marks only in the Score and Comment columns of a fresh copy from "
    "`sv-workbook split`.", "Evaluation")
RETURN_NOT_ON_PANEL = _code(
    "RETURN-NOT-ON-PANEL", ERROR, "Return from an evaluator not on the panel",
    "The evaluator named in the return is not in the tender's Evaluators table.",
    "Add them to the panel on the Setup sheet (if they were appointed) and split again, or set the return "
    "aside.", "Evaluation")
RETURN_CONFLICTING = _code(
    "RETURN-CONFLICTING", ERROR, "Two returns for one evaluator disagree",
    "Two evaluator workbooks for the same evaluator hold different marks, comments or declarations, so it is "
    "not clear which is final.",
    "Ask the evaluator which return is final and merge only that one.", "Evaluation")
VERIFY_NO_RECORD = _code(
    "VERIFY-NO-RECORD", ERROR, "No record of the scored inputs",
    "The workbook has no ResultFingerprint or Scored inputs sheet, so there is nothing to verify against: it was "
    "never scored by `sv-workbook score`, or the record was removed.",
    "Verify the scored copy that `sv-workbook score` wrote.", "Evaluation")
VERIFY_RECORD_EDITED = _code(
    "VERIFY-RECORD-EDITED", ERROR, "The record of scored inputs was edited",
    "The Scored inputs sheet no longer hashes to the ResultFingerprint written with it: the record itself was "
    "changed after scoring.",
    "Use the scored copy as it was issued (a backup or the copy sent to the panel).", "Evaluation")
VERIFY_CHANGED = _code(
    "VERIFY-CHANGED", ERROR, "An input or result changed since scoring",
    "A value that decides the result differs from what was scored, or a total recomputed now differs from the "
    "total recorded.",
    "Find out who changed it and why; score again if the change is legitimate, keeping the earlier copy as the "
    "record.", "Evaluation")
VERIFY_OTHER_VERSION = _code(
    "VERIFY-OTHER-VERSION", INFO, "Verified with another version of the tool",
    "The workbook was scored by another version of sv-workbook; the inputs and totals were compared "
    "value by value.", "No action when everything else matches.", "Evaluation")
# --- Reading workbooks as Excel saves them (issue 13) -------------------------------------------

NAME_SCOPE_CONFLICT = _code(
    "NAME-SCOPE-CONFLICT", WARNING, "A name is defined twice, for the sheet and for the workbook",
    "A contract name (such as TenderRef) exists both scoped to its sheet and for the whole workbook, and the "
    "two point at different cells. As Excel does on that sheet, the sheet's own name is read.",
    "In Formulas › Name Manager, delete the definition that is wrong (the Scope column tells them apart).",
    "Reading workbooks")
NUMBER_AS_TEXT = _code(
    "NUMBER-AS-TEXT", WARNING, "A number stored as text was read",
    "The cell holds text such as '£120,000.00', '1 250' or '15%' where a number is expected (Excel shows a "
    "green triangle). It is read as the number it plainly means, and the finding says which number; text "
    "that could mean two numbers ('1,2', '12.000,5') is an error instead (NOT-A-NUMBER).",
    "Retype the number, or select the cell and choose the warning sign › Convert to Number.",
    "Reading workbooks")
DATE_AS_TEXT = _code(
    "DATE-AS-TEXT", WARNING, "A date stored as text was read",
    "The cell holds text such as '31/03/2026', '31-03-2026', '31 Mar 2026' or '2026-03-31' where a date is "
    "expected. It is read day first, as UK dates are written (never month first), and the finding says which "
    "date; other text is an error (NOT-A-DATE).",
    "Retype the date so Excel recognises it (it is then right-aligned), or format the cell as a date.",
    "Reading workbooks")

# --- Durable writes (issue 14) ---------------------------------------------------------------
STALE_TEMP_REMOVED = _code(
    "STALE-TEMP-REMOVED", INFO, "Leftover temporary files removed",
    "An earlier run stopped (killed, or the machine lost power) before it could rename its finished "
    "temporary file over the workbook; that hidden .sv-workbook-unfinished-… file, more than a day old, "
    "was removed from the folder before this save. Nothing of yours was in it that is not in the "
    "workbook or its backup.",
    "No action needed. If runs keep being interrupted, check the folder's disk space and connection.",
    "files")
