from sv_workbook.cli import main

main()
