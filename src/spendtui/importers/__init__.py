"""Readers that turn vendor files (CSV exports, PDF invoices) into records for the store."""
