"""Macro-enabled files: a VBA project (``vbaProject.bin``) built from ``macros/sv_workbook.bas``, the
compound file that holds it, the ready .xlsm workbooks with their buttons, and the .xlam add-in."""
