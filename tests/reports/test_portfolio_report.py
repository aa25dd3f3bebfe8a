"""The report files: the example portfolio through the real command, read back from disk."""

from __future__ import annotations

import re
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from sv_workbook.cli.commands import main
from sv_workbook.app.analyse import analyse_file
from sv_workbook.core.kpi.rules import KPI, Actual, ContractInfo, Register
from sv_workbook.core.kpi.measures import default_library
from sv_workbook.core.periods import date_range, parse_period
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.core.portfolio import (EXCLUDED_ERRORS, H_CONTRACTS, H_SV_CUMULATIVE, H_SV_PERIOD, INCLUDED,
                                   build_portfolio, format_headline, in_period)
from tests.support.example_portfolio import (PROXY_FILE, example_proxy_csv, example_registers, example_tenders,
                                            register_with_errors, write_example_portfolio, write_register_file)
from sv_workbook.reports.portfolio_html import write_portfolio_html
from sv_workbook.app.portfolio_run import collect_workbooks, output_paths, run_report
from sv_workbook.reports.portfolio_xlsx import write_portfolio_xlsx
from sv_workbook.core.kpi.proxies import load_proxies, social_value_gbp

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 9, 0)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("portfolio")
    write_example_portfolio(folder)
    return folder


@pytest.fixture(scope="module")
def run(folder):
    library = default_library()
    proxies, findings = load_proxies(folder / PROXY_FILE, library)
    assert not findings
    return run_report([folder], parse_period("FY2025"), folder / "out" / "report", DEFAULT_POLICY, AS_OF, library,
                      proxies, NOW)


def test_report_checks_each_workbook_as_the_single_file_path_does(run, folder):
    """The report checks workbooks in parallel with the fast reader, as `validate` does; each
    analysis and its findings must be what the openpyxl reader, one file at a time, gives."""
    library = default_library()
    proxies, _ = load_proxies(folder / PROXY_FILE, library)
    assert len(run.outcomes) == 17 and all(o.result is not None for o in run.outcomes if o.kind)
    for o in run.outcomes:
        one = analyse_file(o.path, DEFAULT_POLICY, AS_OF, {"library": library, "proxies": proxies})
        assert (o.kind, o.findings, o.result) == (one.kind, one.findings, one.result), o.path


def table(wb, name: str) -> list[dict]:
    for ws in wb.worksheets:
        if name in ws.tables:
            rows = list(ws[ws.tables[name].ref])
            headers = [c.value for c in rows[0]]
            return [dict(zip(headers, [c.value for c in r])) for r in rows[1:] if any(c.value is not None for c in r)]
    raise KeyError(name)


def test_xlsx_totals_equal_the_sum_of_the_per_register_results(run, folder):
    """Read the produced file back; add up each included register's own figures independently."""
    wb = load_workbook(run.xlsx)
    headline = {r["Figure"]: r["Value"] for r in table(wb, "Headline")}
    proxies, _ = load_proxies(folder / PROXY_FILE)
    period = run.portfolio.period
    expected_period = 0.0
    counted = [o for o in run.outcomes if o.kind == "kpi-register" and
               next(s for s in run.portfolio.sources if s.path == o.path).status == INCLUDED]
    assert len(counted) == 12
    for o in counted:
        codes = {k.id: k.measure_code for k in o.result.register.kpis}
        for a in o.result.register.actuals:
            proxy = proxies.get(codes[a.kpi_id])
            if proxy and in_period(a.period_end, period):
                expected_period += social_value_gbp(a.actual, proxy)
    assert headline[H_SV_PERIOD] == pytest.approx(expected_period, rel=1e-12)
    by_contract = table(wb, "ByContract")
    assert sum(r["GBPInPeriod"] or 0 for r in by_contract) == pytest.approx(headline[H_SV_PERIOD], rel=1e-12)
    assert sum(r["GBPCumulative"] or 0 for r in by_contract) == pytest.approx(headline[H_SV_CUMULATIVE], rel=1e-12)
    for view in ("ByPriority", "BySupplier", "ByMeasure", "Commitments"):
        rows = table(wb, view)
        assert sum(r["GBPCumulative"] or 0 for r in rows) == pytest.approx(headline[H_SV_CUMULATIVE], rel=1e-12)
    assert headline[H_CONTRACTS] == len(by_contract) == 12


def test_cumulative_to_today_equals_what_each_register_reports_itself(folder, tmp_path):
    """Over every period so far, the report's £ is the sum of the registers' own SocialValueGBP."""
    library = default_library()
    proxies, _ = load_proxies(folder / PROXY_FILE, library)
    run = run_report([folder / "registers"], date_range(date(2020, 1, 1), AS_OF), tmp_path / "all", DEFAULT_POLICY,
                     AS_OF, library, proxies, NOW)
    headline = {r["Figure"]: r["Value"] for r in table(load_workbook(run.xlsx), "Headline")}
    included = {s.path for s in run.portfolio.sources if s.status == INCLUDED}
    own = sum(o.result.social_value_total for o in run.outcomes if o.path in included)
    assert headline[H_SV_CUMULATIVE] == pytest.approx(own, rel=1e-12)


class Cards(HTMLParser):
    """The headline cards of the page: label -> shown value."""

    def __init__(self):
        super().__init__()
        self.cards, self._label, self._in_value, self.text = {}, None, False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li" and "data-figure" in attrs:
            self._label = attrs["data-figure"]
        if tag == "span" and attrs.get("class") == "value" and self._label:
            self._in_value = True

    def handle_endtag(self, tag):
        if tag == "span":
            self._in_value = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_value:
            self.cards[self._label] = data


def test_html_shows_the_same_headline_numbers_as_the_xlsx(run):
    headline = {r["Figure"]: (r["Value"], r["Shown as"]) for r in table(load_workbook(run.xlsx), "Headline")}
    parser = Cards()
    parser.feed(run.html.read_text(encoding="utf-8"))
    assert set(parser.cards) == set(headline)
    for h in run.portfolio.headlines:
        value, shown = headline[h.label]
        assert parser.cards[h.label] == shown == format_headline(type(h)(h.label, value, h.unit, h.note))
    assert parser.cards[H_SV_PERIOD].startswith("£")


def test_html_is_self_contained(run):
    html = run.html.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"<(script|link|iframe|img|object)\b", html, re.I)
    assert not re.search(r"\b(src|href)\s*=", html, re.I)
    assert re.findall(r"https?://[^\s\"'<>]+", html) == ["http://www.w3.org/2000/svg"] * html.count("<svg")
    assert "@media print" in html and 'name="viewport"' in html


def test_the_register_with_errors_is_listed_with_its_errors_and_not_counted(run):
    wb = load_workbook(run.xlsx)
    sources = {Path(r["Path"]).name: r for r in table(wb, "Sources")}
    bad = sources["PPHT-C-113.xlsx"]
    assert bad["Status"] == EXCLUDED_ERRORS and bad["Errors"] == 2
    codes = {r["Code"] for r in table(wb, "Findings") if r["Workbook"] == "PPHT-C-113.xlsx" and r["Severity"] == "error"}
    assert codes == {"KPI-UNKNOWN-MEASURE", "ACTUAL-NEGATIVE"}
    assert "PPHT-C-113" not in {r["ContractRef"] for r in table(wb, "ByContract")}
    html = run.html.read_text(encoding="utf-8")
    assert "PPHT-C-113.xlsx" in html and EXCLUDED_ERRORS in html and "JS2" in html


def test_the_old_copy_is_a_finding_and_not_counted(run):
    wb = load_workbook(run.xlsx)
    sources = {Path(r["Path"]).name: r["Status"] for r in table(wb, "Sources")}
    assert sources["PPHT-C-102 (old copy).xlsx"].startswith("Not counted")
    assert sources["PPHT-C-102.xlsx"] == INCLUDED
    assert [r["ContractRef"] for r in table(wb, "ByContract")].count("PPHT-C-102") == 1
    assert any(r["Code"] == "PORTFOLIO-DUPLICATE-CONTRACT" for r in table(wb, "Findings"))


def test_every_view_has_a_native_chart(run):
    wb = load_workbook(run.xlsx)
    for sheet in ("Summary", "By priority", "By contract", "By supplier", "By measure", "Commitments", "SME & VCSE",
                  "Tenders"):
        assert len(wb[sheet]._charts) == 1, sheet


def test_gbp_figures_name_the_proxy_set(run):
    wb = load_workbook(run.xlsx)
    for sheet in ("Summary", "By priority", "By contract", "By supplier", "By measure", "Commitments"):
        notes = " ".join(str(wb[sheet][f"A{r}"].value) for r in range(2, 6))
        assert "example-proxies-2025 (2025)" in notes, sheet
    assert {r["ProxySet"] for r in table(wb, "ByMeasure")} == {"example-proxies-2025 2025", "no proxy: quantity only"}


def test_untrusted_text_stays_text_in_both_files(tmp_path):
    evil = "<script>alert('x')</script> & =HYPERLINK(\"http://x\")"
    reg = Register(ContractInfo("=EVIL()", evil, evil, True, False, 100_000.0, date(2025, 1, 1), date(2027, 1, 1),
                                "B", "Annual"),
                   (KPI("K1", "Jobs & skills", "JS05", "hours", 100.0, evil),),
                   (Actual("K1", date(2025, 12, 31), 10.0, "EV"),))
    (tmp_path / "in").mkdir()
    write_register_file(reg, tmp_path / "in" / "evil.xlsx")
    run = run_report([tmp_path / "in"], parse_period("2025"), tmp_path / "r", DEFAULT_POLICY, AS_OF,
                     default_library(), None, NOW)
    html = run.html.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    ws = load_workbook(run.xlsx)["By contract"]
    cells = [c for row in ws.iter_rows() for c in row if c.value in ("=EVIL()", evil)]
    assert cells and all(c.data_type == "s" for c in cells)


def test_an_empty_portfolio_still_writes_both_files(tmp_path):
    p = build_portfolio([], parse_period("2026-H1"), AS_OF)
    xlsx = write_portfolio_xlsx(p, tmp_path / "e.xlsx", NOW)
    html = write_portfolio_html(p, tmp_path / "e.html", NOW)
    assert table(load_workbook(xlsx), "Headline")
    assert "None in this report." in html.read_text(encoding="utf-8")


def test_collect_skips_lock_files_backups_and_the_reports_own_output(tmp_path):
    for name in ("a.xlsx", "~$a.xlsx", "a.backup-20260101-0900.xlsx", "notes.txt", "sub/b.xlsm", "report.xlsx"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    found = collect_workbooks([tmp_path], skip=output_paths(tmp_path / "report"))
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.xlsx", "sub/b.xlsm"]


def test_report_command_end_to_end(folder, tmp_path):
    out = tmp_path / "board"
    result = CliRunner().invoke(main, ["report", str(folder), "--period", "FY2025", "--proxies",
                                       str(folder / PROXY_FILE), "--as-of", "2026-11-27", "-o", str(out)])
    assert result.exit_code == 1, result.output  # one register left out for errors
    assert "LEFT OUT" in result.output and "PPHT-C-113.xlsx" in result.output
    assert (tmp_path / "board.xlsx").exists() and (tmp_path / "board.html").exists()
    both = CliRunner().invoke(main, ["report", str(folder), "--period", "FY2025", "--from", "2025-01-01", "-o",
                                     str(out)])
    assert both.exit_code == 2 and "not both" in both.output
    bad = CliRunner().invoke(main, ["report", str(folder), "--period", "2025-Q3", "-o", str(out)])
    assert bad.exit_code == 2 and "FY2026-H1" in bad.output


def test_report_without_errors_exits_0(tmp_path):
    write_register_file(example_registers()[0], tmp_path / "one.xlsx")
    result = CliRunner().invoke(main, ["report", str(tmp_path / "one.xlsx"), "--from", "2025-04-01", "--to",
                                       "2025-09-30", "--as-of", "2026-11-27", "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.xlsx").exists() and (tmp_path / "r.html").exists()


def test_bundled_example_portfolio_matches_the_generator():
    """examples/portfolio/ holds what write_example_portfolio makes (regenerate it if this fails)."""
    folder = ROOT / "examples" / "portfolio"
    expected = {r.contract.ref: r for r in example_registers()}
    expected["PPHT-C-113"] = register_with_errors()
    for path in sorted((folder / "registers").glob("PPHT-C-1??.xlsx")):
        o = analyse_file(path, DEFAULT_POLICY, AS_OF)
        assert o.result is not None and o.result.register == expected[path.stem], path.name
    assert len(list((folder / "registers").glob("*.xlsx"))) == 14
    tenders = {t.setup.ref: t for t in example_tenders()}
    for path in sorted((folder / "tenders").glob("*.xlsx")):
        o = analyse_file(path, DEFAULT_POLICY, AS_OF)
        assert o.result.tender.setup == tenders.pop(path.stem).setup, path.name
    assert not tenders
    assert (folder / PROXY_FILE).read_text(encoding="utf-8") == example_proxy_csv()


@pytest.mark.libreoffice
def test_libreoffice_opens_the_report_workbook_with_the_same_figures(run, tmp_path):
    """A second spreadsheet program reads the file (tables, charts) and finds the same headline numbers."""
    from tests.support.lo import recalc

    ours = {r["Figure"]: r["Value"] for r in table(load_workbook(run.xlsx), "Headline")}
    converted = load_workbook(recalc(run.xlsx, tmp_path / "lo"))
    ws = converted["Summary"]
    theirs = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(7, 7 + len(ours))}
    assert theirs == pytest.approx(ours, rel=1e-14)  # LibreOffice stores 15 significant digits
    assert converted.sheetnames == load_workbook(run.xlsx).sheetnames


def test_unreadable_and_unrelated_workbooks_are_listed_not_counted(tmp_path):
    from openpyxl import Workbook

    write_register_file(example_registers()[0], tmp_path / "good.xlsx")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    other = Workbook()
    other.active["A1"] = "Budget 2026"
    other.save(tmp_path / "budget.xlsx")
    result = CliRunner().invoke(main, ["report", str(tmp_path), "--period", "FY2025", "--as-of", "2026-11-27",
                                       "-o", str(tmp_path / "out" / "r")])
    assert result.exit_code == 1 and "LEFT OUT" in result.output and "broken.xlsx" in result.output
    sources = {Path(r["Path"]).name: r["Status"] for r in table(load_workbook(tmp_path / "out" / "r.xlsx"), "Sources")}
    assert sources == {"good.xlsx": INCLUDED, "broken.xlsx": "Excluded: cannot be read",
                       "budget.xlsx": "Excluded: not a KPI register or tender"}


def test_every_pound_section_of_the_page_names_the_proxy_set(run):
    html = run.html.read_text(encoding="utf-8")
    for section in ("by-priority", "by-contract", "by-supplier", "by-measure"):
        body = html.split(f'<section id="{section}">', 1)[1].split("</section>", 1)[0]
        assert "proxy set example-proxies-2025 (2025)" in body, section



def test_both_files_say_plainly_that_the_policy_is_past_review(run):
    # the example portfolio is checked as at a date after the Strategy's November 2024 review date
    assert "PAST ITS REVIEW DATE (November 2024)" in run.html.read_text(encoding="utf-8")
    wb = load_workbook(run.xlsx, read_only=True)
    texts = [c for row in wb["Summary"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("PAST ITS REVIEW DATE" in t for t in texts)
