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

' The Social value ribbon tab of the add-in sv_workbook.xlam (its customUI.xml names these Subs):
' each runs a macro above on the workbook in front. The add-in's xlwings module hands Python the
' active workbook, and there must be one: Excel can be open with no workbook at all.
Sub SvRibbonCheck(control As IRibbonControl)
    If SvNoWorkbook() Then Exit Sub
    SvCheckWorkbook
End Sub

Sub SvRibbonScore(control As IRibbonControl)
    If SvNoWorkbook() Then Exit Sub
    SvScoreWorkbook
End Sub

Sub SvRibbonNewTender(control As IRibbonControl)
    If ActiveWorkbook Is Nothing Then Workbooks.Add
    SvNewTender
End Sub

Sub SvRibbonNewKpiRegister(control As IRibbonControl)
    If ActiveWorkbook Is Nothing Then Workbooks.Add
    SvNewKpiRegister
End Sub

Private Function SvNoWorkbook() As Boolean
    SvNoWorkbook = ActiveWorkbook Is Nothing
    If SvNoWorkbook Then MsgBox "Open a tender evaluation workbook or a KPI register first, then click again.", _
        vbInformation, "sv-workbook"
End Function
