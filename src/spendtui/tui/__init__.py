"""The Textual dashboard. Only this package imports Textual; the CLI reaches it through ``app.build_app``."""
