from spendtui.cli import main

main()
