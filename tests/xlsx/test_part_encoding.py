"""The package gate's byte-level checks hold whatever encoding an XML part is saved in.

Every check is run on a part saved in UTF-8 and in UTF-16 little- and big-endian, with and
without a byte order mark: the standard allows all of them and openpyxl reads all of them, so
the gate must see the same text openpyxl will. Other encodings are refused in plain words.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from sv_workbook.app.analyse import analyse_file
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.xlsx.fast_read import Declined, read_rawbook_fast
from sv_workbook.xlsx.openpyxl_read import read_rawbook
from sv_workbook.xlsx.package_check import WorkbookUnreadable, check_package
from sv_workbook.xlsx.part_encoding import EncodingRefused, Utf8Text, detect

from tests.support.paths import TODAY
from tests.support.zips import ENCODINGS, reencode, rewrite, sheet_part

ALL = list(ENCODINGS)
DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def saved_as(src: Path, dst: Path, part: str, encoding: str, change=lambda d: d, declare: bool = True) -> Path:
    """``src`` with ``part`` changed by ``change`` and saved in ``encoding`` (with an XML declaration)."""
    def edit(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        data = change(data)
        if declare and not data.startswith(b"<?xml"):
            data = DECLARATION + data
        return reencode(data, encoding)
    return rewrite(src, dst, edit)


def refusal(path: Path, policy=DEFAULT_POLICY) -> str:
    with pytest.raises(WorkbookUnreadable) as caught:
        check_package(path, policy)
    return caught.value.reason


def rows_in(data: bytes, n: int) -> bytes:
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, n + 1))
    return re.sub(rb"<sheetData>.*</sheetData>|<sheetData/>", lambda m: b"<sheetData>" + rows + b"</sheetData>",
                  data, flags=re.DOTALL)


@pytest.mark.parametrize("encoding", ALL)
def test_row_limit_holds_in_every_encoding(tmp_path, example_path, encoding):
    """The 700,000-row UTF-16 sheet that once ran for 79 s is refused like its UTF-8 twin."""
    part = sheet_part(example_path, "Instructions")
    path = saved_as(example_path, tmp_path / "rows.xlsx", part, encoding, lambda d: rows_in(d, 2_001))
    reason = refusal(path, replace(DEFAULT_POLICY, max_rows=2_000))
    assert "'Instructions'" in reason and "max_rows" in reason
    check_package(path, replace(DEFAULT_POLICY, max_rows=2_001))  # the count is exact, not approximate


@pytest.mark.parametrize("encoding", ALL)
def test_cell_limit_holds_in_every_encoding(tmp_path, example_path, encoding):
    part = sheet_part(example_path, "Instructions")
    path = saved_as(example_path, tmp_path / "cells.xlsx", part, encoding, lambda d: rows_in(d, 3_000))
    with zipfile.ZipFile(example_path) as zf:  # the cells of the other sheets, which stay UTF-8
        others = sum(len(re.findall(rb"<c[\s>/]", zf.read(n))) for n in zf.namelist()
                     if n.startswith("xl/worksheets/sheet") and n != part)
    check_package(path, replace(DEFAULT_POLICY, max_cells=others + 3_000))
    assert "max_cells" in refusal(path, replace(DEFAULT_POLICY, max_cells=others + 2_999))


@pytest.mark.parametrize("encoding", ALL)
@pytest.mark.parametrize("declaration", [b'<!DOCTYPE worksheet [<!ENTITY x "y">]>', b'<!ENTITY x "y">'],
                         ids=["doctype", "entity"])
@pytest.mark.parametrize("where", ["sheet", "content-types", "custom-xml"])
def test_dtd_and_entities_refused_in_every_encoding(tmp_path, example_path, encoding, declaration, where):
    """Refused by our own check (with our words), not left to defusedxml's ValueError."""
    part = {"sheet": sheet_part(example_path, "Bidders"), "content-types": "[Content_Types].xml",
            "custom-xml": "docProps/app.xml"}[where]

    def change(data: bytes) -> bytes:
        body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", data)
        return DECLARATION + declaration + body
    path = saved_as(example_path, tmp_path / "dtd.xlsx", part, encoding, change)
    assert "XML entity attacks" in refusal(path)
    outcome = analyse_file(path, DEFAULT_POLICY, TODAY, reader=read_rawbook_fast)
    assert not outcome.readable and "XML entity attacks" in outcome.findings[0].message


@pytest.mark.parametrize("encoding", ALL)
def test_declared_whole_grid_is_noted_in_every_encoding(tmp_path, example_path, encoding):
    part = sheet_part(example_path, "Instructions")
    path = saved_as(example_path, tmp_path / "grid.xlsx", part, encoding,
                    lambda d: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', d))
    assert any(f.code == "HUGE-RANGE" for f in check_package(path).findings)


@pytest.mark.parametrize("encoding", ALL)
def test_a_tender_in_any_encoding_gets_one_verdict(tmp_path, example_path, encoding):
    """A valid tender whose Bidders sheet is UTF-16 was 'MISSING-TABLE' to validate (calamine read
    the sheet as empty) but scored by score. The fast reader now leaves it to openpyxl."""
    part = sheet_part(example_path, "Bidders")
    path = saved_as(example_path, tmp_path / "recoded.xlsx", part, encoding)
    assert read_rawbook_fast(path) == read_rawbook(path)
    fast = analyse_file(path, DEFAULT_POLICY, TODAY, reader=read_rawbook_fast)
    slow = analyse_file(path, DEFAULT_POLICY, TODAY)
    assert fast.kind == slow.kind == "tender"
    assert [f.code for f in fast.findings] == [f.code for f in slow.findings]
    assert not any(f.code == "MISSING-TABLE" for f in fast.findings)
    if encoding != "utf-8":
        assert check_package(path).utf16_parts == (part,)
        with pytest.raises(Declined, match="UTF-16"):
            read_rawbook_fast(path, strict=True)
    else:
        read_rawbook_fast(path, strict=True)


def test_power_query_utf16_item_keeps_the_fast_path(corpus):
    """Excel writes the Power Query item in UTF-16; neither reader looks at it, so it costs nothing."""
    package = check_package(corpus / "pivots.xlsx")
    assert package.utf16_parts == ("customXml/item1.xml",)
    read_rawbook_fast(corpus / "pivots.xlsx", strict=True)


@pytest.mark.parametrize("head, words", [
    ('<?xml version="1.0" encoding="ISO-8859-1"?><worksheet/>'.encode("latin-1"), "'iso-8859-1'"),
    ('<?xml version="1.0" encoding="windows-1252"?><worksheet/>'.encode("cp1252"), "'windows-1252'"),
    ('<?xml version="1.0" encoding="Shift_JIS"?><worksheet/>'.encode("shift_jis"), "'shift_jis'"),
    ('<?xml version="1.0"?><worksheet/>'.encode("utf-32"), "UTF-32"),
    ('<?xml version="1.0"?><worksheet/>'.encode("utf-32-be"), "UTF-32"),
    ('<?xml version="1.0"?><worksheet/>'.encode("cp500"), "EBCDIC"),
    (b'<?xml version="1.0" encoding="UTF-16"?><worksheet/>', "says it is in UTF-16 but its bytes are UTF-8"),
    (b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-16"?><worksheet/>', "its bytes are UTF-8"),
    (b"\xff\xfe" + '<?xml version="1.0" encoding="UTF-8"?><w/>'.encode("utf-16-le"), "says it is in UTF-8"),
    ('<?xml version="1.0" encoding="UTF-8"?><w/>'.encode("utf-16-be"), "UTF-16 (big-endian)"),
    ('<?xml version="1.0" encoding="UTF-16BE"?><w/>'.encode("utf-16-le"), "UTF-16 (little-endian)"),
])
def test_encodings_the_standard_forbids_are_refused_in_plain_words(tmp_path, example_path, head, words):
    part = sheet_part(example_path, "Instructions")
    path = rewrite(example_path, tmp_path / "enc.xlsx", lambda n, d: head if n == part else d)
    reason = refusal(path)
    assert part in reason and words in reason
    with pytest.raises(EncodingRefused):
        detect(head)


def test_damaged_utf16_text_is_refused(tmp_path, example_path):
    part = sheet_part(example_path, "Instructions")
    lone_surrogate = b"\xff\xfe" + "<worksheet>".encode("utf-16-le") + b"\x00\xd8" + "</worksheet>".encode("utf-16-le")
    path = rewrite(example_path, tmp_path / "bad.xlsx", lambda n, d: lone_surrogate if n == part else d)
    assert "not valid UTF-16" in refusal(path)
    cut = b"\xff\xfe" + "<worksheet/>".encode("utf-16-le") + b"<"
    path = rewrite(example_path, tmp_path / "cut.xlsx", lambda n, d: cut if n == part else d)
    assert "not valid UTF-16" in refusal(path)


@pytest.mark.parametrize("encoding", ALL)
def test_what_the_standard_allows_is_accepted(encoding):
    codec, bom = ENCODINGS[encoding]
    for text in ('<?xml version="1.0" encoding="UTF-8"?><w/>' if codec == "utf-8" else
                 '<?xml version="1.0" encoding="utf-16"?><w/>', "<w/>", '<?xml version="1.0"?><w/>'):
        assert detect(bom + text.encode(codec)) == codec


def test_utf16_text_cut_between_pieces_is_joined():
    """Pieces of an inflated part can end inside a character; the transcoder waits for the rest."""
    data = "<c>\U0001F600é</c>".encode("utf-16-be")
    for cut in range(1, len(data)):
        text = Utf8Text("utf-16-be")
        assert text.feed(data[:cut]) + text.feed(data[cut:]) + text.feed(b"", final=True) == "<c>\U0001F600é</c>".encode()
