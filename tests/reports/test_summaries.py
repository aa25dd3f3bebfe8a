"""Assessment summaries: every section read back from the .docx matches the workbook's figures."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.table import Table as DocxTable

from sv_workbook.cli.commands import main
from tests.support.example_tender import example_tender
from sv_workbook.core.tender.scoring import score_tender
from sv_workbook.core.tender.assessment import Heading, Para, Table, build_summaries
from sv_workbook.reports.summaries_docx import safe_file_name
from sv_workbook.xlsx.tender_template import build_tender_template
from tests.support.fill import fill_tender

from tests.support.paths import TODAY

WINNER = "Northern Homes Repairs Group plc"
EXCLUDED = "Macclesfield Community Builders CIC"


def workbook(tmp_path: Path, tender) -> Path:
    wb = build_tender_template()
    fill_tender(wb, tender)
    path = tmp_path / "tender.xlsx"
    wb.save(path)
    return path


def run(path: Path, out: Path):
    return CliRunner().invoke(main, ["summaries", str(path), "-o", str(out), "--as-of", TODAY.isoformat()])


def read_docx(path: Path) -> list:
    """The document back as blocks: (heading level, text), paragraph text, or table rows."""
    out = []
    for item in Document(path).iter_inner_content():
        if isinstance(item, DocxTable):
            out.append([[c.text for c in row.cells] for row in item.rows])
        elif item.style.name.startswith("Heading"):
            out.append((int(item.style.name.split()[-1]), item.text))
        else:
            out.append(item.text)
    return out


def section(blocks: list, title: str) -> list:
    """Blocks after the level-2 heading ``title`` up to the next level-2 heading."""
    start = blocks.index((2, title)) + 1
    end = next((i for i in range(start, len(blocks)) if isinstance(blocks[i], tuple) and blocks[i][0] <= 2),
               len(blocks))
    return blocks[start:end]


def num(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sum")
    result = run(workbook(tmp, example_tender()), tmp / "out")
    assert result.exit_code == 0, result.output
    docs = {read_docx(p)[1].removeprefix("Supplier: "): read_docx(p) for p in sorted((tmp / "out").glob("*.docx"))}
    return docs


def test_one_document_per_assessed_supplier(written):
    assert set(written) == {b.name for b in example_tender().bidders}


@pytest.mark.parametrize("supplier", [b.name for b in example_tender().bidders])
def test_every_section_matches_the_workbook(written, supplier):
    t = example_tender()
    blocks = written[supplier]
    qw, scale = t.setup.quality_weight, t.setup.scale_max
    agreed = {(m.bidder, m.criterion_id): m for m in t.consensus}
    is_winner = supplier == WINNER

    def check_criteria(table, crits):
        head, *rows, sub = table
        assert head[:7] == ["Criterion", "Weight (% of quality)", "Weight (% of total)", "Marks available",
                            "Points available", "Your mark", "Your points"]
        assert len(rows) == len(crits)
        for row, c in zip(rows, crits):
            mark = agreed[(supplier, c.id)].score
            assert row[0] == f"{c.id} {c.name}"
            assert num(row[1]) == c.weight and num(row[2]) == pytest.approx(c.weight * qw / 100)
            assert row[3].startswith(f"0 to {scale:g}")
            assert num(row[4]) == pytest.approx(qw * c.weight / 100, abs=0.005)
            assert num(row[5]) == mark
            assert num(row[6]) == pytest.approx(qw * c.weight / 100 * mark / scale, abs=0.005)
            if not is_winner:
                won = agreed[(WINNER, c.id)].score
                assert num(row[7]) == won and num(row[8]) == pytest.approx(qw * c.weight / 100 * won / scale, abs=0.005)
        own = sum(qw * c.weight / 100 * agreed[(supplier, c.id)].score / scale for c in crits)
        assert sub[0] == "Sub-total" and num(sub[6]) == pytest.approx(own, abs=0.005)
        return own

    def check_reasons(blocks_, crits):
        for c in crits:
            i = blocks_.index((3, f"{c.id} {c.name}"))
            assert blocks_[i + 1].startswith(f"Your mark: {agreed[(supplier, c.id)].score:g} of {scale:g}")
            assert blocks_[i + 1].endswith("Reason: " + agreed[(supplier, c.id)].rationale)
            if not is_winner:
                assert blocks_[i + 2].endswith("Reason: " + agreed[(WINNER, c.id)].rationale)

    quality = [c for c in t.criteria if not c.social_value]
    social = [c for c in t.criteria if c.social_value]
    q = section(blocks, "Quality criteria")
    q_own = check_criteria(q[0], quality)
    check_reasons(q, quality)
    sv = section(blocks, "Social value")
    assert sv[0] == "Social value criteria carry 15% of the quality score, which is 9% of the total score."
    sv_own = check_criteria(sv[1], social)
    check_reasons(sv, social)

    result = score_tender(t, today=TODAY)
    me, winner = result.result(supplier), result.result(WINNER)
    totals = dict((row[0], row[1:]) for row in section(blocks, "Totals")[0][1:])
    assert num(totals["Quality excluding social value"][0]) == pytest.approx(q_own, abs=0.005)
    assert num(totals["Social value"][0]) == pytest.approx(sv_own, abs=0.005)
    assert num(totals["Quality total"][0]) == pytest.approx(q_own + sv_own, abs=0.005)
    price = section(blocks, "Price")
    if supplier == EXCLUDED:
        assert totals["Total score"][0] == "–" and totals["Rank"][0] == "–"
        why = section(blocks, "Why your tender was excluded")
        assert "below the minimum score on Q4 (2 < 3)" in why[0]
        assert "price was not scored" in price[1]
    else:
        # price score by hand: 40 × lowest qualifying price (Cheshire's £1,525,500) / own price
        own_price = next(b.price for b in t.bidders if b.name == supplier)
        assert num(totals["Price score"][0]) == pytest.approx(40 * 1_525_500 / own_price, abs=0.005)
        assert num(totals["Total score"][0]) == pytest.approx(q_own + sv_own + 40 * 1_525_500 / own_price, abs=0.005)
        assert totals["Rank"][0] == str(me.rank)
        assert f"{40 * 1_525_500 / own_price:.2f} of 40 points" in price[1]
    if not is_winner:
        assert num(totals["Total score"][1]) == pytest.approx(winner.total, abs=0.005)
        assert f"most advantageous tender, submitted by {WINNER}" in blocks[2]
    else:
        assert "Yours is the most advantageous tender" in blocks[2] and len(section(blocks, "Totals")[0][0]) == 2
    assert "Price carried 40% and quality 60%" in section(blocks, "How tenders were assessed")[0]


def test_docx_says_what_the_markdown_says(written):
    summaries, gaps = build_summaries(score_tender(example_tender(), today=TODAY))
    assert not gaps
    for s in summaries:
        expected = []
        for b in s.blocks:
            if isinstance(b, Heading):
                expected.append((b.level, b.text))
            elif isinstance(b, Para):
                expected.append(b.text)
            elif isinstance(b, Table):
                expected.append([list(b.headers)] + [list(r) for r in b.rows])
        assert written[s.supplier] == expected
        assert "## Social value" in s.to_markdown()


def test_refuses_while_a_rationale_is_missing(tmp_path):
    t = example_tender()
    consensus = tuple(replace(m, rationale="  ") if (m.bidder, m.criterion_id) == (WINNER, "Q3") else m
                      for m in t.consensus)
    path = workbook(tmp_path, replace(t, consensus=consensus))
    result = run(path, tmp_path / "out")
    assert result.exit_code == 1
    # the Q3 row of the winner is the 15th consensus row (bidder order × 6 criteria) → row 16; Rationale is column D
    row = 2 + [(m.bidder, m.criterion_id) for m in t.consensus].index((WINNER, "Q3"))
    assert f"SUMMARY-NO-RATIONALE at 'tender.xlsx' Consensus!D{row}" in result.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_refuses_on_a_tie_for_first(tmp_path):
    t = example_tender()
    two = (replace(t.bidders[0], price=1_000_000.0), replace(t.bidders[1], name="Twin", price=1_000_000.0))
    twin_marks = tuple(replace(m, bidder="Twin") for m in t.consensus if m.bidder == t.bidders[0].name)
    tied = replace(t, bidders=two, scores=(), consensus=tuple(m for m in t.consensus if m.bidder == t.bidders[0].name)
                   + twin_marks)
    summaries, gaps = build_summaries(score_tender(tied, today=TODAY))
    assert not summaries and [g.code for g in gaps] == ["SUMMARY-TIE"]


def test_hostile_supplier_names_stay_text_and_inside_the_folder(tmp_path):
    t = example_tender()
    names = {t.bidders[0].name: "../../etc/passwd", t.bidders[1].name: "=cmd|' /C calc'!A0 \\..\\x",
             t.bidders[2].name: "CON", t.bidders[3].name: "Bell & Sons <Ltd>"}
    hostile = replace(t, bidders=tuple(replace(b, name=names[b.name]) for b in t.bidders),
                      scores=tuple(replace(s, bidder=names[s.bidder]) for s in t.scores),
                      consensus=tuple(replace(m, bidder=names[m.bidder]) for m in t.consensus))
    out = tmp_path / "out"
    result = run(workbook(tmp_path, hostile), out)
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 4 and all(p.parent == out for p in out.iterdir())
    assert all("/" not in f and "\\" not in f and ".." not in f for f in files)
    suppliers = {read_docx(out / f)[1] for f in files}
    assert "Supplier: ../../etc/passwd" in suppliers and "Supplier: =cmd|' /C calc'!A0 \\..\\x" in suppliers
    assert "Supplier: Bell & Sons <Ltd>" in suppliers
    assert safe_file_name(3, "CON") == "03-CON.docx" and safe_file_name(1, "...") == "01-supplier.docx"


def test_a_supplier_name_longer_than_a_document_title_is_written_whole_in_the_text(tmp_path):
    """A 300-character bidder name (Excel allows 32,767) crashed ``summaries`` with python-docx's
    "exceeded 255 char limit" traceback: the title property is cut, the document keeps the name."""
    t = example_tender()
    long_name = "Northern Homes Repairs " + "and Maintenance " * 18 + "Group plc"
    assert len(long_name) > 300
    first = t.bidders[0].name
    swap = lambda name: long_name if name == first else name  # noqa: E731
    long = replace(t, bidders=tuple(replace(b, name=swap(b.name)) for b in t.bidders),
                   scores=tuple(replace(s, bidder=swap(s.bidder)) for s in t.scores),
                   consensus=tuple(replace(m, bidder=swap(m.bidder)) for m in t.consensus))
    out = tmp_path / "out"
    result = run(workbook(tmp_path, long), out)
    assert result.exit_code == 0, result.output
    [doc] = [p for p in out.iterdir() if "Northern Homes Repairs and" in p.name]
    assert f"Supplier: {long_name}" in read_docx(doc)
    title = Document(doc).core_properties.title
    assert len(title) == 255 and title.endswith("…") and f"Assessment summary: {long_name}".startswith(title[:-1])


def test_control_characters_are_dropped_not_fatal(tmp_path):
    from sv_workbook.core.tender.assessment import Summary
    from sv_workbook.reports.summaries_docx import write_summaries

    [path] = write_summaries([Summary("Bell\x07 Ltd", False, (Para("Reason: ok\x0b done"),))], tmp_path)
    assert read_docx(path) == ["Reason: ok done"] and path.name == "01-Bell_ Ltd.docx"


def test_rewriting_keeps_a_backup(tmp_path):
    from sv_workbook.core.tender.assessment import Summary
    from sv_workbook.reports.summaries_docx import write_summaries

    write_summaries([Summary("A", False, (Para("first"),))], tmp_path)
    write_summaries([Summary("A", False, (Para("second"),))], tmp_path)
    backups = [p for p in tmp_path.iterdir() if ".backup-" in p.name]
    assert len(backups) == 1 and read_docx(backups[0]) == ["first"] and read_docx(tmp_path / "01-A.docx") == ["second"]


def test_price_per_quality_point_summary_by_hand():
    from tests.core.test_price_methods import worked

    summaries, gaps = build_summaries(score_tender(worked("Price per quality point"), today=TODAY))
    assert not gaps
    a = next(s for s in summaries if s.supplier == "A").to_markdown()
    # A: £100,000 / 36 points = £2,777.78 per point; winner B: £125,000 / 60 = £2,083.33; A's index 75
    assert "Your price per quality point: £2,777.78. The winning tender's: £2,083.33." in a
    assert "| Total score | 75.00 | 100.00 |" in a and "| Price score (not used) | – | – |" in a
    assert "ranked by price per quality point" in a


def test_unreadable_or_wrong_file(tmp_path):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a workbook")
    assert run(bad, tmp_path / "out").exit_code == 2
    assert not (tmp_path / "out").exists()


def test_refuses_while_an_abnormally_low_case_is_open():
    from datetime import date

    from sv_workbook.core.tender.model import AbnormallyLowEntry

    from tests.core.test_abnormally_low import FLAGGED, tender

    open_case = tender(FLAGGED, log=[AbnormallyLowEntry("Low", date(2026, 3, 1), date(2026, 3, 2))])
    summaries, gaps = build_summaries(score_tender(open_case, today=TODAY))
    assert not summaries and [g.code for g in gaps] == ["SUMMARY-AL-OPEN"]
    unlogged = tender(FLAGGED)
    assert [g.code for g in build_summaries(score_tender(unlogged, today=TODAY))[1]] == ["SUMMARY-AL-OPEN"]
    decided = tender(FLAGGED, log=[AbnormallyLowEntry("Low", date(2026, 3, 1), date(2026, 3, 2), "Costs shown",
                                                      "Retained")])
    summaries, gaps = build_summaries(score_tender(decided, today=TODAY))
    assert not gaps and len(summaries) == len(FLAGGED)


def test_summaries_say_the_declarations_were_complete_without_naming_evaluators(written):
    for blocks in written.values():
        text = "\n".join(b if isinstance(b, str) else str(b) for b in blocks)
        assert ("Each of the 3 evaluators declared any conflict of interest before scoring (Procurement Act 2023 "
                "ss.81-83); 1 declared a possible conflict, and the steps taken to mitigate it are recorded.") in text
        assert "Okafor" not in text and "Patel" not in text
