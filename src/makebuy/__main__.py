"""`python -m makebuy`."""

from makebuy.cli import main

main()
