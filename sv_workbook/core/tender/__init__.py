"""Tender evaluation: the tender as data, parsing it from a workbook, scoring, award-stage checks."""
