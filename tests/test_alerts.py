import json
import os
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from org_helpers import cli, days, nano, query, spend

from spendtui import org
from spendtui.alerts import Alert, active_alerts, banner_line, crossed
from spendtui.config import load_settings

TODAY = "2026-10-20"


class Webhook:
    """A real HTTP server on 127.0.0.1 that records each POST and answers with ``status``."""

    def __init__(self):
        self.received: list[tuple[str, dict, bytes]] = []
        self.status = 200
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.received.append((self.path, dict(self.headers), body))
                self.send_response(hook.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T0/B0/secret"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def payloads(self) -> list[dict]:
        return [json.loads(body) for _, _, body in self.received]


@pytest.fixture
def webhook():
    hook = Webhook()
    yield hook
    hook.server.shutdown()
    hook.server.server_close()


def configure(webhook_url: str | None = None, thresholds: str | None = None) -> None:
    lines = ["[alerts]"]
    if thresholds:
        lines.append(f"thresholds = {thresholds}")
    if webhook_url:
        lines.append(f'webhook_url = "{webhook_url}"')
    Path(os.environ["SPENDTUI_CONFIG"]).write_text("\n".join(lines) + "\n")


@pytest.fixture
def platform(store, db_path, monkeypatch):
    """Platform's October budget is $100; alice has spent $85 by Oct 20 (projected $131.75)."""
    monkeypatch.setenv("SPENDTUI_DB", str(db_path))
    monkeypatch.setenv("SPENDTUI_TODAY", TODAY)
    spend(store, "anthropic", "alice@example.com", days("2026-10-01", "2026-10-17"), "5")
    org.create_team(store, "Platform")
    org.add_members(store, "Platform", ["alice@example.com"], today=date(2026, 10, 1), since="2026-01-01")
    org.set_team_budget(store, "Platform", "100", today=date(2026, 10, 1))
    return store


def test_the_ladder_fires_once_per_threshold_and_the_check_keeps_exiting_3(platform, webhook):
    configure(webhook.url)
    code, out, err = cli("budget", "check")
    assert code == 3 and "team:Platform" in out and "50% 80% projected" in out
    assert webhook.payloads() == [{
        "text": "spendtui: team Platform: $85.00 of $100.00 spent in 2026-10 (85.0%), past 50%, 80%; "
                "projected to exceed it: $131.75 by the end of 2026-10",
        "entity": "team:Platform", "period": "2026-10", "budget": "100.00", "spend": "85.00",
        "crossed": [50, 80, "projected"],
    }]  # fmt: skip
    path, headers, body = webhook.received[0]
    assert path == "/services/T0/B0/secret" and headers["Content-Type"] == "application/json"
    assert b'"crossed":[50,80,"projected"]' in body  # compact JSON

    code, out, _ = cli("budget", "check")
    assert code == 3 and "team:Platform" in out and len(webhook.received) == 1

    spend(platform, "anthropic", "alice@example.com", [date(2026, 10, 18)], "20")
    assert cli("budget", "check")[0] == 3
    assert [p["crossed"] for p in webhook.payloads()] == [[50, 80, "projected"], [100]]
    rows = platform.query("SELECT threshold, spend_nano, notified_at IS NOT NULL FROM alerts ORDER BY id")
    assert [tuple(r) for r in rows] == [("50", nano("85"), 1), ("80", nano("85"), 1), ("projected", nano("85"), 1),
                                        ("100", nano("105"), 1)]  # fmt: skip


def test_a_failing_webhook_warns_without_crashing_and_is_retried_next_run(platform, webhook):
    configure(webhook.url)
    webhook.status = 500
    code, _, err = cli("budget", "check")
    assert code == 3
    assert "warning: the budget webhook for team:Platform failed (HTTP 500)" in err and "secret" not in err
    assert platform.scalar("SELECT COUNT(*) FROM alerts WHERE notified_at IS NULL") == 3
    webhook.status = 200
    assert cli("budget", "check")[0] == 3
    assert [p["crossed"] for p in webhook.payloads()] == [[50, 80, "projected"]] * 2
    assert platform.scalar("SELECT COUNT(*) FROM alerts WHERE notified_at IS NULL") == 0
    cli("budget", "check")
    assert len(webhook.received) == 2


def test_an_unreachable_webhook_is_a_warning(platform, webhook):
    url = webhook.url
    webhook.server.shutdown()
    webhook.server.server_close()
    configure(url)
    code, _, err = cli("budget", "check")
    assert code == 3 and "the budget webhook for team:Platform failed" in err


def test_nothing_past_a_threshold_exits_0_and_raising_a_budget_clears_the_alert(platform, webhook):
    configure(webhook.url)
    assert cli("budget", "check")[0] == 3
    assert cli("budget", "set", "--team", "Platform", "--monthly", "1000")[0] == 0
    code, out, err = cli("budget", "check")
    assert (code, out) == (0, "") and "no budget stands past a threshold" in err
    assert len(webhook.received) == 1


def test_the_org_annual_budget_and_configured_thresholds(platform, webhook):
    configure(webhook.url, thresholds="[25, 90]")
    cli("budget", "set", "--team", "Platform", "--monthly", "1000")
    cli("budget", "set", "--year", "2026", "300", "--name", "2026 AI Budget")
    code, out, _ = cli("budget", "check", "--format", "json")
    report = json.loads(out)
    assert code == 3 and [a["entity"] for a in report["alerts"]] == ["org"]
    # Oct 20 is day 293 of 365: projected = 85 + 85 ÷ 293 × 72.
    assert report["alerts"][0] == {
        "entity": "org", "label": "2026 AI Budget", "period": "2026", "budget": "300.00", "spend": "85.00",
        "used_pct": 28.33, "projected": "105.89", "crossed": [25], "new": [25],
    }  # fmt: skip
    assert report["webhook"] == {"sent": ["org"], "failed": []}
    assert [t["team"] for t in report["team_budgets"]] == ["Platform"]
    assert webhook.payloads()[0]["crossed"] == [25]


def test_check_on_a_read_only_store_reports_but_records_and_sends_nothing(platform, webhook):
    configure(webhook.url)
    code, out, err = cli("budget", "check", "--read-only")
    assert code == 3 and "team:Platform" in out and "read-only: alerts are not recorded" in err
    assert platform.scalar("SELECT COUNT(*) FROM alerts") == 0 and webhook.received == []


def test_active_alerts_for_the_banner_write_nothing(platform):
    configure()
    q = query(platform, TODAY)
    settings = load_settings(Path(os.environ["SPENDTUI_CONFIG"]))
    [alert] = active_alerts(platform, q, settings)
    assert (alert.entity, alert.crossed, alert.new) == ("team:Platform", (50, 80, "projected"), (50, 80, "projected"))
    assert platform.scalar("SELECT COUNT(*) FROM alerts") == 0
    cli("budget", "check")
    assert active_alerts(platform, q, settings)[0].new == ()


def test_the_dashboard_line_names_the_budgets_over_fullest_first_as_the_width_allows():
    def alert(team, spend, crossed):
        return Alert(f"team:{team}", f"team {team}", "2026-11", nano("100"), nano(spend), None, crossed)

    alerts = [alert("Web", "55", (50,)), alert("Ops", "60", (50, "projected")), alert("Data", "152.5", (50, 80, 100)),
              Alert("org", "2026 annual budget", "2026", nano("100"), nano("101"), None, (50, 80, 100))]  # fmt: skip
    full = "Over budget (tab 2): Data 153%, 2026 annual budget 101%, Ops 60% (projected over)"
    assert banner_line(alerts) == banner_line(alerts, len(full)) == full
    assert banner_line(alerts, len(full) - 1) == "Over budget (tab 2): Data 153%, 2026 annual budget 101%, +1 more"
    assert banner_line(alerts, 10) == "Over budget (tab 2): Data 153%, +2 more"  # one name, however narrow
    assert banner_line(alerts[:1]) is None  # 55% of a budget is the webhook's news, not the dashboard's


def test_thresholds_compare_exact_integers():
    budget = nano("300")
    assert crossed(nano("150") - 1, budget, None, (50, 80, 100)) == ()
    assert crossed(nano("150"), budget, None, (50, 80, 100)) == (50,)
    assert crossed(nano("300"), budget, nano("300"), (50, 80, 100)) == (50, 80, 100)
    assert crossed(0, budget, nano("300") + 1, (50,)) == ("projected",)
