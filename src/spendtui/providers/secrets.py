"""Admin keys: where they come from (cli.md "Secrets and endpoints") and keeping them out of every text.

A key is looked up in the provider's environment variable, then the config's ``key_file``, then
its ``key_command`` (run without a shell). It travels as a ``Secret`` whose repr and str never show
the value, and every key we resolve is remembered so ``redact`` can scrub it (and the forms an HTTP
header gives it) from any message before it reaches the store, a log or the terminal.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import threading
from collections.abc import Mapping

from spendtui.config import KEY_ENV, ConfigError, Settings

KEY_COMMAND_TIMEOUT_S = 30
REDACTED = "[redacted]"

_known: set[str] = set()
_known_lock = threading.Lock()

# Key shapes the vendors use, scrubbed even when we never held the key (a vendor may echo a wrong one).
_KEY_PATTERNS = re.compile(
    r"(?P<prefix>sk-ant-[a-z]+\d*-|sk-admin-|sk-proj-|sk-svcacct-)[A-Za-z0-9_\-*]{6,}"
    r"|(?P<cursor>key_|crsr_)(?=[A-Za-z0-9]{16,})[A-Za-z0-9]+"
    r"|(?P<header>(?:Basic|Bearer)\s+)[A-Za-z0-9+/=._\-]{8,}"
)


class MissingKeyError(ConfigError):
    """No key is configured for a provider the user asked to sync."""


class Secret:
    """A key value that never prints itself; ``source`` says where it came from (for error messages)."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str):
        self._value = value
        self.source = source
        remember(value)

    def reveal(self) -> str:
        """The value, for the one place that needs it: the request's auth header."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({REDACTED}, from {self.source})"

    __str__ = __repr__

    def __reduce__(self):
        raise TypeError("a Secret cannot be pickled")


def remember(value: str) -> None:
    """Scrub this value, and the header encodings of it, from every message from now on."""
    if len(value) < 4:
        return
    forms = {value, base64.b64encode(f"{value}:".encode()).decode(), base64.b64encode(value.encode()).decode()}
    with _known_lock:
        _known.update(f.rstrip("=") for f in forms)


def redact(text: object) -> str:
    """The text with every known key, and anything shaped like a vendor key, replaced by [redacted]."""
    result = str(text)
    with _known_lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        if value in result:
            result = result.replace(value, REDACTED)
    return _KEY_PATTERNS.sub(lambda m: (m.group("prefix") or m.group("cursor") or m.group("header")) + REDACTED, result)


def has_key(provider: str, settings: Settings, env: Mapping[str, str] | None = None) -> bool:
    """Whether a key is configured at all (without reading a file or running a command)."""
    env = os.environ if env is None else env
    conf = settings.provider(provider)
    return bool(env.get(KEY_ENV[provider], "").strip() or conf.key_file or conf.key_command)


def key_file_problem(provider: str, settings: Settings, env: Mapping[str, str] | None = None) -> str | None:
    """Why the key file the provider's key would come from cannot be read, or None.

    For a health check before the scheduled sync fails on it; the file's content is not read.
    """
    env = os.environ if env is None else env
    path = settings.provider(provider).key_file
    if path is None or env.get(KEY_ENV[provider], "").strip():
        return None
    if not path.exists():
        return f"key_file {path} does not exist"
    if not path.is_file() or not os.access(path, os.R_OK):
        return f"key_file {path} cannot be read by this user"
    return None


def resolve_key(provider: str, settings: Settings, env: Mapping[str, str] | None = None) -> Secret:
    """The provider's key: environment variable, else ``key_file``, else ``key_command``."""
    env = os.environ if env is None else env
    name = KEY_ENV[provider]
    value = env.get(name, "").lstrip(BOM).strip()
    if value:
        return _secret(value, f"environment variable {name}", f"environment variable {name}")
    conf = settings.provider(provider)
    where = f"{settings.source}: [providers.{provider}]" if settings.source else f"[providers.{provider}]"
    if conf.key_file:
        return _from_file(conf.key_file, where)
    if conf.key_command:
        return _from_command(conf.key_command, where)
    raise MissingKeyError(
        f"{provider}: no key configured: set {name}, or key_file / key_command under [providers.{provider}] "
        "in the config"
    )


def _from_file(path, where: str) -> Secret:
    try:
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where} key_file {path}: cannot read it ({exc.__class__.__name__})") from None
    if not value.lstrip(BOM):
        raise ConfigError(f"{where} key_file {path} is empty")
    return _secret(value, f"key file {path}", f"{where} key_file {path}")


def _from_command(command: tuple[str, ...], where: str) -> Secret:
    shown = command[0]
    try:
        done = subprocess.run(
            list(command), shell=False, capture_output=True, text=True, timeout=KEY_COMMAND_TIMEOUT_S, check=False
        )
    except FileNotFoundError:
        raise ConfigError(f"{where} key_command: {shown} was not found") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"{where} key_command: {shown} did not finish in {KEY_COMMAND_TIMEOUT_S} s") from None
    except OSError as exc:
        raise ConfigError(f"{where} key_command: cannot run {shown} ({exc.__class__.__name__})") from None
    value = (done.stdout or "").strip()
    if done.returncode != 0:
        # Neither output is shown: a secrets tool may print the key, or part of it, on either, in a
        # shape no pattern knows (a sync's error lands in the store and in `status`).
        raise ConfigError(
            f"{where} key_command: {shown} exited with status {done.returncode} (its output is not shown, as it "
            "may hold the key: run the command yourself to see why)"
        )
    if not value.lstrip(BOM):
        raise ConfigError(f"{where} key_command: {shown} printed no key")
    return _secret(value, f"key command {shown}", f"{where} key_command: {shown}")


BOM = "\ufeff"


def _secret(value: str, origin: str, where: str) -> Secret:
    """The key as an HTTP header carries it. A byte-order mark (Notepad writes one) is dropped; any
    other character outside printable ASCII is refused here, naming where the key came from, rather
    than failing inside the first request. The message names the character, never the key."""
    value = value.lstrip(BOM).strip()
    for position, char in enumerate(value):
        if not "!" <= char <= "~":
            remember(value)
            raise ConfigError(
                f"{where}: the key holds U+{ord(char):04X} at position {position}, which an HTTP header cannot "
                "carry (a key is printable ASCII with no spaces)"
            )
    return Secret(value, origin)
