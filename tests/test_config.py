"""A config file with a mistake stops every command with exit 2, naming the file and the key (cli.md)."""

import pytest
from org_helpers import cli

from spendtui.config import load_settings


@pytest.mark.parametrize("text, key, says", [
    ('tiemzone = "UTC"', "tiemzone", "is not a known setting"),
    ('timezone = "Mars/Base"', "timezone", "must be an IANA time zone name"),
    ("[providers.gemini]", "providers.gemini", "is not a provider"),
    ('[providers.cursor]\nseat_price = "-1"', "providers.cursor.seat_price", "must be a non-negative dollar amount"),
    ("[providers.openai]\nrequest_price = 1", "providers.openai.request_price", "is not a known setting"),
    ("[providers.anthropic]\nkey_command = []", "providers.anthropic.key_command", "must be a non-empty list"),
    ("[alerts]\nthresholds = [0]", "alerts.thresholds", "must be a list of positive whole percentages"),
    ('[alerts]\nwebhook_url = "ftp://x"', "alerts.webhook_url", "must be an http(s) URL"),
    ('[fx]\nEUR = "x"', "fx.EUR", "must be a positive decimal string"),
])  # fmt: skip
def test_a_bad_setting_exits_2_naming_the_file_and_the_key(store, db_path, tmp_path, text, key, says):
    config = tmp_path / "config.toml"
    config.write_text(text + "\n")
    code, out, err = cli("status", "--config", str(config), "--db", str(db_path))
    assert code == 2 and out == ""
    assert f"{config}: `{key}` {says}" in err


def test_a_file_that_is_not_toml_names_its_line(store, db_path, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('timezone = "UTC"\n[alerts\n')
    code, _, err = cli("status", "--config", str(config), "--db", str(db_path))
    assert code == 2 and str(config) in err and "line 2" in err


def test_good_settings_are_read_as_written(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('timezone = "Europe/Berlin"\n[providers.cursor]\nseat_price = "40.00"\n'
                      '[alerts]\nthresholds = [100, 50]\n[fx]\neur = "1.08"\n')  # fmt: skip
    settings = load_settings(config)
    assert settings.timezone == "Europe/Berlin" and settings.thresholds == (50, 100)
    assert settings.provider("cursor").seat_price_nano == 40 * 10**9 and str(settings.fx["EUR"]) == "1.08"
