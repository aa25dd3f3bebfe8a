"""The ``sv-workbook`` command line: its commands are in ``commands``."""

from sv_workbook.cli.commands import main

__all__ = ["main"]
