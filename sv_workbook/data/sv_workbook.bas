Attribute VB_Name = "SvWorkbook"
' sv-workbook buttons and ribbon for desktop Excel with Python and xlwings (Windows or Mac).
' The ready workbooks (sv-workbook new tender PATH.xlsm) and the add-in macros/sv_workbook.xlam
' carry this module next to xlwings' standalone VBA module, so nothing else is needed in Excel.
' To add it to a workbook by hand: Alt+F11, File > Import File..., then set a reference to
' xlwings (Tools > References > xlwings) and assign the macros to buttons. See docs/live-excel.md.
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

' New blank workbooks from the templates, saved in the Documents folder and opened.
Sub SvNewTender()
    RunPython "import sv_workbook.macros as m; m.new_tender()"
End Sub

Sub SvNewKpiRegister()
    RunPython "import sv_workbook.macros as m; m.new_kpi_register()"
End Sub

' The Social value ribbon tab of sv_workbook.xlam (customUI): each button runs a macro above
' on the active workbook (Python picks the active workbook when the caller is the add-in).
Sub SvRibbonCheck(control As IRibbonControl)
    SvCheckWorkbook
End Sub

Sub SvRibbonScore(control As IRibbonControl)
    SvScoreWorkbook
End Sub

Sub SvRibbonNewTender(control As IRibbonControl)
    SvNewTender
End Sub

Sub SvRibbonNewKpiRegister(control As IRibbonControl)
    SvNewKpiRegister
End Sub
