"""The fast reader's byte scans say what a plain search would say, however the bytes fall."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sv_workbook.xlsx.fast_read import _has_bang_markup, _has_hidden_markup, _has_pi_from
from sv_workbook.xlsx.package_check import BANG_LOOKS

#: Mostly "!" and "<", so that "<!" turns up anywhere, including after hundreds of lone "!".
_TEXT = st.lists(st.sampled_from([b"!", b"<", b"a", b"!" * BANG_LOOKS, b"<c r=\"A1\">"]), max_size=40).map(b"".join)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_bang_markup_is_found_wherever_it_is(xml):
    assert _has_bang_markup(xml) == (b"<!" in xml)


def test_a_comment_after_hundreds_of_sheet_references_still_declines():
    refs = b"".join(b'<c r="A%d"><f>Contract!$B$%d</f></c>' % (i, i) for i in range(1, 2 * BANG_LOOKS))
    assert not _has_hidden_markup(b"<sheetData>" + refs + b"</sheetData>")
    assert _has_hidden_markup(b"<sheetData>" + refs + b"<!-- <mergeCells> --></sheetData>")


#: Mostly "?" and "<", so that "<?" turns up anywhere, including after hundreds of lone "?".
_PI_TEXT = st.lists(st.sampled_from([b"?", b"<", b"a", b"?" * BANG_LOOKS, b'<?xml version="1.0"?>']),
                    max_size=40).map(b"".join)


@settings(max_examples=400, deadline=None)
@given(_PI_TEXT, st.integers(0, 60))
def test_processing_instructions_are_found_from_wherever_the_search_starts(xml, start):
    assert _has_pi_from(xml, start, xml.rfind(b"?")) == (xml.rfind(b"<?") >= start)


def test_a_processing_instruction_is_found_after_the_declaration_and_hundreds_of_question_marks():
    head = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet>'
    cells = b"".join(b'<c r="A%d" t="inlineStr"><is><t>https://x.org/?q=%d</t></is></c>' % (i, i)
                     for i in range(1, 2 * BANG_LOOKS))
    assert not _has_hidden_markup(head + cells + b"</worksheet>")
    assert _has_hidden_markup(head + b"<?pi x?>" + cells + b"</worksheet>")
    assert _has_hidden_markup(head + cells + b"<?pi x?></worksheet>")
