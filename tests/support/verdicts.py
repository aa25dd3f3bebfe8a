"""Every entry point's verdict on one file, as its user sees it: for the agreement test and the fuzz campaign.

A verdict is one of three: ``("kind", "tender")`` (readable, of a kind), ``("not-a-kind", "")``
(readable, but neither a tender nor a KPI register) or ``("unreadable", "")``. The entry points
are the commands people run, through the command line as they type it (``validate``, ``score``,
``summaries``; ``report`` runs ``validate``'s check, whose kept result it needs), and the xlwings
path (the buttons in Excel), run on the workbook as Excel would hand it over. Each one's printed
words are also searched for what must never reach a user: Python's exception names and texts,
and absolute paths. A word that only looks like Python's and that the workbook itself carries (a
bidder typed as ``__proto__``, a sheet named ``KeyError``) is the user's own text echoed back,
which the entry points must show as it is: it is not counted (``workbook_words``).
"""

from __future__ import annotations

import html
import os
import re
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from sv_workbook.app.batch import Target
from sv_workbook.app.check import check_file
from sv_workbook.app.analyse import analyse_file
from sv_workbook.core.outcome import Outcome
from sv_workbook.cli.commands import main
from sv_workbook.core.policy import DEFAULT_POLICY

TODAY = date(2026, 11, 27)
#: What only Python says: an exception's name, a traceback, a dunder, an attribute error's words.
PYTHON_WORDS = re.compile(r"\b[A-Z]\w*(?:Error|Exception|Warning)\b|Traceback|\b__\w+__\b|object has no attribute|"
                          r"unexpected keyword|\bNoneType\b|\bErrno\b|zipfile\.|\bBadZipFile\b")
#: The most of one part the harness reads to learn the workbook's own words (damaged inputs may
#: claim any size; a part cut short only means fewer words excused, so a stricter check).
_PART_LIMIT = 32 * 1024 * 1024
_XML_TEXT = re.compile(r'>([^<]+)<|="([^"]*)"')
_SHOWN = re.compile(r"^(?P<path>.+?) \((?P<kind>[\w-]+)\): (?:OK|NOT OK)", re.MULTILINE)


@dataclass
class Verdicts:
    """Each entry point's verdict on one file, and whatever it printed that it should not have."""

    name: str
    by_entry: dict[str, tuple[str, str]] = field(default_factory=dict)
    leaks: list[str] = field(default_factory=list)
    #: Entry points not run on this file, and why.
    skipped: list[str] = field(default_factory=list)

    @property
    def agree(self) -> bool:
        return len(set(self.by_entry.values())) == 1


def verdict(outcome: Outcome) -> tuple[str, str]:
    if not outcome.readable:
        return ("unreadable", "")
    return ("kind", outcome.kind) if outcome.kind else ("not-a-kind", "")


def _from_output(text: str, name: str) -> tuple[str, str]:
    """The verdict a command printed for workbook ``name`` (its first result line)."""
    if "FILE-UNREADABLE" in text or "CHECK-FAILED" in text:
        return ("unreadable", "")
    m = _SHOWN.search(text)
    if m is None and (text.startswith("Wrote ") or re.match(r"Not written: \d+ gap\(s\)", text)):
        return ("kind", "tender")  # ``summaries`` writes, or lists the gaps, only for a tender it could score
    assert m, f"no result line for {name} in:\n{text}"
    return ("not-a-kind", "") if m["kind"] == "unknown" else ("kind", m["kind"])


def workbook_words(path: Path) -> frozenset[str]:
    """The words matching ``PYTHON_WORDS`` that the workbook's own text carries: every text node and
    attribute value of its XML parts (cell texts, sheet, Table and defined names...), read from the
    package directly, not through the product. Empty for a file that is not a readable zip."""
    words: set[str] = set()
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                with zf.open(info) as member:
                    data = member.read(_PART_LIMIT)
                for m in _XML_TEXT.finditer(_decoded(data)):
                    words.update(w.group() for w in PYTHON_WORDS.finditer(html.unescape(m.group(1) or m.group(2))))
    except Exception:  # noqa: BLE001 - a damaged package carries no words we can be sure of
        return frozenset()
    return frozenset(words)


def _decoded(data: bytes) -> str:
    """A part's text in whichever encoding it was saved (the fuzzed encodings include UTF-16)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(data) > 1 and b"\x00" in data[:2]):
        codec = "utf-16-be" if data[:2] == b"\xfe\xff" or data[:1] == b"\x00" else "utf-16-le"
        return data.decode(codec, errors="ignore")
    return data.decode("utf-8", errors="ignore")


def python_words(text: str, own: frozenset[str] = frozenset()) -> list[str]:
    """What in ``text`` only Python says, less the words the workbook itself carries (``own``)."""
    return [m.group() for m in PYTHON_WORDS.finditer(text) if m.group() not in own]


def _leaks(text: str, folder: Path, own: frozenset[str] = frozenset()) -> list[str]:
    found = python_words(text, own)
    for absolute in {str(folder), str(folder.resolve()), tempfile.gettempdir(), os.getcwd()}:
        if absolute and absolute in text:
            found.append(f"absolute path {absolute}")
    return found


def entry_point_verdicts(source: Path, xlwings: bool = True) -> Verdicts:
    """Run every entry point on a copy of ``source`` in a fresh folder, named as the user names it
    (a relative path from the folder it is in), and collect the verdicts and any leaked words."""
    result = Verdicts(source.name)
    own = workbook_words(source)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / source.name
        path.write_bytes(source.read_bytes())
        (folder / "summaries").mkdir()
        runner = CliRunner()
        old = os.getcwd()
        os.chdir(folder)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                runs = {
                    "validate": ["validate", "--jobs", "1", "--as-of", TODAY.isoformat(), path.name],
                    "score": ["score", "--as-of", TODAY.isoformat(), "-o", "scored" + path.suffix, path.name],
                    "summaries": ["summaries", "--as-of", TODAY.isoformat(), "-o", "summaries", path.name],
                }
                for entry, args in runs.items():
                    out = runner.invoke(main, args, catch_exceptions=False)
                    text = out.output + (out.stderr if out.stderr_bytes is not None else "")
                    # the once-per-run policy notice is not about the file
                    text = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("Notice: "))
                    result.leaks += [f"{entry}: {w}" for w in _leaks(text, folder, own)]
                    result.by_entry[entry] = _from_output(text, path.name)
                    if entry == "score" and text.startswith("Cannot read"):
                        result.by_entry[entry] = ("unreadable", "")
                report = check_file(Target(path.name, str(path.resolve())), DEFAULT_POLICY, TODAY, keep_result=True)
                result.by_entry["report"] = verdict(report)
                result.leaks += [f"report: {w}" for f in report.findings for w in _leaks(f"{f} {f.hint}", folder, own)]
                if xlwings:
                    _xlwings(path, result, folder, own)
        finally:
            os.chdir(old)
    return result


def _xlwings(path: Path, result: Verdicts, folder: Path, own: frozenset[str]) -> None:
    """The Check button on the workbook Excel has open. Excel only hands over a workbook it could
    open, and the tests build that payload with openpyxl, so a file openpyxl cannot load (after
    the same safety gate) is one Excel would have to repair first: the path is not reached."""
    # as tests/conftest.py sets them for the suite: xlwings' remote engine under its free
    # non-commercial key (the fuzz campaign runs without conftest)
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    os.environ.setdefault("XLWINGS_ON_SERVER", "true")
    from sv_workbook.macros import validate_book
    from tests.support.xlwings_payload import payload_from_xlsx
    import xlwings as xw

    reference = analyse_file(path, DEFAULT_POLICY, TODAY)
    if not reference.readable:
        return
    if any(f.code == "HUGE-RANGE" for f in reference.findings):
        # its used range reaches far beyond the data, and the Office.js client sends the whole used
        # range: a payload of up to 17 billion cells, which no test machine (nor Excel) can build
        result.skipped.append("xlwings: used range beyond the policy's limits")
        return
    book = xw.Book(json=payload_from_xlsx(path))
    outcome = validate_book(book, DEFAULT_POLICY, TODAY)
    result.by_entry["xlwings"] = verdict(outcome)
    result.leaks += [f"xlwings: {w}" for f in outcome.findings for w in _leaks(f"{f} {f.hint}", folder, own)]
