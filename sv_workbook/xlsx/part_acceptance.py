"""Whether openpyxl *certainly* loads a styles, core-properties, workbook or Table part, without openpyxl.

The fast reader gives a file the verdict openpyxl would (issue 14) by having openpyxl's model
classes parse these parts, which made every batch worker import openpyxl and numpy (~0.3 s) and
run openpyxl's models on every file Excel or LibreOffice saved (issue 12, item 7). This check
answers first, with defusedxml only: ``True`` means openpyxl loads the part; ``False`` only means
"not sure", and the caller then asks openpyxl's models, which stay the authority. So it must be
sound (never ``True`` for a part openpyxl refuses) and may be timid.

It walks the part as ``Serialisable.from_tree`` does, against ``part_schema.SCHEMA`` (derived from
openpyxl's descriptors by ``scripts/derive-part-schema.py``): every attribute must be one the class
declares with a value its descriptor takes, every attribute its ``__init__`` default cannot stand
in for must be there, every child is read as the class reads it, and a child tag that would find
some other class attribute is "not sure". The classes that override ``from_tree`` or whose
``__init__`` does more than store its arguments are judged by hand here (colours, fills, text
rotation), and the styles part gets the index checks ``Stylesheet`` and ``apply_stylesheet`` make
(named styles, their xf and its font, fill and border). Anything else unusual is "not sure".
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from keyword import kwlist

from sv_workbook.xlsx.part_schema import SCHEMA

_CLASSES: dict[str, dict] = SCHEMA["classes"]
_BASE_NAMES = frozenset(SCHEMA["base_names"])
_KEYWORDS = frozenset(kwlist)
#: Classes that override ``from_tree`` and are judged here (any other one is "not sure").
_HANDLED_FROM_TREE = frozenset({"Stylesheet", "Font", "Fill", "TableColumn", "WorkbookProtection"})
#: Attributes whose ``__init__`` and ``from_tree`` handling (password hashing) is not modelled here.
_UNMODELLED = {"WorkbookProtection": ("workbookPassword", "revisionsPassword")}
#: openpyxl's ``from_ISO8601`` reads more shapes, but a ``DateTime`` descriptor keeps only datetimes
#: (it reads three digits of the fraction, whatever follows, as Excel's seven are).
_ISO_DATETIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?Z?\Z")
#: Ids that go into openpyxl's ``StyleArray`` (a signed 32-bit array) must fit.
_INT32 = 2**31
_TEXT_ROTATIONS = frozenset(range(181)) | {255}


class NotSure(Exception):
    """The part is not one this check can vouch for (openpyxl's models decide)."""


def openpyxl_certainly_reads(part: str, data: bytes, tree) -> bool:
    """``True`` when openpyxl's models load ``part`` (``"xl/styles.xml"``, ``"docProps/core.xml"``,
    ``"docProps/custom.xml"``, ``"workbook"`` or ``"table"``) whose bytes are ``data`` and defusedxml tree ``tree``; else ``False``."""
    root = "empty" if part == "docProps/custom.xml" else SCHEMA["roots"].get(part)
    # openpyxl parses with lxml, which keeps comments and processing instructions as children
    if root is None or b"<!--" in data or b"<![CDATA[" in data or b"<?" in data[data.startswith(b"<?") * 2:]:
        return False
    if root == "empty":  # custom properties: vouched for only when there are none (as LibreOffice writes)
        return len(tree) == 0 and not tree.text and all(key.startswith("{") for key in tree.attrib)
    try:
        model = _walk(tree, root)
        if part == "xl/styles.xml":
            _check_stylesheet(model)
    except NotSure:
        return False
    return True


def _walk(el, name: str) -> dict:
    """Check ``el`` as ``name.from_tree`` reads it; return {child tag: [child models]} for the styles checks."""
    if name == "Fill":
        return _fill(el)
    cls = _CLASSES[name]
    if cls["kw"] or (cls["from_tree"] and name not in _HANDLED_FROM_TREE):
        raise NotSure(name)
    given = set()
    if name != "Stylesheet":  # Stylesheet.from_tree drops its attributes
        given = _attributes(el, cls, name)
    model: dict = {"": el}
    for child in el:
        tag = _local(child.tag)
        how = cls["children"].get(tag)
        if how is None:
            if tag in cls["names"] or tag in _BASE_NAMES or tag.startswith("_") or tag in _KEYWORDS:
                raise NotSure(f"{name}: child {tag}")
            continue  # from_tree finds no descriptor for it and skips it
        mode = how[0]
        if mode == "one" or mode == "many":
            model.setdefault(tag, []).append(_walk(child, how[1]))
        elif mode == "list":
            model[tag] = [_walk(item, how[1]) for item in child]
        elif mode == "val":
            _value(how[1], child.get("val", how[3]), how[2])
        else:  # "text"
            _value(how[1], child.text, how[2])
        given.add(tag)
    if not given.issuperset(cls["required"]):
        raise NotSure(f"{name}: missing {set(cls['required']) - given}")
    return model


def _attributes(el, cls: dict, name: str) -> set[str]:
    """Check the attributes ``from_tree`` passes on (namespaced ones it knows renamed, others dropped)."""
    given = set()
    for key, value in el.attrib.items():
        key = cls["namespaced"].get(key, key)
        if key.startswith("{"):
            continue
        if name == "Alignment" and key == "textRotation":
            _text_rotation(value)  # its Set holds ints, so the table leaves it out
            continue
        spec = cls["attrs"].get(key)
        if spec is None or key in _KEYWORDS or key in _UNMODELLED.get(name, ()):
            raise NotSure(f"{name}: attribute {key}")
        if name == "Color":
            continue  # checked below, as Color.__init__ uses them
        _value(spec, value, False)
        given.add(key)
    if name == "Color":
        _color(el)
        given.update(cls["required"])
    return given


def _value(spec: tuple, value: str | None, allow_none: bool) -> None:
    """Raise ``NotSure`` unless the descriptor ``spec`` describes takes ``value`` (a string or None)."""
    kind = spec[0]
    if value is None:
        if not allow_none and kind not in ("any", "noneset"):
            raise NotSure("a value is missing")
        return
    if kind in ("any", "str", "bool"):
        return  # String keeps any text, Bool is bool() of it
    if kind == "int" or kind == "float":
        try:
            number = int(value) if kind == "int" else float(value)
        except ValueError:
            raise NotSure(f"number {value!r}") from None
        if (spec[1] is not None and number < spec[1]) or (spec[2] is not None and number > spec[2]):
            raise NotSure(f"number {value!r} out of range")
    elif kind == "noneset" or kind == "set":
        if value not in spec[1] and not (kind == "noneset" and value == "none"):
            raise NotSure(f"value {value!r}")
    elif kind == "re":
        if not _pattern(spec[1]).match(value):
            raise NotSure(f"value {value!r}")
    elif kind == "nospace":
        if " " in value:
            raise NotSure(f"value {value!r}")
    elif kind == "datetime":
        if not value and not allow_none:
            raise NotSure("an empty date")
        _datetime(value)
    else:
        raise NotSure(kind)


@lru_cache(maxsize=None)
def _pattern(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.VERBOSE)


def _datetime(value: str) -> None:
    if not value:
        return  # from_ISO8601 gives None, which these descriptors allow
    match = _ISO_DATETIME.match(value)
    if match is None:
        raise NotSure(f"date {value!r}")
    try:
        datetime(*map(int, match.groups()))
    except ValueError:
        raise NotSure(f"date {value!r}") from None


def _text_rotation(value: str) -> None:
    """``Alignment.__init__`` stores ``int(textRotation)``, which must be 0-180 or 255."""
    try:
        if int(value) not in _TEXT_ROTATIONS:
            raise NotSure(f"textRotation {value!r}")
    except ValueError:
        raise NotSure(f"textRotation {value!r}") from None


def _color(el) -> None:
    """``Color.__init__`` keeps the first of indexed, theme, auto, else rgb (black when absent)."""
    attrs = {k: v for k, v in el.attrib.items() if not k.startswith("{")}
    if "index" in attrs:
        raise NotSure("Color index")
    if "indexed" in attrs:
        _value(("int", None, None), attrs["indexed"], False)
    elif "theme" in attrs:
        _value(("int", None, None), attrs["theme"], False)
    elif "auto" not in attrs:
        _value(_CLASSES["Color"]["attrs"]["rgb"], attrs.get("rgb", "00000000"), False)
    _value(("float", -1, 1), attrs.get("tint", "0"), False)


def _fill(el) -> dict:
    """``Fill.from_tree`` reads only the first child; a ``patternFill`` one by ``PatternFill._from_tree``,
    which passes its attributes on unfiltered and reads every child as a ``Color``."""
    children = list(el)
    if not children:
        raise NotSure("empty fill")  # read as None, which a named style cannot hold
    child = children[0]
    if "patternFill" not in child.tag:
        return _walk(child, "GradientFill")
    pattern = _CLASSES["PatternFill"]
    for key, value in child.attrib.items():
        if key != "patternType":
            raise NotSure(f"patternFill attribute {key}")
        _value(pattern["attrs"]["patternType"], value, False)
    for color in child:
        if _local(color.tag) not in pattern["children"]:
            raise NotSure("patternFill child")
        _walk(color, "Color")
    return {"": el}


def _local(tag) -> str:
    if not isinstance(tag, str):
        raise NotSure("not an element")
    return tag.rsplit("}", 1)[-1]


def _ints(el, names: tuple[str, ...]) -> list[int]:
    """The xf ids as ``CellStyle`` stores them (0 when absent), each fitting openpyxl's ``StyleArray``."""
    out = []
    for key in names:
        number = int(el.get(key, "0"))
        if not 0 <= number < _INT32:
            raise NotSure(f"{key} {number}")
        out.append(number)
    return out


def _check_stylesheet(model: dict) -> None:
    """The checks ``Stylesheet.__init__`` and ``apply_stylesheet`` make beyond each class's own:
    every xf's ids fit ``StyleArray``; each named style (``cellStyles``, duplicates dropped as
    ``remove_duplicates`` does) names an xf of ``cellStyleXfs`` whose font, fill and border exist."""
    fonts, fills, borders = (len(model.get(tag, ())) for tag in ("fonts", "fills", "borders"))
    style_xfs = [xf[""] for lst in model.get("cellStyleXfs", [])[-1:] for xf in lst.get("xf", [])]
    for lst in model.get("cellXfs", [])[-1:]:
        for xf in lst.get("xf", []):
            _ints(xf[""], ("fontId", "fillId", "borderId", "numFmtId", "xfId"))
    names, ids = set(), set()
    styles = [s[""] for lst in model.get("cellStyles", [])[-1:] for s in lst.get("cellStyle", [])]
    for ref in sorted(styles, key=lambda s: int(s.get("xfId"))):
        xf_id, name = int(ref.get("xfId")), ref.get("name")
        if xf_id in ids or name in names:
            continue
        ids.add(xf_id)
        names.add(name)
        if not 0 <= xf_id < len(style_xfs):
            raise NotSure(f"cell style xfId {xf_id}")
        font, fill, border = _ints(style_xfs[xf_id], ("fontId", "fillId", "borderId"))
        if font >= fonts or fill >= fills or border >= borders:
            raise NotSure("a named style's font, fill or border is missing")
