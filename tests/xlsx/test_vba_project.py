"""The vbaProject.bin writer, read back by readers we did not write: olefile (CFB) and oletools (MS-OVBA)."""

from __future__ import annotations

import io
import random

import olefile
import pytest
from oletools.olevba import VBA_Parser, decompress_stream

from sv_workbook.xlsx.vba.cfb_write import Storage, write_cfb
from sv_workbook.xlsx.vba.macro_workbook import code_modules, sv_module_text, xlwings_module_texts
from sv_workbook.xlsx.vba.vba_project import (WORKBOOK_BASE, build_vba_project, compress, document_module,
                                          module_from_file_text)
from tests.support.paths import ROOT


@pytest.mark.parametrize("size", [0, 1, 2, 7, 4095, 4096, 4097, 10_000, 3 * 4096])
def test_compression_round_trips_through_oletools(size):
    rng = random.Random(size)
    words = [b"Dim ", b"RunPython ", b"End Sub\r\n", b"x", b"'", b" = ", b"\r\n"]
    text = b"".join(rng.choice(words) for _ in range(size))[:size]
    noise = rng.randbytes(size - size % 4096)  # random bytes: whole chunks are stored raw
    for data in (text, noise, b"\0" * size):
        packed = compress(data)
        assert decompress_stream(bytearray(packed)) == data
    if size > 100:
        assert len(compress(text)) < len(text)  # it does compress


def test_compound_file_reads_back_with_olefile():
    rng = random.Random(3)
    small = {f"S{i}": rng.randbytes(rng.randrange(0, 4096)) for i in range(30)}
    large = {f"L{i}": rng.randbytes(rng.randrange(4096, 40_000)) for i in range(6)}
    root = Storage("", {"PROJECT": b"ID=1", **large}, [Storage("VBA", small), Storage("Other", {"x": b"y"})])
    ole = olefile.OleFileIO(io.BytesIO(write_cfb(root)))
    for name, data in small.items():
        assert ole.openstream(f"VBA/{name}").read() == data
    for name, data in large.items():
        assert ole.openstream(name).read() == data
    assert ole.openstream("Other/x").read() == b"y"
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(
        ["PROJECT", "Other/x", *large, *(f"VBA/{n}" for n in small)])


def test_compound_file_refuses_names_the_format_forbids():
    with pytest.raises(ValueError):
        write_cfb(Storage("", {"a/b": b""}))
    with pytest.raises(ValueError):
        write_cfb(Storage("", {"AB": b"", "ab": b""}))  # names compare case-insensitively


def test_olevba_reads_every_module_back_as_its_source():
    modules = [document_module("ThisWorkbook", WORKBOOK_BASE), *code_modules()]
    parser = VBA_Parser("vbaProject.bin", data=build_vba_project(modules))
    found = {stream: code for _, stream, _, code in parser.extract_macros()}
    assert set(found) == {f"VBA/{m.name}" for m in modules}
    for m in modules:
        assert found[f"VBA/{m.name}"] == m.source
    bas = (ROOT / "macros" / "sv_workbook.bas").read_bytes().decode("ascii")
    assert found["VBA/SvWorkbook"] == bas
    xlwings_bas, dictionary_cls = xlwings_module_texts()
    assert found["VBA/xlwings"] == xlwings_bas
    assert dictionary_cls.endswith(found["VBA/Dictionary"])  # less the VERSION/BEGIN..END header
    assert found["VBA/Dictionary"].startswith('Attribute VB_Name = "Dictionary"')


def test_project_stream_lists_each_module_by_kind():
    modules = [document_module("ThisWorkbook", WORKBOOK_BASE), *code_modules()]
    ole = olefile.OleFileIO(io.BytesIO(build_vba_project(modules)))
    lines = ole.openstream("PROJECT").read().decode("cp1252").split("\r\n")
    assert {"Document=ThisWorkbook/&H00000000", "Module=SvWorkbook", "Module=xlwings", "Class=Dictionary"} <= set(lines)
    assert ole.openstream("VBA/_VBA_PROJECT").read() == b"\xcc\x61\xff\xff\x00\x00\x00"  # no performance cache


def test_the_packaged_module_is_macros_sv_workbook_bas():
    """The wheel carries sv_workbook/data/sv_workbook.bas; it must be byte for byte the one in macros/."""
    assert sv_module_text().encode("cp1252") == (ROOT / "macros" / "sv_workbook.bas").read_bytes()
    assert ((ROOT / "sv_workbook" / "data" / "xlwings.conf").read_bytes()
            == (ROOT / "macros" / "xlwings.conf").read_bytes())


def test_module_text_must_name_itself():
    with pytest.raises(ValueError, match="VB_Name"):
        module_from_file_text("Sub X()\r\nEnd Sub\r\n", "module")
    with pytest.raises(ValueError):
        build_vba_project([module_from_file_text('Attribute VB_Name = "A"\r\n', "module")] * 2)
