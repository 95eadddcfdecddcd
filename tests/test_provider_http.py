"""Keys (resolution order, no shell, never shown) and the request helper (pacing, retries, auth errors)."""

from __future__ import annotations

import pickle
import random
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from spendtui.config import ProviderSettings, Settings
from spendtui.errors import UsageError
from spendtui.providers.http import (
    AuthError,
    Cancelled,
    HttpOptions,
    ProviderError,
    TokenBucket,
    VendorClient,
    backoff_seconds,
    retry_after_seconds,
)
from spendtui.providers.openai import PROVIDER as OPENAI
from spendtui.providers.secrets import MissingKeyError, Secret, redact, resolve_key
from tests.fake_vendors import FakeOpenAI

KEY = "sk-admin-SENTINEL-4f1d9a7c2e8b6d30"
FAST = HttpOptions(timeout_s=0.3, max_attempts=3, backoff_base_s=0.01, backoff_cap_s=0.05)


def settings_with(**provider) -> Settings:
    return Settings(providers={"openai": ProviderSettings(**provider)}, source=Path("/etc/spendtui/config.toml"))


# -- keys --------------------------------------------------------------------------------------------
def test_key_resolution_order_env_then_file_then_command(tmp_path, monkeypatch):
    key_file = tmp_path / "openai.key"
    key_file.write_text("sk-admin-from-file-000000\n")
    command = (sys.executable, "-c", "print('sk-admin-from-command-0000')")
    both = settings_with(key_file=key_file, key_command=command)
    monkeypatch.setenv("SPENDTUI_OPENAI_ADMIN_KEY", "sk-admin-from-env-000000")
    assert resolve_key("openai", both).reveal() == "sk-admin-from-env-000000"
    monkeypatch.delenv("SPENDTUI_OPENAI_ADMIN_KEY")
    secret = resolve_key("openai", both)
    assert secret.reveal() == "sk-admin-from-file-000000" and str(key_file) in secret.source
    secret = resolve_key("openai", settings_with(key_command=command))
    assert secret.reveal() == "sk-admin-from-command-0000" and "key command" in secret.source


def test_key_command_runs_without_a_shell():
    literal = "a;echo-pwned-$(whoami)|`id`"
    command = (sys.executable, "-c", "import sys; print(sys.argv[1])", literal)
    assert resolve_key("openai", settings_with(key_command=command)).reveal() == literal


def test_a_key_files_byte_order_mark_is_dropped_and_other_odd_characters_refused(tmp_path):
    """Notepad saves a key file with a BOM; a key with a character no HTTP header carries must be
    a configuration error naming the file (exit 2), not a traceback in the first request."""
    bom = tmp_path / "bom.key"
    bom.write_bytes("\ufeffsk-admin-123\r\n".encode())
    assert resolve_key("openai", settings_with(key_file=bom)).reveal() == "sk-admin-123"
    odd = tmp_path / "odd.key"
    odd.write_text("sk-admin-1\u00a023\n")
    with pytest.raises(UsageError) as caught:
        resolve_key("openai", settings_with(key_file=odd))
    assert str(caught.value).endswith(f"key_file {odd}: the key holds U+00A0 at position 10, which an HTTP "
                                      "header cannot carry (a key is printable ASCII with no spaces)")  # fmt: skip
    assert "sk-admin" not in str(caught.value) and caught.value.exit_code == 2


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_key_command_failure_names_the_command_not_its_output(stream):
    """A key of no known shape, printed by a failing command: nothing of it reaches the message."""
    command = (sys.executable, "-c", f"import sys; print('SENTINEL-123456', file=sys.{stream}); sys.exit(3)")
    with pytest.raises(UsageError) as caught:
        resolve_key("openai", settings_with(key_command=command))
    assert "exited with status 3" in str(caught.value) and "SENTINEL" not in str(caught.value)
    assert caught.value.exit_code == 2


def test_missing_or_unreadable_keys_are_configuration_errors(tmp_path):
    with pytest.raises(MissingKeyError, match="SPENDTUI_OPENAI_ADMIN_KEY") as caught:
        resolve_key("openai", Settings())
    assert caught.value.exit_code == 2
    with pytest.raises(UsageError, match="openai.key: cannot read"):
        resolve_key("openai", settings_with(key_file=tmp_path / "openai.key"))
    (tmp_path / "empty.key").write_text("\n")
    with pytest.raises(UsageError, match="is empty"):
        resolve_key("openai", settings_with(key_file=tmp_path / "empty.key"))


def test_a_secret_never_shows_its_value():
    secret = Secret("sk-admin-PRIVATE-1234567", "environment variable X")
    for text in (repr(secret), str(secret), f"{secret}", f"{[secret]}"):
        assert "PRIVATE" not in text and "environment variable X" in text
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_redact_scrubs_known_keys_their_header_forms_and_key_shapes():
    Secret("crsr_0123456789abcdefabcdef", "env")
    import base64

    basic = base64.b64encode(b"crsr_0123456789abcdefabcdef:").decode()
    text = redact(f"key crsr_0123456789abcdefabcdef, header Basic {basic}, raw {basic.rstrip('=')}")
    assert "0123456789abcdef" not in text and basic.rstrip("=") not in text
    assert "[redacted]" in redact("Incorrect API key provided: sk-proj-abc123XYZ789.")
    assert redact("key_file and key_command are settings") == "key_file and key_command are settings"


# -- pacing and backoff ------------------------------------------------------------------------------
def test_token_bucket_paces_to_the_per_minute_budget():
    now = [0.0]
    bucket = TokenBucket(60, burst=3, clock=lambda: now[0])
    assert [bucket.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]  # a small burst
    assert bucket.reserve() == pytest.approx(1.0)  # then one a second
    assert bucket.reserve() == pytest.approx(2.0)
    now[0] = 10.0  # idle time refills, but never beyond the burst
    assert [bucket.reserve() for _ in range(4)] == [0.0, 0.0, 0.0, pytest.approx(1.0)]
    assert TokenBucket(20).capacity == 1  # the documented Cursor limit: no burst at all


def test_backoff_is_jittered_exponential_capped_and_honours_retry_after():
    options = HttpOptions(backoff_base_s=1.0, backoff_cap_s=8.0)
    rng = random.Random(7)
    delays = [backoff_seconds(n, options, None, rng) for n in range(1, 7)]
    for n, delay in enumerate(delays, start=1):
        assert min(8.0, 2 ** (n - 1)) * 0.5 <= delay <= min(8.0, 2 ** (n - 1))
    assert backoff_seconds(1, options, 30.0, rng) == 30.0
    assert retry_after_seconds("7") == 7.0 and retry_after_seconds("soon") is None
    at = datetime(2026, 10, 7, 10, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("Wed, 07 Oct 2026 10:00:42 GMT", now=at) == 42.0


# -- the client against a local server ---------------------------------------------------------------
@pytest.fixture
def vendor():
    fake = FakeOpenAI(KEY, slow_s=1.0).start()
    yield fake
    fake.stop()


def client_for(vendor, key: str = KEY, options: HttpOptions = FAST, cancel=None) -> VendorClient:
    return VendorClient(
        "openai", vendor.url + "/v1", Secret(key, "environment variable SPENDTUI_OPENAI_ADMIN_KEY"),
        auth_headers=OPENAI.auth_headers, permissions=OPENAI.permissions, per_minute=100_000,
        options=options, cancel=cancel,
    )  # fmt: skip


USERS = "/v1/organization/users"


def list_users(client):
    return client.get("/organization/users", {"limit": 100}, shape=lambda b: isinstance(b.get("data"), list))


def test_transient_failures_are_retried_until_a_good_answer(vendor):
    vendor.fail(USERS, 500, "slow")
    with client_for(vendor) as client:
        assert len(list_users(client)["data"]) == 2
    vendor.fail(USERS, "drop", "garbage")
    with client_for(vendor) as client:
        assert len(list_users(client)["data"]) == 2
        assert client.requests == 3
    assert len(vendor.calls(USERS)) == 6


def test_retry_after_is_honoured(vendor):
    vendor.fail(USERS, (429, 1))
    started = time.monotonic()
    with client_for(vendor) as client:
        list_users(client)
    assert time.monotonic() - started >= 1.0


def test_giving_up_after_retries_is_a_provider_error_without_the_key(vendor):
    vendor.fail(USERS, 500, 500, 500)
    with client_for(vendor) as client, pytest.raises(ProviderError) as caught:
        list_users(client)
    assert caught.value.exit_code == 1 and "failed after 3 attempts: HTTP 500" in str(caught.value)
    assert KEY not in str(caught.value) and "SENTINEL" not in str(caught.value)


def test_401_and_403_are_configuration_errors_naming_key_and_permission_never_retried(vendor):
    with client_for(vendor, key="sk-admin-WRONG-SENTINEL-99999") as client, pytest.raises(AuthError) as caught:
        list_users(client)
    message = str(caught.value)
    assert caught.value.exit_code == 2 and "HTTP 401" in message and "SPENDTUI_OPENAI_ADMIN_KEY" in message
    assert "WRONG-SENTINEL" not in message and len(vendor.calls(USERS)) == 1
    vendor.fail(USERS, 403)
    with client_for(vendor) as client, pytest.raises(AuthError, match="api.usage.read"):
        list_users(client)


def test_other_client_errors_are_not_retried(vendor):
    vendor.fail(USERS, 400)
    with client_for(vendor) as client, pytest.raises(ProviderError, match="refused with HTTP 400"):
        list_users(client)
    assert len(vendor.calls(USERS)) == 1


def test_cancel_interrupts_a_backoff_wait(vendor):
    vendor.fail(USERS, (429, 30))
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    started = time.monotonic()
    with client_for(vendor, cancel=cancel) as client, pytest.raises(Cancelled):
        list_users(client)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "vendor, name, expected",
    [
        ("cursor", "error-429.json", "Rate limit exceeded. Please try again later."),
        ("anthropic", "error_400_invalid_request.json", "limit: Input should be less than or equal to 31"),
        ("anthropic", "error_401_authentication.json", "invalid x-api-key"),
        ("anthropic", "error_429_rate_limit.json", "Number of requests has exceeded your rate limit."),
        ("openai", "error_401_invalid_key.json", "Incorrect API key provided: sk-admin-[redacted]"),
        ("openai", "error_403_missing_scope.json", "Missing scopes: api.usage.read."),
        ("openai", "error_429_rate_limit.json", "Rate limit reached for requests."),
    ],
)
def test_vendor_error_bodies_give_their_message_redacted(vendor, name, expected):
    import json

    from spendtui.providers.http import vendor_message
    from tests.conftest import FIXTURES

    assert expected in vendor_message(json.loads((FIXTURES / vendor / name).read_text()))
