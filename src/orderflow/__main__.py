"""``python -m orderflow``: the orderflow command."""

from orderflow.cli import main

main()
