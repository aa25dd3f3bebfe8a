"""Open a workbook in LibreOffice headless through UNO and print, as JSON, what it sees of the macros.

Run with the Python that has LibreOffice's ``uno`` module (Debian's python3-uno: /usr/bin/python3),
not the project's virtual environment: ``python3 tests/support/lo_uno_dump.py FILE``. The document is
loaded with macro execution off (``NEVER_EXECUTE``): nothing it carries runs. Printed:

* ``libraries``: Basic library → module → source, as LibreOffice imported the VBA project;
* ``controls``: every form control on every sheet: its label, the cell its shape is anchored
  to and the script events bound to it (the macro a button runs);
* ``sheets``: the sheet names, to show the workbook itself was read.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def _prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def _cell(sheet, shape):
    """The A1 name of the cell holding the shape's top-left corner (LibreOffice anchors these to the page)."""
    x, y = shape.Position.X, shape.Position.Y
    for row in range(200):
        for col in range(30):
            cell = sheet.getCellByPosition(col, row)
            p, s = cell.Position, cell.Size
            if p.X <= x < p.X + s.Width and p.Y <= y < p.Y + s.Height:
                return cell.AbsoluteName.split(".")[-1].replace("$", "")
    return None


def dump(doc):
    out = {"sheets": list(doc.Sheets.getElementNames()), "libraries": {}, "controls": []}
    libraries = doc.BasicLibraries
    for name in libraries.getElementNames():
        libraries.loadLibrary(name)
        library = libraries.getByName(name)
        out["libraries"][name] = {m: library.getByName(m) for m in library.getElementNames()}
    for i in range(doc.Sheets.Count):
        sheet = doc.Sheets.getByIndex(i)
        page = sheet.DrawPage
        cells = {}
        for s in range(page.Count):
            shape = page.getByIndex(s)
            if shape.supportsService("com.sun.star.drawing.ControlShape"):
                cells[shape.Control.Name] = _cell(sheet, shape)
        forms = page.Forms
        for f in range(forms.Count):
            form = forms.getByIndex(f)
            for c in range(form.Count):
                model = form.getByIndex(c)
                events = [{"listener": e.ListenerType, "method": e.EventMethod, "type": e.ScriptType,
                           "code": e.ScriptCode} for e in form.getScriptEvents(c)]
                out["controls"].append({"sheet": sheet.Name, "name": model.Name,
                                        "label": getattr(model, "Label", None),
                                        "cell": cells.get(model.Name), "events": events})
    return out


def main(path, filter_name=None):
    profile = tempfile.mkdtemp(prefix="lo-uno-")
    pipe = f"svuno{os.getpid()}"
    proc = subprocess.Popen([shutil.which("soffice"), f"-env:UserInstallation=file://{profile}", "--headless",
                             "--norestore", "--nologo", "--nodefault", f"--accept=pipe,name={pipe};urp;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        for _ in range(240):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.5)
        if ctx is None:
            raise SystemExit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        never_execute = 0  # com.sun.star.document.MacroExecMode.NEVER_EXECUTE
        args = [_prop("Hidden", True), _prop("MacroExecutionMode", never_execute)]
        if filter_name:  # a type LibreOffice's detection does not know (an .xlam): name its import filter
            args.append(_prop("FilterName", filter_name))
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(path)), "_blank", 0, tuple(args))
        if doc is None:
            raise SystemExit(f"LibreOffice could not open {path}")
        print(json.dumps(dump(doc)))
        doc.close(True)
        try:
            desktop.terminate()
        except Exception:  # the bridge goes down with the office
            pass
    finally:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main(*sys.argv[1:3])
