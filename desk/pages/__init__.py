"""The desk's page handlers, one module per area; routes are listed in :mod:`desk.app`."""
