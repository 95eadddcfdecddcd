"""The Teams tab: every team with its members and spend, one query for all teams."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from spendtui.analytics.query import Query, display_names
from spendtui.analytics.totals import Sums
from spendtui.money import format_plain
from spendtui.periods import Period


@dataclass
class TeamRow:
    team_id: int
    name: str
    members: int
    sums: Sums = field(default_factory=Sums)
    by_provider: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def as_json(self) -> dict:
        return {
            "team": self.name,
            "members": self.members,
            "spend": format_plain(self.sums.spend),
            "requests": self.sums.requests,
            "providers": {p: format_plain(v) for p, v in sorted(self.by_provider.items())},
        }


def teams(q: Query) -> list[tuple[int, str]]:
    return [(row[0], row[1]) for row in q.store.query("SELECT id, name FROM teams ORDER BY name COLLATE NOCASE")]


def spend_by_team(q: Query, period: Period, provider: str | None = None) -> list[TeamRow]:
    """Spend of each team's members in the period (effective-dated), optionally of one provider."""
    observed = q.observed(period)
    rows = {tid: TeamRow(tid, name, 0) for tid, name in teams(q)}
    on = min(period.end, q.today)
    counts = dict(
        q.store.query(
            """SELECT team_id, COUNT(DISTINCT person_id) FROM memberships
               WHERE valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) GROUP BY team_id""",
            (on.isoformat(), on.isoformat()),
        )
    )
    segments = []
    for tid in rows:
        rows[tid].members = counts.get(tid, 0)
        segments += [(tid, *seg) for seg in q.team_segments(tid, observed.start, observed.end)]
    if observed.start <= observed.end and segments:
        source, params = q.segment_rows(
            segments, ["provider", "category", "est", "amount_nano", "requests"], provider=provider
        )
        for tid, prov, category, amount, requests, estimated in q.store.query(
            f"""SELECT tag, provider, category, SUM(amount_nano), SUM(requests), MAX(est = 1 AND amount_nano != 0)
                FROM ({source}) WHERE est IN (0, 1) GROUP BY tag, provider, category""",
            params,
        ):
            row = rows[tid]
            row.sums.add(category, amount, requests, bool(estimated))
            if category in ("subscription", "overage", "api"):
                row.by_provider[prov] += amount
    return sorted(rows.values(), key=lambda r: (-r.sums.spend, r.name.lower()))


@dataclass
class MemberRow:
    """A person while in the team, or an API key, workspace or project mapped to it (no dates)."""

    email: str
    name: str | None
    since: str | None
    until: str | None
    seats: list[str]
    spend: int

    def as_json(self) -> dict:
        return {
            "email": self.email,
            "name": self.name,
            "since": self.since,
            "until": self.until,
            "seats": self.seats,
            "spend": format_plain(self.spend),
        }


def team_members(q: Query, team: str, period: Period, provider: str | None = None) -> list[MemberRow]:
    """Everyone who belonged to the team during the period, with their seats and spend while in it,
    and the accounts mapped to the team (their spend counts in the team's)."""
    team_id = q.team_id(team)
    observed = q.observed(period)
    spend: dict[int, int] = defaultdict(int)
    segments = [(None, *seg) for seg in q.team_segments(team_id, observed.start, observed.end)]
    if segments and observed.start <= observed.end:
        source, params = q.segment_rows(segments, ["subject", "category", "est", "amount_nano"], provider=provider)
        for subject, amount in q.store.query(
            f"""SELECT subject, SUM(amount_nano) FROM ({source})
                WHERE est IN (0, 1) AND category IN ('subscription', 'overage', 'api') GROUP BY subject""",
            params,
        ):
            spend[subject] += amount
    seats: dict[int, list[str]] = defaultdict(list)
    on = min(period.end, q.today).isoformat()
    for person, prov in q.store.query(
        "SELECT DISTINCT person_id, provider FROM seats WHERE active_from <= ? AND (active_to IS NULL OR active_to >= ?)",
        (on, on),
    ):
        seats[person].append(prov)
    members = q.store.query(
        """SELECT p.id, p.email, p.name, m.valid_from, m.valid_to FROM memberships m JOIN people p ON p.id = m.person_id
           WHERE m.team_id = ? AND m.valid_from <= ? AND (m.valid_to IS NULL OR m.valid_to > ?)
           ORDER BY p.email, m.valid_from""",
        (team_id, period.end.isoformat(), period.start.isoformat()),
    )
    rows, seen = [], set()
    for pid, email, name, since, until in members:
        rows.append(
            MemberRow(email, name, since, until, sorted(seats.get(pid, [])), spend.get(pid, 0) if pid not in seen else 0)
        )
        seen.add(pid)
    accounts = sorted({subject for _, subject, *_ in segments if subject < 0})
    labels, names = q.subject_labels(accounts), display_names(q.store, accounts)
    rows += [MemberRow(labels[a], names[a], None, None, [], spend.get(a, 0)) for a in accounts]
    return sorted(rows, key=lambda r: (-r.spend, r.email))

