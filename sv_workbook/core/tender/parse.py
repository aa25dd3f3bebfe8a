"""Turn a bound tender workbook into a ``Tender``, reporting every unusable cell.

Pure: works on ``RawBook`` data from any reader (openpyxl, calamine or xlwings).
"""

from __future__ import annotations

from sv_workbook.core.bind import BoundBook, Coerce, Row, bind, where_of
from sv_workbook.core.contracts import PRICE_METHODS, TENDER
from sv_workbook.core.findings import Finding
from sv_workbook.core.rawbook import CellValue, RawBook
from sv_workbook.core.tender.model import (AbnormallyLowEntry, Bidder, ConsensusMark, Criterion, Declaration, EvaluatorScore,
                                          Setup, Tender)


def parse_tender(raw: RawBook) -> tuple[Tender | None, list[Finding]]:
    """Return the tender (None when the contract is too broken to score) and findings."""
    book = bind(raw, TENDER)
    findings = book.findings
    if not book.complete:
        return None, findings
    co = Coerce(findings)
    setup = _setup(book, co)  # a broken setting stops scoring, not the cell checks below (as for KPI registers)
    crit_rows = book.table_rows("Criteria")
    criteria = tuple(c for c in (_criterion(r, co) for r in crit_rows) if c is not None)
    bidders = tuple(b for b in (_bidder(r, co) for r in book.table_rows("Bidders")) if b is not None)
    scores = tuple(s for s in (_score(r, co) for r in book.table_rows("Scores")) if s is not None)
    consensus = tuple(m for m in (_consensus(r, co) for r in book.table_rows("Consensus")) if m is not None)
    evaluators = tuple(e for e in (co.text(r.cell("Evaluator"), "Evaluator", required=False)
                                   for r in book.table_rows("Evaluators")) if e)
    log = tuple(e for e in (_al_entry(r, co) for r in book.table_rows("AbnormallyLow")) if e is not None)
    declarations = None
    if "Declarations" in book.tables:
        declarations = tuple(d for d in (_declaration(r, co) for r in book.table_rows("Declarations")) if d is not None)
    if setup is None:
        return None, findings
    return Tender(setup, criteria, bidders, scores, consensus, evaluators, log, declarations), findings


def _setup(book: BoundBook, co: Coerce) -> Setup | None:
    n = book.names
    spec = TENDER

    def what(name: str) -> str:
        return f"'{name}'"

    ref = co.text(n["TenderRef"], what("TenderRef"))
    title = co.text(n["TenderTitle"], what("TenderTitle"))
    value = co.number(n["ContractValue"], what("ContractValue"), minimum=0)
    ctype = co.choice(n["ContractType"], what("ContractType"), spec.named("ContractType").field)
    route = co.choice(n["ProcurementRoute"], what("ProcurementRoute"), spec.named("ProcurementRoute").field)
    pw = co.number(n["PriceWeight"], what("PriceWeight"), minimum=0, maximum=100)
    qw = co.number(n["QualityWeight"], what("QualityWeight"), minimum=0, maximum=100)
    scale = co.number(n["ScoreScaleMax"], what("ScoreScaleMax"), above=0)
    rule = co.choice(n["ConsensusRule"], what("ConsensusRule"), spec.named("ConsensusRule").field)
    method = pte = start = None
    if "PriceMethod" in n:
        method = co.choice(n["PriceMethod"], what("PriceMethod"), spec.named("PriceMethod").field, required=False)
    if "PreTenderEstimate" in n:
        pte = co.number(n["PreTenderEstimate"], what("PreTenderEstimate"), required=False, above=0)
    if "ProcurementStart" in n:
        start = co.date(n["ProcurementStart"], what("ProcurementStart"), required=False)
    needed = (value, route, pw, qw, scale, rule)
    if any(v is None for v in needed):
        return None
    where = where_of(route=n["ProcurementRoute"], price_weight=n["PriceWeight"], value=n["ContractValue"])
    where.update(where_of(**{k: n[name] for k, name in (("price_method", "PriceMethod"), ("start", "ProcurementStart"),
                                                  ("estimate", "PreTenderEstimate")) if name in n}))
    return Setup(ref or "", title or "", value, ctype or "", route, pw, qw, scale, rule,
                 method or PRICE_METHODS[0], pte, start, where=where)


def _opt(row: Row, column: str) -> CellValue | None:
    return row.cells.get(column)


def _criterion(row: Row, co: Coerce) -> Criterion | None:
    ident = co.text(row.cell("ID"), "Criterion ID")
    what = f"Criterion '{ident}'" if ident else "Criterion"
    name = co.text(row.cell("Criterion"), f"{what} name")
    weight = co.number(row.cell("Weight"), f"{what} weight")
    sv = co.yesno(row.cell("SocialValue"), f"{what} SocialValue")
    pr_cell = _opt(row, "Priority")
    priority = co.choice(pr_cell, f"{what} priority", _field("Criteria", "Priority"), required=False) if pr_cell else None
    ms_cell = _opt(row, "MinScore")
    min_score = co.number(ms_cell, f"{what} MinScore", required=False) if ms_cell else None
    if ident is None or weight is None or sv is None:
        return None
    where = where_of(id=row.cell("ID"), weight=row.cell("Weight"))
    if pr_cell:
        where.update(where_of(priority=pr_cell))
    if ms_cell:
        where.update(where_of(min_score=ms_cell))
    return Criterion(ident, name or "", weight, sv, priority, min_score, where)


def _bidder(row: Row, co: Coerce) -> Bidder | None:
    name = co.text(row.cell("Bidder"), "Bidder name")
    what = f"Bidder '{name}'" if name else "Bidder"
    price = co.number(row.cell("Price"), f"{what} price", required=False)
    sme = co.yesno(row.cell("SME"), f"{what} SME", required=False)
    vcse = co.yesno(row.cell("VCSE"), f"{what} VCSE", required=False)
    if name is None:
        return None
    return Bidder(name, price, sme, vcse, where_of(name=row.cell("Bidder"), price=row.cell("Price")))


def _score(row: Row, co: Coerce) -> EvaluatorScore | None:
    bidder = co.text(row.cell("Bidder"), "Scores bidder")
    crit = co.text(row.cell("CriterionID"), "Scores criterion")
    evaluator = co.text(row.cell("Evaluator"), "Scores evaluator")
    score = co.number(row.cell("Score"), f"Score of {bidder} on {crit} by {evaluator}")
    comment_cell = _opt(row, "Comment")
    comment = co.text(comment_cell, "Comment", required=False) if comment_cell else None
    if bidder is None or crit is None or evaluator is None:
        return None
    where = where_of(bidder=row.cell("Bidder"), criterion_id=row.cell("CriterionID"), evaluator=row.cell("Evaluator"),
               score=row.cell("Score"))
    where.update(where_of(comment=comment_cell) if comment_cell else {})
    return EvaluatorScore(bidder, crit, evaluator, score, comment, where)


def _consensus(row: Row, co: Coerce) -> ConsensusMark | None:
    bidder = co.text(row.cell("Bidder"), "Consensus bidder")
    crit = co.text(row.cell("CriterionID"), "Consensus criterion")
    score = co.number(row.cell("Score"), f"Consensus mark of {bidder} on {crit}")
    rat_cell = _opt(row, "Rationale")
    rationale = co.text(rat_cell, "Rationale", required=False) if rat_cell else None
    if bidder is None or crit is None:
        return None
    where = where_of(bidder=row.cell("Bidder"), criterion_id=row.cell("CriterionID"), score=row.cell("Score"))
    where.update(where_of(rationale=rat_cell) if rat_cell else {})
    return ConsensusMark(bidder, crit, score, rationale, where)


def _al_entry(row: Row, co: Coerce) -> AbnormallyLowEntry | None:
    bidder = co.text(row.cell("Bidder"), "Abnormally low log bidder")
    what = f"Abnormally low log for {bidder}"
    cells = {c: _opt(row, c) for c in ("FlaggedOn", "RequestSent", "SupplierAnswer", "Decision")}
    flagged = co.date(cells["FlaggedOn"], f"{what}: FlaggedOn", required=False) if cells["FlaggedOn"] else None
    sent = co.date(cells["RequestSent"], f"{what}: RequestSent", required=False) if cells["RequestSent"] else None
    answer = co.text(cells["SupplierAnswer"], f"{what}: SupplierAnswer", required=False) if cells["SupplierAnswer"] else None
    decision = (co.choice(cells["Decision"], f"{what}: Decision", _field("AbnormallyLow", "Decision"), required=False)
                if cells["Decision"] else None)
    if bidder is None:
        return None
    where = where_of(bidder=row.cell("Bidder"), **{k: v for k, v in (("flagged_on", cells["FlaggedOn"]),
               ("request_sent", cells["RequestSent"]), ("supplier_answer", cells["SupplierAnswer"]),
               ("decision", cells["Decision"])) if v is not None})
    return AbnormallyLowEntry(bidder, flagged, sent, answer, decision, where)


def _declaration(row: Row, co: Coerce) -> Declaration | None:
    evaluator = co.text(row.cell("Evaluator"), "Declaration evaluator")
    what = f"{evaluator}'s declaration" if evaluator else "Declaration"
    declared_on = co.date(row.cell("DeclaredOn"), f"{what}: DeclaredOn")
    conflict = co.yesno(row.cell("Conflict"), f"{what}: Conflict")
    cells = {c: _opt(row, c) for c in ("Details", "Mitigation")}
    details, mitigation = (co.text(cells[c], f"{what}: {c}", required=False) if cells[c] else None
                           for c in ("Details", "Mitigation"))
    if evaluator is None:
        return None
    where = where_of(evaluator=row.cell("Evaluator"), declared_on=row.cell("DeclaredOn"), conflict=row.cell("Conflict"),
                     details=cells["Details"], mitigation=cells["Mitigation"])
    return Declaration(evaluator, declared_on, conflict, details, mitigation, where)


def _field(table: str, column: str):
    return TENDER.table(table).column(column)


__all__ = ["parse_tender"]
