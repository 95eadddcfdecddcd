"""Errors the CLI turns into exit codes (cli.md "Exit codes") and the app into messages."""


class SpendtuiError(Exception):
    """Something failed: bad input, a provider that failed after retries. Exit 1."""

    exit_code = 1


class UsageError(SpendtuiError):
    """The user asked for something impossible: bad option, missing key, bad config, edit under --read-only. Exit 2."""

    exit_code = 2
