"""An open workbook in Excel, through xlwings' ``Book`` API: read it, write report sheets, highlight cells.

These modules are handed an ``xw.Book`` (desktop, xlwings Lite or the remote engine) and never import
xlwings themselves, so they load in milliseconds and can be tested with xlwings' remote engine.
"""
