"""The jobs the commands and the Excel buttons run: analyse or score one file, validate many in
parallel, build the portfolio report."""
