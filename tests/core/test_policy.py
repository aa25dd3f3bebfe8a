"""The Policy: defaults from the Strategy, TOML overrides, review-date notice."""

from datetime import date

import pytest

from sv_workbook.core.policy import DEFAULT_POLICY, PolicyError, load_policy


def test_defaults_encode_strategy_v02():
    p = DEFAULT_POLICY
    assert (p.sv_threshold_gbp, p.sv_min_percent_of_quality, p.strategy_version) == (50_000, 10, "V0.2")
    assert "Framework call-off" in p.sv_exempt_routes


def test_review_date_is_said_plainly_as_a_notice_not_a_warning():
    """A passed review date is no fault of a workbook: each workbook gets the POLICY-APPLIED notice
    (which says it), the run one POLICY-REVIEW-OVERDUE notice; neither is a warning."""
    assert DEFAULT_POLICY.review_notice(date(2024, 11, 1)) is None
    notice = DEFAULT_POLICY.review_notice(date(2024, 11, 2))
    assert notice.code == "POLICY-REVIEW-OVERDUE" and "V0.2" in notice.message and notice.severity.value == "info"
    per_workbook = DEFAULT_POLICY.review_findings(date(2024, 11, 2))
    assert [(f.code, f.severity.value) for f in per_workbook] == [("POLICY-APPLIED", "info")]
    assert "PAST ITS REVIEW DATE" in per_workbook[0].message


def test_toml_overrides_and_refuses_bad_keys(tmp_path):
    f = tmp_path / "p.toml"
    f.write_text('[policy]\nsv_threshold_gbp = 100000\nsv_exempt_routes = ["Framework call-off", "Direct award"]\n')
    p = load_policy(f)
    assert p.sv_threshold_gbp == 100000.0 and p.sv_exempt_routes[-1] == "Direct award"
    f.write_text("sv_threshold = 1\n")
    with pytest.raises(PolicyError, match="unknown policy keys"):
        load_policy(f)
    f.write_text('sv_threshold_gbp = "lots"\n')
    with pytest.raises(PolicyError, match="must be a number"):
        load_policy(f)


def test_policy_statement_says_plainly_when_overdue():
    assert "PAST ITS REVIEW DATE" not in DEFAULT_POLICY.policy_statement(date(2024, 11, 1))
    assert "PAST ITS REVIEW DATE (November 2024)" in DEFAULT_POLICY.policy_statement(date(2026, 11, 27))


@pytest.mark.parametrize("text, words", [
    ("sv_min_percent_of_quality = 110\n", "percentage from 0 to 100"),
    ("rating_good = 0.8\n", "rating bands"),
    ("financial_year_start_month = 13\n", "from 1 to 12"),
    ("strategy_next_review = 2020-01-01\n", "before 'strategy_approved'"),
    ("sv_threshold_gbp = -1\n", "must not be negative"),
])
def test_policy_file_with_absurd_numbers_is_refused(tmp_path, text, words):
    f = tmp_path / "p.toml"
    f.write_text(text)
    with pytest.raises(PolicyError, match=words):
        load_policy(f)
