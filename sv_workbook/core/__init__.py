"""The rules, as plain Python: findings, contracts, policy, tender scoring and KPI registers.

Nothing here reads or writes a spreadsheet: readers turn a workbook into a ``RawBook`` and
everything in ``core`` works on that. It imports only the standard library (and pandas, for the
portfolio figures), so the same rules run in the command line, in Excel and in Pyodide.
"""
