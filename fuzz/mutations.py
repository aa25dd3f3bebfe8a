"""Inputs for fuzzing: random tenders, contract-breaking edits, and byte-level damage.

Shared by the hypothesis tests (``tests/xlsx/test_fuzz.py``, short and deterministic) and the
longer campaign (``fuzz/run_campaign.py``). The property is the project's promise: every
input gives findings or one clear error, never an uncaught exception.
"""

from __future__ import annotations

import io
import re
import tempfile
import time
import traceback
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from hypothesis import strategies as st

from sv_workbook.core.contracts import CONSENSUS_RULES, CONTRACT_TYPES, NATIONAL_PRIORITIES, ROUTES
from sv_workbook.xlsx.fast_read import read_rawbook_fast
from sv_workbook.app.analyse import analyse_file
from sv_workbook.app.jobs import score_file
from sv_workbook.xlsx.safe_write import WriteRefused
from sv_workbook.core.policy import DEFAULT_POLICY, Policy
from sv_workbook.xlsx.tender_template import build_tender_template
from sv_workbook.core.tender.model import Bidder, ConsensusMark, Criterion, EvaluatorScore, Setup, Tender
from tests.support.fill import fill_tender
from tests.support.verdicts import python_words, workbook_words

HOSTILE = ('=HYPERLINK("http://x","y")', "@SUM(1)", "+1", "-2+3", "=1/0", "<script>x</script>", "#N/A", "", " ",
           "Q1", "SV1", "Yes", "No", "yes ", "A. Patel", "Moderated", "Mean", "Works", "Open", "Framework call-off",
           # names that mean something to a program, or are longer than some fields allow (a Word title: 255)
           "__proto__", "constructor", "None", "nan", "inf", "KeyError Ltd", "Homes " * 60)

# Text openpyxl can store (XML forbids most control characters), mixed with tricky values.
texts = st.one_of(st.sampled_from(HOSTILE), st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30))
numbers = st.one_of(st.none(), st.integers(-10, 10**10), st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([0.0, 5.0, 50_000.0, 50_000.01, 100.0, -0.0, 1e308]))
values = st.one_of(texts, numbers, st.booleans(), st.dates(date(1900, 3, 1), date(2100, 1, 1)),
                   st.sampled_from(["=1+1", "=NOW()", "=SUM(A:A)", "=#REF!", "=Bidders!B2*2"]))


@st.composite
def tenders(draw) -> Tender:
    """A tender that may or may not make sense: the contract's shape, anything inside."""
    setup = Setup(draw(texts), draw(texts), draw(numbers), draw(st.sampled_from(CONTRACT_TYPES + ("Other",))),
                  draw(st.sampled_from(ROUTES + ("",))), draw(numbers), draw(numbers), draw(numbers),
                  draw(st.sampled_from(CONSENSUS_RULES + ("Whatever",))))
    ids = draw(st.lists(st.sampled_from(["Q1", "Q2", "SV1", "SV2", "q1 "]) | texts, max_size=5))
    criteria = tuple(Criterion(i, draw(texts), draw(numbers), draw(st.booleans()),
                               draw(st.none() | st.sampled_from(NATIONAL_PRIORITIES) | texts), draw(numbers))
                     for i in ids)
    names = draw(st.lists(texts, max_size=5))
    bidders = tuple(Bidder(n, draw(numbers), draw(st.none() | st.booleans()), draw(st.none() | st.booleans()))
                    for n in names)
    evaluators = tuple(draw(st.lists(texts, max_size=3)))
    pairs = [(b, c) for b in names for c in ids]
    scores = tuple(EvaluatorScore(b, c, draw(st.sampled_from(evaluators) if evaluators else texts), draw(numbers),
                                  draw(st.none() | texts)) for b, c in pairs if draw(st.booleans()))
    consensus = tuple(ConsensusMark(b, c, draw(numbers), draw(st.none() | texts)) for b, c in pairs
                      if draw(st.booleans()))
    return Tender(setup, criteria, bidders, scores, consensus, evaluators)


OPS = ("delete_sheet", "rename_sheet", "hide_sheet", "delete_table", "rename_table", "delete_name", "repoint_name",
       "set_cell", "merge", "header", "table_ref")
BAD_TARGETS = ("Setup!$B$3:$B$4", "#REF!", "'[1]Other'!$A$1", "Nope!$A$1", "Setup!$XFD$1048576", "1+1", "Setup!A")
edits = st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 10**6), values), max_size=6)


def apply_edits(wb, ops: list[tuple[str, int, Any]]) -> list[str]:
    """Break the contract the ways people and tools do; returns the edits that openpyxl accepted."""
    applied = []
    for op, n, value in ops:
        try:
            _edit(wb, op, n, value)
            applied.append(op)
        except Exception:  # openpyxl refused the edit itself: not an input we can build
            continue
    return applied


def _edit(wb, op: str, n: int, value: Any) -> None:
    sheets = wb.worksheets
    ws = sheets[n % len(sheets)]
    with_tables = [s for s in sheets if s.tables]
    names = list(wb.defined_names)
    if op == "delete_sheet" and len(sheets) > 1:
        wb.remove(ws)
    elif op == "rename_sheet":
        ws.title = f"S{n % 97}"
    elif op == "hide_sheet" and len(sheets) > 1:
        ws.sheet_state = ("hidden", "veryHidden")[n % 2]
    elif op in ("delete_table", "rename_table", "header", "table_ref") and with_tables:
        tws = with_tables[n % len(with_tables)]
        tname = list(tws.tables)[n % len(tws.tables)]
        table = tws.tables[tname]
        if op == "delete_table":
            del tws.tables[tname]
        elif op == "rename_table":
            del tws.tables[tname]
            table.name = table.displayName = f"T{n % 97}"
            tws.add_table(table)
        elif op == "header":
            first = table.ref.split(":")[0]
            col = "".join(ch for ch in first if ch.isalpha())
            row = int("".join(ch for ch in first if ch.isdigit()))
            tws[f"{chr(ord(col[0]) + n % 3)}{row}"] = value
        else:
            table.ref = ("A1:A1", "A1:B2", "D10:A1", f"A1:H{1 + n % 3000}", "A1:ZZ1")[n % 5]
    elif op == "delete_name" and names:
        del wb.defined_names[names[n % len(names)]]
    elif op == "repoint_name" and names:
        wb.defined_names[names[n % len(names)]].attr_text = BAD_TARGETS[n % len(BAD_TARGETS)]
    elif op == "set_cell":
        ws.cell(row=1 + n % 40, column=1 + (n // 40) % 8, value=value)
    elif op == "merge":
        r, c = 1 + n % 30, 1 + (n // 30) % 6
        ws.merge_cells(start_row=r, start_column=c, end_row=r + n % 3, end_column=c + 1 + n % 2)


# Byte-level damage: (kind, position, payload). Positions are taken modulo the length.
# Mostly damage inside parts (reaches the XML parsers), sometimes to the zip bytes as well.
_member_op = st.tuples(st.just("member"), st.integers(0, 2**31), st.binary(min_size=1, max_size=16))
_raw_op = st.tuples(st.sampled_from(["flip", "truncate", "insert", "delete"]), st.integers(0, 2**31),
                    st.binary(min_size=1, max_size=16))
byte_ops = st.one_of(st.lists(_member_op, min_size=1, max_size=3), st.lists(_raw_op, min_size=1, max_size=2),
                     st.builds(lambda inner, outer: inner + outer, st.lists(_member_op, min_size=1, max_size=2),
                               st.lists(_raw_op, min_size=1, max_size=1)))


def write_fuzzed_tender(tender: Tender, ops: list[tuple[str, int, Any]], path: Path) -> bool:
    """Fill the template with ``tender``, apply ``ops`` and save to ``path``.

    False when openpyxl cannot write the result: it refuses some values outright (control
    characters, IllegalCharacterError) and fails in several other ways (ValueError, IndexError
    on a table ref far off the sheet, ...). No spreadsheet program produces such a file, so it
    is no input for the tool under test; anything the tool itself does is checked afterwards.
    """
    wb = build_tender_template()
    try:
        fill_tender(wb, tender)
        apply_edits(wb, ops)
        wb.save(path)
    except Exception:  # noqa: BLE001 - openpyxl's many refusals; the tool is not involved yet
        return False
    return True


@contextmanager
def damaged_copy(seed: Path, ops: list[tuple[str, int, bytes]]) -> Iterator[tuple[Path, bytes]]:
    """``seed`` with byte-level damage, written under its own name in a temporary folder
    (the name matters: findings quote it); yields the path and the damaged bytes."""
    data = mutate_bytes(seed.read_bytes(), ops)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / seed.name
        path.write_bytes(data)
        yield path, data


def mutate_bytes(data: bytes, ops: list[tuple[str, int, bytes]]) -> bytes:
    """Apply raw mutations; ``member`` mutates one zip part's *uncompressed* XML and re-zips it.

    Raw flips mostly hit compressed data (found at once by the CRC check); mutating inside
    a part reaches the XML parsers, where the interesting failures are.
    """
    for kind, pos, payload in ops:
        if kind == "member":
            data = _mutate_member(data, pos, payload)
            continue
        data = _raw(data, kind, pos, payload)
    return data


def _raw(data: bytes, kind: str, pos: int, payload: bytes) -> bytes:
    if not data:
        return payload
    at = pos % len(data)
    if kind == "flip":
        return data[:at] + bytes([data[at] ^ (payload[0] or 1)]) + data[at + 1:]
    if kind == "truncate":
        return data[:at]
    if kind == "insert":
        return data[:at] + payload + data[at:]
    return data[:at] + data[at + len(payload) * 64:]  # delete


TOKEN_RE = re.compile(rb'"[^"<>]{0,40}"|>[^<>]{1,40}<')
TOKENS = (b"0", b"-1", b"99999999999999999999", b"1048577", b"XFE1", b"A0", b"", b"1e309", b"NaN", b"#REF!",
          b"Sheet9!A1", b"=1+1", b"A1:XFD1048576", b"true", b"&amp;", b"\xc3\x28", b"0:0")


def _retoken(xml: bytes, pos: int, payload: bytes) -> bytes:
    """Replace one attribute value or text node with a hostile token: the XML stays well-formed,
    so the damage reaches the code that interprets the values, not just the parser."""
    body = xml.find(b"?>") + 2 if xml.startswith(b"<?xml") else 0  # leave the XML declaration alone
    tokens = list(TOKEN_RE.finditer(xml, body))
    if not tokens:
        return xml
    m = tokens[pos // 2 % len(tokens)]
    new = TOKENS[payload[0] % len(TOKENS)] if payload[0] % 4 else bytes(b for b in payload if b not in b"<>&\"")
    first, last = m.group()[:1], m.group()[-1:]
    return xml[:m.start()] + first + new + last + xml[m.end():]


def _mutate_member(data: bytes, pos: int, payload: bytes) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zin:
            infos = zin.infolist()
            # mostly the parts our reader interprets: sheets, tables, the workbook, shared strings
            content = [i for i in infos if i.filename.startswith(("xl/worksheets/", "xl/tables/", "xl/workbook",
                                                                   "xl/sharedStrings"))]
            pool = content if content and pos % 3 else infos
            target = pool[pos % len(pool)].filename
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
                for info in infos:
                    part = zin.read(info.filename)
                    if info.filename == target:
                        part = _retoken(part, pos, payload) if pos % 4 else _raw(
                            part, ("flip", "insert", "delete", "truncate")[pos // 4 % 4], pos // 16, payload)
                    zout.writestr(info.filename, part)
        return out.getvalue()
    except Exception:  # already too damaged to re-zip: leave it to the raw mutations
        return data


@dataclass(frozen=True)
class Trial:
    """One input's fate: how long it took, and the traceback if it broke the promise."""

    seconds: float
    failure: str | None = None
    readable: bool = True
    #: openpyxl refused the file as damaged but the fast reader (``validate``) read it: the
    #: damage is somewhere it does not look (a style attribute, a sheet it does not read)
    tolerated: bool = False


def try_input(path: Path, policy: Policy = DEFAULT_POLICY, score: bool = False) -> Trial:
    """Analyse (and optionally score) one file; anything but findings or a clear error is a
    failure, and so is the fast reader (``validate``) finding anything else than openpyxl
    where openpyxl could read the file."""
    start = time.perf_counter()
    try:
        outcome = analyse_file(path, policy, date(2026, 11, 27))
        fast = analyse_file(path, policy, date(2026, 11, 27), reader=read_rawbook_fast)
        tolerated = not outcome.readable and fast.readable
        if tolerated:
            return Trial(time.perf_counter() - start, "the entry points disagree: score (openpyxl) says unreadable ("
                         f"{outcome.findings[0].message}), validate (fast reader) read it", False, True)
        if (fast.kind, fast.findings, fast.readable) != (outcome.kind, outcome.findings, outcome.readable):
            return Trial(time.perf_counter() - start, "the fast reader's findings differ from openpyxl's:\n"
                         + "\n".join(map(str, set(fast.findings) ^ set(outcome.findings))))
        if not outcome.findings and outcome.result is None:
            return Trial(time.perf_counter() - start, "no findings and no result")
        for f in outcome.findings:
            if not f.message or not f.code:
                return Trial(time.perf_counter() - start, f"empty finding {f!r}")
        if not outcome.readable and not outcome.findings[0].hint:
            return Trial(time.perf_counter() - start, "unreadable without a hint")
        own = workbook_words(path)  # a bidder typed as __proto__ is the user's text, shown as typed
        for f in (*outcome.findings, *fast.findings):
            leaked = python_words(f"{f.message} {f.hint}", own) or str(path.parent) in f"{f.message} {f.hint}"
            if leaked:
                return Trial(time.perf_counter() - start, f"Python's words or a full path reached the user: {f}")
        if score and outcome.result is not None:
            try:
                score_file(path, path.with_name(path.stem + ".out" + path.suffix), policy, date(2026, 11, 27),
                           now=datetime(2026, 11, 27, 12, 0))
            except WriteRefused:
                pass
        return Trial(time.perf_counter() - start, None, outcome.readable, tolerated)
    except Exception:
        return Trial(time.perf_counter() - start, traceback.format_exc())


def seed_files(repo_root: Path, max_bytes: int = 200_000) -> list[Path]:
    """Real .xlsx/.xlsm files to damage: the committed template and example, and the corpus."""
    corpus = repo_root.parent / "shared" / "corpus" / "calamine"
    files = [repo_root / "workbooks" / "tender_evaluation.xlsx", repo_root / "examples" / "tender_example.xlsx"]
    files += sorted(p for p in corpus.glob("*.xls[xm]") if p.stat().st_size <= max_bytes)
    return [p for p in files if p.exists()]


# --- the encoding layer (issue 14) ----------------------------------------------------------------
#: How a part's text is saved: the codec, and the byte order mark written before it.
SAVES = (("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b""), ("utf-16-le", b"\xff\xfe"),
         ("utf-16-be", b""), ("utf-16-be", b"\xfe\xff"), ("utf-32-le", b"\xff\xfe\x00\x00"), ("cp1252", b""))
#: What the XML declaration says (None: the part keeps no declaration).
DECLARED = (None, "UTF-8", "utf-8", "UTF-16", "utf-16le", "UTF-16BE", "ISO-8859-1", "windows-1252", "US-ASCII",
            "utf8", "UTF-32", "")
#: Hostile text put in a part before it is saved: an entity declaration, a DOCTYPE, or nothing.
PAYLOADS = (b"", b'<!DOCTYPE x [<!ENTITY a "b">]>', b'<!ENTITY a "b">')

#: (part chooser, save, declaration, payload): one part's new encoding; several make mixed packages.
encoding_ops = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, len(SAVES) - 1),
                                  st.integers(0, len(DECLARED) - 1), st.integers(0, len(PAYLOADS) - 1)),
                        min_size=1, max_size=4)


def reencode_parts(data: bytes, ops: list[tuple[int, int, int, int]]) -> tuple[bytes, bool]:
    """The package with some XML parts saved in other encodings, declared truly or falsely, and
    perhaps carrying a DTD; also whether a DTD was planted (such a file must be refused by every
    entry point, whatever its encoding)."""
    planted = False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zin:
            infos = [i for i in zin.infolist() if not i.is_dir()]
            xml = [i.filename for i in infos if i.filename.endswith((".xml", ".rels"))]
            if not xml:
                return data, False
            parts = {i.filename: zin.read(i.filename) for i in infos}
        for pick, save, declared, payload in ops:
            name = xml[pick % len(xml)]
            text = _xml_text(parts[name])
            if text is None:
                continue
            body = re.sub(r"^<\?xml[^>]*\?>\s*", "", text)
            decl = DECLARED[declared]
            head = "" if decl is None else f'<?xml version="1.0" encoding="{decl}" standalone="yes"?>'
            hostile = PAYLOADS[payload].decode()
            planted |= bool(hostile)
            codec, bom = SAVES[save]
            parts[name] = bom + (head + hostile + body).encode(codec, "xmlcharrefreplace")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for name, part in parts.items():
                zout.writestr(name, part)
        return out.getvalue(), planted
    except Exception:  # noqa: BLE001 - too damaged to re-zip: leave it as it is
        return data, False


def _xml_text(part: bytes) -> str | None:
    """A part's text, whichever encoding an earlier op saved it in (None if it is not text)."""
    for codec, bom in (("utf-32", b"\xff\xfe\x00\x00"), ("utf-8-sig", b"\xef\xbb\xbf"), ("utf-16", b"\xff\xfe"),
                       ("utf-16", b"\xfe\xff")):
        if part.startswith(bom):
            try:
                return part.decode(codec)
            except UnicodeError:
                return None
    for codec in ("utf-8", "utf-16-be" if part[:1] == b"\0" else "utf-16-le", "cp1252"):
        try:
            return part.decode(codec)
        except UnicodeError:
            continue
    return None
