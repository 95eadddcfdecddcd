"""Vendor CSV exports -> records for ``store.facts`` (pure: no Textual, no click).

``detect`` names a file's format from its header, one module per vendor parses it, and ``run``
imports files (each in its own transaction) for the CLI and the app alike.
"""
