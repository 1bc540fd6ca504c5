"""`python -m bot` runs the same commands as `hotline`."""

from .cli import main

main()
