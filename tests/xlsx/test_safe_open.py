"""Untrusted files are checked before any parser sees them: each gives one clear reason."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sv_workbook.app.analyse import analyse_file
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.xlsx.package_check import WorkbookUnreadable, check_package
from sv_workbook.xlsx.openpyxl_read import open_workbook, read_rawbook

from tests.support.paths import TODAY
from tests.support.zips import directory_entries, lie_about_size, read_part, rewrite, sheet_part, with_directory


def refused(path: Path, policy=DEFAULT_POLICY) -> WorkbookUnreadable:
    with pytest.raises(WorkbookUnreadable) as caught:
        check_package(path, policy)
    assert caught.value.hint, "every refusal says what to do"
    return caught.value


def test_the_example_passes_with_no_notices(example_path):
    package = check_package(example_path)
    assert package.findings == ()
    assert "xl/workbook.xml" in package.content_types


@pytest.mark.parametrize("content, reason", [
    (b"", "empty"),
    (b"Bidder,Price\nAcme,100\n", "not an Excel workbook"),
    (b"<html><body><table></table></body></html>", "web page or XML"),
    (b"%PDF-1.7\n", "PDF"),
])
def test_not_a_workbook(tmp_path, content, reason):
    path = tmp_path / "bids.xlsx"
    path.write_bytes(content)
    assert reason in refused(path).reason


def test_missing_file_and_folder(tmp_path):
    assert "does not exist" in refused(tmp_path / "nope.xlsx").reason
    assert "folder" in refused(tmp_path).reason


def test_truncated_download(tmp_path, example_bytes):
    path = tmp_path / "half.xlsx"
    path.write_bytes(example_bytes[: len(example_bytes) // 2])
    assert "truncated or damaged (its zip directory is missing)" in refused(path).reason


def test_damaged_part_crc(tmp_path, example_bytes):
    data = bytearray(example_bytes)
    at = data.index(b"xl/workbook.xml") + 200  # inside that part's compressed bytes
    data[at] ^= 0xFF
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data))
    error = refused(path)
    assert "damaged" in error.reason or "truncated" in error.reason


def test_part_lying_about_its_size_is_refused(tmp_path, example_path):
    """zipfile stops at the declared size (so the lie passes through it unnoticed); the gate
    inflates each part itself and refuses the first byte beyond what it declares."""
    part = sheet_part(example_path, "Scores")
    path = lie_about_size(example_path, tmp_path / "liar.xlsx", part, 500)
    with zipfile.ZipFile(path) as zf:
        assert len(zf.read(part)) == 500  # what zipfile alone would have let through
    error = refused(path)
    assert f"{part} unpacks to more than the 500 bytes it declares" in error.reason
    assert "damaged or deliberately malformed" in error.reason
    outcome = analyse_file(path, DEFAULT_POLICY, TODAY)
    assert not outcome.readable and outcome.findings[0].code == "FILE-UNREADABLE"


def test_part_named_differently_in_its_header_is_refused(tmp_path, example_path):
    """A part whose local header names another file than the zip directory does (a trick to
    show one reader different content from another) is refused as damaged, as zipfile does."""
    part = sheet_part(example_path, "Scores")
    data = bytearray(example_path.read_bytes())
    with zipfile.ZipFile(example_path) as zf:
        info = zf.getinfo(part)
    at = info.header_offset + 30 + len(part) - len(".xml")  # the '.' of '.xml' in the local header
    data[at:at + 1] = b"_"
    path = tmp_path / "renamed.xlsx"
    path.write_bytes(bytes(data))
    error = refused(path)
    assert "damaged" in error.reason and "different names" in error.reason
    assert "differ" in error.detail and "BadZipFile" not in error.reason  # Python's words only as detail


def _entries(data: bytes) -> list[bytes]:
    offsets = directory_entries(data)
    return [data[a:b] for a, b in zip(offsets, offsets[1:] + [data.rfind(b"PK\x05\x06")])]


def test_overlapping_parts_are_refused(tmp_path, example_bytes):
    """Thousands of directory entries sharing one part's data would make any reader inflate
    the same bytes again and again: the parts may not claim more data than the file holds."""
    entries = _entries(example_bytes)
    styles = next(e for e in entries if b"xl/styles.xml" in e)
    copies = [styles.replace(b"xl/styles.xml", f"xl/cp{i:04d}.xml".encode()) for i in range(200)]  # same length
    path = tmp_path / "overlap.xlsx"
    path.write_bytes(with_directory(example_bytes, entries + copies))
    assert "overlap" in refused(path).reason
    path.write_bytes(with_directory(example_bytes, entries))  # the same file without the copies passes
    check_package(path)


def test_file_size_limit_is_exact(example_path):
    size = example_path.stat().st_size
    check_package(example_path, replace(DEFAULT_POLICY, max_file_bytes=size))
    error = refused(example_path, replace(DEFAULT_POLICY, max_file_bytes=size - 1))
    assert "max_file_bytes" in error.reason and "over the limit" in error.reason


def test_empty_deflated_part_reads_as_empty(tmp_path, example_bytes):
    """A deflated part of no bytes at all (no deflate stream) reads as empty, as in zipfile."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(example_bytes)) as zin, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
        zout.writestr("customXml/item1.xml", b"", compress_type=zipfile.ZIP_STORED)
    data = bytearray(buffer.getvalue())
    entry = max(directory_entries(bytes(data)))  # the empty part's directory entry, written last
    local = struct.unpack_from("<I", data, entry + 42)[0]
    struct.pack_into("<H", data, entry + 10, zipfile.ZIP_DEFLATED)  # method, in the directory and the header
    struct.pack_into("<H", data, local + 8, zipfile.ZIP_DEFLATED)
    path = tmp_path / "empty-part.xlsx"
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("customXml/item1.xml")
        assert (info.compress_type, info.compress_size, zf.read(info)) == (zipfile.ZIP_DEFLATED, 0, b"")
    check_package(path)


def test_local_header_name_is_decoded_by_its_own_flag(tmp_path, example_bytes):
    """The directory says a part's name is UTF-8 but its local header does not: zipfile
    refuses such a part, and so must the check that reads parts itself."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(example_bytes)) as zin, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
        zout.writestr("xl/média.xml", b"<a/>")
    data = bytearray(buffer.getvalue())
    local = data.index("xl/média.xml".encode()) - 30
    flags = struct.unpack_from("<H", data, local + 6)[0]
    assert flags & 0x800  # zipfile flagged the name UTF-8 in both headers; clear it in the local one
    struct.pack_into("<H", data, local + 6, flags & ~0x800)
    path = tmp_path / "flags.xlsx"
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zf, pytest.raises(zipfile.BadZipFile):
        zf.read("xl/média.xml")
    assert "damaged" in refused(path).reason


def test_the_fast_reader_reads_the_bytes_that_were_checked(tmp_path, example_path, monkeypatch):
    """The file is read once, by the check; the fast reader reads those bytes, so a file
    replaced between the check and the read cannot slip past the check."""
    from sv_workbook.xlsx.fast_read import read_rawbook_fast

    opened: list[str] = []
    original = io.open

    def counting_open(file, *args, **kwargs):
        opened.append(str(file))
        return original(file, *args, **kwargs)
    monkeypatch.setattr(io, "open", counting_open)  # Path.open, zipfile and calamine's file-likes
    raw = read_rawbook_fast(example_path, strict=True)
    assert opened.count(str(example_path)) == 1 and raw.tables


def test_compression_methods_excel_does_not_write_are_refused(tmp_path, example_bytes):
    path = tmp_path / "bzip2.xlsx"
    with zipfile.ZipFile(io.BytesIO(example_bytes)) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
    error = refused(path)
    assert "compression method Excel does not write" in error.reason and "Save As" in error.hint


def test_sheet_without_its_content_type_is_still_counted(tmp_path, example_path):
    """openpyxl finds sheets through the workbook's relationships, whatever the content types
    say, so the row and cell limits must apply to such a sheet too."""
    def edit(name: str, data: bytes) -> bytes:
        return (re.sub(rb'<Override PartName="/xl/worksheets/[^>]*/>', b"", data)
                if name == "[Content_Types].xml" else data)
    path = rewrite(example_path, tmp_path / "no-types.xlsx", edit)
    assert b"worksheet+xml" not in read_part(path, "[Content_Types].xml")
    assert "max_rows" in refused(path, replace(DEFAULT_POLICY, max_rows=5)).reason


def test_damaged_zip_directory_is_not_called_an_xml_attack(tmp_path, example_bytes):
    data = bytearray(example_bytes)
    eocd = data.rfind(b"PK\x05\x06")
    struct.pack_into("<I", data, eocd + 16, struct.unpack_from("<I", data, eocd + 16)[0] + 1000)
    path = tmp_path / "bad-directory.xlsx"
    path.write_bytes(bytes(data))
    error = refused(path)
    assert "damaged" in error.reason and "entity" not in error.reason


class _Unseekable(io.RawIOBase):
    """A stream zipfile cannot seek back in, so it writes data descriptors after each part."""

    def __init__(self, fh):
        self.fh = fh

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        return self.fh.write(data)


@pytest.mark.parametrize("layout", ["data descriptors", "zip64 extras"])
def test_parts_with_data_descriptors_or_zip64_extras_are_read(tmp_path, example_path, layout):
    """The gate inflates parts from the raw file itself, so it must skip whatever the local
    headers carry as real tools write them (sizes after the data, zip64 extra fields)."""
    path = tmp_path / "package.xlsx"
    with path.open("wb") as raw, zipfile.ZipFile(example_path) as zin:
        target = _Unseekable(raw) if layout == "data descriptors" else raw
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                with zout.open(info.filename, "w", force_zip64=layout == "zip64 extras") as part:
                    part.write(zin.read(info))
    with zipfile.ZipFile(path) as zf:
        flags = {i.flag_bits & 0x8 for i in zf.infolist()}
        assert flags == ({0x8} if layout == "data descriptors" else {0})
    kept = check_package(path, keep_parts=True).parts
    assert kept["xl/workbook.xml"] == read_part(example_path, "xl/workbook.xml")
    assert read_rawbook(path) == replace(read_rawbook(example_path), label="package.xlsx")


def test_stored_parts_are_checked_and_read(tmp_path, example_path):
    """Parts stored without compression (some tools write them) pass the same checks."""
    with zipfile.ZipFile(example_path) as zin, zipfile.ZipFile(tmp_path / "stored.xlsx", "w",
                                                                zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
    package = check_package(tmp_path / "stored.xlsx", keep_parts=True)
    assert package.parts[sheet_part(example_path, "Scores")] == read_part(example_path,
                                                                              sheet_part(example_path, "Scores"))
    assert read_rawbook(tmp_path / "stored.xlsx") == replace(read_rawbook(example_path), label="stored.xlsx")


def test_old_xls_and_xlsb_and_ods_from_the_corpus(corpus, tmp_path):
    assert "(.xls)" in refused(corpus / "any_sheets.xls").reason
    assert "Save As" in refused(corpus / "any_sheets.xls").hint
    assert "(.xlsb)" in refused(corpus / "any_sheets.xlsb").reason
    assert "(.ods)" in refused(corpus / "any_sheets.ods").reason
    # the content decides, not the name: an .xlsb renamed .xlsx is still refused as .xlsb
    renamed = tmp_path / "renamed.xlsx"
    renamed.write_bytes((corpus / "any_sheets.xlsb").read_bytes())
    assert "(.xlsb)" in refused(renamed).reason


def test_password_protected_workbook(corpus):
    error = refused(corpus / "pass_protected.xlsx")
    assert "password-protected" in error.reason
    assert "Encrypt with Password" in error.hint


def test_zip_bomb_declared_size(tmp_path, example_path):
    path = rewrite(example_path, tmp_path / "bomb.xlsx", add={"xl/media/zeros.bin": bytes(3 << 20)})
    small = replace(DEFAULT_POLICY, max_uncompressed_bytes=2 << 20)
    assert "zip bomb" in refused(path, small).reason
    assert "max_uncompressed_bytes" in refused(path, small).reason


def test_zip_bomb_ratio(tmp_path, example_path):
    path = rewrite(example_path, tmp_path / "bomb.xlsx", add={"xl/media/zeros.bin": bytes(8 << 20)})
    error = refused(path)
    assert "zip bomb" in error.reason and "max_compression_ratio" in error.reason


def test_zip_bomb_lying_about_its_size(tmp_path, example_path):
    """A part that declares 100 bytes but inflates to megabytes is never inflated past its claim."""
    real = (4 << 20) + 7
    path = rewrite(example_path, tmp_path / "liar.xlsx", add={"xl/media/big.bin": b"<a>" + b" " * (real - 7) + b"</a>"})
    data = bytearray(path.read_bytes())
    for match in re.finditer(re.escape(real.to_bytes(4, "little")), data):  # local header and directory
        data[match.start():match.end()] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    error = refused(path)
    assert "zip bomb" in error.reason or "damaged" in error.reason


def test_too_many_parts(tmp_path, example_path):
    path = rewrite(example_path, tmp_path / "parts.xlsx", add={f"junk/{i}.txt": b"x" for i in range(60)})
    assert "max_package_parts" in refused(path, replace(DEFAULT_POLICY, max_package_parts=50)).reason


BILLION_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10)) + b"]>\n")


def billion_laughs(example_path: Path, tmp_path: Path, part: str) -> Path:
    def edit(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", data)
        return BILLION_LAUGHS + body.replace(b"</worksheet>", b"<!-- &lol9; --></worksheet>")
    return rewrite(example_path, tmp_path / "laughs.xlsx", edit)


def test_billion_laughs_refused_before_parsing(tmp_path, example_path):
    path = billion_laughs(example_path, tmp_path, sheet_part(example_path, "Bidders"))
    error = refused(path)
    assert "XML entity attacks" in error.reason
    outcome = analyse_file(path, DEFAULT_POLICY, TODAY)
    assert not outcome.readable and outcome.findings[0].code == "FILE-UNREADABLE"


def test_defusedxml_guards_openpyxl_too(tmp_path, example_path):
    """Second wall: given the hostile file directly, openpyxl parses worksheets through defusedxml.

    (Other parts go through lxml with entity resolution off when lxml is installed, or
    defusedxml otherwise; our own check refuses any DTD in any part first.)
    """
    from defusedxml import DefusedXmlException
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML
    path = billion_laughs(example_path, tmp_path, sheet_part(example_path, "Bidders"))
    with pytest.raises(ValueError) as caught:
        load_workbook(path)
    assert isinstance(caught.value.__cause__, DefusedXmlException)
    (tmp_path / "m").mkdir()
    manifest = billion_laughs(example_path, tmp_path / "m", "[Content_Types].xml")
    assert "XML entity attacks" in refused(manifest).reason


@pytest.mark.parametrize("prefix", [b"", b"x:"], ids=["plain", "namespace-prefixed"])
def test_million_row_sheet(tmp_path, example_path, prefix):
    """Rows and cells are counted whether or not their elements carry a namespace prefix
    (the count takes a faster path when the text cannot hold a prefixed one)."""
    rows = b"".join(b'<%(p)srow r="%(i)d"><%(p)sc r="A%(i)d"><%(p)sv>1</%(p)sv></%(p)sc></%(p)srow>'
                    % {b"p": prefix, b"i": i} for i in range(1, 100_002))

    def edit(name: str, data: bytes) -> bytes:
        return re.sub(rb"<sheetData>.*</sheetData>|<sheetData/>", lambda m: b"<sheetData>" + rows + b"</sheetData>",
                      data, flags=re.DOTALL) if name == part else data
    part = sheet_part(example_path, "Instructions")
    path = rewrite(example_path, tmp_path / "rows.xlsx", edit)
    error = refused(path)
    assert "'Instructions'" in error.reason and "max_rows" in error.reason
    assert "max_cells" in refused(path, replace(DEFAULT_POLICY, max_rows=10**6, max_cells=50_000)).reason


def test_cells_counted_exactly_when_sizes_prove_nothing(tmp_path, example_path):
    """Counting is skipped only when the part sizes prove the limits out of reach; when they
    do not, the count is exact: a workbook is accepted at its own cell count and refused one below."""
    with zipfile.ZipFile(example_path) as zf:
        cells = sum(len(re.findall(rb"<c[\s>/]", zf.read(n))) for n in zf.namelist()
                    if n.startswith("xl/worksheets/sheet"))
    check_package(example_path, replace(DEFAULT_POLICY, max_cells=cells))
    assert "max_cells" in refused(example_path, replace(DEFAULT_POLICY, max_cells=cells - 1)).reason
    with zipfile.ZipFile(example_path) as zf:
        rows = max(len(re.findall(rb"<row[\s>/]", zf.read(n))) for n in zf.namelist()
                   if n.startswith("xl/worksheets/sheet"))
    check_package(example_path, replace(DEFAULT_POLICY, max_rows=rows))
    assert "max_rows" in refused(example_path, replace(DEFAULT_POLICY, max_rows=rows - 1)).reason


def test_declared_whole_grid_is_noted_not_refused(corpus):
    """Some tools declare A1:XFD1048576 as the used range; only real cells are read."""
    raw = read_rawbook(corpus / "issue_174.xlsx")
    notes = [f for f in raw.notes if f.code == "HUGE-RANGE"]
    assert notes and "A1:XFD1048576" in notes[0].message and notes[0].sheet == "Sheet1"


def test_table_over_whole_columns_reads_only_data_rows(tmp_path, example_path):
    part = next(n for n in zipfile.ZipFile(example_path).namelist() if n.startswith("xl/tables/")
                and b'name="Bidders"' in read_part(example_path, n))

    def edit(name: str, data: bytes) -> bytes:
        return re.sub(rb'ref="A1:D(\d+)"', b'ref="A1:D1048576"', data) if name == part else data
    path = rewrite(example_path, tmp_path / "whole.xlsx", edit)
    outcome = analyse_file(path, DEFAULT_POLICY, TODAY)
    assert outcome.readable and outcome.result is not None
    assert len(outcome.result.results) == 4
    assert any(f.code == "HUGE-RANGE" and "A1:D1048576" in f.message for f in outcome.findings)


def test_macros_reported_never_run(corpus, tmp_path):
    outcome = analyse_file(corpus / "vba.xlsm", DEFAULT_POLICY, TODAY)
    macros = [f for f in outcome.findings if f.code == "HAS-MACROS"]
    assert len(macros) == 1 and "never runs" in macros[0].message and macros[0].severity == "info"
    disguised = tmp_path / "vba.xlsx"
    disguised.write_bytes((corpus / "vba.xlsm").read_bytes())
    [warned] = [f for f in analyse_file(disguised, DEFAULT_POLICY, TODAY).findings if f.code == "HAS-MACROS"]
    assert warned.severity == "warning" and ".xlsx" in warned.message


def test_external_links_noted(corpus):
    assert any(f.code == "EXTERNAL-LINKS" for f in read_rawbook(corpus / "errors.xlsx").notes)


def test_backslash_paths(corpus):
    assert "backslashes" in refused(corpus / "issue_530.xlsx").reason


def test_open_workbook_checks_too(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(WorkbookUnreadable):
        open_workbook(path)


def test_keep_parts_gives_each_structure_part_as_inflated(example_path):
    """The fast reader reuses the parts check_package inflated: they must be the parts' exact
    bytes, and only the structure parts are kept, with the styles and document properties
    openpyxl would refuse the file over (not themes or shared strings)."""
    assert check_package(example_path).parts == {}
    kept = check_package(example_path, keep_parts=True).parts
    with zipfile.ZipFile(example_path) as zf:
        names = [i.filename for i in zf.infolist() if not i.is_dir()]
        wanted = {n for n in names if n.endswith(".rels") or n == "xl/workbook.xml"
                  or n.startswith(("xl/worksheets/sheet", "xl/tables/"))
                  or n in ("xl/styles.xml", "docProps/core.xml", "docProps/custom.xml")}
        assert set(kept) == wanted and "xl/theme/theme1.xml" in set(names) - wanted
        assert all(kept[n] == zf.read(n) for n in wanted)


@pytest.mark.parametrize("char", [b"\x00", b"\x01", b"\x1f"])
def test_a_character_xml_forbids_in_a_sheet_is_one_verdict_for_both_readers(tmp_path, example_path, char):
    """A control character in a sheet's XML: openpyxl's parser refuses the file while calamine read past
    it, so ``validate`` and ``score`` disagreed (found by the fuzz test). The gate refuses it for both,
    naming the sheet."""
    from sv_workbook.xlsx.fast_read import read_rawbook_fast

    part = sheet_part(example_path, "Setup")
    bad = rewrite(example_path, tmp_path / "bad.xlsx",
                  lambda n, d: d.replace(b"</sheetData>", b"</sheetData>".replace(b"<", char + b"<", 1), 1)
                  if n == part else d)
    for reader in (None, read_rawbook_fast):
        outcome = analyse_file(bad, DEFAULT_POLICY, TODAY, reader=reader)
        assert not outcome.readable
        assert [f.code for f in outcome.findings] == ["FILE-UNREADABLE"]
        assert "sheet 'Setup' is malformed: it holds a control character" in outcome.findings[0].message


def test_tab_line_feed_and_carriage_return_in_a_sheet_are_allowed(tmp_path, example_path):
    part = sheet_part(example_path, "Setup")
    ok = rewrite(example_path, tmp_path / "ok.xlsx",
                 lambda n, d: d.replace(b"</sheetData>", b"\t\r\n</sheetData>", 1) if n == part else d)
    check_package(ok, DEFAULT_POLICY)
    assert analyse_file(ok, DEFAULT_POLICY, TODAY).readable
