from marsad.cli.main import main

main()
