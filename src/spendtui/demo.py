"""A realistic synthetic org: people, teams, seats, usage at all three vendors, invoices and budgets.

Deterministic for a seed and a 'today': the same arguments write the same store. Usage follows a
weekday rhythm, grows with hiring, shifts its model mix over time, and a few heavy users carry a
large share of the spend, so every view of the dashboard has something to say.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from spendtui.money import NANO_PER_DOLLAR, dollars_to_nano
from spendtui.periods import add_months
from spendtui.store import Store, utc_now
from spendtui.store import rollup
from spendtui.store.facts import RANK_API, FactBatch, write_facts, write_period_amounts

DOMAIN = "acme-robotics.example"
SOURCE = "demo"
FIRST_NAMES = (
    "Ada Alan Amara Ben Bianca Carlos Chen Chloe Dana Daniel Deepa Diego Elena Emil Farah Felix Grace Hana Hugo "
    "Ines Ivan Jae Jonas Julia Kai Kenji Lara Leo Lina Luca Maya Mei Milan Nadia Nico Noor Omar Olga Paula Priya "
    "Quinn Rafael Rosa Sami Sara Sofia Tariq Tessa Theo Uma Vera Victor Wen Yara Yusuf Zoe"
).split()
LAST_NAMES = (
    "Abbott Bauer Castillo Dubois Eriksen Fischer Garcia Hansen Ibarra Jensen Kowalski Larsen Moreau Nakamura "
    "Okafor Petrov Quintero Rossi Schmidt Tanaka Ueda Varga Weber Xu Yilmaz Zimmer Novak Singh Costa Haddad"
).split()
TEAMS = (  # name, share of people, share who code every day, monthly budget multiplier
    ("Platform", 0.22, 0.95, 1.15),
    ("Product Engineering", 0.24, 0.9, 0.95),
    ("Data Science", 0.16, 0.85, 1.05),
    ("Mobile", 0.14, 0.9, 1.2),
    ("Infrastructure", 0.12, 0.9, 0.9),
    ("Growth", 0.12, 0.35, 1.1),
)

# Cursor models: (name, $ per M input, $ per M output, where in the timeline it peaks 0..1)
CURSOR_MODELS = (
    ("claude-4-sonnet", 3.0, 15.0, 0.0),
    ("gpt-5", 1.25, 10.0, 0.2),
    ("claude-4.5-sonnet-thinking", 3.0, 15.0, 0.45),
    ("gpt-5.1-codex", 1.25, 10.0, 0.6),
    ("claude-opus-5-thinking-high", 5.0, 25.0, 0.95),
    ("gpt-5.2-codex", 1.75, 14.0, 1.0),
    ("composer-1", 1.25, 10.0, 0.8),
    ("auto", 1.25, 6.0, 0.7),
    ("gemini-3-pro", 2.0, 12.0, 0.75),
)
ANTHROPIC_MODELS = (
    ("claude-sonnet-4-5", 3.0, 15.0, 0.2),
    ("claude-sonnet-5", 3.0, 15.0, 0.9),
    ("claude-haiku-4-5", 1.0, 5.0, 0.5),
    ("claude-opus-5", 5.0, 25.0, 0.85),
)
OPENAI_MODELS = (
    ("gpt-5-2025-08-07", 1.25, 10.0, 0.3),
    ("gpt-5-mini-2025-08-07", 0.25, 2.0, 0.6),
    ("gpt-5.2-2026-06-01", 1.75, 14.0, 1.0),
)
WORKSPACES = (  # id, label, base $/weekday, team it is mapped to (None: unattributed)
    ("default", "Default", 38.0, None),
    ("wrkspc_01SupportBot7q", "Support Bot", 64.0, "Growth"),
    ("wrkspc_01DataPlatfm3x", "Data Platform", 52.0, "Data Science"),
    ("wrkspc_01Research9kd", "Research", 21.0, None),
)
PROJECTS = (  # id, label, base $/weekday, team
    ("proj_SupportAssist4Qm", "Support Assistant", 46.0, "Growth"),
    ("proj_SearchIndexer8Zp", "Search Indexer", 29.0, "Platform"),
    ("proj_EvalHarness2Wd", "Eval Harness", 17.0, "Data Science"),
    ("proj_Sandbox5Tt", "Sandbox", 6.0, None),
)
CURSOR_SEAT = 40
CLAUDE_STANDARD, CLAUDE_PREMIUM = 30, 150
CHATGPT_SEAT = 25
CURSOR_INCLUDED = 20  # dollars of usage value a Cursor Teams seat includes each month


@dataclass
class Person:
    id: int
    email: str
    name: str
    team: str
    joined: date
    left: date | None
    intensity: float
    codes: bool
    cursor_seat: bool
    claude_seat: str | None
    chatgpt_seat: bool
    moves: list[tuple[date, str]] = field(default_factory=list)

    def active_on(self, day: date) -> bool:
        return self.joined <= day and (self.left is None or day < self.left)


@dataclass
class DemoSummary:
    people: int
    teams: int
    facts: int
    first_day: date
    last_day: date


def _model_weights(models: tuple, position: float) -> list[float]:
    return [math.exp(-(((position - peak) / 0.28) ** 2)) + 0.02 for *_, peak in models]


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


class DemoBuilder:
    """Builds the org in memory, then writes it through the store's writers in one transaction."""

    def __init__(self, seed: int, users: int, months: int, today: date):
        self.rng = random.Random(seed)
        self.users = users
        self.today = today
        self.first = add_months(today, -(months - 1))
        self.span = (today - self.first).days or 1
        self.people: list[Person] = []
        self.cursor_rows: list[dict] = []
        self.anthropic_cost: list[dict] = []
        self.anthropic_usage: list[dict] = []
        self.claude_code: list[dict] = []
        self.openai_cost: list[dict] = []
        self.openai_usage: list[dict] = []
        self.claude_ai: list[dict] = []
        self.monthly_on_demand: dict[str, int] = defaultdict(int)
        self.monthly_api: dict[tuple[str, str], int] = defaultdict(int)

    def position(self, day: date) -> float:
        return (day - self.first).days / self.span

    # -- people ---------------------------------------------------------------------------------
    def make_people(self) -> None:
        rng = self.rng
        names = set()
        team_names = [t[0] for t in TEAMS]
        weights = [t[1] for t in TEAMS]
        for _ in range(self.users):
            while True:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                if (first, last) not in names:
                    names.add((first, last))
                    break
            team = rng.choices(team_names, weights)[0]
            coding_share = dict((t[0], t[2]) for t in TEAMS)[team]
            # 60% were there at the start; the rest joined over time (seat growth).
            joined = self.first if rng.random() < 0.6 else self.first + timedelta(days=int(rng.random() ** 0.8 * self.span))
            left = None
            if rng.random() < 0.06 and joined < self.today - timedelta(days=90):
                left = joined + timedelta(days=rng.randint(60, max(61, (self.today - joined).days - 10)))
            intensity = rng.lognormvariate(0, 0.55) * (7.5 if rng.random() < 0.05 else 1.0)
            codes = rng.random() < coding_share
            claude_seat = None
            if rng.random() < (0.45 if codes else 0.3):
                claude_seat = "claude-team-premium" if codes and rng.random() < 0.3 else "claude-team-standard"
            person = Person(
                id=0,
                email=f"{first.lower()}.{last.lower()}@{DOMAIN}",
                name=f"{first} {last}",
                team=team,
                joined=joined,
                left=left,
                intensity=intensity,
                codes=codes,
                cursor_seat=codes or rng.random() < 0.15,
                claude_seat=claude_seat,
                chatgpt_seat=(not codes and rng.random() < 0.55) or rng.random() < 0.08,
            )
            if rng.random() < 0.05 and joined < self.today - timedelta(days=120):  # a team change
                when = joined + timedelta(days=rng.randint(45, (self.today - joined).days - 30))
                person.moves.append((when, rng.choice([t for t in team_names if t != team])))
            self.people.append(person)

    # -- usage --------------------------------------------------------------------------------
    def cursor_usage(self) -> None:
        rng = self.rng
        used_this_month: dict[tuple[str, str], float] = defaultdict(float)
        for day in _days(self.first, self.today):
            weekday = day.weekday() < 5
            weights = _model_weights(CURSOR_MODELS, self.position(day))
            growth = 0.75 + 0.5 * self.position(day)
            month = day.isoformat()[:7]
            for person in self.people:
                if not person.cursor_seat or not person.active_on(day):
                    continue
                if rng.random() > ((0.82 if person.codes else 0.25) if weekday else 0.06):
                    continue
                requests = max(1, int(rng.gammavariate(2.0, 9.0 * person.intensity * growth)))
                shares: dict[int, float] = defaultdict(float)
                for pick in rng.choices(range(len(CURSOR_MODELS)), weights, k=min(3, 1 + requests // 15)):
                    shares[pick] += rng.random() + 0.2
                total_share = sum(shares.values())
                for pick, part in sorted(shares.items()):
                    name, price_in, price_out, _ = CURSOR_MODELS[pick]
                    count = max(1, round(requests * part / total_share))
                    self._cursor_row(person, day, name, price_in, price_out, count, used_this_month, month)
                if rng.random() < 0.04:
                    self._cursor_plain(person, day, "auto", "Errored, Not Charged", "none", 0, rng.randint(1, 3))
                if person.intensity > 2.5 and rng.random() < 0.1:
                    self._cursor_plain(person, day, "claude-4.5-sonnet-thinking", "User API Key", "none", rng.randint(2, 9), 0)

    def _ts(self, day: date) -> int:
        hour = min(23.9, max(0.0, self.rng.gauss(15.5, 2.6)))  # work hours, mostly European + US east
        moment = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(hours=hour)
        return int(moment.timestamp() * 1000)

    def _cursor_row(self, person, day, model, price_in, price_out, count, used, month) -> None:
        rng = self.rng
        tok_in = int(count * rng.uniform(2_000, 9_000))
        cache_write = int(count * rng.uniform(4_000, 20_000))
        cache_read = int(count * rng.uniform(30_000, 120_000))
        tok_out = int(count * rng.uniform(900, 3_500))
        dollars = (
            tok_in * price_in + cache_write * price_in * 1.25 + cache_read * price_in * 0.1 + tok_out * price_out
        ) / 1_000_000 + (tok_in + cache_write + cache_read + tok_out) * 0.25 / 1_000_000
        nano = int(dollars * NANO_PER_DOLLAR) // 1000 * 1000  # event costs come in fractional cents
        key = (person.email, month)
        remaining = max(0, CURSOR_INCLUDED * NANO_PER_DOLLAR - used[key])
        parts = []
        if remaining > 0:
            included = min(nano, int(remaining))
            parts.append(("Included in Business", "included", included, count if included == nano else count // 2))
        if nano - (parts[0][2] if parts else 0) > 0:
            on_demand = nano - (parts[0][2] if parts else 0)
            parts.append(("Usage-based", "overage", on_demand, count - (parts[0][3] if parts else 0)))
            self.monthly_on_demand[month] += on_demand
        used[key] += nano
        for kind, category, amount, requests in parts:
            share = requests / count if count else 0
            self.cursor_rows.append(
                {
                    "key": f"{person.email}|{day}|{model}|{kind}",
                    "product": "cursor",
                    "ts_ms": self._ts(day),
                    "email": person.email,
                    "model": model,
                    "kind": kind,
                    "category": category,
                    "amount_nano": amount,
                    "requests": requests,
                    "tok_in": int(tok_in * share),
                    "tok_cache_write": int(cache_write * share),
                    "tok_cache_read": int(cache_read * share),
                    "tok_out": int(tok_out * share),
                }
            )

    def _cursor_plain(self, person, day, model, kind, category, requests, errors) -> None:
        self.cursor_rows.append(
            {
                "key": f"{person.email}|{day}|{model}|{kind}",
                "product": "cursor",
                "ts_ms": self._ts(day),
                "email": person.email,
                "model": model,
                "kind": kind,
                "category": category,
                "amount_nano": None if category == "none" else 0,
                "requests": requests,
                "attrs": f'{{"events": {errors}}}' if errors else None,
            }
        )

    def _api_days(self, accounts, models, on_cost, on_usage, provider: str) -> None:
        rng = self.rng
        for day in _days(self.first, self.today):
            rhythm = 1.0 if day.weekday() < 5 else 0.35
            weights = _model_weights(models, self.position(day))
            for account_id, label, base, _team in accounts:
                trend = 0.55 + 0.9 * self.position(day)
                budget = base * rhythm * trend * rng.lognormvariate(0, 0.3)
                if label == "Research" and rng.random() < 0.04:
                    budget *= 6  # an occasional batch experiment
                for index, (model, price_in, price_out, _) in enumerate(models):
                    dollars = budget * weights[index] / sum(weights)
                    if dollars < 0.2:
                        continue
                    tok_in = int(dollars * 0.55 / price_in * 1_000_000)
                    tok_out = int(dollars * 0.45 / price_out * 1_000_000)
                    nano = dollars_to_nano(f"{dollars:.7f}")
                    on_cost(day, account_id, label, model, nano)
                    on_usage(day, account_id, label, model, tok_in, tok_out, int(dollars * rng.uniform(30, 70)))
                    self.monthly_api[(provider, day.isoformat()[:7])] += nano

    def anthropic_usage_rows(self) -> None:
        def cost(day, account, label, model, nano):
            self.anthropic_cost.append(
                {"key": f"{day}|{account}|{model}", "product": "api", "day": day.isoformat(),
                 "account_kind": "workspace", "account_id": account, "account_label": label, "model": model,
                 "kind": f"{model} usage", "category": "api", "amount_nano": nano}
            )  # fmt: skip

        def usage(day, account, label, model, tok_in, tok_out, _requests):
            self.anthropic_usage.append(
                {"key": f"{day}|{account}|{model}", "product": "api", "day": day.isoformat(),
                 "account_kind": "workspace", "account_id": account, "account_label": label, "model": model,
                 "category": "api", "tok_in": tok_in // 4, "tok_cache_read": tok_in * 3 // 4, "tok_out": tok_out}
            )  # fmt: skip

        self._api_days(WORKSPACES, ANTHROPIC_MODELS, cost, usage, "anthropic")
        rng = self.rng
        for day in _days(self.first, self.today):
            if day.weekday() >= 5:
                continue
            weights = _model_weights(ANTHROPIC_MODELS, self.position(day))
            for person in self.people:
                if not (person.claude_seat and person.codes and person.active_on(day)) or rng.random() > 0.7:
                    continue
                model = rng.choices([m[0] for m in ANTHROPIC_MODELS], weights)[0]
                cents = round(rng.gammavariate(2.0, 90 * person.intensity))
                self.claude_code.append(
                    {"key": f"{day}|{person.email}", "product": "claude_code", "day": day.isoformat(),
                     "email": person.email, "model": model, "kind": "subscription", "category": "included",
                     "amount_nano": cents * 10_000_000, "tok_in": cents * 900, "tok_out": cents * 120}
                )  # fmt: skip
        month = self.first
        while month <= self.today:
            last = min(add_months(month, 1) - timedelta(days=1), self.today - timedelta(days=1))
            if last >= month:
                for person in self.people:
                    if person.claude_seat == "claude-team-premium" and person.intensity > 1.4 and person.active_on(last):
                        spend = round(rng.uniform(8, 60) * person.intensity, 2)
                        self.claude_ai.append(
                            {"key": f"{month}|{person.email}|Claude Code", "product": "claude_ai",
                             "period_from": month.isoformat(), "period_to": last.isoformat(), "email": person.email,
                             "model": "claude-sonnet-5", "kind": "Claude Code", "category": "overage",
                             "amount_nano": dollars_to_nano(f"{spend:.2f}"),
                             "attrs": f'{{"total_requests": {int(spend * 35)}}}'}
                        )  # fmt: skip
            month = add_months(month, 1)

    def openai_usage_rows(self) -> None:
        def cost(day, account, label, model, nano):
            output = nano * 3 // 5
            for part, amount in (("input", nano - output), ("output", output)):
                self.openai_cost.append(
                    {"key": f"{day}|{account}|{model}, {part}", "product": "api", "day": day.isoformat(),
                     "account_kind": "project", "account_id": account, "account_label": label, "model": model,
                     "kind": f"{model}, {part}", "category": "api", "amount_nano": amount}
                )  # fmt: skip

        def usage(day, account, label, model, tok_in, tok_out, requests):
            self.openai_usage.append(
                {"key": f"{day}|{account}|{model}", "product": "api", "day": day.isoformat(),
                 "account_kind": "project", "account_id": account, "account_label": label, "model": model,
                 "category": "api", "requests": requests, "tok_in": tok_in * 2 // 5,
                 "tok_cache_read": tok_in * 3 // 5, "tok_out": tok_out}
            )  # fmt: skip

        self._api_days(PROJECTS, OPENAI_MODELS, cost, usage, "openai")

    # -- writing --------------------------------------------------------------------------------
    def write(self, store: Store) -> DemoSummary:
        """Everything in one transaction: a failed demo leaves the store as it was."""
        facts = 0
        with store.transaction() as conn:
            with rollup.batched(store):
                now = utc_now()
                conn.executemany(
                    "INSERT INTO people(email, name, created_at) VALUES (?, ?, ?)",
                    [(p.email, p.name, now) for p in self.people],
                )
                ids = {row[0]: row[1] for row in store.query("SELECT email, id FROM people")}
                for person in self.people:
                    person.id = ids[person.email]
                self._teams_and_budgets(store, now)
                self._seats(store)
                self._accounts(store)
                batches = (
                    FactBatch("cursor", "cursor.events", SOURCE, RANK_API, self.cursor_rows),
                    FactBatch("anthropic", "anthropic.cost", SOURCE, RANK_API, self.anthropic_cost, day_buckets=True),
                    FactBatch("anthropic", "anthropic.usage", SOURCE, RANK_API, self.anthropic_usage, day_buckets=True),
                    FactBatch("anthropic", "anthropic.claude_code", SOURCE, RANK_API,
                              [dict(r, estimated=1) for r in self.claude_code], day_buckets=True),
                    FactBatch("openai", "openai.cost", SOURCE, RANK_API, self.openai_cost, day_buckets=True),
                    FactBatch("openai", "openai.usage", SOURCE, RANK_API, self.openai_usage, day_buckets=True),
                )  # fmt: skip
                for batch in batches:
                    facts += write_facts(store, batch).rows
                facts += write_period_amounts(
                    store, "anthropic", "anthropic.claude_ai", SOURCE, RANK_API, self.claude_ai
                ).rows
            self._invoices(store, now)  # reads the seat rollups just built
            self._sync_history(store)
            store.set_meta("demo", f"seed org of {len(self.people)} people through {self.today}")
        return DemoSummary(len(self.people), len(TEAMS), facts, self.first, self.today)

    def _teams_and_budgets(self, store: Store, now: str) -> None:
        conn = store.conn
        conn.executemany("INSERT INTO teams(name, created_at) VALUES (?, ?)", [(t[0], now) for t in TEAMS])
        team_ids = {row[0]: row[1] for row in store.query("SELECT name, id FROM teams")}
        rows = []
        for person in self.people:
            start, team = person.joined, person.team
            for when, new_team in person.moves:
                rows.append((team_ids[team], person.id, start.isoformat(), when.isoformat()))
                start, team = when, new_team
            end = person.left.isoformat() if person.left else None
            rows.append((team_ids[team], person.id, start.isoformat(), end))
        conn.executemany(
            "INSERT INTO memberships(team_id, person_id, valid_from, valid_to) VALUES (?, ?, ?, ?)", rows
        )
        # Budgets sized from the usage this org really has: the org a little above its pace, teams around theirs.
        usage_total = sum(r["amount_nano"] or 0 for r in self.cursor_rows if r["category"] == "overage")
        usage_total += sum(self.monthly_api.values())
        months = max(1, (self.today - self.first).days / 30.4)
        seats_month = sum(
            (CURSOR_SEAT if p.cursor_seat else 0)
            + {None: 0, "claude-team-standard": CLAUDE_STANDARD, "claude-team-premium": CLAUDE_PREMIUM}[p.claude_seat]
            + (CHATGPT_SEAT if p.chatgpt_seat else 0)
            for p in self.people
        )
        yearly = (usage_total / NANO_PER_DOLLAR / months + seats_month) * 12 * 1.08
        conn.execute(
            "INSERT INTO budgets(kind, year, name, amount_nano, created_at) VALUES ('annual', ?, ?, ?, ?)",
            (self.today.year, f"{self.today.year} AI Budget", dollars_to_nano(round(yearly, -3)), now),
        )
        for name, share, _coding, multiplier in TEAMS:
            monthly = round(yearly / 12 * share * 0.8 * multiplier, -2)
            conn.execute(
                "INSERT INTO budgets(team_id, kind, effective_from, amount_nano, created_at) VALUES (?, 'monthly', ?, ?, ?)",
                (team_ids[name], self.first.isoformat()[:7], dollars_to_nano(monthly), now),
            )

    def _seats(self, store: Store) -> None:
        rows = []
        for p in self.people:
            end = (p.left - timedelta(days=1)).isoformat() if p.left else None
            if p.cursor_seat:
                rows.append(("cursor", p.id, "cursor-teams", dollars_to_nano(CURSOR_SEAT), p.joined.isoformat(), end))
            if p.claude_seat:
                fee = CLAUDE_PREMIUM if p.claude_seat.endswith("premium") else CLAUDE_STANDARD
                start = max(p.joined, self.first + timedelta(days=40)).isoformat()  # Claude Team came later
                rows.append(("anthropic", p.id, p.claude_seat, dollars_to_nano(fee), start, end))
            if p.chatgpt_seat:
                rows.append(("openai", p.id, "chatgpt-business", dollars_to_nano(CHATGPT_SEAT), p.joined.isoformat(), end))
        store.conn.executemany(
            "INSERT INTO seats(provider, person_id, plan, monthly_fee_nano, active_from, active_to, source) "
            "VALUES (?, ?, ?, ?, ?, ?, 'demo')",
            rows,
        )
        # Accrue the seats: the fact writes below refresh only the days they touch.
        rollup.refresh(store, ["cursor", "anthropic", "openai"], self.first, self.today)

    def _accounts(self, store: Store) -> None:
        team_ids = {row[0]: row[1] for row in store.query("SELECT name, id FROM teams")}
        rows = [("anthropic", "workspace", a, label, team_ids.get(team)) for a, label, _, team in WORKSPACES]
        rows += [("openai", "project", a, label, team_ids.get(team)) for a, label, _, team in PROJECTS]
        now = utc_now()
        store.conn.executemany(
            "INSERT INTO accounts(provider, kind, external_id, label, team_id, first_seen, last_seen) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(*row, now, now) for row in rows],
        )

    def _invoices(self, store: Store, now: str) -> None:
        """Monthly seat invoices, Cursor on-demand invoices in arrears, API credit top-ups."""
        seat_counts = {  # (provider, plan, month) -> (seats, fees accrued, first day with a seat)
            (row[0], row[1], row[2]): (row[3], row[4], date.fromisoformat(row[5]))
            for row in store.query(
                """SELECT provider, model, substr(day, 1, 7), COUNT(DISTINCT subject), SUM(amount_nano), MIN(day)
                   FROM roll_day WHERE category = 'subscription' GROUP BY provider, model, substr(day, 1, 7)"""
            )
        }
        invoices: list[tuple] = []
        lines: list[tuple] = []
        sequence: dict[str, int] = defaultdict(int)
        prefixes = {"cursor": "C4T9PLQ2", "anthropic": "QZ7KD2RA", "openai": "8F3A21C9"}
        vendors = {"cursor": "Anysphere, Inc.", "anthropic": "Anthropic, PBC", "openai": "OpenAI, LLC"}

        def add(provider: str, issued: date, period: tuple[date, date], items: list[tuple]):
            """items: (text, quantity, unit price, class[, first day of a seat line's service])."""
            sequence[provider] += 1
            number = f"{prefixes[provider]}-{sequence[provider]:04d}"
            total = sum(qty * unit for _, qty, unit, *_ in items)
            invoices.append((provider, vendors[provider], "invoice", number, issued.isoformat(), issued.isoformat(),
                             period[0].isoformat(), period[1].isoformat(), "USD", total, total, total, now))  # fmt: skip
            for line_no, (text, qty, unit, cls, *start) in enumerate(items, start=1):
                line_period = (None, None)
                if cls == "fixed_subscription":
                    line_period = ((start or period)[0].isoformat(), period[1].isoformat())
                lines.append((number, provider, line_no, text, str(qty), unit, qty * unit, *line_period, cls))

        def seat_line(provider: str, plan: str, month: date) -> tuple:
            """A month's seats of a plan; seats that began during the month are billed from then, prorated."""
            seats, accrued, first = seat_counts[(provider, plan, month.isoformat()[:7])]
            if first == month:
                return plan_names[plan], seats, dollars_to_nano(fees[plan]), "fixed_subscription"
            return f"{plan_names[plan]} (prorated from {first:%b %d})", 1, accrued, "fixed_subscription", first

        plan_names = {"cursor-teams": "Cursor Teams", "claude-team-standard": "Claude Team - Standard seat",
                      "claude-team-premium": "Claude Team - Premium seat", "chatgpt-business": "ChatGPT Business"}  # fmt: skip
        fees = {"cursor-teams": CURSOR_SEAT, "claude-team-standard": CLAUDE_STANDARD,
                "claude-team-premium": CLAUDE_PREMIUM, "chatgpt-business": CHATGPT_SEAT}  # fmt: skip
        balance = {"anthropic": 0, "openai": 0}
        month = self.first
        while month <= self.today:
            key = month.isoformat()[:7]
            end = add_months(month, 1) - timedelta(days=1)
            for provider in ("cursor", "anthropic", "openai"):
                items = [seat_line(provider, plan, month) for plan in plan_names if (provider, plan, key) in seat_counts]
                if provider == "anthropic":
                    extra = sum(r["amount_nano"] for r in self.claude_ai if r["period_from"][:7] == key)
                    if extra:
                        items.append(("Extra usage credits", 1, extra, "pool_topup"))
                if items:
                    add(provider, month, (month, end), items)
            previous = add_months(month, -1).isoformat()[:7]
            if self.monthly_on_demand.get(previous):
                add("cursor", month, (add_months(month, -1), month - timedelta(days=1)),
                    [(f"Cursor Usage for {add_months(month, -1):%B %Y}", 1, self.monthly_on_demand[previous], "other")])  # fmt: skip
            for provider in ("anthropic", "openai"):
                balance[provider] -= self.monthly_api.get((provider, key), 0)
                topups = 0
                while balance[provider] < 0:
                    balance[provider] += dollars_to_nano(2500)
                    topups += 1
                if topups:
                    text = "Auto-recharge credits" if provider == "anthropic" else "API credit purchase"
                    add(provider, min(end, self.today), (month, end), [(text, topups, dollars_to_nano(2500), "pool_topup")])
            month = add_months(month, 1)
        conn = store.conn
        conn.executemany(
            """INSERT INTO invoices(provider, vendor, kind, invoice_number, issued_on, due_on, period_from, period_to,
                                    currency, subtotal_nano, total_nano, amount_due_nano, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            invoices,
        )
        ids = {(row[0], row[1]): row[2] for row in store.query("SELECT invoice_number, provider, id FROM invoices")}
        conn.executemany(
            """INSERT INTO invoice_lines(invoice_id, line_no, description, quantity, unit_price_nano, amount_nano,
                                         period_from, period_to, class) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [(ids[(number, provider)], *rest) for number, provider, *rest in lines],
        )

    def _sync_history(self, store: Store) -> None:
        """A day of hourly scheduled syncs, so the Sync view shows what a running bastion looks like."""
        rng = self.rng
        rows = []
        end = datetime(self.today.year, self.today.month, self.today.day, 8, 5, tzinfo=timezone.utc)
        for hours_ago in range(24, 0, -1):
            started = end - timedelta(hours=hours_ago)
            for provider in ("cursor", "anthropic", "openai"):
                failed = provider == "cursor" and hours_ago == 9
                duration = rng.randint(900, 4200) if provider == "cursor" else rng.randint(300, 1500)
                rows.append((
                    provider, "scheduled", started.isoformat(timespec="seconds"),
                    (started + timedelta(milliseconds=duration)).isoformat(timespec="seconds"),
                    "failed" if failed else "ok",
                    (started - timedelta(hours=48)).isoformat(timespec="seconds"), started.isoformat(timespec="seconds"),
                    0 if failed else (rng.randint(400, 1600) if provider == "cursor" else 0),
                    0 if failed else rng.randint(20, 200), 0 if failed else rng.randint(len(self.people) // 3, len(self.people)),
                    duration,
                    "429 Too Many Requests after 5 retries (Retry-After: 60)" if failed else None,
                ))  # fmt: skip
        store.conn.executemany(
            """INSERT INTO sync_runs(provider, trigger, started_at, finished_at, status, window_from, window_to,
                                     events, records, users, duration_ms, error)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows,
        )


DATA_TABLES = (
    "invoice_lines", "invoices", "alerts", "budgets", "cursor_spend_snapshots", "roll_day", "roll_month",
    "roll_org_day", "roll_quarter", "roll_year", "roll_subject", "roll_source_day", "usage_facts", "period_amounts", "seats", "memberships",
    "accounts", "person_aliases",
    "teams", "people", "imports", "sync_runs", "sync_state",
)  # fmt: skip


def clear(store: Store) -> None:
    """Remove every row of data (the schema and settings stay): what `demo --force` starts from."""
    with store.transaction() as conn:
        for table in DATA_TABLES:
            conn.execute(f"DELETE FROM {table}")
        conn.execute("DELETE FROM meta WHERE key LIKE 'rollup.%' OR key = 'demo'")


def generate(
    store: Store,
    *,
    today: date,
    seed: int = 42,
    users: int = 150,
    months: int = 14,
    timezone: str = "UTC",
    seat_prices: dict[str, int] | None = None,
) -> DemoSummary:
    """Write the demo org into an empty store (rollups built for the given settings)."""
    rollup.configure(store, timezone, seat_prices or {}, today)
    builder = DemoBuilder(seed, users, months, today)
    builder.make_people()
    builder.cursor_usage()
    builder.anthropic_usage_rows()
    builder.openai_usage_rows()
    return builder.write(store)
