"""Build a ``vbaProject.bin`` (MS-OVBA) from VBA module sources, for .xlsm and .xlam files.

Excel stores a workbook's macros as a compound file: a ``PROJECT`` stream (text: the
modules and their kinds), a ``VBA/dir`` stream (records naming the project, its
references and modules), ``VBA/_VBA_PROJECT`` and one stream per module holding its
source, each compressed with the MS-OVBA run-length algorithm. No compiled code is
written: ``_VBA_PROJECT`` carries version 0xFFFF and no performance cache, which tells
every VBA version to compile from the source (MS-OVBA 2.3.4.1), as LibreOffice's own
exporter does. The PyPI package ``ms-ovba`` 0.0.1 models the same records, but writes its
work files into the current folder and appends to them on a second run, so this small
writer is used instead; olevba (oletools) and LibreOffice are the independent readers in
the tests.

Sources are the exported ``.bas``/``.cls`` text (CRLF lines, ``Attribute`` lines included,
as the VBA editor exports them); a class file's ``VERSION 1.0 CLASS`` / ``BEGIN``..``END``
header is not part of the stored module and is dropped, as the editor does on import.
"""

from __future__ import annotations

import hashlib
import re
import struct
import uuid
from dataclasses import dataclass
from typing import Literal

from sv_workbook.xlsx.vba.cfb_write import Storage, write_cfb

CODEPAGE = 1252
ENCODING = "cp1252"
LCID = 0x0409
ModuleKind = Literal["module", "class", "document"]

#: Base classes of Excel's document modules (the workbook and its worksheets).
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
#: The two references every Excel VBA project starts with; Excel finds them by GUID on any PC or Mac.
STANDARD_REFERENCES = (
    ("stdole", "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\\Windows\\System32\\stdole2.tlb#OLE Automation"),
    ("Office", "*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\\Program Files\\Common Files\\Microsoft Shared"
               "\\OFFICE16\\MSO.DLL#Microsoft Office 16.0 Object Library"),
)


@dataclass(frozen=True)
class Module:
    """One VBA module: its name (``Attribute VB_Name``), kind and stored source (CRLF)."""

    name: str
    kind: ModuleKind
    source: str


def module_from_file_text(text: str, kind: ModuleKind) -> Module:
    """A module from exported ``.bas``/``.cls`` text; the name is its ``Attribute VB_Name``."""
    if kind == "class":
        text = re.sub(r"\AVERSION 1\.0 CLASS\r\nBEGIN\r\n(?:.*\r\n)*?END\r\n", "", text)
    found = re.match(r'Attribute VB_Name = "([A-Za-z]\w{0,30})"\r\n', text)
    if not found:
        raise ValueError('a VBA module must start with Attribute VB_Name = "Name" and use CRLF line ends')
    return Module(found.group(1), kind, text)


def document_module(name: str, base: str) -> Module:
    """An empty document module (``ThisWorkbook`` or a sheet's code module)."""
    lines = [f'Attribute VB_Name = "{name}"', f'Attribute VB_Base = "{base}"', "Attribute VB_GlobalNameSpace = False",
             "Attribute VB_Creatable = False", "Attribute VB_PredeclaredId = True", "Attribute VB_Exposed = True",
             "Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = True"]
    return Module(name, "document", "\r\n".join(lines) + "\r\n")


def build_vba_project(modules: list[Module], project_name: str = "VBAProject") -> bytes:
    """The bytes of a ``vbaProject.bin`` holding ``modules`` (document modules first, as Excel lists them)."""
    names = [m.name.upper() for m in modules]
    if len(set(names)) != len(names):
        raise ValueError("two VBA modules have the same name")
    streams = {m.name: compress(m.source.encode(ENCODING)) for m in modules}
    streams["dir"] = compress(_dir_stream(modules, project_name))
    streams["_VBA_PROJECT"] = struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0000)
    project = _project_stream(modules, project_name)
    return write_cfb(Storage("", {"PROJECT": project}, [Storage("VBA", streams)]))


# --- PROJECT stream (MS-OVBA 2.3.1) ---------------------------------------------------------

def _project_stream(modules: list[Module], project_name: str) -> bytes:
    """The project's text properties; the ID is derived from the content so builds are reproducible."""
    digest = hashlib.sha256(b"".join(m.source.encode(ENCODING) for m in modules)).digest()
    project_id = "{" + str(uuid.UUID(bytes=digest[:16])).upper() + "}"
    lines = [f'ID="{project_id}"']
    for m in modules:
        lines.append({"document": f"Document={m.name}/&H00000000", "module": f"Module={m.name}",
                      "class": f"Class={m.name}"}[m.kind])
    key = _project_key(project_id)
    unprotected, no_password, visible = bytes(4), bytes(1), b"\xff"
    lines += [f'Name="{project_name}"', 'HelpContextID="0"', 'VersionCompatible32="393222000"',
              f'CMG="{_encrypt(key, unprotected, digest[16])}"',
              f'DPB="{_encrypt(key, no_password, digest[17])}"',
              f'GC="{_encrypt(key, visible, digest[18])}"',
              "", "[Host Extender Info]", "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
              "", "[Workspace]"]
    lines += [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    return ("\r\n".join(lines) + "\r\n").encode(ENCODING)


def _project_key(project_id: str) -> int:
    return sum(project_id.encode(ENCODING)) & 0xFF


def _encrypt(project_key: int, data: bytes, seed: int) -> str:
    """MS-OVBA 2.4.3.2 data encryption, as hex (the obfuscation of CMG, DPB and GC)."""
    version = 2
    version_enc = seed ^ version
    key_enc = seed ^ project_key
    ignored_length = (seed & 6) // 2
    out = bytearray([seed, version_enc, key_enc])
    unencrypted_1, encrypted_1, encrypted_2 = project_key, key_enc, version_enc
    plain = b"\x00" * ignored_length + struct.pack("<I", len(data)) + data
    for i, byte in enumerate(plain):
        if i < ignored_length:
            byte = 7  # the ignored bytes are arbitrary; a fixed value keeps builds reproducible
        enc = byte ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        out.append(enc)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, enc, byte
    return out.hex().upper()


# --- dir stream (MS-OVBA 2.3.4.2) -----------------------------------------------------------

def _rec(record_id: int, data: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(data)) + data


def _text(record_id: int, unicode_id: int, text: str) -> bytes:
    return _rec(record_id, text.encode(ENCODING)) + _rec(unicode_id, text.encode("utf-16-le"))


def _dir_stream(modules: list[Module], project_name: str) -> bytes:
    out = bytearray()
    out += _rec(0x0001, struct.pack("<I", 0x00000001))  # SysKind: 32-bit Windows (VBA recompiles elsewhere)
    out += _rec(0x0002, struct.pack("<I", LCID))
    out += _rec(0x0014, struct.pack("<I", LCID))
    out += _rec(0x0003, struct.pack("<H", CODEPAGE))
    out += _rec(0x0004, project_name.encode(ENCODING))
    out += _text(0x0005, 0x0040, "")  # doc string
    out += _text(0x0006, 0x003D, "")  # help file
    out += _rec(0x0007, struct.pack("<I", 0))  # help context
    out += _rec(0x0008, struct.pack("<I", 0))  # lib flags
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)  # version 1.0 (its size field is fixed at 4)
    out += _text(0x000C, 0x003C, "")  # conditional compilation constants
    for name, libid in STANDARD_REFERENCES:
        out += _text(0x0016, 0x003E, name)
        raw = libid.encode(ENCODING)
        out += _rec(0x000D, struct.pack("<I", len(raw)) + raw + struct.pack("<IH", 0, 0))
    out += _rec(0x000F, struct.pack("<H", len(modules)))
    out += _rec(0x0013, struct.pack("<H", 0xFFFF))
    for m in modules:
        out += _rec(0x0019, m.name.encode(ENCODING))
        out += _rec(0x0047, m.name.encode("utf-16-le"))
        out += _text(0x001A, 0x0032, m.name)  # stream name
        out += _text(0x001C, 0x0048, "")  # doc string
        out += _rec(0x0031, struct.pack("<I", 0))  # source starts at 0: no performance cache
        out += _rec(0x001E, struct.pack("<I", 0))
        out += _rec(0x002C, struct.pack("<H", 0xFFFF))
        out += struct.pack("<HI", 0x0021 if m.kind == "module" else 0x0022, 0)
        out += struct.pack("<HI", 0x002B, 0)
    out += struct.pack("<HI", 0x0010, 0)
    return bytes(out)


# --- compression (MS-OVBA 2.4.1) ------------------------------------------------------------

CHUNK = 4096


def compress(data: bytes) -> bytes:
    """The MS-OVBA CompressedContainer of ``data``: greedy longest matches within each 4096-byte chunk."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        chunk = data[start:start + CHUNK]
        body = _compress_chunk(chunk)
        if len(body) <= CHUNK:
            out += struct.pack("<H", (len(body) + 2 - 3) | 0x3000 | 0x8000) + body
        elif len(chunk) == CHUNK:
            out += struct.pack("<H", 0x3FFF) + chunk  # stored raw: 4096 bytes, flag 0
        else:  # a short final chunk that would not shrink: cannot happen for source text
            raise ValueError("data too random to store in an MS-OVBA container")
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    heads: dict[bytes, list[int]] = {}
    pos = 0
    while pos < len(chunk):
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= len(chunk):
                break
            offset, length = _longest_match(chunk, pos, heads)
            if length >= 3:
                bit_count = max((pos - 1).bit_length(), 4)
                token = ((offset - 1) << (16 - bit_count)) | (length - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                step = length
            else:
                out.append(chunk[pos])
                step = 1
            for p in range(pos, pos + step):
                heads.setdefault(chunk[p:p + 3], []).append(p)
            pos += step
        out[flag_at] = flags
    return bytes(out)


def _longest_match(chunk: bytes, pos: int, heads: dict[bytes, list[int]]) -> tuple[int, int]:
    if pos == 0:
        return 0, 0
    bit_count = max((pos - 1).bit_length(), 4)
    max_length = (0xFFFF >> bit_count) + 3
    limit = min(max_length, len(chunk) - pos)
    best_len, best_off = 0, 0
    for candidate in reversed(heads.get(chunk[pos:pos + 3], ())):
        n = 0
        while n < limit and chunk[candidate + n] == chunk[pos + n]:
            n += 1
        if n > best_len:
            best_len, best_off = n, pos - candidate
            if n == limit:
                break
    return best_off, best_len


__all__ = ["Module", "module_from_file_text", "document_module", "build_vba_project", "compress",
           "WORKBOOK_BASE", "WORKSHEET_BASE"]
