"""Every workbook sv-workbook writes prints as a record: measured on LibreOffice's PDF of it.

The page counts, the A4 size and the header/footer on every page are read from the PDF
LibreOffice makes of each workbook (``soffice --convert-to pdf``, poppler's pdfinfo and
pdftotext); widths and print areas from the files themselves.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from sv_workbook import __version__
from sv_workbook.cli.commands import main
from sv_workbook.xlsx.print_layout import escape, stamp, text_width, wrapped_lines
from tests.support.lo import convert
from tests.support.paths import ROOT

AS_OF = "2026-11-27"


def pdf_pages(pdf: Path) -> list[tuple[float, float, str]]:
    """(width, height, text) of every page."""
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    sizes = [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")[:len(sizes)]
    return [(w, h, t) for (w, h), t in zip(sizes, pages)]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The blank templates, the scored example tender and KPI register, the example portfolio report."""
    from sv_workbook.app.portfolio_run import run_report
    from sv_workbook.core.kpi.measures import default_library
    from sv_workbook.core.kpi.proxies import load_proxies
    from sv_workbook.core.periods import parse_period
    from sv_workbook.core.policy import DEFAULT_POLICY
    from tests.support.example_portfolio import PROXY_FILE, write_example_portfolio
    from tests.support.example_registers import example_register, write_register
    from tests.support.example_tender import write_example_tender

    d = tmp_path_factory.mktemp("print")
    runner = CliRunner()
    assert runner.invoke(main, ["new", "tender", str(d / "tender_template.xlsx")]).exit_code == 0
    assert runner.invoke(main, ["new", "kpi-register", str(d / "kpi_template.xlsx")]).exit_code == 0
    write_example_tender(d / "tender_example.xlsx")
    r = runner.invoke(main, ["score", str(d / "tender_example.xlsx"), "-o", str(d / "tender_scored.xlsx"),
                             "--as-of", AS_OF])
    assert r.exit_code in (0, 1), r.output
    write_register(example_register(), d / "kpi_example.xlsx")
    r = runner.invoke(main, ["score", str(d / "kpi_example.xlsx"), "-o", str(d / "kpi_scored.xlsx"), "--as-of", AS_OF])
    assert r.exit_code in (0, 1), r.output
    folder = d / "portfolio"
    write_example_portfolio(folder)
    library = default_library()
    proxies, _ = load_proxies(folder / PROXY_FILE, library)
    run_report([folder], parse_period("FY2025"), d / "portfolio_report", DEFAULT_POLICY, date(2026, 11, 27), library,
               proxies, datetime(2026, 11, 27, 9, 0))
    return {"tender_template": d / "tender_template.xlsx", "tender_scored": d / "tender_scored.xlsx",
            "kpi_template": d / "kpi_template.xlsx", "kpi_scored": d / "kpi_scored.xlsx",
            "portfolio": d / "portfolio_report.xlsx"}


@pytest.fixture(scope="module")
def pdfs(built, tmp_path_factory) -> dict[str, list[tuple[float, float, str]]]:
    assert shutil.which("pdfinfo") and shutil.which("pdftotext"), "poppler-utils is required (scripts/test.sh)"
    out = tmp_path_factory.mktemp("pdf")
    return {name: pdf_pages(convert(path, out, "pdf")) for name, path in built.items()}


@pytest.mark.libreoffice
@pytest.mark.parametrize("name,limit", [("tender_template", 20), ("tender_scored", 25), ("kpi_template", 8),
                                        ("kpi_scored", 10), ("portfolio", 20)])
def test_page_count_and_a4(pdfs, name, limit):
    pages = pdfs[name]
    assert 0 < len(pages) <= limit, f"{name}: {len(pages)} pages"
    for w, h, _ in pages:  # A4 (595 x 842 pt) portrait or landscape
        assert sorted((round(w), round(h))) == [595, 842], (name, w, h)


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["tender_template", "tender_scored", "kpi_template", "kpi_scored", "portfolio"])
def test_every_page_says_what_it_is(pdfs, built, name):
    """Header: document (and reference where known) and sheet; footer: version and page x of y."""
    pages = pdfs[name]
    sheets = load_workbook(built[name]).sheetnames
    printed = set()
    for i, (_, _, text) in enumerate(pages, start=1):
        flat = " ".join(text.split())
        assert f"Page {i} of {len(pages)}" in flat, (name, i)
        assert f"sv-workbook {__version__}" in flat, (name, i)
        printed |= {s for s in sheets if s in flat}
    assert printed == set(sheets), f"{name}: sheets not printed or not named: {set(sheets) - printed}"
    if name == "tender_scored":
        assert all("Tender evaluation PPHT-2026-014" in " ".join(t.split()) for _, _, t in pages)
    if name == "kpi_scored":
        ref = load_workbook(built["kpi_scored"])["Contract"]["B3"].value
        assert all(f"Social value KPI register {ref}" in " ".join(t.split()) for _, _, t in pages)


@pytest.mark.libreoffice
def test_scored_copy_prints_every_typed_row_and_no_empty_ones(pdfs, built):
    """The Scores print area ends at the last mark typed: every comment is on paper, no blank pages of rows."""
    wb = load_workbook(built["tender_scored"])
    ws = wb["Scores"]
    last = max(c.row for c in ws["A"] if c.value not in (None, ""))
    assert ws.print_area.endswith(f"${last}")
    text = " ".join(" ".join(t.split()) for _, _, t in pdfs["tender_scored"])
    assert ws[f"E{last}"].value.split(":")[0] in text


def header_cells(ws):
    for row in ws.iter_rows():
        for cell in row:
            fill = cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None
            if isinstance(fill, str) and fill.endswith("1F4E78") and isinstance(cell.value, str):
                yield cell


@pytest.mark.parametrize("name", ["tender_template", "tender_scored", "kpi_template", "kpi_scored", "portfolio"])
def test_headers_are_never_cut_inside_a_word(built, name):
    """A header may wrap at a space, but each word fits its column ("QualityWeig ht" was printed)."""
    wb = load_workbook(built[name])
    merged = {ws.title: {c for r in ws.merged_cells.ranges for c in r.cells} for ws in wb}
    for ws in wb:
        for cell in header_cells(ws):
            if (cell.row, cell.column) in merged[ws.title]:
                continue
            width = ws.column_dimensions[cell.column_letter].width or 8.43
            longest = max(len(w) for w in cell.value.split())
            assert longest * 1.1 + 1 <= width, f"{name} {ws.title}!{cell.coordinate} {cell.value!r} in width {width}"


def test_report_text_fits_or_wraps(built):
    """Scenario names and bidder names show whole: the column is wide enough or the text wraps."""
    ws = load_workbook(built["tender_scored"])["Report"]
    for row in ws.iter_rows(min_row=10):
        for cell in row:
            if isinstance(cell.value, str) and not cell.alignment.wrap_text:
                width = ws.column_dimensions[cell.column_letter].width or 8.43
                right = ws.cell(row=cell.row, column=cell.column + 1).value
                assert text_width(cell.value) <= width or right is None, (cell.coordinate, cell.value, width)


def test_every_sheet_is_set_up_for_a4_one_page_wide(built):
    for name, path in built.items():
        for ws in load_workbook(path):
            ps = ws.page_setup
            one_page = (name, ws.title) == ("portfolio", "Summary")
            assert (ps.paperSize, ps.fitToWidth, ps.fitToHeight) == (9, 1, 1 if one_page else 0), (name, ws.title)
            assert ws.sheet_properties.pageSetUpPr.fitToPage, (name, ws.title)
            assert ps.orientation in ("portrait", "landscape") and ws.print_area, (name, ws.title)
    assert load_workbook(built["tender_template"])["Scores"].print_title_rows == "$1:$1"


def test_header_text_from_the_workbook_prints_as_typed():
    """A reference with '&' would otherwise start an Excel header code (&P is the page number)."""
    from openpyxl import Workbook

    ws = Workbook().active
    stamp(ws, "Tender evaluation", "R&D &P 01")
    assert ws.oddHeader.left.text == "Tender evaluation R&&D &&P 01"
    assert escape("a&b") == "a&&b"


def test_wrapped_lines_counts_words_not_characters():
    assert wrapped_lines("short", 20) == 1
    assert wrapped_lines("one two three four five six seven eight nine ten", 12) >= 4
    assert wrapped_lines("a\nb", 20) == 2


def test_committed_workbooks_carry_the_print_setup():
    for path in [*sorted((ROOT / "workbooks").glob("*.xlsx")), *sorted((ROOT / "examples").glob("*.xlsx"))]:
        for ws in load_workbook(path):
            assert ws.page_setup.paperSize == "9" or ws.page_setup.paperSize == 9, (path.name, ws.title)


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["tender_template", "kpi_template"])
def test_no_word_runs_off_the_page(built, tmp_path, name):
    """Every printed word lies inside the page's margins (nothing cut at the right edge).

    Only the templates: where a chart prints on a page of its own, LibreOffice also writes
    the chart's labels, clipped and invisible, into the PDF's text beside the table."""
    import html

    pdf = convert(built[name], tmp_path, "pdf")
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for page in re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', out, re.S):
        width = float(page[0])
        for x_max, word in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<',
                                      page[1]):
            assert float(x_max) <= width - 18, f"{name}: {html.unescape(word)!r} ends at {x_max} of {width}"


def test_scoring_keeps_a_header_the_user_wrote(tmp_path):
    """sv-workbook's own header is refreshed with the tender reference; someone else's is left alone."""
    from tests.support.example_tender import write_example_tender

    src = write_example_tender(tmp_path / "t.xlsx")
    wb = load_workbook(src)
    wb["Criteria"].oddHeader.left.text = "Panel copy: do not circulate"
    wb.save(src)
    assert CliRunner().invoke(main, ["score", str(src), "-o", str(tmp_path / "s.xlsx"), "--as-of", AS_OF]).exit_code in (0, 1)
    scored = load_workbook(tmp_path / "s.xlsx")
    assert scored["Criteria"].oddHeader.left.text == "Panel copy: do not circulate"
    assert scored["Scores"].oddHeader.left.text == "Tender evaluation PPHT-2026-014"
