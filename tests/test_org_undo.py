from datetime import date

import pytest
from org_helpers import days, query, snapshot, spend

from spendtui import org
from spendtui.store import ReadOnlyError, open_store
from spendtui.store.facts import RANK_API, FactBatch, write_facts

TODAY = date(2026, 10, 20)


@pytest.fixture
def populated(store, tmp_path):
    """Two teams, people with spend at two vendors, an unattributed key, a seat and budgets."""
    spend(store, "anthropic", "alice@example.com", days("2026-09-25", "2026-10-10"), "10")
    spend(store, "openai", "a.smith@example.com", days("2026-10-05", "2026-10-06"), "2.50")
    spend(store, "anthropic", ("api_key", "apikey_01"), days("2026-10-01", "2026-10-04"), "1.25")
    query(store, TODAY.isoformat())
    org.create_team(store, "Platform")
    org.create_team(store, "Data")
    org.add_members(store, "Platform", ["alice@example.com", "bob@example.com"], today=TODAY, since="2026-09-01")
    org.add_members(store, "Data", ["a.smith@example.com"], today=TODAY, since="2026-10-01")
    org.put_seats(store, [org.SeatRow("cursor", "bob@example.com", "business", 40 * 10**9, date(2026, 9, 1), None)],
                  today=TODAY)  # fmt: skip
    org.set_annual_budget(store, 2026, "120000", name="2026 AI Budget")
    org.set_team_budget(store, "Platform", "5000", today=TODAY, effective_from="2026-09")
    (tmp_path / "teams.csv").write_text("team,email,since\nOps,carol@example.com,2026-10-01\nData,bob@example.com,\n")
    (tmp_path / "seats.csv").write_text(
        "provider,email,plan,monthly_fee,from,to\n"
        "cursor,bob@example.com,business,45.00,2026-09-01,2026-10-15\n"
        "anthropic,carol@example.com,team-premium,,2026-10-01,\n"
    )
    return store


EDITS = {
    "create team": lambda s, p: org.create_team(s, "Ops"),
    "rename team": lambda s, p: org.rename_team(s, "Platform", "Platform Eng"),
    "delete team": lambda s, p: org.delete_team(s, "Platform"),
    "add members": lambda s, p: org.add_members(s, "Data", ["alice@example.com", "dan@example.com"], today=TODAY),
    "backdate a member": lambda s, p: org.add_members(s, "Data", ["a.smith@example.com"], today=TODAY,
                                                      since="2026-08-01"),
    "remove members": lambda s, p: org.remove_members(s, "Platform", ["alice@example.com", "bob@example.com"],
                                                      today=TODAY, since="2026-10-05"),
    "move member": lambda s, p: org.move_member(s, "alice@example.com", "Data", today=TODAY, since="2026-10-05"),
    "import memberships": lambda s, p: org.import_memberships(s, p / "teams.csv", today=TODAY),
    "merge people": lambda s, p: org.merge_people(s, "alice@example.com", "a.smith@example.com", today=TODAY),
    "merge people the other way": lambda s, p: org.merge_people(s, "a.smith@example.com", "alice@example.com",
                                                                today=TODAY),
    "map account to a person": lambda s, p: org.map_account(s, "anthropic", "api_key", "apikey_01",
                                                            person="bob@example.com", today=TODAY),
    "map a new account to a new person": lambda s, p: org.map_account(s, "openai", "user", "user-9",
                                                                      person="erin@example.com", today=TODAY),
    "map account to a team": lambda s, p: org.map_account(s, "anthropic", "api_key", "apikey_01", team="Data",
                                                          today=TODAY),
    "import seats": lambda s, p: org.import_seats(s, p / "seats.csv", today=TODAY),
    "set annual budget": lambda s, p: org.set_annual_budget(s, 2027, "150000"),
    "replace annual budget": lambda s, p: org.set_annual_budget(s, 2026, "130000", name="Revised"),
    "set team budget": lambda s, p: org.set_team_budget(s, "Data", "2000", today=TODAY),
    "replace team budget": lambda s, p: org.set_team_budget(s, "Platform", "6000", today=TODAY),
}  # fmt: skip


@pytest.mark.parametrize("name", EDITS)
def test_undo_restores_the_store_exactly(populated, tmp_path, name):
    before = snapshot(populated)
    edit = EDITS[name](populated, tmp_path)
    assert edit.changed and snapshot(populated) != before
    edit.undo(populated)
    assert snapshot(populated) == before
    with pytest.raises(org.UndoConflict, match="already undone"):
        edit.undo(populated)


def test_the_log_undoes_newest_first_and_skips_edits_that_changed_nothing(populated):
    log = org.UndoLog()
    states = [snapshot(populated)]
    log.record(org.create_team(populated, "Ops"))
    states.append(snapshot(populated))
    log.record(org.add_members(populated, "Ops", ["alice@example.com"], today=TODAY))
    log.record(org.add_members(populated, "Ops", ["alice@example.com"], today=TODAY))  # already a member
    assert len(log) == 2
    assert log.descriptions() == ["Add alice@example.com to Ops from 2026-10-20", "Create team Ops"]
    assert log.undo(populated).description.startswith("Add alice")
    assert snapshot(populated) == states[1]
    log.undo(populated)
    assert snapshot(populated) == states[0] and log.undo(populated) is None


def test_undo_refuses_to_overwrite_what_changed_since(populated):
    log = org.UndoLog()
    log.record(org.create_team(populated, "Ops"))
    org.rename_team(populated, "Ops", "Operations")  # not in the log
    expected = r"cannot undo “Create team Ops”: the store changed since \(teams row \d+ is no longer as the edit left it\)"
    with pytest.raises(org.UndoConflict, match=expected):
        log.undo(populated)
    assert len(log) == 0
    assert [t.name for t in org.list_teams(populated, TODAY)] == ["Data", "Operations", "Platform"]


def test_undo_refuses_to_drop_a_team_that_something_now_uses(populated):
    edit = org.create_team(populated, "Ops")
    org.add_members(populated, "Ops", ["alice@example.com"], today=TODAY)
    with pytest.raises(org.UndoConflict, match=r"the store changed since \(teams row \d+ is used by rows added later\)"):
        edit.undo(populated)
    assert "Ops" in [t.name for t in org.list_teams(populated, TODAY)]


def test_undo_refuses_to_bring_back_a_row_whose_id_was_reused(populated):
    edit = org.delete_team(populated, "Data")  # the newest team: SQLite hands its id to the next one
    org.create_team(populated, "Ops")
    with pytest.raises(org.UndoConflict, match=r"teams row \d+ exists again"):
        edit.undo(populated)
    assert [t.name for t in org.list_teams(populated, TODAY)] == ["Ops", "Platform"]


def test_undo_of_a_merge_leaves_facts_a_sync_removed_since_removed(populated):
    edit = org.merge_people(populated, "alice@example.com", "a.smith@example.com", today=TODAY)
    # A sync re-reads 2026-10-05 and the vendor no longer reports that day's a.smith cost.
    write_facts(populated, FactBatch("openai", "openai.cost", "openai.test", RANK_API, [], day_buckets=True,
                                     replace_days=("2026-10-05", "2026-10-05")))  # fmt: skip
    edit.undo(populated)
    smith = populated.scalar("SELECT id FROM people WHERE email = 'a.smith@example.com'")
    assert [tuple(r) for r in populated.query("SELECT day, person_id FROM usage_facts WHERE provider = 'openai'")] == [
        ("2026-10-06", smith)
    ]
    assert populated.scalar("SELECT COUNT(*) FROM person_aliases") == 0


def test_undo_is_refused_on_a_read_only_store(populated, db_path):
    edit = org.create_team(populated, "Ops")
    with open_store(db_path, read_only=True) as reader:
        with pytest.raises(ReadOnlyError, match="cannot undo “Create team Ops”"):
            edit.undo(reader)
    assert not edit.undone


@pytest.mark.parametrize("name", EDITS)
def test_every_edit_is_refused_on_a_read_only_store(populated, db_path, tmp_path, name):
    before = snapshot(populated)
    with open_store(db_path, read_only=True) as reader:
        with pytest.raises(ReadOnlyError, match="cannot .* is open read-only"):
            EDITS[name](reader, tmp_path)
    assert snapshot(populated) == before
