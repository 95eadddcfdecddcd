"""Budget alerts: a threshold ladder per budget, recorded once, sent once to a webhook.

Each budget entity is checked against config ``[alerts] thresholds`` (percent of the budget) plus
"projected to exceed", which is always on: the org's annual budget (entity ``org``, period
``YYYY``) and each team's monthly budget (entity ``team:<name>``, period ``YYYY-MM``). A threshold
stands when spend × 100 ≥ threshold × budget (integers, no rounding), and "projected" when the
projected period-end spend is above the budget.

``check_budgets`` (the cron job) records each standing threshold in ``alerts`` the first time it
is seen and posts the ones not yet delivered to the webhook, one compact JSON POST per entity; a
failed POST leaves them undelivered, so the next run sends them again. ``active_alerts`` is the
same evaluation without writes, for the dashboard's budget line (``banner_line``).
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from spendtui.analytics.budgets import AnnualStatus, TeamBudgetStatus, annual_status, team_statuses
from spendtui.analytics.query import Query
from spendtui.config import Settings
from spendtui.money import format_plain, format_usd, pct
from spendtui.store import Store, utc_now

PROJECTED = "projected"
Threshold = int | str


def crossed(spend: int, budget: int, projected: int | None, thresholds: tuple[int, ...]) -> tuple[Threshold, ...]:
    """The thresholds standing for this spend: percentages ascending, then "projected"."""
    standing: list[Threshold] = [t for t in sorted(thresholds) if spend * 100 >= t * budget]
    if projected is not None and projected > budget:
        standing.append(PROJECTED)
    return tuple(standing)


@dataclass(frozen=True)
class Alert:
    """A budget that stands past one or more thresholds."""

    entity: str
    label: str
    period: str
    budget: int
    spend: int
    projected: int | None
    crossed: tuple[Threshold, ...]
    new: tuple[Threshold, ...] = ()  # not recorded before this check

    @property
    def used_pct(self) -> float | None:
        return pct(self.spend, self.budget)

    def text(self, thresholds: tuple[Threshold, ...] | None = None) -> str:
        """One line for a person (the banner, Slack): where the budget stands and what it crossed."""
        shown = self.crossed if thresholds is None else thresholds
        percents = [f"{t}%" for t in shown if t != PROJECTED]
        line = (f"{self.label}: {format_usd(self.spend)} of {format_usd(self.budget)} spent in {self.period} "
                f"({self.used_pct}%)")  # fmt: skip
        if percents:
            line += f", past {', '.join(percents)}"
        if PROJECTED in shown and self.projected is not None:
            line += f"; projected to exceed it: {format_usd(self.projected)} by the end of {self.period}"
        return line

    def webhook_payload(self, thresholds: tuple[Threshold, ...]) -> dict:
        """The Slack-compatible body cli.md defines, listing the thresholds being announced."""
        return {
            "text": f"spendtui: {self.text(thresholds)}",
            "entity": self.entity,
            "period": self.period,
            "budget": format_plain(self.budget),
            "spend": format_plain(self.spend),
            "crossed": list(thresholds),
        }

    def as_json(self) -> dict:
        return {
            "entity": self.entity,
            "label": self.label,
            "period": self.period,
            "budget": format_plain(self.budget),
            "spend": format_plain(self.spend),
            "used_pct": self.used_pct,
            "projected": format_plain(self.projected),
            "crossed": list(self.crossed),
            "new": list(self.new),
        }


def _org_alert(status: AnnualStatus, thresholds: tuple[int, ...]) -> Alert:
    label = status.budget.name or f"{status.year} annual budget"
    return Alert("org", label, str(status.year), status.budget.amount, status.spend, status.projected,
                 crossed(status.spend, status.budget.amount, status.projected, thresholds))  # fmt: skip


def _team_alert(status: TeamBudgetStatus, thresholds: tuple[int, ...]) -> Alert:
    month = status.month
    return Alert(f"team:{status.team}", f"team {status.team}", month.month, status.budget.amount, month.spend,
                 month.projected, crossed(month.spend, status.budget.amount, month.projected, thresholds))  # fmt: skip


@dataclass
class Evaluation:
    annual: AnnualStatus | None
    teams: list[TeamBudgetStatus]
    alerts: list[Alert]


def evaluate(q: Query, thresholds: tuple[int, ...]) -> Evaluation:
    """Every budget as of today and the alerts standing among them (no writes)."""
    annual = annual_status(q)
    teams = team_statuses(q, budgeted_only=True)
    candidates = ([_org_alert(annual, thresholds)] if annual else []) + [_team_alert(t, thresholds) for t in teams]
    return Evaluation(annual, teams, [a for a in candidates if a.crossed])


def _recorded(store: Store, alert: Alert) -> dict[str, str | None]:
    """threshold -> notified_at of what is already recorded for the alert's entity and period."""
    return {
        row[0]: row[1]
        for row in store.query(
            "SELECT threshold, notified_at FROM alerts WHERE entity = ? AND period = ?", (alert.entity, alert.period)
        )
    }


def active_alerts(store: Store, query: Query, settings: Settings) -> list[Alert]:
    """The alerts standing now, for the app's banner; ``new`` marks what no check has recorded yet."""
    alerts = evaluate(query, settings.thresholds).alerts
    return [replace(a, new=tuple(t for t in a.crossed if str(t) not in _recorded(store, a))) for a in alerts]


def banner_line(alerts: list[Alert], width: int | None = None) -> str | None:
    """The dashboard's budget line: the budgets spent or projected past 100%, fullest first, as many as
    ``width`` holds and then how many more; None when none is. Lower thresholds are the webhook's and
    the Team tab's business: 80% of an annual budget in November is no news."""
    over = sorted((a for a in alerts if 100 in a.crossed or PROJECTED in a.crossed), key=lambda a: -(a.used_pct or 0))
    if not over:
        return None
    head = "Over budget (tab 2): "
    names = [f"{a.entity[5:] if a.entity.startswith('team:') else a.label} {_whole_pct(a.used_pct)}"
             + ("" if 100 in a.crossed else " (projected over)") for a in over]  # fmt: skip
    shown = len(names)
    while shown > 1 and width is not None and len(_joined(head, names, shown)) > width:
        shown -= 1
    return _joined(head, names, shown)


def _joined(head: str, names: list[str], shown: int) -> str:
    more = len(names) - shown
    return head + ", ".join(names[:shown] + ([f"+{more} more"] if more else []))


def _whole_pct(value: float | None) -> str:
    """153%, not 152.83%: a glance, rounded half-up (the Team tab has the hundredths)."""
    return f"{Decimal(str(value or 0)).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


@dataclass
class CheckResult:
    evaluation: Evaluation
    alerts: list[Alert]
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    recorded: bool = True

    @property
    def exit_code(self) -> int:
        """3 when any budget newly or still stands past a threshold (cli.md), else 0."""
        return 3 if self.alerts else 0

    def as_json(self) -> dict:
        ev = self.evaluation
        return {
            "alerts": [a.as_json() for a in self.alerts],
            "annual_budget": ev.annual.as_json() if ev.annual else None,
            "team_budgets": [t.as_json() for t in ev.teams],
            "webhook": {"sent": self.sent, "failed": self.failed},
        }


def post_json(url: str, payload: dict, timeout: float = 10.0) -> None:
    """POST a compact JSON body; raises on a transport error or a non-2xx answer."""
    import httpx

    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    response = httpx.post(url, content=body, headers={"Content-Type": "application/json"}, timeout=timeout)
    if not response.is_success:
        raise httpx.HTTPStatusError(f"HTTP {response.status_code}", request=response.request, response=response)


def check_budgets(store: Store, q: Query, settings: Settings, *, warn: Callable[[str], None]) -> CheckResult:
    """Evaluate every budget, record new crossings and deliver undelivered ones to the webhook."""
    evaluation = evaluate(q, settings.thresholds)
    if store.read_only:
        if evaluation.alerts:
            warn("the store is read-only: alerts are not recorded and the webhook is not called")
        return CheckResult(evaluation, evaluation.alerts, recorded=False)
    now = utc_now()
    alerts = []
    with store.transaction() as conn:
        for alert in evaluation.alerts:
            new = tuple(
                t
                for t in alert.crossed
                if conn.execute(
                    """INSERT INTO alerts(entity, period, threshold, budget_nano, spend_nano, first_seen_at)
                       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(entity, period, threshold) DO NOTHING""",
                    (alert.entity, alert.period, str(t), alert.budget, alert.spend, now),
                ).rowcount
            )
            alerts.append(replace(alert, new=new))
    result = CheckResult(evaluation, alerts)
    if not settings.webhook_url:
        return result
    import httpx

    for alert in alerts:
        recorded = _recorded(store, alert)
        pending = tuple(t for t in alert.crossed if recorded.get(str(t)) is None)
        if not pending:
            continue
        try:
            post_json(settings.webhook_url, alert.webhook_payload(pending))
        except (httpx.HTTPError, OSError) as exc:
            # The URL is a secret (Slack puts the token in it): name the entity, not the URL.
            warn(f"the budget webhook for {alert.entity} failed ({exc}); it is retried on the next `budget check`")
            result.failed.append(alert.entity)
            continue
        with store.transaction() as conn:
            conn.executemany(
                "UPDATE alerts SET notified_at = ? WHERE entity = ? AND period = ? AND threshold = ?",
                [(utc_now(), alert.entity, alert.period, str(t)) for t in pending],
            )
        result.sent.append(alert.entity)
    return result
