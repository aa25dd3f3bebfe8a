"""The gate's byte scans find what they look for wherever it stands: in any piece of a part,
across the boundary between two pieces, and after any number of decoys.

The scans take shortcuts for speed (``!`` found with ``bytes.find`` before the DTD regex is
tried, forbidden characters found by deleting them with ``bytes.translate``); these tests hold
the shortcuts to the verdicts of the plain regexes they replace.
"""

from __future__ import annotations

import io
import os
import random
import re
import struct
import tempfile
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zlib_ng import zlib_ng

from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.xlsx import package_check
from sv_workbook.xlsx.package_check import (BANG_LOOKS, CHUNK, DTD_RE, WorkbookUnreadable, _Counts, _has_dtd,
                                            _XmlScan, check_package)

from tests.support.zips import directory_entries, lie_about_size, read_part, rewrite, sheet_part

#: One declaration only (no inner ``<!ENTITY``): a test cutting it must not find a second one whole.
DECLARATION = b"<!DOCTYPE x SYSTEM 'y'>"
FRAGMENTS = [b"!", b"<", b"<!", b"!!", b"DOCTYPE", b"doctype", b"EnTiTy", b"ENTIT", b"<!-- c -->",
             b"<![CDATA[x]]>", b"Sheet1!A1", b"a", b" ", b"!" * (BANG_LOOKS - 1), b"<!" * BANG_LOOKS]


@settings(max_examples=400, derandomize=True, database=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12))
def test_the_dtd_shortcut_agrees_with_the_regex(pieces):
    text = b"".join(pieces)
    assert _has_dtd(text) == (DTD_RE.search(text) is not None)


#: The regex the forbidden-character test replaced (XML 1.0 allows tab, line feed and carriage return).
FORBIDDEN_CHAR_RE = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@settings(max_examples=300, derandomize=True, database=None)
@given(st.binary(max_size=64) | st.lists(st.sampled_from([b"\t", b"\n", b"\r", b" ", b"<c>", b"\x1f", b"\x00",
                                                          b"\x7f", b"\xc3\xa9"]), max_size=12).map(b"".join))
def test_the_forbidden_character_shortcut_agrees_with_the_regex(text):
    assert bool(text.translate(None, package_check.ALLOWED_BYTES)) == (FORBIDDEN_CHAR_RE.search(text) is not None)


@pytest.mark.parametrize("decoys", [0, 1, BANG_LOOKS - 1, BANG_LOOKS, BANG_LOOKS + 1, 5 * BANG_LOOKS])
@pytest.mark.parametrize("declaration", [b"<!ENTITY a 'b'>", b"<!doctype x>", b"<!EnTiTy"])
def test_a_declaration_after_any_number_of_exclamation_marks_is_found(decoys, declaration):
    """Formulas naming other sheets put many ``!`` in a sheet; the declaration after the last is found."""
    text = b"<a>" + b"Sheet1!A1 <!-- note! --> " * decoys + declaration + b"</a>"
    assert _has_dtd(text)
    assert not _has_dtd(text.replace(declaration, b"<!-- no declaration -->"))


def stored_package(example_path: Path, dst: Path, edit=lambda name, data: data,
                   add: dict[str, bytes] | None = None) -> Path:
    """The example with every part stored (not compressed), so a part reaches the scans in pieces
    of exactly ``CHUNK`` bytes and a test can put bytes on the boundary between two."""
    with zipfile.ZipFile(example_path) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, edit(info.filename, zin.read(info.filename)))
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def refusal(path: Path) -> str:
    with pytest.raises(WorkbookUnreadable) as caught:
        check_package(path, DEFAULT_POLICY)
    return caught.value.reason


@pytest.mark.parametrize("split", range(0, len(b"<!DOCTYPE") + 1))
def test_a_declaration_cut_between_two_pieces_is_refused(tmp_path, example_path, split):
    """``split`` bytes of ``<!DOCTYPE`` end the part's first piece, the rest begin the second."""
    part = b"<a>" + b" " * (CHUNK - 3 - split) + DECLARATION + b"</a>"
    assert part[CHUNK - split:CHUNK + len(b"<!DOCTYPE") - split] == b"<!DOCTYPE"
    path = stored_package(example_path, tmp_path / "cut.xlsx", add={"customXml/item1.xml": part})
    assert "customXml/item1.xml contains an XML document type declaration" in refusal(path)


@pytest.mark.parametrize("size", range(1, 12))
@pytest.mark.parametrize("count", [False, True], ids=["not counting", "counting rows"])
def test_a_declaration_fed_in_pieces_of_any_size_is_found(size, count):
    """However the inflater cuts a part (pieces shorter than the declaration included), the scan sees
    the declaration, with and without the row counting that keeps its own window."""
    head = b"<a>" + b" " * 300
    text = head + b"<c/>" + DECLARATION + b"<c/></a>"
    scan = _XmlScan(_Counts(Path("x.xlsx"), DEFAULT_POLICY, {}), "xl/worksheets/sheet1.xml", count, sheet=True)
    scan.feed(head)
    with pytest.raises(WorkbookUnreadable, match="document type declaration"):
        for at in range(len(head), len(text), size):
            scan.feed(text[at:at + size])
        scan.close()


def test_a_long_part_without_a_declaration_passes(tmp_path, example_path):
    part = b"<a>" + b" " * (CHUNK - 5) + b"<!-- ! -->" + b" " * CHUNK + b"</a>"
    check_package(stored_package(example_path, tmp_path / "long.xlsx", add={"customXml/item1.xml": part}))


@pytest.mark.parametrize("where", ["first piece", "second piece", "last byte of the first piece"])
@pytest.mark.parametrize("char", [b"\x00", b"\x08", b"\x0b", b"\x0c", b"\x0e", b"\x1f"])
def test_a_forbidden_character_in_any_piece_of_a_sheet_is_refused(tmp_path, example_path, where, char):
    """Every byte XML 1.0 forbids, in a sheet longer than one piece, wherever it stands."""
    sheet = sheet_part(example_path, "Setup")

    def edit(name: str, data: bytes) -> bytes:
        if name != sheet:
            return data
        at = data.index(b"</sheetData>") + len(b"</sheetData>")
        pad = CHUNK - at - 1 if where == "last byte of the first piece" else CHUNK
        filler = char + b" " * pad if where == "first piece" else b" " * pad + char
        return data[:at] + filler + data[at:]
    path = stored_package(example_path, tmp_path / "char.xlsx", edit)
    assert "sheet 'Setup' is malformed: it holds a control character" in refusal(path)
    ok = stored_package(example_path, tmp_path / "ok.xlsx", lambda n, d: edit(n, d).replace(char, b"\t") if n == sheet else d)
    check_package(ok)


def grown(path: Path, by: int):
    """``Path.stat`` as it answers for a file that grew by ``by`` bytes after it was asked."""
    stat = Path.stat

    def answer(self: Path, *args, **kwargs) -> os.stat_result:
        result = stat(self, *args, **kwargs)
        if self != path:
            return result
        fields = list(result)
        fields[6] -= by  # st_size
        return os.stat_result(fields)
    return answer


def test_a_file_that_grew_after_its_size_was_read_is_checked_whole(tmp_path, example_path, monkeypatch):
    """The file is read to the size it had plus one byte; a file that grew meanwhile is read on, up
    to the limit, so what is checked is the whole file (as when the gate asked for the limit)."""
    path = tmp_path / "grown.xlsx"
    path.write_bytes(example_path.read_bytes())
    size = path.stat().st_size
    monkeypatch.setattr(Path, "stat", grown(path, 1000))
    assert path.stat().st_size == size - 1000
    assert check_package(path, DEFAULT_POLICY, keep_parts=True).data == example_path.read_bytes()
    with pytest.raises(WorkbookUnreadable, match="max_file_bytes"):
        check_package(path, replace(DEFAULT_POLICY, max_file_bytes=size - 1))


def verdict(path: Path) -> tuple[str, ...]:
    """What the gate says of ``path``: its refusal (reason and hint), or the codes of its notices."""
    try:
        return ("read", *(f.code for f in check_package(path, DEFAULT_POLICY).findings))
    except WorkbookUnreadable as exc:
        return ("refused", exc.reason, exc.hint)


def both_inflaters(path: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The gate's verdict on ``path`` inflating with zlib-ng, and with the standard library's zlib
    (what it uses where zlib-ng has no wheel, such as xlwings Lite's Pyodide)."""
    assert package_check.fast_zlib is zlib_ng  # a declared dependency: CI runs the fast path
    fast = verdict(path)
    try:
        package_check.fast_zlib = zlib
        return fast, verdict(path)
    finally:
        package_check.fast_zlib = zlib_ng


def part_data_offsets(data: bytes) -> list[tuple[int, int]]:
    """(start, length) of each part's compressed bytes in the package ``data``."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
    spans = []
    for info in infos:
        name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
        spans.append((info.header_offset + 30 + name_length + extra_length, info.compress_size))
    return spans


@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(part=st.integers(0, 10**6), where=st.floats(0, 1, exclude_max=True), flip=st.integers(1, 255),
       cut=st.booleans())
def test_zlib_ng_and_zlib_give_every_damaged_file_the_same_verdict(example_bytes, part, where, flip, cut):
    """A byte of a part's compressed data changed, or the part's data cut off there: the two
    inflaters refuse or accept it alike, in the same words."""
    spans = part_data_offsets(example_bytes)
    start, length = spans[part % len(spans)]
    at = start + int(where * length)
    data = bytearray(example_bytes)
    if cut:
        data[at:start + length] = bytes(start + length - at)  # zeros: the directory still where it was
    else:
        data[at] ^= flip
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.xlsx"
        path.write_bytes(bytes(data))
        fast, standard = both_inflaters(path)
    assert fast == standard


def test_zlib_ng_and_zlib_refuse_a_part_lying_about_its_size_alike(tmp_path, example_path):
    part = sheet_part(example_path, "Scores")
    path = lie_about_size(example_path, tmp_path / "liar.xlsx", part, 500)
    fast, standard = both_inflaters(path)
    assert fast == standard and f"{part} unpacks to more than the 500 bytes it declares" in fast[1]
    assert both_inflaters(example_path) == (("read",), ("read",))


def test_without_zlib_ng_the_gate_inflates_with_zlib(example_path):
    """Where zlib-ng cannot be installed (Pyodide has no wheel of it) the gate imports and checks with zlib."""
    import subprocess
    import sys

    from tests.support.paths import ROOT

    probe = ("import sys, zlib; sys.modules['zlib_ng'] = None  # as if not installed\n"
             "from sv_workbook.xlsx import package_check\n"
             "assert package_check.fast_zlib is zlib, package_check.fast_zlib\n"
             f"print(package_check.check_package({str(example_path)!r}).content_types['xl/workbook.xml'])\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("spreadsheetml.sheet.main+xml")


def test_a_refused_encoding_is_refused_every_time(tmp_path, example_path):
    """Encodings are detected once per distinct part head; a refusal is never remembered as an answer."""
    latin = b'<?xml version="1.0" encoding="ISO-8859-1"?><record>caf\xe9</record>'
    bad = rewrite(example_path, tmp_path / "latin.xlsx", add={"customXml/item1.xml": latin})
    for _ in range(3):
        assert "customXml/item1.xml is saved in the text encoding 'iso-8859-1'" in refusal(bad)
        check_package(example_path)


def test_a_huge_declared_range_is_judged_by_each_policys_limits(tmp_path, example_path):
    """Ranges are judged once per distinct range and limits: the same range under wider limits is not huge."""
    part = sheet_part(example_path, "Scores")
    grid = rewrite(example_path, tmp_path / "grid.xlsx", lambda n, d: re.sub(
        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', d) if n == part else d)
    wide = replace(DEFAULT_POLICY, max_rows=1_048_576, max_columns=16_384)
    for _ in range(2):
        assert [f.code for f in check_package(grid, DEFAULT_POLICY).findings] == ["HUGE-RANGE"]
        assert check_package(grid, wide).findings == ()
        assert [f.code for f in check_package(grid, replace(wide, max_rows=1_048_575)).findings] == ["HUGE-RANGE"]


# --- the structure parts inflated once (``_GateZip``, ``_whole_part``) -------------------------

STRUCTURE = ("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels")


def with_and_without_clean_reads(path: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The gate's verdict on ``path``, and its verdict when every part is read as before (zipfile for
    the structure parts, ``_inflate`` for all of them)."""
    fast = verdict(path)
    whole_part = package_check._whole_part
    try:
        package_check._whole_part = lambda data, info, end: None
        return fast, verdict(path)
    finally:
        package_check._whole_part = whole_part


def header_and_data(data: bytes, name: str) -> tuple[int, int]:
    """(start, end) of ``name``'s local header and compressed bytes in the package ``data``."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    return info.header_offset, info.header_offset + 30 + name_length + extra_length + info.compress_size


def directory_entry(data: bytes, name: str) -> tuple[int, int]:
    """(start, end) of ``name``'s entry in the zip directory of ``data``."""
    for entry in directory_entries(data):
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, entry + 28)
        if data[entry + 46:entry + 46 + name_length] == name.encode():
            return entry, entry + 46 + name_length + extra_length + comment_length
    raise KeyError(name)


@settings(max_examples=120, derandomize=True, database=None, deadline=None)
@given(part=st.sampled_from(STRUCTURE), in_directory=st.booleans(), where=st.floats(0, 1, exclude_max=True),
       flip=st.integers(1, 255))
def test_a_damaged_structure_part_gets_the_verdict_it_got_before(example_bytes, part, in_directory, where, flip):
    """A byte changed anywhere in a structure part's directory entry, local header or compressed
    data: the gate refuses or accepts the file exactly as when zipfile read that part (and
    ``_inflate`` inflated it again)."""
    start, end = (directory_entry if in_directory else header_and_data)(example_bytes, part)
    data = bytearray(example_bytes)
    data[start + int(where * (end - start))] ^= flip
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.xlsx"
        path.write_bytes(bytes(data))
        fast, before = with_and_without_clean_reads(path)
    assert fast == before


@pytest.mark.parametrize("part", STRUCTURE)
def test_a_structure_part_lying_about_its_size_is_refused_as_before(tmp_path, example_path, part):
    """zipfile reads such a part to its declared size, so the content types and the package's
    relationships are not well-formed XML; a sheet list cut short is read as none, and the stream
    refuses the workbook's parts for unpacking to more than they declare."""
    path = lie_about_size(example_path, tmp_path / "liar.xlsx", part, 100)
    fast, before = with_and_without_clean_reads(path)
    assert fast == before and fast[0] == "refused"
    assert ("not well-formed" if part in STRUCTURE[:2] else f"{part} unpacks to more than") in fast[1]
    assert with_and_without_clean_reads(example_path) == (("read",), ("read",))


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_a_repeated_entry_is_scanned_as_itself(tmp_path, example_path):
    """Two entries named xl/workbook.xml: zipfile reads the last, the stream scans both; the first
    one's declaration is refused whichever entry was read clean."""
    workbook = read_part(example_path, "xl/workbook.xml")
    path = tmp_path / "twice.xlsx"
    with zipfile.ZipFile(example_path) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename == "xl/workbook.xml":
                zout.writestr(info.filename, DECLARATION + re.sub(rb"^<\?xml[^>]*\?>\s*", b"", workbook))
            zout.writestr(info.filename, zin.read(info.filename))
    fast, before = with_and_without_clean_reads(path)
    assert fast == before and "xl/workbook.xml contains an XML document type declaration" in fast[1]


def package_with(tmp_path: Path, example_path: Path, part: bytes, method: int) -> tuple[Path, zipfile.ZipInfo]:
    path = tmp_path / "sized.xlsx"
    with zipfile.ZipFile(example_path) as zin, zipfile.ZipFile(path, "w", method) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
        zout.writestr("customXml/item1.xml", part)
    with zipfile.ZipFile(path) as zf:
        return path, zf.getinfo("customXml/item1.xml")


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED], ids=["stored", "deflated"])
@pytest.mark.parametrize("size", [CHUNK, CHUNK + 1])
def test_whole_part_takes_one_piece_up_to_chunk_and_no_more(tmp_path, example_path, method, size):
    """Up to ``CHUNK`` bytes a clean part is taken whole (the one piece ``_inflate`` gives); one byte
    more and it is left to ``_inflate``, which gives it in two. Either way the gate reads it, and
    refuses it when it declares one byte fewer than it holds."""
    letters = random.Random(size).choices(b"abcdefghijklmnopqrstuvwxyz ", k=size - 7)  # compresses 2 to 1, not 1000
    part = b"<a>" + bytes(letters) + b"</a>"
    path, info = package_with(tmp_path, example_path, part, method)
    data = path.read_bytes()
    whole = package_check._whole_part(data, info, len(data))
    with io.BytesIO(data) as raw:
        pieces = list(package_check._inflate(raw, info))
    if size <= CHUNK:
        assert whole == part and pieces == [part]
    else:
        assert whole is None and b"".join(pieces) == part and len(pieces) == 2
    assert package_check._whole_part(data, info, info.header_offset + 40) is None  # runs into the next entry
    check_package(path)
    liar = lie_about_size(path, tmp_path / "liar.xlsx", "customXml/item1.xml", size - 1)
    with zipfile.ZipFile(liar) as zf:
        short = zf.getinfo("customXml/item1.xml")
    assert package_check._whole_part(liar.read_bytes(), short, len(liar.read_bytes())) is None
    assert f"customXml/item1.xml unpacks to more than the {size - 1:,} bytes it declares" in refusal(liar)


class _Unfinished:
    """A deflater whose stream never ends: every byte is there, the end-of-stream block is not."""

    def __init__(self):
        self._deflater = zlib.compressobj(6, zlib.DEFLATED, -15)

    def compress(self, data: bytes) -> bytes:
        return self._deflater.compress(data)

    def flush(self) -> bytes:
        return self._deflater.flush(zlib.Z_SYNC_FLUSH)


@pytest.mark.parametrize("part", STRUCTURE)
def test_a_structure_part_whose_deflate_stream_never_ends_is_refused_as_before(tmp_path, example_path, part,
                                                                                  monkeypatch):
    """zipfile reads such a part (it stops at the declared size); the stream refuses it as cut short."""
    real = zipfile._get_compressor
    path = tmp_path / "unfinished.xlsx"
    with zipfile.ZipFile(example_path) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            monkeypatch.setattr(zipfile, "_get_compressor", (lambda *a: _Unfinished()) if info.filename == part
                                else real)
            zout.writestr(info.filename, zin.read(info.filename))
    with zipfile.ZipFile(path) as zf:
        assert zf.read(part) == read_part(example_path, part)
    fast, before = with_and_without_clean_reads(path)
    assert fast == before and "a part is cut short" in fast[1]


@pytest.mark.parametrize("part", STRUCTURE)
def test_a_structure_part_declaring_fewer_bytes_with_the_whole_parts_crc_is_refused_as_before(
        tmp_path, example_path, part):
    """The CRC of all it holds but a smaller size: zipfile reads the declared bytes (and fails their CRC);
    taking the part whole would have read all of it."""
    path = lie_about_size(example_path, tmp_path / "liar.xlsx", part, 100)
    data = bytearray(path.read_bytes())
    crc = zlib.crc32(read_part(example_path, part))
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(part)
    struct.pack_into("<I", data, info.header_offset + 14, crc)
    entry = next(e for e in directory_entries(bytes(data))
                 if data[e + 46:e + 46 + struct.unpack_from("<H", data, e + 28)[0]] == part.encode())
    struct.pack_into("<I", data, entry + 16, crc)
    path.write_bytes(bytes(data))
    fast, before = with_and_without_clean_reads(path)
    assert fast == before and fast[0] == "refused"


@pytest.mark.parametrize("flag", [0x20, 0x40], ids=["compressed patched data", "strong encryption"])
@pytest.mark.parametrize("part", STRUCTURE)
def test_a_zip_feature_flagged_in_the_directory_only_is_refused_as_before(tmp_path, example_path, part, flag):
    """zipfile judges these flags by the zip directory (the part's own header says nothing)."""
    data = bytearray(example_path.read_bytes())
    entry = next(e for e in directory_entries(bytes(data))
                 if data[e + 46:e + 46 + struct.unpack_from("<H", data, e + 28)[0]] == part.encode())
    struct.pack_into("<H", data, entry + 8, struct.unpack_from("<H", data, entry + 8)[0] | flag)
    path = tmp_path / "flagged.xlsx"
    path.write_bytes(bytes(data))
    fast, before = with_and_without_clean_reads(path)
    assert fast == before and "it uses a zip feature Excel does not write" in fast[1]
