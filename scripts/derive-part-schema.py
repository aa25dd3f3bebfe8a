"""Write ``sv_workbook/xlsx/part_schema.py``: what openpyxl's model classes accept, as data.

``xlsx/part_acceptance.py`` decides without openpyxl whether openpyxl certainly loads a styles,
core-properties, workbook or Table part. It walks the part against this table, which is derived
here from openpyxl's own descriptor classes (``__attrs__``, the descriptors a child tag finds
through ``getattr(cls, tag)`` as ``Serialisable.from_tree`` does, each ``__init__``'s signature
and defaults). Run it after upgrading openpyxl; ``tests/xlsx/test_part_acceptance.py`` fails
while the committed table differs from what the installed openpyxl gives.

Only what the checker knows how to judge is written: an attribute or child whose descriptor is
of another kind is left out, so the checker says "not sure" when it meets one.
"""

from __future__ import annotations

import inspect
import pprint
import re
import sys
from pathlib import Path

from openpyxl.descriptors import base, nested, sequence
from openpyxl.descriptors.serialisable import Serialisable
from openpyxl.packaging.core import DocumentProperties
from openpyxl.packaging.workbook import WorkbookPackage
from openpyxl.styles.colors import RGB, aRGB_REGEX
from openpyxl.styles.fills import GradientFill, PatternFill
from openpyxl.styles.stylesheet import Stylesheet
from openpyxl.worksheet.table import Table

OUT = Path(__file__).resolve().parents[1] / "sv_workbook" / "xlsx" / "part_schema.py"
ROOTS = {"xl/styles.xml": Stylesheet, "docProps/core.xml": DocumentProperties, "workbook": WorkbookPackage,
         "table": Table}
#: Reached through ``Fill.from_tree``, which dispatches on the child's tag.
EXTRA = (PatternFill, GradientFill)


def value_spec(desc) -> tuple | None:
    """How a value (always a string from XML) must look for ``desc.__set__`` to take it."""
    if isinstance(desc, property):
        return ("any",)  # a computed property: __init__ takes the argument and drops it
    if isinstance(desc, base.MatchPattern):  # compiled re.VERBOSE, as the checker does
        return ("re", desc.pattern)
    if type(desc) is RGB and not desc.allow_none:
        assert not re.search(r"[\s#]", aRGB_REGEX.pattern)  # means the same compiled re.VERBOSE
        return ("re", aRGB_REGEX.pattern)
    if isinstance(desc, base.Set):  # NoneSet too: the checker maps 'none' as NoneSet does
        if not all(isinstance(v, str) for v in desc.values if v is not None):
            return None
        kind = "noneset" if isinstance(desc, base.NoneSet) else "set"
        return (kind, tuple(sorted(v for v in desc.values if v is not None)))
    if isinstance(desc, base.DateTime):
        return ("datetime",)
    if isinstance(desc, base.Bool):
        return ("bool",)  # bool() of any string, 'false', 'f' and '0' read as False
    if isinstance(desc, base.Convertible) and desc.expected_type in (int, float):
        low = getattr(desc, "min", None) if isinstance(desc, base.Min) else None
        high = getattr(desc, "max", None) if isinstance(desc, base.Max) else None
        return (desc.expected_type.__name__, low, high)
    if isinstance(desc, nested.NestedString) and type(desc).__set__ is nested.Nested.__set__:
        return ("str",)  # Nested.__set__, then str() of a string
    if type(desc) in (base.String, base.Typed) and desc.expected_type is str:
        return ("str",)
    if type(desc) is base.Descriptor:  # stores anything (attr_text)
        return ("any",)
    if type(desc).__name__ in ("Relation", "TableNameDescriptor") and isinstance(desc, base.String):
        return ("nospace",) if type(desc).__name__ == "TableNameDescriptor" else ("str",)
    return None


def allows_none(desc) -> bool:
    return isinstance(desc, (property, base.Set)) and (not isinstance(desc, base.Set) or None in desc.values) \
        or getattr(desc, "allow_none", False) or type(desc) is base.Descriptor


def lookup(cls, name):
    for klass in cls.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    return None


def derive(cls, todo: list) -> dict:
    sig = inspect.signature(cls.__init__).parameters
    params = {n: p.default for n, p in sig.items() if n != "self" and p.kind is p.POSITIONAL_OR_KEYWORD}
    namespaced = {full: key for key, full in cls.__namespaced__}
    attrs: dict[str, tuple] = {}
    required = []
    for name in sorted(set(cls.__attrs__) | set(params)):
        desc = lookup(cls, name)
        if name not in params or not isinstance(desc, (base.Descriptor, property)) or (
                _is_child(desc) and name not in namespaced.values()):
            continue
        spec = value_spec(desc)
        if spec is not None and not name.startswith("_"):  # keyword attributes ("_and") stay unknown
            attrs[name] = spec
        default = params[name]
        if name in cls.__attrs__ and not isinstance(desc, property):
            probe = cls.__new__(cls)
            try:
                if default is inspect.Parameter.empty:
                    raise TypeError("no default")
                desc.__set__(probe, default)
            except Exception:  # noqa: BLE001 - the default is refused: the attribute must be given
                required.append(name)
    required += [n for n, d in params.items() if d is inspect.Parameter.empty and n not in required]
    children: dict[str, tuple] = {}
    for name in sorted(set(dir(cls))):
        desc = lookup(cls, name)
        if not isinstance(desc, base.Descriptor) or name not in params or not _is_child(desc):
            continue
        item = getattr(desc, "expected_type", None)
        if name.startswith("_"):
            continue  # keyword tags ("_and") stay unknown: the checker is not sure of them
        tag = name
        if isinstance(desc, sequence.NestedSequence) and _model(item, todo):
            children[tag] = ("list", item.__name__)
        elif isinstance(desc, nested.NestedText) and isinstance(desc, base.DateTime):
            children[tag] = ("text", ("datetime",), allows_none(desc))  # from_ISO8601 of the text
        elif isinstance(desc, nested.NestedText):
            spec = ("str",) if desc.expected_type is str else None
            if spec:
                children[tag] = ("text", spec, allows_none(desc))
        elif isinstance(desc, nested.Nested) and not isinstance(desc, nested.EmptyTag):
            spec = ("datetime",) if isinstance(desc, base.DateTime) else value_spec(desc)
            if spec is not None and desc.attribute == "val":
                default = "true" if isinstance(desc, nested.NestedBool) else None
                children[tag] = ("val", spec, allows_none(desc), default)
        elif isinstance(desc, sequence.Sequence) and not isinstance(desc, (sequence.ValueSequence,
                                                                            sequence.MultiSequence)):
            if _model(item, todo):
                children[tag] = ("many", item.__name__)
        elif isinstance(desc, base.Typed) and _model(item, todo):
            children[tag] = ("one", item.__name__)
    names = sorted(n for n in dir(cls) if not n.startswith("__") and n not in children
                   and n not in dir(Serialisable))
    return {"attrs": attrs, "namespaced": namespaced, "required": tuple(sorted(required)), "children": children, "names": tuple(names),
            "from_tree": "from_tree" in vars(cls), "kw": any(p.kind is p.VAR_KEYWORD for p in sig.values())}


def _is_child(desc) -> bool:
    """A descriptor that reads a child element rather than an attribute."""
    item = getattr(desc, "expected_type", None)
    return isinstance(desc, (nested.Nested, sequence.Sequence)) or (
        isinstance(item, type) and issubclass(item, Serialisable))


def _model(item, todo: list) -> bool:
    if isinstance(item, type) and issubclass(item, Serialisable):
        todo.append(item)
        return True
    return False


def build() -> dict:
    todo = list(ROOTS.values()) + list(EXTRA)
    classes: dict[str, dict] = {}
    while todo:
        cls = todo.pop()
        if cls.__name__ not in classes:
            classes[cls.__name__] = derive(cls, todo)
    return {"roots": {part: cls.__name__ for part, cls in ROOTS.items()},
            "base_names": tuple(sorted(n for n in dir(Serialisable) if not n.startswith("__"))),
            "classes": dict(sorted(classes.items()))}


def render(table: dict) -> str:
    import openpyxl

    return (f'"""What openpyxl {openpyxl.__version__}\'s model classes accept, derived from their descriptors by\n'
            '``scripts/derive-part-schema.py`` (do not edit; run the script after upgrading openpyxl).\n\n'
            'Read by ``part_acceptance``: per class, ``attrs`` {attribute: value spec}, ``required`` attributes\n'
            'whose ``__init__`` default its descriptor refuses, ``children`` {tag: how from_tree reads it},\n'
            '``names`` the other class attributes a child tag would find, whether the class overrides\n'
            '``from_tree`` and whether ``__init__`` takes ``**kw``.\n"""\n\n'
            f"SCHEMA = {pprint.pformat(table, width=118, sort_dicts=False, compact=True)}\n")


if __name__ == "__main__":
    text = render(build())
    if "--check" in sys.argv:
        sys.exit(0 if OUT.read_text() == text else 1)
    OUT.write_text(text)
    print(f"wrote {OUT}")
