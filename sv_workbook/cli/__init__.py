"""The ``sv-workbook`` command line's entry point; its commands are in ``cli.commands``.

The console script pip writes runs ``from sv_workbook.cli import main``, and every worker of
``validate``'s process pool runs that script again: multiprocessing re-imports the main module
in each child of a forkserver (or spawn), as ``__mp_main__``. So this module imports nothing;
click, tqdm and the commands' libraries are loaded when ``main`` runs, in the parent only.
"""


def main() -> None:
    """Run the ``sv-workbook`` command (``sv_workbook.cli:main``, the console script's target)."""
    from sv_workbook.cli.commands import main as commands

    commands()


__all__ = ["main"]
