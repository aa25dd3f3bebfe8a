"""Social value KPI registers: the rules, as pure Python.

A register records, for one contract, the social value KPIs agreed with the supplier
and what was delivered each reporting period (Social Value Strategy 4.5.2-4.5.3). This
module holds the register as plain data and every rule applied to it; ``kpi_parse``
builds a ``Register`` from any reader's ``RawBook`` and the template's live formulas
implement the same arithmetic (the LibreOffice parity test proves they agree).

Period arithmetic (stated once, here, and in docs/kpi-registers.md):

* An ``Actuals`` row *counts* when its KPI is in the ``KPIs`` table, its ``PeriodEnd``
  is a date from ``StartDate`` to ``EndDate`` and not after the as-of date, and its
  ``Actual`` is a number of 0 or more. Rows that do not count are reported as findings.
* The *reporting date* is the latest ``PeriodEnd`` of the rows that count (the whole
  register's, not each KPI's: a KPI that missed the latest period is behind).
* ExpectedToDate = Target × (d / D), where d = days from StartDate to the reporting date
  and D = days from StartDate to EndDate; d is clamped to 0..D so the expectation never
  falls below 0 or exceeds the whole-contract target. With no rows that count, d = 0.
* DeliveredToDate = the sum of the counted Actuals of the KPI.
* PercentOfExpected = DeliveredToDate / ExpectedToDate, blank when ExpectedToDate is 0
  (rated "Not yet due").
* Reporting periods run from StartDate in steps of the ReportingFrequency (1, 3, 6 or
  12 calendar months, always counted from StartDate, so a start on the 31st falls back
  to a shorter month's last day without drifting); the last period ends on EndDate. A period is due once the as-of
  date is more than ``Policy.kpi_overdue_grace_days`` days after it ends; each due
  period needs one ``Actuals`` row per KPI whose PeriodEnd falls inside the period.
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from difflib import get_close_matches
from functools import lru_cache
from typing import NamedTuple

from sv_workbook.core.catalogue import (ACTUAL_DUPLICATE_PERIOD, ACTUAL_NEGATIVE, ACTUAL_UNKNOWN_KPI, EVIDENCE_MISSING, KPI_COUNT_BELOW_S52,
    KPI_ID_DUPLICATE, KPI_NONE, KPI_NO_PROXY, KPI_OVERDUE, KPI_PRIORITY_MISMATCH, KPI_TARGET_NOT_POSITIVE,
    KPI_UNIT_MISMATCH, KPI_UNKNOWN_MEASURE, KPI_UNKNOWN_PRIORITY, PERIOD_IN_FUTURE, PERIOD_OUTSIDE_CONTRACT)
from sv_workbook.core.arithmetic import above, at_least, mean, total
from sv_workbook.core.bind import norm, where_of
from sv_workbook.core.findings import Finding, Severity
from sv_workbook.core.kpi.measures import MeasureLibrary, default_library
from sv_workbook.core.policy import DEFAULT_POLICY, Policy
from sv_workbook.core.kpi.proxies import ProxySet, social_value_gbp
from sv_workbook.core.rawbook import CellValue
from sv_workbook.core.tender.model import Where

FREQUENCY_MONTHS = {"Monthly": 1, "Quarterly": 3, "6-monthly": 6, "Annual": 12}
GOOD, APPROACHING, REQUIRES_IMPROVEMENT, INADEQUATE = ("Good", "Approaching target", "Requires improvement",
                                                       "Inadequate")
RATINGS = (GOOD, APPROACHING, REQUIRES_IMPROVEMENT, INADEQUATE)
NOT_YET_DUE = "Not yet due"
NOT_RATED = "Not rated"


@dataclass(frozen=True)
class ContractInfo:
    ref: str
    title: str
    supplier: str
    sme: bool | None
    vcse: bool | None
    value: float | None
    start: date
    end: date
    budget_holder: str
    frequency: str | None
    where: Where = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class KPI:
    id: str
    priority: str | None
    measure_code: str | None
    unit: str | None
    target: float | None
    description: str | None = None
    baseline: float | None = None
    owner: str | None = None
    where: Where = field(default_factory=dict, compare=False)


#: The fields of an ``Actual`` whose cells its ``where`` names, in the order of ``Actual.cells``.
ACTUAL_PLACES = ("kpi_id", "period_end", "actual", "evidence")


class Actual(NamedTuple):
    """One Actuals row; ``period_end`` or ``actual`` is None when the cell was unusable.

    A NamedTuple, like ``CellValue`` and ``bind.Row``: a register has hundreds of Actuals rows
    and a frozen dataclass costs about three times as much to make, while a tuple is as immutable.
    Two rows are equal when they say the same, wherever they sit (``cells`` is left out, as the
    other records leave ``where`` out with ``compare=False``).

    ``cells`` are the cells the row was read from (KPI_ID, PeriodEnd, Actual, Evidence, Comment;
    None for a column the table lacks; none at all for a row made in code). They are kept as the
    binder gave them, and ``where`` is worked out from them only when asked: a finding needs it
    for a few rows, and a map made for every row was a tenth of the instructions of checking a
    parsed register (20.3 M against 18.1 M on a LibreOffice-saved one) and more of its time.
    """

    kpi_id: str
    period_end: date | None
    actual: float | None
    evidence: str | None = None
    comment: str | None = None
    cells: tuple[CellValue | None, ...] = ()

    @property
    def where(self) -> Where:
        """The (sheet, cell) of the KPI_ID, PeriodEnd, Actual and (if the table has it) Evidence
        cells, as the other records' ``where``; empty for a row made in code."""
        return where_of(**dict(zip(ACTUAL_PLACES, self.cells)))

    @property
    def has_evidence_column(self) -> bool:
        """False when the row has no Evidence cell: it was read from an Actuals table without an
        Evidence column (the binder warned of it once). True for a row made in code, which is held
        to the rule."""
        return len(self.cells) < 4 or self.cells[3] is not None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Actual) and self[:5] == other[:5]

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self[:5])


@dataclass(frozen=True)
class Register:
    contract: ContractInfo
    kpis: tuple[KPI, ...]
    actuals: tuple[Actual, ...] = ()


@dataclass(frozen=True)
class Period:
    index: int
    start: date
    end: date

    @property
    def label(self) -> str:
        return _period_label(self.index, self.start, self.end)


@lru_cache(maxsize=4096)
def _period_label(index: int, start: date, end: date) -> str:
    """Remembered: every overdue KPI of a register names the same few periods, and date
    formatting is slow next to the rest of a batch's per-finding work."""
    return f"period {index} ({start:%d %b %Y} – {end:%d %b %Y})"


@dataclass(frozen=True)
class KPIStatus:
    """One row of the ``KPIStatus`` table; numbers unrounded."""

    kpi_id: str
    priority: str
    measure_code: str
    unit: str
    target: float | None
    expected: float | None
    delivered: float
    percent: float | None
    rating: str
    social_value_gbp: float | None = None
    proxy_label: str = ""


@dataclass(frozen=True)
class PriorityTotal:
    """One priority's KPIs together. Quantities in different units are never added:
    each KPI counts as its share of its own target."""

    priority: str
    kpis: int
    expected_share: float | None  # mean ExpectedToDate / Target
    delivered_share: float | None  # mean DeliveredToDate / Target
    percent: float | None  # delivered_share / expected_share
    rating: str
    social_value_gbp: float | None


@dataclass(frozen=True)
class RegisterResult:
    register: Register
    statuses: tuple[KPIStatus, ...]
    totals: tuple[PriorityTotal, ...]
    findings: tuple[Finding, ...]
    as_of: date
    reporting_date: date | None
    elapsed: float  # d / D
    policy_label: str
    proxy_label: str | None = None

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def status(self, kpi_id: str) -> KPIStatus:
        return next(s for s in self.statuses if norm(s.kpi_id) == norm(kpi_id))

    @property
    def social_value_total(self) -> float | None:
        values = [s.social_value_gbp for s in self.statuses if s.social_value_gbp is not None]
        return total(values) if values else None


# ---------------------------------------------------------------- arithmetic


def elapsed_days(start: date, end: date, reporting_date: date | None) -> tuple[int, int]:
    """(d, D): days from start to the reporting date clamped to 0..D, and days from start to end."""
    span = (end - start).days
    if reporting_date is None or span <= 0:
        return 0, max(span, 0)
    return min(max((reporting_date - start).days, 0), span), span


def expected_to_date(target: float, start: date, end: date, reporting_date: date | None) -> float:
    """Target × (d / D), evaluated in the same order as the template's formula (parity).

    Dividing first keeps the result within 0..Target in floating point (Target × D / D
    can exceed Target by one unit in the last place); the property tests check it.
    """
    d, span = elapsed_days(start, end, reporting_date)
    if d == 0 or span == 0:
        return 0.0
    return target * (d / span)


def percent_of_expected(delivered: float, expected: float) -> float | None:
    return delivered / expected if expected > 0 else None


def rating(percent: float | None, policy: Policy = DEFAULT_POLICY) -> str:
    """Procurement Act 2023 s.71 words, from the percent decided at 9 decimal places (Policy bands).

    380 delivered of 400 expected is 95%, so Good, even where a float sum of the actuals
    gives 379.99999999999994 (``arithmetic.decided``; the template's formula rounds alike).
    """
    if percent is None:
        return NOT_YET_DUE
    if at_least(percent, policy.rating_good):
        return GOOD
    if at_least(percent, policy.rating_approaching):
        return APPROACHING
    if above(percent, policy.rating_requires_improvement):
        return REQUIRES_IMPROVEMENT
    return INADEQUATE


def add_months(day: date, months: int) -> date:
    """``day`` moved by calendar months; the 31st becomes the month's last day where needed."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reporting_periods(start: date, end: date, frequency: str) -> list[Period]:
    """The periods ``frequency`` implies from ``start`` to ``end`` (the last one ends on ``end``)."""
    step = FREQUENCY_MONTHS[frequency]
    periods: list[Period] = []
    k = 0
    while True:
        p_start = add_months(start, k * step)
        if p_start > end:
            break
        try:
            p_end = min(add_months(start, (k + 1) * step) - timedelta(days=1), end)
        except (ValueError, OverflowError):  # the calendar ends (year 9999): the period runs to the end date
            p_end = end
        periods.append(Period(k + 1, p_start, p_end))
        if p_end >= end:
            break
        k += 1
    return periods


def due_periods(start: date, end: date, frequency: str, as_of: date, grace_days: int = 0) -> list[Period]:
    """Periods that have ended more than ``grace_days`` before ``as_of``."""
    return _due(reporting_periods(start, end, frequency), as_of, grace_days)


def _due(periods: list[Period], as_of: date, grace_days: int) -> list[Period]:
    return [p for p in periods if as_of > p.end + timedelta(days=grace_days)]


# ---------------------------------------------------------------- rules


def _at(where: Where, key: str) -> tuple[str, str]:
    return where.get(key, ("", ""))


def assess_register(register: Register, policy: Policy = DEFAULT_POLICY, as_of: date | None = None,
                    library: MeasureLibrary | None = None, proxies: ProxySet | None = None) -> RegisterResult:
    """Apply every rule: findings for what is wrong, and each KPI's status.

    A poor rating is a result, not a finding: a correct register whose supplier is
    behind has no errors.
    """
    as_of = as_of or date.today()
    checked = _check(register, policy, as_of, library or default_library(), proxies)
    c = register.contract
    reporting_date = max((a.period_end for a in checked.counted), default=None)
    d, span = elapsed_days(c.start, c.end, reporting_date)
    actuals: dict[str, list[float]] = defaultdict(list)
    for a in checked.counted:
        actuals[checked.keys[a.kpi_id]].append(a.actual)
    statuses = tuple(_status(k, total(actuals.get(norm(k.id), ())), c, reporting_date, policy, proxies)
                     for k in checked.kpis)
    return RegisterResult(register, statuses, _totals(statuses, policy), tuple(checked.findings), as_of,
                          reporting_date, d / span if span else 0.0, policy.policy_label(),
                          proxies.label if proxies else None)


def register_findings(register: Register, policy: Policy = DEFAULT_POLICY, as_of: date | None = None,
                      library: MeasureLibrary | None = None, proxies: ProxySet | None = None) -> list[Finding]:
    """The findings ``assess_register`` makes, without the KPI statuses and totals.

    Batch validation reports only findings, and rating every KPI was a tenth of a register's check.
    """
    return _check(register, policy, as_of or date.today(), library or default_library(), proxies).findings


class _Checked(NamedTuple):
    """What the rules found, and what the statuses are worked out from."""

    findings: list[Finding]
    kpis: list[KPI]  # unique, first of any duplicate
    counted: list[Actual]  # the Actuals rows that count
    keys: dict[str, str]  # each Actuals row's KPI_ID, normalised


def _check(register: Register, policy: Policy, as_of: date, library: MeasureLibrary,
           proxies: ProxySet | None) -> _Checked:
    c = register.contract
    out: list[Finding] = []
    kpis = _check_kpis(register, library, policy, out)
    known = {norm(k.id): k for k in kpis}
    # each Actuals row's KPI_ID normalised once: a register has hundreds of rows but a few dozen IDs
    keys = {ident: norm(ident) for ident in {a.kpi_id for a in register.actuals}}
    # the reporting periods, worked out once and shared by the two rules that need them
    plan = (reporting_periods(c.start, c.end, c.frequency) if c.frequency in FREQUENCY_MONTHS and c.end > c.start
            else [])
    counted, reported = _check_actuals(register, known, keys, plan, as_of, out)
    if c.frequency in FREQUENCY_MONTHS:
        _check_overdue(register, kpis, plan, reported, as_of, policy, out)
    if proxies is not None:
        for k in kpis:
            if k.measure_code and library.get(k.measure_code) and proxies.get(k.measure_code) is None:
                out.append(KPI_NO_PROXY(f"KPI '{k.id}' ({k.measure_code}) has no value in the proxy set "
                                        f"{proxies.label}; it is reported as a quantity only.",
                                        "Add a row for this code to the proxy CSV if the trust has a value for it.",
                                        *_at(k.where, "measure_code")))
    return _Checked(out, kpis, counted, keys)


def _check_kpis(register: Register, library: MeasureLibrary, policy: Policy, out: list[Finding]) -> list[KPI]:
    """Unique KPIs (first of any duplicate), with findings for every rule they break."""
    c = register.contract
    first: dict[str, KPI] = {}
    for k in register.kpis:
        key = norm(k.id)
        if key in first:
            out.append(KPI_ID_DUPLICATE(f"KPI_ID '{k.id}' is used twice in the KPIs table (first at "
                                        f"{_at(first[key].where, 'id')[1] or 'an earlier row'}).",
                                        "Give every KPI its own ID, e.g. K1, K2…; only the first is used until then.",
                                        *_at(k.where, "id")))
            continue
        first[key] = k
        if k.target is not None and k.target <= 0:
            out.append(KPI_TARGET_NOT_POSITIVE(
                f"KPI '{k.id}' has target {k.target:g}; a whole-contract "
                "commitment must be greater than 0.", "Enter the quantity the supplier committed to "
                "deliver over the whole contract.", *_at(k.where, "target")))
        measure = library.get(k.measure_code) if k.measure_code else None
        if k.measure_code and measure is None:
            close = library.suggest(k.measure_code)
            out.append(KPI_UNKNOWN_MEASURE(f"KPI '{k.id}' uses measure code '{k.measure_code}', which is not "
                                           "in the measure library.", (f"Did you mean {close}? " if close else "") +
                                           "Choose a code from the dropdown (the list is on the Lists sheet and from "
                                           "`sv-workbook measures`), or add the measure to the trust's measures file.",
                                           *_at(k.where, "measure_code")))
        if measure is not None and k.unit and norm(k.unit) != norm(measure.unit):
            out.append(KPI_UNIT_MISMATCH(
                f"KPI '{k.id}' is recorded in '{k.unit}' but measure "
                f"{measure.code} is measured in '{measure.unit}'.",
                f"Change the unit to '{measure.unit}' and make sure the target and actuals are in it.",
                *_at(k.where, "unit")))
        if k.priority:
            priority = library.find_priority(k.priority)
            if priority is None:
                close = get_close_matches(k.priority, library.priorities, n=1, cutoff=0.5)
                out.append(KPI_UNKNOWN_PRIORITY(f"KPI '{k.id}' serves priority '{k.priority}', which is "
                                 f"neither a national priority nor a local priority in the measure library "
                                 f"({', '.join(library.priorities)}).",
                                 (f"Did you mean '{close[0]}'? " if close else "") +
                                 "Choose from the dropdown, or add the local priority to the trust's measures file.",
                                 *_at(k.where, "priority")))
            elif measure is not None and priority != measure.priority:
                out.append(KPI_PRIORITY_MISMATCH(f"KPI '{k.id}' is filed under '{priority}' but measure "
                                   f"{measure.code} serves '{measure.priority}'.",
                                   f"Check the priority; the report totals it under '{priority}'.",
                                   *_at(k.where, "priority")))
    kpis = list(first.values())
    if not kpis:
        out.append(KPI_NONE("The KPIs table has no KPIs.", "Enter the social value KPIs agreed with the "
                         "supplier, one per row.", "KPIs", "A2"))
    if c.value is not None and above(c.value, policy.kpi_min_count_threshold_gbp) and len(kpis) < policy.kpi_min_count:
        out.append(KPI_COUNT_BELOW_S52(f"The contract is worth £{c.value:,.2f}, over "
                         f"£{policy.kpi_min_count_threshold_gbp:,.0f}, so it needs at least {policy.kpi_min_count} "
                         f"KPIs (Procurement Act 2023 s.52); the register has {len(kpis)}.",
                         "Agree and record further KPIs with the supplier.", *_at(c.where, "value")))
    return kpis


def _check_actuals(register: Register, known: dict[str, KPI], keys: dict[str, str], plan: list[Period],
                   as_of: date, out: list[Finding]) -> tuple[list[Actual], dict[str, set[int]]]:
    """The Actuals rows that count, with a finding for each that does not (or lacks evidence),
    and the periods of ``plan`` each KPI (normalised ID) has any row in.

    ``keys`` maps each row's KPI_ID to its normalised form."""
    c = register.contract
    start, end = c.start, c.end
    counted: list[Actual] = []
    reported: dict[str, set[int]] = defaultdict(set)
    rows_in: dict[tuple[str, int], int] = {}  # (KPI, period index) -> Actuals rows counted in it
    starts = [p.start for p in plan]
    # each day's period found once: a register's hundreds of rows share a few dozen period ends
    period_of: dict[date, Period | None] = {}
    for a in register.actuals:
        # unpacked once: the fields are read several times each, for hundreds of rows
        kpi_id, day, amount, evidence, _, _ = a
        ok = True
        key = keys[kpi_id]
        if key not in known:
            ids = ", ".join(k.id for k in known.values()) or "none yet"
            out.append(ACTUAL_UNKNOWN_KPI(
                f"Actuals row for KPI '{kpi_id}', which is not in the KPIs "
                f"table (KPIs: {ids}).", "Correct the KPI_ID, or add the KPI to the KPIs table.",
                *_at(a.where, "kpi_id")))
            ok = False
        if day is not None:
            if day > as_of:
                out.append(PERIOD_IN_FUTURE(f"PeriodEnd {day:%d/%m/%Y} of KPI '{kpi_id}' is "
                                            f"after the as-of date {as_of:%d/%m/%Y}; it is not counted.",
                                            "Record a period only once it has ended (check the year).",
                                            *_at(a.where, "period_end")))
                ok = False
            if not start <= day <= end:
                out.append(PERIOD_OUTSIDE_CONTRACT(
                    f"PeriodEnd {day:%d/%m/%Y} of KPI "
                    f"'{kpi_id}' is outside the contract ({start:%d/%m/%Y} to {end:%d/%m/%Y}); "
                    "it is not counted.", "Check the date against the contract's StartDate and EndDate.",
                    *_at(a.where, "period_end")))
                ok = False
            else:
                hit = period_of[day] if day in period_of else period_of.setdefault(day, _period_of(day, plan, starts))
                if hit is not None:
                    reported[key].add(hit.index)
                if hit is not None and ok:
                    slot = (key, hit.index)
                    seen = rows_in[slot] = rows_in.get(slot, 0) + 1
                    if seen == 2:
                        out.append(ACTUAL_DUPLICATE_PERIOD(
                            f"KPI '{kpi_id}' has more than one Actuals "
                            f"row in {hit.label}; all of them are added up.",
                            "If this repeats an earlier row, delete it so delivery is not counted "
                            "twice.", *_at(a.where, "kpi_id")))
        else:
            ok = False
        if amount is None or amount < 0:
            if amount is not None:
                out.append(ACTUAL_NEGATIVE(f"Actual {amount:g} for KPI '{kpi_id}' is negative.",
                                           "Enter the quantity delivered in the period (0 or more); correct an earlier "
                                           "over-report in that period's row.", *_at(a.where, "actual")))
            ok = False
        if not evidence and a.has_evidence_column:  # parsed without the column: bind warned once
            out.append(EVIDENCE_MISSING(
                f"The Actuals row for KPI '{kpi_id}'"
                + (f" ending {day:%d/%m/%Y}" if day else "") + " has no evidence.",
                "Add the reference or link to the evidence (timesheets, certificates, invoices).",
                *_at(a.where, "evidence")))
        if ok:
            counted.append(a)
    return counted, reported


def _check_overdue(register: Register, kpis: list[KPI], plan: list[Period], reported: dict[str, set[int]],
                   as_of: date, policy: Policy, out: list[Finding]) -> None:
    """A warning for each due period of ``plan`` in which a KPI has no row (``reported``,
    from ``_check_actuals``: every row with a PeriodEnd in the period, counted or not)."""
    c = register.contract
    due = _due(plan, as_of, policy.kpi_overdue_grace_days)
    # the dates formatted once per register, not once per finding (there may be hundreds)
    due_by = f"{c.frequency.lower()} reporting makes due by {as_of:%d/%m/%Y}"
    texts = {p.index: (p.label, f"{p.end:%d/%m/%Y}") for p in due}
    for k in kpis:
        done = reported.get(norm(k.id), ())
        for p in due:
            if p.index not in done:
                label, end = texts[p.index]
                out.append(KPI_OVERDUE(f"KPI '{k.id}' has no Actuals row for {label}, which the "
                                       f"{due_by}.",
                                       f"Add an Actuals row for {k.id} with PeriodEnd {end} "
                                       "(enter 0 if nothing was delivered).", *_at(k.where, "id")))


def _period_of(day: date, periods: list[Period], starts: list[date]) -> Period | None:
    """The period holding ``day``, by bisection: ``periods`` (from ``reporting_periods``)
    are in order and never overlap, each starting the day after the previous one ends."""
    i = bisect_right(starts, day) - 1
    if i >= 0 and day <= periods[i].end:
        return periods[i]
    return None


def _status(k: KPI, delivered: float, c: ContractInfo, reporting_date: date | None, policy: Policy,
            proxies: ProxySet | None) -> KPIStatus:
    proxy = proxies.get(k.measure_code) if proxies and k.measure_code else None
    gbp = social_value_gbp(delivered, proxy) if proxy else None
    label = proxies.label_for(proxy) if proxy else ""
    if k.target is None or k.target <= 0:
        return KPIStatus(k.id, k.priority or "", k.measure_code or "", k.unit or "", k.target, None, delivered, None,
                         NOT_RATED, gbp, label)
    expected = expected_to_date(k.target, c.start, c.end, reporting_date)
    percent = percent_of_expected(delivered, expected)
    return KPIStatus(k.id, k.priority or "", k.measure_code or "", k.unit or "", k.target, expected, delivered,
                     percent, rating(percent, policy), gbp, label)


def _totals(statuses: tuple[KPIStatus, ...], policy: Policy) -> tuple[PriorityTotal, ...]:
    groups: dict[str, list[KPIStatus]] = defaultdict(list)
    for s in statuses:
        groups[s.priority or "(no priority)"].append(s)
    totals = []
    for priority, members in groups.items():
        rated = [s for s in members if s.expected is not None and s.target]
        exp = mean([s.expected / s.target for s in rated]) if rated else None
        dlv = mean([s.delivered / s.target for s in rated]) if rated else None
        pct = dlv / exp if exp else None
        gbps = [s.social_value_gbp for s in members if s.social_value_gbp is not None]
        totals.append(PriorityTotal(priority, len(members), exp, dlv, pct,
                                    rating(pct, policy) if rated else NOT_RATED, total(gbps) if gbps else None))
    return tuple(totals)


__all__ = ["ContractInfo", "KPI", "Actual", "Register", "Period", "KPIStatus", "PriorityTotal", "RegisterResult",
           "assess_register", "expected_to_date", "percent_of_expected", "rating", "reporting_periods",
           "due_periods", "add_months", "elapsed_days", "FREQUENCY_MONTHS", "RATINGS", "NOT_YET_DUE", "NOT_RATED"]
