"""python -m wrapcheck: the wrapcheck command."""

from wrapcheck.cli import main

main()
