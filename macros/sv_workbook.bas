Attribute VB_Name = "SvWorkbook"
' sv-workbook buttons for desktop Excel with the xlwings add-in (Windows or Mac).
' Import this module into the workbook (Alt+F11, File > Import File...), set a reference to
' xlwings (Tools > References > xlwings), then assign the macros to buttons
' (right-click the button > Assign Macro...). See docs/live-excel.md.
' The Python code they run is sv_workbook.macros; nothing else is run from here.
Option Explicit

' Check the workbook: cells with errors turn red, warnings amber; the list goes on the report sheet.
Sub SvCheckWorkbook()
    RunPython "import sv_workbook.macros as m; m.validate()"
End Sub

' Score: a tender's Report sheet is rewritten with the ranking, a KPI register's KPI Report with the KPI status.
Sub SvScoreWorkbook()
    RunPython "import sv_workbook.macros as m; m.score()"
End Sub
