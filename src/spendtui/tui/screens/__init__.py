"""Modal screens, one per file: each is keyboard-usable, Escape cancels, and it returns a request
(see tui/actions.py) that the app runs in a worker; none of them edits the store itself."""
