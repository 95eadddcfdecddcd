"""Local stand-ins for the vendors' admin APIs: real HTTP on 127.0.0.1, the documented shapes.

Each fake serves in-memory data the way the vendor pages it (Cursor: 1-based pages, newest first;
Anthropic: ``next_page`` tokens and ``after_id``; OpenAI: ``next_page`` and ``after``), checks the
key the way the vendor does, and can be told to misbehave on a path: a status (429 with
Retry-After, 500, 401, 403), ``slow`` (answers after the client gave up), ``drop`` (closes the
connection without answering) or ``garbage`` (200 with a body of the wrong shape). Errors echo the
key they were sent, as careless servers do, so tests can prove we never repeat it.

Used by tests/test_sync.py and bench/bench_sync.py.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

DATA = Path(__file__).resolve().parent / "data"
DAY_MS = 86_400_000


def load(vendor: str, name: str):
    return json.loads((DATA / vendor / name).read_text())


class Reply:
    def __init__(self, status: int = 200, body=None, headers: dict | None = None, raw: bytes | None = None):
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.raw = raw


class FakeVendor:
    """A threaded HTTP server; subclasses route requests in ``route``."""

    def __init__(self, key: str, slow_s: float = 1.0):
        self.key = key
        self.slow_s = slow_s
        self.released = threading.Event()  # what a "held" request waits for
        self.faults: dict[str, list] = defaultdict(list)
        self.log: list[tuple[str, str, dict]] = []
        self.lock = threading.Lock()
        vendor = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as two writes

            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                vendor._serve(self, "GET")

            def do_POST(self):
                vendor._serve(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeVendor:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    def fail(self, path: str, *faults) -> None:
        """Queue faults for the next requests to ``path``: a status, (status, retry_after), a word
        ("slow", "held" until ``released`` is set, "drop", "garbage"), or None (answer normally, so a
        fault can come mid-run)."""
        with self.lock:
            self.faults[path].extend(faults)

    def calls(self, path: str) -> list[dict]:
        return [params for method, p, params in self.log if p == path]

    # -- plumbing -----------------------------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        split = urlsplit(handler.path)
        path = split.path
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        params = {k: v if len(v) > 1 or k.endswith("[]") else v[0] for k, v in parse_qs(split.query).items()}
        if raw:
            params.update(json.loads(raw))
        with self.lock:
            self.log.append((method, path, params))
            fault = self.faults[path].pop(0) if self.faults.get(path) else None
        sent_key = self.sent_key(handler.headers)
        if fault is None and sent_key != self.key:
            fault = 401
        reply = self._fault(fault, sent_key) if fault is not None else None
        if reply is None:
            try:
                reply = self.route(method, path, params)
            except Exception as exc:  # a bug in the fake must show up, not hang the client
                reply = Reply(500, {"error": f"fake failed: {exc!r}"})
        if reply == "drop":
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        body = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _fault(self, fault, sent_key: str | None):
        if fault == "drop":
            return "drop"
        if fault == "slow":
            time.sleep(self.slow_s)
            return None
        if fault == "held":
            self.released.wait(timeout=30)
            return None
        if fault == "garbage":
            return Reply(200, {"unexpected": True, "echo": sent_key})
        status, retry_after = fault if isinstance(fault, tuple) else (fault, None)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return Reply(status, self.error_body(status, f"request with key {sent_key} failed ({status})"), headers)

    # -- per vendor ---------------------------------------------------------------------------------
    def sent_key(self, headers) -> str | None:
        raise NotImplementedError

    def error_body(self, status: int, message: str):
        raise NotImplementedError

    def route(self, method: str, path: str, params: dict) -> Reply:
        raise NotImplementedError


def _page(items: list, page: int, size: int) -> tuple[list, int]:
    pages = max(1, -(-len(items) // size))
    return items[(page - 1) * size : page * size], pages


# -- Cursor ------------------------------------------------------------------------------------------
class FakeCursor(FakeVendor):
    """``events`` is a list, or a function (start_ms, end_ms) -> events, newest first."""

    def __init__(self, key: str, *, events=None, members=None, spend=None, daily=None, page_cap: int | None = None,
                 **kw):  # fmt: skip
        super().__init__(key, **kw)
        self.events = events if events is not None else (
            load("cursor", "filtered-usage-events.page1.json")["usageEvents"]
            + load("cursor", "filtered-usage-events.page2.json")["usageEvents"]
        )  # fmt: skip
        self.members = members if members is not None else load("cursor", "members.json")
        self.spend = spend if spend is not None else load("cursor", "spend.json")
        self.daily = daily if daily is not None else load("cursor", "daily-usage-data.json")["data"]
        self.page_cap = page_cap
        self._window: tuple | None = None

    def sent_key(self, headers):
        auth = headers.get("Authorization") or ""
        if not auth.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        return user if password == "" else None

    def error_body(self, status, message):
        return {"error": {401: "Unauthorized", 403: "Forbidden", 429: "Too Many Requests"}.get(status, "Error"),
                "message": message}  # fmt: skip

    def _events(self, start: int, end: int) -> list[dict]:
        if callable(self.events):
            if self._window is None or self._window[0] != (start, end):
                self._window = ((start, end), self.events(start, end))
            return self._window[1]
        chosen = [e for e in self.events if start <= int(e["timestamp"]) <= end]
        return sorted(chosen, key=lambda e: -int(e["timestamp"]))

    def route(self, method, path, params):
        if path == "/teams/members" and method == "GET":
            return Reply(200, self.members)
        if method != "POST":
            return Reply(404, {"error": "Not Found", "message": path})
        page = int(params.get("page", 1))
        size = min(int(params.get("pageSize", 10)), self.page_cap or 10**9)
        if path == "/teams/filtered-usage-events":
            events = self._events(int(params["startDate"]), int(params["endDate"]))
            chunk, pages = _page(events, page, size)
            return Reply(200, {
                "totalUsageEventsCount": len(events),
                "pagination": {"numPages": pages, "currentPage": page, "pageSize": size,
                               "hasNextPage": page < pages, "hasPreviousPage": page > 1},
                "usageEvents": chunk,
                "period": {"startDate": params["startDate"], "endDate": params["endDate"]},
            })  # fmt: skip
        if path == "/teams/daily-usage-data":
            start = int(params["startDate"])
            end = int(params["endDate"]) // DAY_MS * DAY_MS + DAY_MS - 1  # Cursor widens to the day's end
            rows = [r for r in self.daily if start <= r["date"] <= end]
            users = sorted({r["email"] for r in rows})
            chosen, pages = _page(users, page, size)
            return Reply(200, {
                "period": {"startDate": start, "endDate": end},
                "data": [r for r in rows if r["email"] in set(chosen)],
                "pagination": {"page": page, "pageSize": size, "totalUsers": len(users), "totalPages": pages,
                               "hasNextPage": page < pages, "hasPreviousPage": page > 1},
            })  # fmt: skip
        if path == "/teams/spend":
            chunk, pages = _page(self.spend["teamMemberSpend"], page, size)
            return Reply(200, {**self.spend, "teamMemberSpend": chunk, "totalPages": pages})
        return Reply(404, {"error": "Not Found", "message": path})


# -- report pagination shared by Anthropic and OpenAI -------------------------------------------------
def _token(offset: int) -> str:
    return "page_" + base64.b64encode(str(offset).encode()).decode()


def _offset(token: str | None) -> int:
    return int(base64.b64decode(token[5:]).decode()) if token else 0


class _Reports(FakeVendor):
    """Buckets by UTC day from ``by_day`` (day -> results); ``bucket_page`` caps buckets per page."""

    bucket_page = 31  # a test sets 2 to walk the fixtures' pages one by one

    def buckets(self, by_day: dict, days: list[str], params: dict, bucket) -> Reply:
        offset = _offset(params.get("page"))
        limit = min(int(params.get("limit", 7)), self.bucket_page)
        chosen = days[offset : offset + limit]
        more = offset + limit < len(days)
        return Reply(200, {
            **self.page_extra,
            "data": [bucket(day, list(by_day.get(day, []))) for day in chosen],
            "has_more": more,
            "next_page": _token(offset + limit) if more else None,
        })  # fmt: skip

    page_extra: dict = {}

    def listing(self, items: list[dict], params: dict, after_param: str, cap: int = 2) -> Reply:
        after = params.get(after_param)
        start = next((i + 1 for i, item in enumerate(items) if item["id"] == after), 0) if after else 0
        chunk = items[start : start + min(int(params.get("limit", 20)), cap)]
        more = start + len(chunk) < len(items)
        return Reply(200, {
            **({"object": "list"} if after_param == "after" else {}),
            "data": chunk, "first_id": chunk[0]["id"] if chunk else None,
            "last_id": chunk[-1]["id"] if chunk else None, "has_more": more,
        })  # fmt: skip


def _days(first: date, end_exclusive: date) -> list[str]:
    return [(first + timedelta(days=i)).isoformat() for i in range((end_exclusive - first).days)]


def _group(buckets: list[dict], day_of) -> dict[str, list]:
    by_day: dict[str, list] = defaultdict(list)
    for bucket in buckets:
        by_day[day_of(bucket)].extend(bucket["results"])
    return by_day


# -- Anthropic ---------------------------------------------------------------------------------------
class FakeAnthropic(_Reports):
    def __init__(self, key: str, *, cost=None, usage=None, claude_code=None, api_keys=None, **kw):
        super().__init__(key, **kw)
        day = lambda b: b["starting_at"][:10]  # noqa: E731
        self.cost = cost if cost is not None else _group(
            load("anthropic", "cost_report_page1.json")["data"] + load("anthropic", "cost_report_page2.json")["data"],
            day)  # fmt: skip
        self.usage = usage if usage is not None else _group(
            load("anthropic", "usage_report_messages_page1.json")["data"]
            + load("anthropic", "usage_report_messages_page2.json")["data"], day)  # fmt: skip
        records = claude_code if claude_code is not None else (
            load("anthropic", "claude_code_usage_2026-10-06_page1.json")["data"]
            + load("anthropic", "claude_code_usage_2026-10-06_page2.json")["data"]
        )  # fmt: skip
        self.claude_code: dict[str, list] = defaultdict(list)
        for record in records:
            self.claude_code[record["date"][:10]].append(record)
        self.users = load("anthropic", "users_list.json")["data"]
        self.workspaces = load("anthropic", "workspaces_list.json")["data"]
        self.api_keys = api_keys if api_keys is not None else [
            {"id": "apikey_01Ci7Rk3", "type": "api_key", "name": "ci-bot-key", "status": "active",
             "workspace_id": "wrkspc_01Kd8Xq2VmT7pLr4Nw9ZcB3s", "created_at": "2026-04-12T10:00:00Z"},
        ]  # fmt: skip

    def sent_key(self, headers):
        return headers.get("x-api-key") if headers.get("anthropic-version") == "2023-06-01" else None

    def error_body(self, status, message):
        kind = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}.get(status, "api_error")
        return {"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_fake"}

    def route(self, method, path, params):
        base = "/v1/organizations/"
        name = path[len(base) :] if path.startswith(base) else None
        if name == "me":
            return Reply(200, {"id": "6b0d7a3e", "type": "organization", "name": "Example Org"})
        if name in ("users", "workspaces", "api_keys"):
            return self.listing(getattr(self, name), params, "after_id")
        if name in ("cost_report", "usage_report/messages"):
            first = date.fromisoformat(params["starting_at"][:10])
            end = date.fromisoformat(params["ending_at"][:10])
            data = self.cost if name == "cost_report" else self.usage

            def bucket(day, results):
                next_day = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
                return {"starting_at": f"{day}T00:00:00Z", "ending_at": f"{next_day}T00:00:00Z", "results": results}

            return self.buckets(data, _days(first, end), params, bucket)
        if name == "usage_report/claude_code":
            records = self.claude_code.get(params["starting_at"], [])
            offset = _offset(params.get("page"))
            limit = min(int(params.get("limit", 20)), 2)
            more = offset + limit < len(records)
            return Reply(200, {"data": records[offset : offset + limit], "has_more": more,
                               "next_page": _token(offset + limit) if more else None})  # fmt: skip
        return Reply(404, self.error_body(404, f"no route {path}"))


# -- OpenAI ------------------------------------------------------------------------------------------
class FakeOpenAI(_Reports):
    page_extra = {"object": "page"}

    def __init__(self, key: str, *, costs=None, completions=None, embeddings=None, **kw):
        super().__init__(key, **kw)
        day = lambda b: datetime.fromtimestamp(b["start_time"], timezone.utc).date().isoformat()  # noqa: E731
        self.costs = costs if costs is not None else _group(
            load("openai", "costs_page1.json")["data"] + load("openai", "costs_page2.json")["data"], day)
        self.usage = {
            "completions": completions if completions is not None else _group(
                load("openai", "usage_completions_page1.json")["data"]
                + load("openai", "usage_completions_page2.json")["data"], day),
            "embeddings": embeddings if embeddings is not None else _group(
                load("openai", "usage_embeddings.json")["data"], day),
        }  # fmt: skip
        self.users = load("openai", "users_list.json")["data"]
        self.projects = load("openai", "projects_list.json")["data"]

    def sent_key(self, headers):
        auth = headers.get("Authorization") or ""
        return auth[7:] if auth.startswith("Bearer ") else None

    def error_body(self, status, message):
        code = {401: "invalid_api_key", 429: "rate_limit_exceeded"}.get(status)
        return {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": code}}

    def route(self, method, path, params):
        name = path.removeprefix("/v1/organization/")
        if name in ("users", "projects"):
            return self.listing(getattr(self, name), params, "after")
        if name == "costs" or name.startswith("usage/"):
            data = self.costs if name == "costs" else self.usage.get(name[6:])
            if data is None:
                return Reply(404, self.error_body(404, f"no route {path}"))
            start = int(params["start_time"])
            end = int(params.get("end_time") or start + 7 * 86400)
            first = datetime.fromtimestamp(start, timezone.utc).date()
            last = datetime.fromtimestamp(end, timezone.utc).date()

            def bucket(day, results):
                at = int(datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp())
                return {"object": "bucket", "start_time": at, "end_time": at + 86400, "results": results}

            return self.buckets(data, _days(first, last), params, bucket)
        return Reply(404, self.error_body(404, f"no route {path}"))


def all_vendors(key: str, **kw) -> dict[str, FakeVendor]:
    return {
        "cursor": FakeCursor(key, **kw).start(),
        "anthropic": FakeAnthropic(key, **kw).start(),
        "openai": FakeOpenAI(key, **kw).start(),
    }


def point_env(monkeypatch, vendors: dict[str, FakeVendor], key: str) -> None:
    """Keys and base URLs in the environment, as cli.md defines them."""
    from spendtui.config import BASE_URL_ENV, KEY_ENV

    for name, vendor in vendors.items():
        monkeypatch.setenv(KEY_ENV[name], key)
        monkeypatch.setenv(BASE_URL_ENV[name], vendor.url + ("/v1" if name == "openai" else ""))

