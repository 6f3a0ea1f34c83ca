"""`python -m hrcalc` runs the same program as the `hrcalc` command."""

from hrcalc.cli import main

main()
