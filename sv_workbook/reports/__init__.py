"""Outputs for people and scripts: batch result formats, terminal lines, portfolio workbook and web
page, Word assessment summaries."""
