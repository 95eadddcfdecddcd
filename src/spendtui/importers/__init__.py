"""Readers that turn vendor files into records for the store (pure: no Textual, no click).

CSV exports: ``detect`` names a file's format from its header, one module per vendor parses it,
and ``run`` imports files (each in its own transaction) for the CLI and the app alike. PDF
invoices: the ``invoices`` package.
"""
