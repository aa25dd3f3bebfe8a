"""sv-workbook: social value scoring, KPI validation and reporting for Excel workbooks.

The pure core (policy, contracts, scoring, validation) never imports a spreadsheet
library; the openpyxl, calamine and xlwings adapters sit at the edge.
"""

__version__ = "0.1.0"
