"""The Excel add-in ``sv_workbook.xlam``: a **Social value** ribbon tab that works on whatever workbook is in front.

IT installs it once (``xlwings addin install --file sv_workbook.xlam``); the evaluators'
workbooks can then stay plain .xlsx, with no macros in files that are e-mailed around.
It follows the layout of ``xlwings quickstart NAME --addin --ribbon`` (xlwings' "Custom
Add-ins" guide), renamed as that guide says:

* a ``vbaProject.bin`` holding ``sv_workbook.bas`` (the same module as the .xlsm workbooks:
  its ``SvRibbon...`` Subs are the ribbon's callbacks), xlwings' custom add-in module
  ``xlwings_custom_addin.bas`` with ``PROJECT_NAME`` set to ``sv_workbook`` (it hands
  Python the *active* workbook, not the add-in) and its ``Dictionary`` class, all taken
  from the installed xlwings package, so the VBA always matches the DLL it loads;
* ``customUI/customUI.xml``, the ribbon in the Office 2007 namespace that every Excel since
  2007 (Windows and Mac) reads, targeted by the package relationship of [MS-OI29500]
  3.4.1.3 (the only ribbon relationship openpyxl carries over);
* one sheet ``sv_workbook.conf``, the add-in's own xlwings settings (the rows of
  ``macros/xlwings.conf``); like every add-in sheet, nobody sees it.

The workbook is written by openpyxl with these parts as its ``vba_archive``, as the .xlsm
workbooks are (``macro_workbook``); only the main part's content type differs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import quoteattr

from openpyxl.workbook.workbook import Workbook
from openpyxl.xml.constants import CUSTOMUI_NS as RIBBON_RELATIONSHIP

from sv_workbook.xlsx.vba.macro_workbook import conf_rows, parts_archive, sv_module_text
from sv_workbook.xlsx.safe_write import atomic_save
from sv_workbook.xlsx.vba.vba_project import (WORKBOOK_BASE, WORKSHEET_BASE, build_vba_project, document_module,
                                          module_from_file_text)
from sv_workbook.xlsx.write_helpers import fix_properties

ADDIN_SUFFIX = ".xlam"
ADDIN_CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
#: xlwings' PROJECT_NAME: the add-in reads the sheet ``sv_workbook.conf`` (of the active workbook,
#: then its own), then ``sv_workbook.conf`` next to the active workbook, then
#: ``%USERPROFILE%\\.sv_workbook\\sv_workbook.conf`` (Mac: ``~/Library/Containers/com.microsoft.Excel/Data/``).
PROJECT_NAME = "sv_workbook"
CONF_SHEET = f"{PROJECT_NAME}.conf"
VBA_PROJECT_NAME = "SvWorkbookAddin"  # as shown in the VBA editor; must differ from every module name
CUSTOMUI_PART = "customUI/customUI.xml"
CUSTOMUI_XMLNS = "http://schemas.microsoft.com/office/2006/01/customui"  # [MS-CUSTOMUI]


@dataclass(frozen=True)
class RibbonButton:
    """A large ribbon button: its id, label, the VBA callback it runs, its built-in icon and tooltip."""

    id: str
    label: str
    callback: str  # a Sub of sv_workbook.bas taking (control As IRibbonControl)
    image_mso: str
    supertip: str


RIBBON_TAB = "Social value"
#: The groups of the ribbon tab: (id, label, buttons).
RIBBON_GROUPS: tuple[tuple[str, str, tuple[RibbonButton, ...]], ...] = (
    ("svWorkbookGroup", "This workbook", (
        RibbonButton("svCheck", "Check workbook", "SvRibbonCheck", "AcceptInvitation",
                     "Check the tender or KPI register in front: cells to fix turn red (errors) or amber "
                     "(warnings) and the list goes on its report sheet."),
        RibbonButton("svScore", "Score tender / Build KPI report", "SvRibbonScore", "CalculateNow",
                     "A tender: rewrite its Report sheet with the ranking. A KPI register: rewrite its "
                     "KPI Report sheet with each KPI's status."),
    )),
    ("svNewGroup", "New", (
        RibbonButton("svNewTender", "New tender", "SvRibbonNewTender", "FileNewDefault",
                     "A blank tender evaluation workbook (.xlsx) in your Documents folder, opened."),
        RibbonButton("svNewKpiRegister", "New KPI register", "SvRibbonNewKpiRegister", "FileNewDefault",
                     "A blank social value KPI register (.xlsx) in your Documents folder, opened."),
    )),
)


def sv_module_name() -> str:
    """The VBA name of ``sv_workbook.bas`` (its ``Attribute VB_Name``), which qualifies every callback."""
    return module_from_file_text(sv_module_text(), "module").name


def ribbon_xml() -> str:
    """``customUI/customUI.xml``: the Social value tab; each onAction is ``Module.Sub`` as in xlwings' quickstart."""
    module = sv_module_name()
    groups = []
    for group_id, group_label, buttons in RIBBON_GROUPS:
        items = "".join(
            f'\n        <button id="{b.id}" label={quoteattr(b.label)} size="large" imageMso="{b.image_mso}" '
            f'onAction="{module}.{b.callback}" supertip={quoteattr(b.supertip)}/>' for b in buttons)
        groups.append(f'\n      <group id="{group_id}" label={quoteattr(group_label)}>{items}\n      </group>')
    return (f'<customUI xmlns="{CUSTOMUI_XMLNS}">\n  <ribbon>\n    <tabs>\n'
            f'    <tab id="svTab" label={quoteattr(RIBBON_TAB)}>{"".join(groups)}\n    </tab>\n'
            '    </tabs>\n  </ribbon>\n</customUI>\n')


def xlwings_addin_module_text() -> str:
    """xlwings' custom add-in module from the installed package, renamed to ``PROJECT_NAME`` as its guide says."""
    text = (resources.files("xlwings") / "xlwings_custom_addin.bas").read_bytes().decode("cp1252")
    renamed, n = re.subn(r'^(Public Const PROJECT_NAME As String = )"myaddin"\r$',
                         rf'\1"{PROJECT_NAME}"' + "\r", text, flags=re.M)
    if n != 1:
        raise RuntimeError("xlwings_custom_addin.bas no longer declares PROJECT_NAME = \"myaddin\": "
                           "check the installed xlwings against the version pyproject.toml pins")
    return renamed


class _AddinWorkbook(Workbook):
    """openpyxl knows .xlsx/.xlsm/.xltx/.xltm main parts only; an add-in's main part has its own type."""

    @property
    def mime_type(self) -> str:
        return ADDIN_CONTENT_TYPE


def build_addin() -> Workbook:
    """The add-in as an openpyxl workbook, ready to save as .xlam."""
    wb = _AddinWorkbook()
    fix_properties(wb)  # reproducible: the committed add-in is compared with a fresh build
    wb.properties.title = "Social value (sv-workbook)"  # Excel's Add-ins dialog lists an add-in by its title
    wb.properties.description = ("A Social value ribbon tab: check and score tender workbooks and KPI registers, "
                                 "or start a new one.")
    conf = wb.active
    conf.title = CONF_SHEET
    for row in conf_rows():
        conf.append(row)
    wb.code_name = "ThisWorkbook"
    conf.sheet_properties.codeName = "Sheet1"
    wb.views[0].visibility = "hidden"  # as Excel saves an add-in: its window is never shown
    dictionary = (resources.files("xlwings") / "addin" / "Dictionary.cls").read_bytes().decode("cp1252")
    modules = [document_module("ThisWorkbook", WORKBOOK_BASE), document_module("Sheet1", WORKSHEET_BASE),
               module_from_file_text(sv_module_text(), "module"),
               module_from_file_text(xlwings_addin_module_text(), "module"),
               module_from_file_text(dictionary, "class")]
    parts = {"xl/vbaProject.bin": build_vba_project(modules, VBA_PROJECT_NAME),
             CUSTOMUI_PART: ribbon_xml().encode("utf-8")}
    root_rels = f'<Relationship Id="svRibbon" Type="{RIBBON_RELATIONSHIP}" Target="{CUSTOMUI_PART}"/>'
    wb.vba_archive = parts_archive(parts, root_rels=root_rels)
    return wb


def write_addin(path: str | Path) -> Path:
    """Write the add-in to ``path`` (must end in .xlam: Excel opens an add-in by its extension)."""
    path = Path(path)
    if path.suffix.lower() != ADDIN_SUFFIX:
        raise ValueError(f"{path}: an Excel add-in must be named .xlam (for example sv_workbook.xlam)")
    atomic_save(build_addin(), path)
    return path


__all__ = ["ADDIN_CONTENT_TYPE", "CONF_SHEET", "CUSTOMUI_PART", "CUSTOMUI_XMLNS", "PROJECT_NAME", "RIBBON_GROUPS",
           "RIBBON_TAB", "RibbonButton", "build_addin", "ribbon_xml", "sv_module_name", "write_addin",
           "xlwings_addin_module_text"]
