from datetime import date

import pytest

from sv_workbook.core.periods import PeriodError, date_range, parse_period


@pytest.mark.parametrize("label, start, end", [
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ("2026-H1", date(2026, 1, 1), date(2026, 6, 30)),
    ("2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
    ("FY2026", date(2026, 4, 1), date(2027, 3, 31)),
    ("FY2026-H1", date(2026, 4, 1), date(2026, 9, 30)),
    ("FY2026-H2", date(2026, 10, 1), date(2027, 3, 31)),
    ("fy2024-h2", date(2024, 10, 1), date(2025, 3, 31)),
])
def test_periods_and_their_boundaries(label, start, end):
    p = parse_period(label)
    assert (p.start, p.end) == (start, end)
    assert start in p and end in p
    assert start.replace(day=1) in p
    from datetime import timedelta
    assert start - timedelta(days=1) not in p and end + timedelta(days=1) not in p


def test_financial_year_start_is_a_setting():
    assert parse_period("FY2026", fy_start_month=7).start == date(2026, 7, 1)
    assert parse_period("FY2026", fy_start_month=7).end == date(2027, 6, 30)


def test_bad_periods_are_refused_with_the_accepted_forms():
    with pytest.raises(PeriodError, match="FY2026-H1"):
        parse_period("2026-Q1")
    with pytest.raises(PeriodError):
        date_range(date(2026, 2, 1), date(2026, 1, 1))
