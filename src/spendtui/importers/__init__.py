"""Readers that turn vendor files into records for the store (pure: no Textual, no click).

CSV exports: ``detect`` names a file's format from its header, one module per vendor parses it,
and ``run`` imports files (each in its own transaction) for the CLI and the app alike. PDF
invoices: the ``invoices`` package.
"""

# The CSV formats ``detect`` knows, by name: for a chooser that must not load pandas just to list
# them (the dashboard's import dialog). A test holds them to the formats themselves.
FORMAT_NAMES = ("cursor-events", "cursor-analytics", "cursor-spend", "anthropic-cost", "anthropic-tokens",
                "claude-ai-spend", "openai-cost", "openai-usage")  # fmt: skip
