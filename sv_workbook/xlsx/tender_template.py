"""Generate the tender evaluation template (``sv-workbook new tender``).

Everything the contract names comes from ``contracts.TENDER``; the policy numbers baked
into the live checks come from the ``Policy``. The live formulas on the ``Scoring`` sheet
implement the same rules as ``scoring.py`` with functions Excel 2016 and LibreOffice 7.4
both know (INDEX, COUNTIFS, SUMIFS, AVERAGEIFS, SUMPRODUCT, VLOOKUP), so the workbook is
useful where Python is not installed; the parity test proves the two agree.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from sv_workbook.core.contracts import (AL_DECISIONS, CONSENSUS_RULES, CONTRACT_TYPES, NATIONAL_PRIORITIES, PRICE_METHODS, ROUTES, TENDER,
                        YES_NO)
from sv_workbook.core.arithmetic import excel_limit, excel_round
from sv_workbook.core.tender.descriptors import DESCRIPTORS
from sv_workbook.core.policy import DEFAULT_POLICY, Policy
from sv_workbook.xlsx.print_layout import DataRows, fit_columns, setup_print
from sv_workbook.xlsx.write_helpers import (BOLD, TITLE_FONT, WRAP, add_table, date_validation, define_name, fix_properties,
                          header_row, list_validation, mark_input, number_validation, protect, put_formula, put_text,
                          set_widths, settings_sheet, write_instructions, write_template)

MAX_CRITERIA = 30
MAX_BIDDERS = 50
SCORE_ROWS = 600
CONSENSUS_ROWS = 400
EVALUATOR_ROWS = 10
AL_ROWS = 10
#: Scoring sheet layout: per-criterion rows above, one row per bidder below.
SC_ID_ROW, SC_WEIGHT_ROW, SC_SV_ROW, SC_MIN_ROW, SC_HEAD_ROW = 4, 5, 6, 7, 8
SC_FIRST_BIDDER_ROW = 9
SC_FIRST_MARK_COL = 13  # column M
#: Scoring columns written as array formulas (SUM(IF(...)) over a row of marks; see ``_scoring``).
ARRAY_COLUMNS = ("D",)
SCORING_COLUMNS = ("Bidder", "Price", "Marks complete", "Excluded", "Qualifying price", "Quality score",
                   "Social value score", "Price score", "Total score", "Rank", "Status", "Price per quality point")
PQP = '"Price per quality point"'
METHODOLOGY_CRITERIA_COLUMNS = ("ID", "Criterion", "Weight (% of quality)", "Weight (% of total)", "Social value",
                                "Minimum score", "Failing it disqualifies")
DEVIATION = '"Deviation from lowest"'

SETUP_ROWS = {  # defined name -> (row on Setup, label)
    "TenderRef": (3, "Tender reference"),
    "TenderTitle": (4, "Tender title"),
    "ContractValue": (5, "Contract value (£, whole life incl. VAT)"),
    "ContractType": (6, "Contract type"),
    "ProcurementRoute": (7, "Procurement route"),
    "PriceWeight": (8, "Price weight (% of total)"),
    "QualityWeight": (9, "Quality weight (% of total)"),
    "ScoreScaleMax": (10, "Top of the marking scale"),
    "ConsensusRule": (11, "Consensus rule"),
}
#: Optional award-stage settings, below the live checks so the rows above keep their places.
AWARD_SETUP_ROWS = {
    "PriceMethod": (21, "Price method"),
    "PreTenderEstimate": (22, "Pre-tender estimate (£)"),
    "ProcurementStart": (23, "Procurement start date"),
}


def build_tender_template(policy: Policy = DEFAULT_POLICY) -> Workbook:
    """The blank tender evaluation workbook, ready for evaluators."""
    wb = Workbook()
    wb.remove(wb.active)
    instructions = wb.create_sheet("Instructions")
    _setup(wb, policy)
    _criteria(wb)
    _bidders(wb)
    _scores(wb)
    _consensus(wb)
    _scoring(wb, policy)
    _report(wb, policy)
    _methodology(wb, policy)
    _lists(wb)
    _instructions(instructions, policy)
    for ws in wb.worksheets:
        fit_columns(ws, grow_only=True)
    print_layout(wb)
    fix_properties(wb)
    return wb


#: The document named in every page header.
DOCUMENT = "Tender evaluation"
TEMPLATE_SHEETS = ("Instructions", "Setup", "Criteria", "Bidders", "Scores", "Consensus", "Scoring", "Report",
                   "Methodology", "Lists")


def print_layout(wb: Workbook, ref: str | None = None, bidders: int = 0, criteria: int = 0) -> None:
    """Print set-up of every sheet the template makes (see ``print_layout``).

    ``new`` sets it on the blank template; ``score`` again on the scored copy, with the
    tender's reference and its numbers of bidders and criteria, so each print area covers
    the rows then in use. A sheet laid out otherwise (a workbook built by hand to the
    contract) prints its used range; a sheet the template does not make keeps its author's
    page set-up, if it has one.
    """
    def table_at_a1(sheet: str) -> bool:
        return sheet in wb[sheet].tables and wb[sheet].tables[sheet].ref.startswith("A1:")

    data = {
        "Criteria": DataRows(1, tuple("ABCDEF"), "H", min_rows=10),
        "Bidders": DataRows(1, ("A", "B", "F", "G", "H", "I", "J"), "J", min_rows=10),
        "Scores": DataRows(1, tuple("ABCDE"), get_column_letter(len(TENDER.table("Scores").headers) + 1)),
        "Consensus": DataRows(1, tuple("ABCD"), get_column_letter(len(TENDER.table("Consensus").headers) + 3)),
    }
    for ws in wb.worksheets:
        name = ws.title
        if name in data and table_at_a1(name):
            setup_print(ws, DOCUMENT, ref, title_rows=(1, 1), area=data[name].area(ws))
        elif name == "Scoring" and ws.cell(row=SC_HEAD_ROW, column=1).value == SCORING_COLUMNS[0]:
            last_col = SC_FIRST_MARK_COL - 1 + min(criteria, MAX_CRITERIA) if criteria else len(SCORING_COLUMNS)
            last_row = SC_HEAD_ROW + max(min(bidders, MAX_BIDDERS), 10)
            setup_print(ws, DOCUMENT, ref, title_rows=(SC_ID_ROW, SC_HEAD_ROW), orientation="landscape",
                        area=f"A1:{get_column_letter(last_col)}{last_row}")
        elif name in TEMPLATE_SHEETS or ws.page_setup.paperSize is None:
            setup_print(ws, DOCUMENT, ref)


def write_tender_template(path: str | Path, policy: Policy = DEFAULT_POLICY, replace: bool = False) -> Path | None:
    """Write the template to ``path`` (refused if it exists, unless ``replace``); returns the backup made."""
    return write_template(build_tender_template, path, policy, kind="tender", replace=replace)


def _col(table: str, column: str) -> str:
    """Column letter of a contract column in its template table (tables start at A1)."""
    return get_column_letter(TENDER.table(table).headers.index(column) + 1)


def _setup(wb: Workbook, policy: Policy) -> None:
    ws = settings_sheet(wb, TENDER, "Setup", "Tender set-up", SETUP_ROWS,
                        {"ContractValue": '"£"#,##0.00', "PriceWeight": "0.0##", "QualityWeight": "0.0##"})
    r = SETUP_ROWS
    list_validation(ws, f"B{r['ContractType'][0]}", CONTRACT_TYPES, "Choose Services, Goods, Works or Light-touch services.")
    list_validation(ws, f"B{r['ProcurementRoute'][0]}", ROUTES, "Choose the procurement route.")
    list_validation(ws, f"B{r['ConsensusRule'][0]}", CONSENSUS_RULES,
                    "Moderated: every mark needs a consensus mark. Mean: evaluators' mean is used where none.")
    number_validation(ws, f"B{r['ContractValue'][0]}", "0", None, "Contract value in £ (0 or more).")
    number_validation(ws, f"B{r['PriceWeight'][0]}:B{r['QualityWeight'][0]}", "0", "100",
                      "Percent of the total score, 0 to 100; price + quality = 100.")
    number_validation(ws, f"B{r['ScoreScaleMax'][0]}", "1", "100", "Top mark of the scale, e.g. 5 or 10.", whole=True)

    ws["A13"] = "Live checks"
    ws["A13"].font = BOLD
    minimum = policy.sv_min_percent_of_quality
    threshold = policy.sv_threshold_gbp
    exempt = ",".join(f'ProcurementRoute="{x}"' for x in policy.sv_exempt_routes) or "FALSE"
    # every verdict compares ROUND(value,9), as the core decides thresholds (core/arithmetic.py)
    checks = [
        ("Price + quality weights", "=PriceWeight+QualityWeight",
         f'=IF({excel_round("B14")}=100,"OK","Price and quality weights must add up to 100")'),
        ("Criteria weights total", "=SUM(Criteria[Weight])",
         f'=IF({excel_round("B15")}=100,"OK","Criteria weights must add up to 100")'),
        ("Social value share of quality (%)", '=SUMIFS(Criteria[Weight],Criteria[SocialValue],"Yes")',
         f'=IF(OR({exempt}),"Framework call-off: the framework\'s own criteria govern",'
         f'IF({excel_round("N(ContractValue)")}>{excel_limit(threshold)},'
         f'IF({excel_round("B16")}>={excel_limit(minimum)},"OK",'
         f'"Below the {minimum:g}% minimum for tenders over £{threshold:,.0f} ({policy.strategy_name} 4.2)"),'
         f'IF({excel_round("B16")}>0,"OK","Social value is expected in every procurement ({policy.strategy_name} 4.1)")))'),
    ]
    for i, (label, value, verdict) in enumerate(checks):
        row = 14 + i
        ws.cell(row=row, column=1, value=label)
        put_formula(ws, f"B{row}", value, "0.0##")
        put_formula(ws, f"C{row}", verdict)
    ws["A18"] = "Policy applied"
    put_text(ws, "B18", policy.policy_label())  # from a TOML file: text, never a formula
    _award_setup(wb, ws)

    ws["E2"] = "Evaluation panel"
    ws["E2"].font = BOLD
    add_table(ws, "Evaluators", 5, 3, list(TENDER.table("Evaluators").headers), EVALUATOR_ROWS)
    for row in range(4, 4 + EVALUATOR_ROWS):
        mark_input(ws, f"E{row}")
    _declarations(ws)
    set_widths(ws, {"A": 36, "B": 26, "C": 70, "D": 3, "E": 28, "F": 3, "G": 28, "H": 13, "I": 10, "J": 40,
                    "K": 40})
    protect(ws)


def _declarations(ws: Worksheet) -> None:
    """Conflict-of-interest declarations beside the panel: one row per evaluator, made before scoring."""
    ws["G2"] = "Conflict-of-interest declarations (each evaluator, before scoring)"
    ws["G2"].font = BOLD
    add_table(ws, "Declarations", 7, 3, list(TENDER.table("Declarations").headers), EVALUATOR_ROWS)
    last = 3 + EVALUATOR_ROWS
    for row in range(4, last + 1):
        for col in "GHIJK":
            mark_input(ws, f"{col}{row}", "dd/mm/yyyy" if col == "H" else None)
    list_validation(ws, f"G4:G{last}", f"=$E$4:$E${last}", "An evaluator from the panel.", strict=False)
    date_validation(ws, f"H4:H{last}", "The date the evaluator declared (before scoring).")
    list_validation(ws, f"I4:I{last}", YES_NO, "Yes if the evaluator has or may have a conflict of interest.")


def _award_setup(wb: Workbook, ws) -> None:
    """PriceMethod, PreTenderEstimate and ProcurementStart: optional in the contract, offered here."""
    ws["A20"] = "Award stage"
    ws["A20"].font = BOLD
    formats = {"PreTenderEstimate": '"£"#,##0.00', "ProcurementStart": "dd/mm/yyyy"}
    for name, (row, label) in AWARD_SETUP_ROWS.items():
        ws.cell(row=row, column=1, value=label)
        ws.cell(row=row, column=3, value=TENDER.named(name).field.doc).alignment = WRAP
        mark_input(ws, f"B{row}", formats.get(name))
        define_name(wb, name, "Setup", f"B{row}")
    r = AWARD_SETUP_ROWS
    ws[f"B{r['PriceMethod'][0]}"] = PRICE_METHODS[0]
    list_validation(ws, f"B{r['PriceMethod'][0]}", PRICE_METHODS, "How price is scored (see the Methodology sheet).")
    number_validation(ws, f"B{r['PreTenderEstimate'][0]}", "0.01", None, "Pre-tender estimate in £ (optional).")
    date_validation(ws, f"B{r['ProcurementStart'][0]}", "Date the procurement commenced (decides the thresholds).")


def _criteria(wb: Workbook) -> None:
    ws = wb.create_sheet("Criteria")
    spec = TENDER.table("Criteria")
    last = MAX_CRITERIA + 1
    add_table(ws, "Criteria", 1, 1, list(spec.headers), MAX_CRITERIA)
    for row in range(2, last + 1):
        for col in range(1, len(spec.headers) + 1):
            mark_input(ws, f"{get_column_letter(col)}{row}")
    number_validation(ws, f"{_col('Criteria', 'Weight')}2:{_col('Criteria', 'Weight')}{last}", "0", "100",
                      "Share of the quality score in percent; all weights add up to 100.")
    list_validation(ws, f"{_col('Criteria', 'SocialValue')}2:{_col('Criteria', 'SocialValue')}{last}", YES_NO,
                    "Yes for a social value criterion.")
    list_validation(ws, f"{_col('Criteria', 'Priority')}2:{_col('Criteria', 'Priority')}{last}", NATIONAL_PRIORITIES,
                    "National priority served; you may type a local priority instead.", strict=False)
    number_validation(ws, f"{_col('Criteria', 'MinScore')}2:{_col('Criteria', 'MinScore')}{last}", "0",
                      "=ScoreScaleMax", "Minimum acceptable mark (0 to the top of the scale); blank for none.")
    ws["H1"] = "Weights total"
    ws["H1"].font = BOLD
    put_formula(ws, "H2", "=SUM(Criteria[Weight])", "0.0##")
    ws["H3"] = "Social value share"
    ws["H3"].font = BOLD
    put_formula(ws, "H4", '=SUMIFS(Criteria[Weight],Criteria[SocialValue],"Yes")', "0.0##")
    set_widths(ws, {"A": 10, "B": 60, "C": 10, "D": 13, "E": 22, "F": 11, "H": 20})
    protect(ws)


def _bidders(wb: Workbook) -> None:
    ws = wb.create_sheet("Bidders")
    spec = TENDER.table("Bidders")
    last = MAX_BIDDERS + 1
    add_table(ws, "Bidders", 1, 1, list(spec.headers), MAX_BIDDERS)
    for row in range(2, last + 1):
        for col in range(1, len(spec.headers) + 1):
            mark_input(ws, f"{get_column_letter(col)}{row}", '"£"#,##0.00' if col == 2 else None)
    number_validation(ws, f"B2:B{last}", "0.01", None, "Evaluated tender price in £, greater than 0.")
    list_validation(ws, f"C2:D{last}", YES_NO, "Yes or No.")
    _abnormally_low_log(ws)
    set_widths(ws, {"A": 40, "B": 18, "C": 8, "D": 8, "E": 3, "F": 34, "G": 12, "H": 12, "I": 50, "J": 14})
    protect(ws)


def _abnormally_low_log(ws) -> None:
    """The s.19 log beside the bids: flag, request for explanation, answer, decision."""
    spec = TENDER.table("AbnormallyLow")
    last = AL_ROWS + 1
    add_table(ws, "AbnormallyLow", 6, 1, list(spec.headers), AL_ROWS)
    for row in range(2, last + 1):
        for col in "FGHIJ":
            mark_input(ws, f"{col}{row}", "dd/mm/yyyy" if col in "GH" else None)
    list_validation(ws, f"F2:F{last}", f"=$A$2:$A${MAX_BIDDERS + 1}", "A bidder whose price may be abnormally low.")
    date_validation(ws, f"G2:H{last}", "A date.")
    list_validation(ws, f"J2:J{last}", AL_DECISIONS,
                    "Disregarded only after the supplier was asked to explain and its answer is recorded (s.19(4)).")


def _marks_sheet(wb: Workbook, table: str, rows: int, extra: list[tuple[str, str, str | None]]) -> None:
    """Scores and Consensus share a layout: the contract columns, then calculated ones."""
    ws = wb.create_sheet(table)
    spec = TENDER.table(table)
    headers = list(spec.headers) + [e[0] for e in extra]
    last = rows + 1
    add_table(ws, table, 1, 1, headers, rows)
    n = len(spec.headers)
    for row in range(2, last + 1):
        for col in range(1, n + 1):
            mark_input(ws, f"{get_column_letter(col)}{row}")
        for j, (_, formula, fmt) in enumerate(extra):
            put_formula(ws, f"{get_column_letter(n + 1 + j)}{row}", formula.format(r=row), fmt)
    list_validation(ws, f"{_col(table, 'Bidder')}2:{_col(table, 'Bidder')}{last}",
                    f"=Bidders!$A$2:$A${MAX_BIDDERS + 1}", "A bidder from the Bidders sheet.")
    list_validation(ws, f"{_col(table, 'CriterionID')}2:{_col(table, 'CriterionID')}{last}",
                    f"=Criteria!$A$2:$A${MAX_CRITERIA + 1}", "A criterion ID from the Criteria sheet.")
    score = _col(table, "Score")
    number_validation(ws, f"{score}2:{score}{last}", "0", "=ScoreScaleMax", "A mark from 0 to the top of the scale.")
    if table == "Scores":
        list_validation(ws, f"C2:C{last}", f"=Setup!$E$4:$E${3 + EVALUATOR_ROWS}",
                        "An evaluator from the panel on the Setup sheet.", strict=False)
    for col in range(1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 14
    text_col = "Comment" if table == "Scores" else "Rationale"
    ws.column_dimensions[_col(table, text_col)].width = 60
    ws.column_dimensions[_col(table, "Bidder")].width = 30
    ws.freeze_panes = "A2"
    protect(ws)


def _descriptor_formula(score_col: str) -> str:
    return (f'=IF(ISNUMBER({score_col}{{r}}),IFERROR(VLOOKUP({score_col}{{r}}/ScoreScaleMax,ScoreDescriptors,2,TRUE),'
            '""),"")')


def exact(ref: str) -> str:
    """A COUNTIFS/SUMIFS criterion that matches the text in ``ref`` exactly.

    A bare cell as criterion is read as an expression: a bidder called "=Zeta" or
    "Smith*" would match other names. Prefixing "=" and escaping the wildcards * ? ~
    makes the comparison literal (case-insensitive, as in Python's matching).
    """
    return f'"="&SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({ref},"~","~~"),"*","~*"),"?","~?")'


def _scores(wb: Workbook) -> None:
    _marks_sheet(wb, "Scores", SCORE_ROWS, [("Descriptor", _descriptor_formula(_col("Scores", "Score")), None)])


def _consensus(wb: Workbook) -> None:
    s = _col("Consensus", "Score")
    key = f'Scores[Bidder],{exact("A{r}")},Scores[CriterionID],{exact("B{r}")},Scores[Score],">=0"'
    mean = (f'=IF(AND(A{{r}}<>"",B{{r}}<>"",COUNTIFS({key})>0),AVERAGEIFS(Scores[Score],{key}),"")')
    change = f'=IF(AND(ISNUMBER({s}{{r}}),ISNUMBER(F{{r}})),{s}{{r}}-F{{r}},"")'
    _marks_sheet(wb, "Consensus", CONSENSUS_ROWS, [
        ("Descriptor", _descriptor_formula(s), None),
        ("EvaluatorMean", mean, "0.00"),
        ("Change", change, "+0.00;-0.00;0"),
    ])


def scoring_cells() -> dict[str, str]:
    """Where the Scoring sheet shows each result, for readers such as the parity test."""
    return {name: get_column_letter(i + 1) for i, name in enumerate(SCORING_COLUMNS)}


def _sheet_with_intro(wb: Workbook, sheet: str, title: str, intro: str, last_column: str) -> Worksheet:
    """A new sheet headed by its title and a wrapped introduction across columns A to ``last_column``."""
    ws = wb.create_sheet(sheet)
    ws["A1"] = title
    ws["A1"].font = TITLE_FONT
    ws["A2"] = intro
    ws["A2"].alignment = WRAP
    ws.merge_cells(f"A2:{last_column}2")
    ws.row_dimensions[2].height = 30
    return ws


def _scoring(wb: Workbook, policy: Policy) -> None:
    ws = _sheet_with_intro(wb, "Scoring", "Live scores (calculated as you type)",
                           "These formulas follow the README's scoring rules. The Report sheet, filled by "
                           "`sv-workbook score` or the Score button, is the record: it also checks every rule and "
                           "lists the findings.", "L")
    first, last_b = SC_FIRST_BIDDER_ROW, SC_FIRST_BIDDER_ROW + MAX_BIDDERS - 1
    mc0 = get_column_letter(SC_FIRST_MARK_COL)
    mc1 = get_column_letter(SC_FIRST_MARK_COL + MAX_CRITERIA - 1)
    for label, row in (("Criterion ID", SC_ID_ROW), ("Weight (% of quality)", SC_WEIGHT_ROW),
                       ("Social value", SC_SV_ROW), ("Minimum score", SC_MIN_ROW)):
        ws.cell(row=row, column=SC_FIRST_MARK_COL - 1, value=label).font = BOLD
    for j in range(1, MAX_CRITERIA + 1):
        c = get_column_letter(SC_FIRST_MARK_COL + j - 1)
        put_formula(ws, f"{c}{SC_ID_ROW}",
                    f'=IF(ROWS(Criteria[ID])>={j},IF(INDEX(Criteria[ID],{j})="","",INDEX(Criteria[ID],{j})),"")')
        put_formula(ws, f"{c}{SC_WEIGHT_ROW}",
                    f'=IF({c}${SC_ID_ROW}="",0,IF(ISNUMBER(INDEX(Criteria[Weight],{j})),INDEX(Criteria[Weight],{j}),0))')
        put_formula(ws, f"{c}{SC_SV_ROW}", f'=IF({c}${SC_ID_ROW}="","",INDEX(Criteria[SocialValue],{j})&"")')
        put_formula(ws, f"{c}{SC_MIN_ROW}",
                    f'=IF({c}${SC_ID_ROW}="","",IF(ISNUMBER(INDEX(Criteria[MinScore],{j})),INDEX(Criteria[MinScore],{j}),""))')
    header_row(ws, SC_HEAD_ROW, 1, list(SCORING_COLUMNS))
    ws.row_dimensions[SC_HEAD_ROW].height = 30
    tol = f"{policy.tie_tolerance!r}"
    ids = f"${mc0}${SC_ID_ROW}:${mc1}${SC_ID_ROW}"
    weights = f"${mc0}${SC_WEIGHT_ROW}:${mc1}${SC_WEIGHT_ROW}"
    svs = f"${mc0}${SC_SV_ROW}:${mc1}${SC_SV_ROW}"
    mins = f"${mc0}${SC_MIN_ROW}:${mc1}${SC_MIN_ROW}"
    totals = f"$I${first}:$I${last_b}"
    pqps = f"$L${first}:$L${last_b}"
    qual_prices = f"$E${first}:$E${last_b}"
    in_range = 'Consensus[Score],">=0",Consensus[Score],"<="&ScoreScaleMax'
    ev_range = 'Scores[Score],">=0",Scores[Score],"<="&ScoreScaleMax'
    for i in range(1, MAX_BIDDERS + 1):
        r = first + i - 1
        marks = f"{mc0}{r}:{mc1}{r}"
        cells = {
            "A": f'=IF(ROWS(Bidders[Bidder])>={i},IF(INDEX(Bidders[Bidder],{i})="","",INDEX(Bidders[Bidder],{i})&""),"")',
            "B": f'=IF($A{r}="","",IF(ISNUMBER(INDEX(Bidders[Price],{i})),INDEX(Bidders[Price],{i}),""))',
            "C": (f'=IF($A{r}="","",IF(AND(SUMPRODUCT(--({ids}<>""))>0,COUNT({marks})=SUMPRODUCT(--({ids}<>""))),'
                  '"Yes","No"))'),
            # Excluded: below a minimum score (both rounded to 9 places, as the core decides it), or
            # disregarded as abnormally low with request and answer logged. An array formula: IF skips the
            # blank marks and minimums that ROUND would turn into errors (SUMPRODUCT cannot, in Excel 2016).
            "D": (f'=IF($A{r}="","",IF(SUM(IF(ISNUMBER({marks}),IF(ISNUMBER({mins}),'
                  f'--({excel_round(marks)}<{excel_round(mins)}),0),0))'
                  f'+COUNTIFS(AbnormallyLow[Bidder],{exact(f"$A{r}")},AbnormallyLow[Decision],"Disregarded",'
                  f'AbnormallyLow[RequestSent],"<>",AbnormallyLow[SupplierAnswer],"<>")>0,"Yes","No"))'),
            "E": f'=IF(OR($A{r}="",$B{r}="",D{r}="Yes"),"",IF($B{r}>0,$B{r},""))',
            "F": f'=IF(OR($A{r}="",C{r}<>"Yes"),"",QualityWeight*SUMPRODUCT({weights}/100,{marks})/ScoreScaleMax)',
            "G": f'=IF(F{r}="","",QualityWeight*SUMPRODUCT({weights}/100,--({svs}="Yes"),{marks})/ScoreScaleMax)',
            # PriceMethod (blank = Lowest price): see scoring.price_score and scoring.value_index
            "H": (f'=IF(OR(E{r}="",COUNT({qual_prices})=0,PriceMethod={PQP}),"",IF(PriceMethod={DEVIATION},'
                  f'MAX(0,PriceWeight*(1-(E{r}-MIN({qual_prices}))/MIN({qual_prices}))),'
                  f'PriceWeight*MIN({qual_prices})/E{r}))'),
            "I": (f'=IF(PriceMethod={PQP},IF(OR(E{r}="",F{r}="",D{r}="Yes",COUNT({pqps})=0),"",'
                  f'IF(L{r}="",0,100*MIN({pqps})/L{r})),IF(OR(H{r}="",F{r}="",D{r}="Yes"),"",H{r}+F{r}))'),
            "J": f'=IF(I{r}="","",1+SUMPRODUCT(ISNUMBER({totals})*({totals}>I{r}+{tol})))',
            "K": (f'=IF($A{r}="","",IF(D{r}="Yes","Excluded",IF(OR(E{r}="",C{r}<>"Yes",I{r}=""),"Incomplete",'
                  f'IF(SUMPRODUCT(ISNUMBER({totals})*({totals}>=I{r}-{tol})*({totals}<=I{r}+{tol}))>1,"Tie","Ranked"))))'),
            "L": f'=IF(PriceMethod<>{PQP},"",IF(OR(E{r}="",F{r}=""),"",IF(F{r}>0,E{r}/F{r},"")))',
        }
        fmt = {"B": '"£"#,##0.00', "E": '"£"#,##0.00', "F": "0.00", "G": "0.00", "H": "0.00", "I": "0.00",
               "L": '"£"#,##0.00'}
        for col, formula in cells.items():
            put_formula(ws, f"{col}{r}", ArrayFormula(f"{col}{r}", formula) if col in ARRAY_COLUMNS else formula,
                        fmt.get(col))
        for j in range(1, MAX_CRITERIA + 1):
            c = get_column_letter(SC_FIRST_MARK_COL + j - 1)
            bk, ck = exact(f"$A{r}"), exact(f"{c}${SC_ID_ROW}")
            key = f'Consensus[Bidder],{bk},Consensus[CriterionID],{ck}'
            ekey = f'Scores[Bidder],{bk},Scores[CriterionID],{ck}'
            put_formula(ws, f"{c}{r}", (
                f'=IF(OR($A{r}="",{c}${SC_ID_ROW}=""),"",IF(COUNTIFS({key},{in_range})>0,'
                f'SUMIFS(Consensus[Score],{key},{in_range}),IF(AND(ConsensusRule="Mean",COUNTIFS({ekey},{ev_range})>0),'
                f'AVERAGEIFS(Scores[Score],{ekey},{ev_range}),"")))'), "0.00")
    header_row(ws, SC_HEAD_ROW, SC_FIRST_MARK_COL, ["Marks used (columns follow the criteria above) →"])
    ws.merge_cells(f"{mc0}{SC_HEAD_ROW}:{mc1}{SC_HEAD_ROW}")  # one line over the mark columns
    set_widths(ws, {"A": 30, "B": 14, "C": 10, "D": 10, "E": 14, "F": 10, "G": 10, "H": 10, "I": 10, "J": 7, "K": 12, "L": 14})
    ws.freeze_panes = f"B{first}"
    protect(ws)


def _report(wb: Workbook, policy: Policy) -> None:
    from sv_workbook.xlsx.tender_report import write_report_placeholder

    write_report_placeholder(wb.create_sheet("Report"), policy)


def methodology_lines(policy: Policy) -> list[tuple[str, str]]:
    """(label, formula) pairs of the Methodology sheet, in order: each states one rule from the live settings."""
    price = (f'=IF(PriceMethod={PQP},"Price per quality point: tenders are ranked by price ÷ quality points (£ per '
             f'quality point, lower is better). The total score is 100 × the lowest price per quality point ÷ the '
             f'tender\'s own, so the price/quality split does not change the ranking.",IF(PriceMethod={DEVIATION},'
             f'"Deviation from lowest: price score = "&PriceWeight&" × (1 − (tender price − lowest price) ÷ lowest '
             f'price), never less than 0. Total score = price score + quality score.","Lowest price: price score = '
             f'"&PriceWeight&" × lowest price ÷ tender price. Total score = price score + quality score."))')
    sv = '=SUMIFS(Criteria[Weight],Criteria[SocialValue],"Yes")'
    return [
        ("Tender", '=TenderTitle&" ("&TenderRef&")"'),
        ("Price and quality", '="Price carries "&PriceWeight&"% and quality "&QualityWeight&"% of the total score."'),
        ("Marking scale", '="Each quality criterion is marked from 0 to "&ScoreScaleMax&" against the descriptors '
                          'below. A criterion\'s points = its weight (% of total) × mark ÷ "&ScoreScaleMax&"."'),
        ("Social value", f'="Social value criteria carry "&ROUND({sv[1:]},4)&"% of the quality score ("&'
                         f'ROUND({sv[1:]}*QualityWeight/100,4)&"% of the total score)."'),
        ("Minimum scores", '=IF(COUNT(Criteria[MinScore])=0,"No criterion has a minimum score: no tender is '
                           'disqualified on quality marks.","Failing a minimum score disqualifies: a tender marked '
                           'below a criterion\'s minimum (see the table) is excluded, is not ranked and does not '
                           'set the lowest price.")'),
        ("Price method", price),
        ("Marks used", '=IF(ConsensusRule="Mean","Each evaluator marks independently; the panel\'s moderated '
                       'consensus mark is used where agreed, otherwise the mean of the evaluators\' marks.",'
                       '"Each evaluator marks independently; the panel then agrees one moderated consensus mark '
                       'per criterion, with its reasons, and only that mark is used.")'),
        ("Ties", f'="Totals are compared unrounded; tenders whose totals are within {policy.tie_tolerance:g} points '
                 'of each other are tied (figures are shown to 2 decimal places)."'),
        ("Abnormally low prices", f'="A price more than {policy.abnormally_low_percent:g}% below the median of the '
                                  f'compliant tenders"&IF(ISNUMBER(PreTenderEstimate)," or the pre-tender estimate",'
                                  f'"")&" will be queried: the supplier will be asked to show it can perform for '
                                  f'that price before any decision to disregard the tender (Procurement Act 2023 '
                                  f's.19)."'),
    ]


def _methodology(wb: Workbook, policy: Policy) -> None:
    """The assessment methodology to publish with the tender (Procurement Act 2023 s.23), stated from the settings."""
    ws = _sheet_with_intro(wb, "Methodology", "Assessment methodology",
                           "Every line below is calculated from the Setup and Criteria sheets, so it always states "
                           "the rules the workbook applies. Publish it with the tender documents (Procurement Act "
                           "2023 s.23).", "G")
    row = 4
    for label, formula in methodology_lines(policy):
        ws.cell(row=row, column=1, value=label).font = BOLD
        ws.cell(row=row, column=1).alignment = WRAP
        put_formula(ws, f"B{row}", formula)
        ws[f"B{row}"].alignment = WRAP
        ws.merge_cells(f"B{row}:G{row}")
        ws.row_dimensions[row].height = 32
        row += 1
    row += 1
    ws.cell(row=row, column=1, value="Award criteria").font = BOLD
    header_row(ws, row + 1, 1, METHODOLOGY_CRITERIA_COLUMNS)
    for j in range(1, MAX_CRITERIA + 1):
        r = row + 1 + j
        idx = f'INDEX(Criteria[ID],{j})'
        blank = f'IF(ROWS(Criteria[ID])<{j},TRUE,{idx}="")'
        cells = {
            "A": f'=IF({blank},"",{idx}&"")',
            "B": f'=IF($A{r}="","",INDEX(Criteria[Criterion],{j})&"")',
            "C": f'=IF($A{r}="","",N(INDEX(Criteria[Weight],{j})))',
            "D": f'=IF($A{r}="","",N(INDEX(Criteria[Weight],{j}))*QualityWeight/100)',
            "E": f'=IF($A{r}="","",IF(INDEX(Criteria[SocialValue],{j})="Yes","Yes","No"))',
            "F": f'=IF($A{r}="","",IF(ISNUMBER(INDEX(Criteria[MinScore],{j})),INDEX(Criteria[MinScore],{j}),"None"))',
            "G": f'=IF($A{r}="","",IF(ISNUMBER(INDEX(Criteria[MinScore],{j})),"Yes: a mark below "&'
                 f'INDEX(Criteria[MinScore],{j})&" excludes the tender","No"))',
        }
        for col, formula in cells.items():
            put_formula(ws, f"{col}{r}", formula, "0.0##" if col in "CD" else None)
    row += MAX_CRITERIA + 3
    ws.cell(row=row, column=1, value="Marking scale descriptors").font = BOLD
    header_row(ws, row + 1, 1, ["From mark", "Descriptor", "Meaning"])
    for i in range(len(DESCRIPTORS)):
        r = row + 2 + i
        put_formula(ws, f"A{r}", f"=Lists!A{3 + i}*ScoreScaleMax", "0.##")
        put_formula(ws, f"B{r}", f"=Lists!B{3 + i}&\"\"")
        put_formula(ws, f"C{r}", f"=Lists!C{3 + i}&\"\"")
        ws.merge_cells(f"C{r}:G{r}")
    set_widths(ws, {"A": 22, "B": 50, "C": 14, "D": 14, "E": 12, "F": 12, "G": 40})
    protect(ws)


def _lists(wb: Workbook) -> None:
    ws = wb.create_sheet("Lists")
    ws["A1"] = "Score descriptors (share of the scale reached → label)"
    ws["A1"].font = BOLD
    header_row(ws, 2, 1, ["From share of scale", "Descriptor", "Meaning"])
    for i, (share, label, meaning) in enumerate(DESCRIPTORS):
        ws.cell(row=3 + i, column=1, value=share).number_format = "0%"
        ws.cell(row=3 + i, column=2, value=label)
        ws.cell(row=3 + i, column=3, value=meaning)
    define_name(wb, "ScoreDescriptors", "Lists", f"A3:B{2 + len(DESCRIPTORS)}")
    set_widths(ws, {"A": 20, "B": 24, "C": 80})
    protect(ws)


def _instructions(ws, policy: Policy) -> None:
    ws["A1"] = "Tender evaluation workbook: how to use it"
    ws["A1"].font = TITLE_FONT
    lines = [
        ("Who fills what", True),
        ("Yellow cells are for you to fill in; grey cells are calculated and locked. The sheets are protected "
         "without a password only so that formulas are not overwritten by accident (Review › Unprotect Sheet).", False),
        ("1. Setup: fill in the tender reference, title, contract value, type, route, price/quality split, the top "
         "of the marking scale and the consensus rule, and list the evaluation panel. Each evaluator declares any "
         "conflict of interest in the Declarations table before scoring (Conflict = Yes needs a Mitigation).", False),
        ("To score independently, `sv-workbook split THIS.xlsx -o FOLDER` writes one workbook per evaluator (no "
         "prices, no other evaluator's marks); `sv-workbook merge THIS.xlsx RETURNS...` brings their marks and "
         "declarations back.", False),
        ("2. Criteria: one row per quality criterion with its weight (percent of the quality score; the weights "
         "add up to 100). Mark social value criteria SocialValue = Yes and choose the priority they serve. "
         "MinScore (optional) excludes any bid marked below it.", False),
        ("3. Bidders: one row per bid with its evaluated price and whether the bidder is an SME or a VCSE.", False),
        ("4. Scores: each evaluator enters one row per bidder and criterion, with a comment explaining the mark. "
         "The descriptor beside each mark shows what it means.", False),
        ("5. Consensus: after moderation, one row per bidder and criterion with the agreed mark and the rationale. "
         "The evaluators' mean and the change are shown beside it.", False),
        ("6. Scoring shows each bidder's quality, social value, price and total scores live as you type.", False),
        ("7. Report: run `sv-workbook score THIS.xlsx` (or click the Score button where the macros are attached) "
         "to check every rule, rank the bids and list anything to fix.", False),
        ("Need more rows? Unprotect the sheet, drag the table's bottom-right corner down, then protect it again. "
         "Live scores cover the first "
         f"{MAX_BIDDERS} bidders and {MAX_CRITERIA} criteria; the Report has no limit.", False),
        ("The trust's social value rules", True),
        (f"Policy applied: {policy.policy_label()}.", False),
        (f"Every procurement of any size weighs social value, except a framework call-off, where the framework's "
         f"own criteria govern ({policy.strategy_name} 4.1).", False),
        (f"Every tender over £{policy.sv_threshold_gbp:,.0f} gives the social value criteria at least "
         f"{policy.sv_min_percent_of_quality:g}% of the quality score ({policy.strategy_name} 4.2).", False),
        ("National priorities: " + "; ".join(NATIONAL_PRIORITIES) + "; or a local priority.", False),
        ("Scoring rules", True),
        ("Mark used: the consensus mark; with ConsensusRule = Mean and no consensus mark, the evaluators' mean.", False),
        ("Quality score = QualityWeight × Σ (criterion weight / 100) × mark / top of scale. "
         "Social value score = the part of it from social value criteria.", False),
        ("Price score depends on PriceMethod (Setup): Lowest price (the default) = PriceWeight × lowest qualifying "
         "price / bid price; Deviation from lowest = PriceWeight × (1 − (bid − lowest) / lowest), never below 0. "
         "Total = price score + quality score. Price per quality point ranks by price / quality score instead: "
         "the total is 100 × the lowest price per quality point / the bid's own.", False),
        ("Abnormally low prices: a price more than the policy's percent below the median of qualifying bids (or "
         "below the pre-tender estimate by as much) is flagged by `sv-workbook score`. Log the request for an "
         "explanation, the answer and the decision in the AbnormallyLow table on the Bidders sheet; a bid is "
         "excluded only when Decision is Disregarded and the request and answer are recorded.", False),
        ("Methodology: the Methodology sheet states all these rules from your settings, ready to publish with the "
         "tender. After moderation, `sv-workbook summaries THIS.xlsx -o FOLDER` writes each supplier's "
         "assessment summary.", False),
        ("A bid marked below a criterion's MinScore is excluded: it is not ranked and does not set the lowest price.",
         False),
        (f"Bids are ranked by unrounded total; totals within {policy.tie_tolerance:g} points share a rank (Tie). "
         "Figures are rounded only for display.", False),
    ]
    write_instructions(ws, lines)
