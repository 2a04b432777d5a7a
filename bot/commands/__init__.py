"""The `brujula` command line, one module per command group."""
