"""spendtui: what a company spends on Cursor, Anthropic and OpenAI, in one terminal dashboard."""

__version__ = "0.1.0"
