"""Workbook files on disk: the package safety check, the openpyxl and fast (calamine) readers, and
the openpyxl writers (templates, report sheets, safe atomic saves, the preservation check)."""
