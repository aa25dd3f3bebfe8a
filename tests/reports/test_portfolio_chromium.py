"""The report page renders in headless Chromium without a console message, on a phone and a desk."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from sv_workbook.core.kpi.measures import default_library
from sv_workbook.core.periods import parse_period
from sv_workbook.core.policy import DEFAULT_POLICY
from tests.support.example_portfolio import PROXY_FILE, write_example_portfolio
from sv_workbook.app.portfolio_run import run_report
from sv_workbook.core.kpi.proxies import load_proxies

from tests.support.chromium import png_size, render

pytestmark = pytest.mark.chromium


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("portfolio")
    write_example_portfolio(folder)
    library = default_library()
    proxies, _ = load_proxies(folder / PROXY_FILE, library)
    run = run_report([folder], parse_period("FY2025"), folder / "report", DEFAULT_POLICY, date(2026, 11, 27),
                     library, proxies, datetime(2026, 11, 27, 9, 0))
    return run.html


@pytest.mark.parametrize("width,height", [(390, 2400), (1280, 2000)])
def test_report_page_renders_without_console_errors(page, tmp_path, width, height):
    shot = render(page, tmp_path / f"report-{width}.png", width, height, tmp_path / "profile")
    assert shot.console == []
    assert png_size(shot.screenshot) == (width, height)
    assert shot.screenshot.stat().st_size > 20_000  # a blank page compresses to a few kB


def test_the_console_check_catches_a_deliberate_error_and_a_blocked_fetch(tmp_path):
    """Proof that the check above can fail: a page with an error and, under the report's CSP, a fetch."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><title>x</title></head><body>"
                   "<script>console.error('deliberate failure 4711')</script></body></html>", encoding="utf-8")
    assert any("deliberate failure 4711" in m for m in
               render(bad, tmp_path / "bad.png", 390, 600, tmp_path / "p1").console)
    blocked = tmp_path / "blocked.html"
    blocked.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><meta http-equiv='Content-Security-Policy' "
                       "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"><title>x</title>"
                       "</head><body><img alt='' src='https://example.invalid/x.png'></body></html>", encoding="utf-8")
    assert any("example.invalid" in m for m in
               render(blocked, tmp_path / "blocked.png", 390, 600, tmp_path / "p2").console)


def test_long_chart_labels_are_shown_whole_within_the_chart(tmp_path):
    """A long supplier or priority name is wrapped, never cut short, and starts inside the picture."""
    import re

    import pandas as pd

    from sv_workbook.reports.portfolio_html import LABEL_CHAR_PX, _chart

    names = ["Macclesfield Community Builders CIC", "Community spirit & wellbeing",
             "Supercalifragilisticexpialidocious Holdings"]
    svg = _chart("£ by supplier", names, [("GBPInPeriod", pd.Series([1.0, 2.0, 3.0]))], lambda v: f"{v:g}")
    assert "…" not in svg
    label_w = int(re.search(r'<tspan x="(\d+)"', svg).group(1)) + 6
    for name in names:
        lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg.split(f"<title>{name.replace('&', '&amp;')}</title>")[1]
                           .split("</text>")[0])
        assert " ".join(lines).replace("&amp;", "&") == name
        assert all(LABEL_CHAR_PX * len(line) <= label_w - 6 for line in lines)
    page = tmp_path / "chart.html"
    page.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>c</title></head><body>{svg}</body></html>",
                    encoding="utf-8")
    shot = render(page, tmp_path / "chart.png", 700, 300, tmp_path / "profile")
    assert shot.console == []
