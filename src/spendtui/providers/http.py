"""One request helper for every vendor: paced, retried, and never leaking the key.

Vendors rate-limit per minute and fail transiently (429, 5xx, timeouts, dropped connections, and
the odd 200 whose body is not what the endpoint returns). Each client paces itself with a token
bucket under the vendor's documented limit (or config ``requests_per_minute``), retries transient
failures with jittered exponential backoff that honours ``Retry-After``, and gives up with a
``ProviderError`` (exit 1). 401 and 403 are never retried: they become an ``AuthError`` (exit 2) that
names where the key came from and what it lacks. Every message goes through ``secrets.redact``.
"""

from __future__ import annotations

import functools
import json
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import orjson

from spendtui.config import PROVIDER_NAMES
from spendtui.errors import SpendtuiError, UsageError
from spendtui.gcpause import gc_paused
from spendtui.providers.secrets import Secret, redact

USER_AGENT = "spendtui/0.1 (+https://github.com/spendtui/spendtui)"


class ProviderError(SpendtuiError):
    """A provider failed after its retries, or answered something we cannot use (exit 1)."""


class AuthError(UsageError):
    """The vendor refused the key (401/403): a configuration problem, never retried (exit 2)."""


class Cancelled(SpendtuiError):
    """The caller asked the sync to stop; raised between requests, never inside a write."""

    exit_code = 130


@dataclass(frozen=True)
class HttpOptions:
    """Timeouts and retry policy; tests shrink them so a 429 or a slow answer costs milliseconds."""

    timeout_s: float = 30.0
    max_attempts: int = 6
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 60.0
    retry_after_cap_s: float = 600.0


DEFAULT_OPTIONS = HttpOptions()


class TokenBucket:
    """Pacing under a per-minute budget: a request reserves a token and waits until it is due.

    The bucket holds few tokens (about 3 s worth of budget) so a burst can never take much
    more than the vendor's per-minute limit in any minute.
    """

    def __init__(self, per_minute: float, burst: int | None = None, clock: Callable[[], float] = time.monotonic):
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.rate = per_minute / 60.0
        self.capacity = float(burst if burst is not None else max(1, int(per_minute // 20)))
        self._clock = clock
        self._tokens = self.capacity
        self._updated = clock()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take a token; returns how many seconds to wait before sending."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate


@functools.cache
def _tls_context():
    """One TLS context per process: loading the CA bundle costs about 0.15 s per client otherwise."""
    return httpx.create_ssl_context()


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds (it may be a number or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def backoff_seconds(attempt: int, options: HttpOptions, retry_after: float | None, rng=random) -> float:
    """Jittered exponential backoff for retry ``attempt`` (1-based), never shorter than Retry-After."""
    exponential = min(options.backoff_cap_s, options.backoff_base_s * 2 ** (attempt - 1))
    delay = exponential * rng.uniform(0.5, 1.0)
    if retry_after is not None:
        delay = max(delay, min(retry_after, options.retry_after_cap_s))
    return delay


def vendor_message(body: Any) -> str:
    """The human part of a vendor error body (Cursor, Anthropic and OpenAI shapes), redacted."""
    message = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            message = error.get("message") or error.get("type")
        elif isinstance(error, str):
            message = body.get("message") or error
        else:
            message = body.get("message")
    return redact(str(message))[:300] if message else ""


class _Retry(Exception):
    """One attempt failed in a way worth retrying."""

    def __init__(self, problem: str, retry_after: float | None = None):
        super().__init__(problem)
        self.problem = problem
        self.retry_after = retry_after


class VendorClient:
    """A paced, retrying JSON client for one vendor's admin API and one key."""

    def __init__(
        self,
        provider: str,
        base_url: str,
        secret: Secret,
        *,
        auth_headers: Callable[[str], Mapping[str, str]],
        permissions: Mapping[int, str],
        per_minute: float,
        options: HttpOptions | None = None,
        cancel: threading.Event | None = None,
        headers: Mapping[str, str] | None = None,
    ):
        self.provider = provider
        self.name = PROVIDER_NAMES.get(provider, provider)
        self.secret = secret
        self.permissions = dict(permissions)
        self.options = options or DEFAULT_OPTIONS
        self.cancel = cancel or threading.Event()
        self.bucket = TokenBucket(per_minute)
        self.requests = 0
        self.http_s = 0.0  # time waiting for the vendor (network + server), for the benchmark
        self.wait_s = 0.0  # time spent pacing and backing off
        all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})}
        all_headers.update(auth_headers(secret.reveal()))
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers=all_headers,
            timeout=httpx.Timeout(self.options.timeout_s),
            follow_redirects=False,
            verify=_tls_context(),
        )

    def __enter__(self) -> VendorClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:
        return f"VendorClient({self.provider}, key from {self.secret.source})"

    def get(self, path: str, params: Any = None, *, shape: Callable[[Any], bool]) -> Any:
        return self.request("GET", path, params=params, shape=shape)

    def post(self, path: str, body: Any, *, shape: Callable[[Any], bool]) -> Any:
        return self.request("POST", path, body=body, shape=shape)

    def request(self, method: str, path: str, *, params: Any = None, body: Any = None, shape) -> Any:
        """Send until a good answer, an auth refusal, a permanent error, cancellation or no attempts left."""
        problem = ""
        for attempt in range(1, self.options.max_attempts + 1):
            self._pause(self.bucket.reserve())
            try:
                return self._attempt(method, path, params, body, shape)
            except _Retry as retry:
                problem = retry.problem
                if attempt < self.options.max_attempts:
                    self._pause(backoff_seconds(attempt, self.options, retry.retry_after))
        raise ProviderError(
            redact(f"{self.name}: {method} {path} failed after {self.options.max_attempts} attempts: {problem}")
        )

    def _pause(self, seconds: float) -> None:
        if self.cancel.is_set():
            raise Cancelled(f"{self.name}: sync cancelled")
        if seconds > 0:
            started = time.monotonic()
            cancelled = self.cancel.wait(seconds)
            self.wait_s += time.monotonic() - started
            if cancelled:
                raise Cancelled(f"{self.name}: sync cancelled")

    def _attempt(self, method: str, path: str, params: Any, body: Any, shape) -> Any:
        started = time.perf_counter()
        self.requests += 1
        try:
            response = self._http.request(method, path, params=params, json=body)
        except httpx.TimeoutException:
            raise _Retry(f"no answer within {self.options.timeout_s:g} s") from None
        except httpx.TransportError as exc:
            raise _Retry(f"connection failed ({exc.__class__.__name__})") from None
        finally:
            self.http_s += time.perf_counter() - started
        status = response.status_code
        if status == 200:
            try:
                data = parse_json(response.content)
            except ValueError:
                raise _Retry("HTTP 200 with a body that is not JSON") from None
            if not shape(data):
                raise _Retry("HTTP 200 with a body of the wrong shape")
            return data
        detail = vendor_message(_json_or_none(response))
        suffix = f": {detail}" if detail else ""
        if status in (401, 403):
            need = self.permissions.get(status) or self.permissions.get(401, "a valid admin key")
            raise AuthError(
                redact(
                    f"{self.name}: the key from {self.secret.source} was refused "
                    f"(HTTP {status}{suffix}); it needs {need}"
                )
            )
        if status in (408, 429) or status >= 500:
            raise _Retry(f"HTTP {status}{suffix}", retry_after_seconds(response.headers.get("Retry-After")))
        raise ProviderError(redact(f"{self.name}: {method} {path} was refused with HTTP {status}{suffix}"))


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return parse_json(response.content)
    except ValueError:
        return None


def parse_json(content: bytes) -> Any:
    """A body as Python values: orjson parses a page of usage events in half the time of ``json``
    (1.05 against 2.15 us an event; a backfill parses millions); what it refuses but ``json`` reads
    (NaN) still parses. Floats come out the same (correctly rounded); only integers beyond 64 bits,
    which no vendor sends, become floats. Raises ValueError when neither can read it."""
    with gc_paused():  # a page of events is thousands of dicts, none in a cycle
        try:
            return orjson.loads(content)
        except orjson.JSONDecodeError:
            return json.loads(content)
