"""The ``dualprev`` command line, one module per command group."""
