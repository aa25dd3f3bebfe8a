"""Which text encoding a package's XML part is in, and its text as UTF-8 for the byte scans.

The package gate counts rows and cells and looks for ``<!DOCTYPE``/``<!ENTITY`` by
searching the XML's bytes for ASCII patterns. That only sees the text when the part is in
UTF-8, but the Office Open XML packaging standard (ECMA-376 Part 2, §8.1.4, M1.17) allows
XML parts in UTF-8 *or* UTF-16, and the XML parsers behind openpyxl read both. Excel itself
writes UTF-16 in some parts (the Power Query ``customXml`` item). A 700,000-row sheet or an
entity declaration saved as UTF-16 once walked past every byte scan.

So every XML part's encoding is read first, as an XML parser reads it (XML 1.0, appendix F):
the byte order mark, else the byte pattern of ``<?``/``<`` (a zero byte first or second means
UTF-16, as expat decides), then the ``encoding`` the XML declaration names. UTF-8 parts are
scanned as they are; UTF-16 parts are decoded piece by piece and scanned as UTF-8; anything
else (UTF-32, EBCDIC, ISO-8859-1, Windows-1252, Shift-JIS...) is refused, because the
standard forbids it, Excel never writes it, and a byte scan could misread it. A declaration
that contradicts the bytes (UTF-16 bytes declaring UTF-8) is refused too: parsers differ on
it, and the gate must scan exactly the text the parser will read.
"""

from __future__ import annotations

import codecs
import re

UTF8, UTF16_LE, UTF16_BE = "utf-8", "utf-16-le", "utf-16-be"
#: Raw bytes enough to hold a BOM and an XML declaration in UTF-16 (a declaration with
#: every pseudo-attribute and generous spaces is under 100 characters).
DETECT_BYTES = 256
_DECLARATION = re.compile(r"<\?xml[ \t\r\n][^>]*?\bencoding[ \t\r\n]*=[ \t\r\n]*([\"'])([^\"'<>]*)\1")
#: Names a declaration may give, for each encoding the bytes can be in. ``utf8`` is not a
#: registered name, but expat accepts it and its bytes are UTF-8, so the scans hold.
_ALLOWED = {UTF8: {"utf-8", "utf8"}, UTF16_LE: {"utf-16", "utf-16le"}, UTF16_BE: {"utf-16", "utf-16be"}}
_LABEL = {UTF8: "UTF-8", UTF16_LE: "UTF-16 (little-endian)", UTF16_BE: "UTF-16 (big-endian)"}


class EncodingRefused(Exception):
    """A part's encoding the gate will not read; ``reason`` is for people (the part is added by the caller)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def detect(head: bytes) -> str:
    """The codec (``UTF8``, ``UTF16_LE`` or ``UTF16_BE``) of an XML part starting with ``head``.

    ``head`` should hold the part's first ``DETECT_BYTES`` bytes (or the whole part if shorter).
    Raises ``EncodingRefused`` for an encoding the standard does not allow, or a declaration
    that contradicts the bytes.
    """
    if head.startswith((b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")) or head[:4] in (b"\x00\x00\x00<", b"<\x00\x00\x00"):
        raise EncodingRefused("is saved in the UTF-32 text encoding, which the Office Open XML standard does not "
                              "allow and Excel never writes")
    if head.startswith(b"\xef\xbb\xbf"):
        codec, text = UTF8, head[3:]
    elif head.startswith(b"\xff\xfe"):
        codec, text = UTF16_LE, head[2:]
    elif head.startswith(b"\xfe\xff"):
        codec, text = UTF16_BE, head[2:]
    elif head[:1] == b"\x00":
        codec, text = UTF16_BE, head
    elif head[1:2] == b"\x00":
        codec, text = UTF16_LE, head
    else:
        codec, text = UTF8, head
    if head[:4] == b"\x4c\x6f\xa7\x94":  # "<?xm" in EBCDIC
        raise EncodingRefused("is saved in an EBCDIC text encoding, which the Office Open XML standard does not "
                              "allow and Excel never writes")
    declared = _declared(text[: len(text) - len(text) % 2] if codec != UTF8 else text, codec)
    if declared is not None and declared not in _ALLOWED[codec]:
        if declared in _ALLOWED[UTF8] | _ALLOWED[UTF16_LE] | _ALLOWED[UTF16_BE]:
            raise EncodingRefused(f"says it is in {declared.upper()} but its bytes are {_LABEL[codec]}, so "
                                  "programs may read different text from it")
        raise EncodingRefused(f"is saved in the text encoding '{declared}', which the Office Open XML standard "
                              "does not allow (only UTF-8 and UTF-16) and Excel never writes")
    return codec


def _declared(text: bytes, codec: str) -> str | None:
    """The encoding the XML declaration at the very start names, lower-cased (None if none)."""
    decoded = text.decode(codec, "replace")
    if not decoded.startswith("<?xml"):
        return None  # no declaration (one anywhere else is an XML error the parser reports)
    m = _DECLARATION.match(decoded)
    return m.group(2).strip().lower() if m else None


class Utf8Text:
    """A UTF-16 part's text as UTF-8, made piece by piece as the part is inflated.

    ``feed`` returns the UTF-8 bytes for what has arrived (a code unit or surrogate pair cut
    between pieces waits for the next piece); ``close`` raises ``EncodingRefused`` if the part
    ends in the middle of one. Text that is not valid UTF-16 is refused, as a parser would.
    """

    def __init__(self, codec: str):
        self._decoder = codecs.getincrementaldecoder(codec)("strict")

    def feed(self, data: bytes, final: bool = False) -> bytes:
        try:
            return self._decoder.decode(data, final).encode("utf-8")
        except UnicodeError as exc:
            raise EncodingRefused("is not valid UTF-16 text (it is damaged, or its encoding is mislabelled)") from exc


__all__ = ["UTF8", "UTF16_LE", "UTF16_BE", "DETECT_BYTES", "EncodingRefused", "detect", "Utf8Text"]
