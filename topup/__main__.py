from topup.cli import main

main()
