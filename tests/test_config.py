"""Settings precedence and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from sensorhub.config import Settings, ensure_data_dir, load_settings
from sensorhub.errors import ConfigError


def test_defaults_are_the_embedded_ones() -> None:
    settings = load_settings(environ={})
    assert (settings.host, settings.port) == ("0.0.0.0", 5000)
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("/data/sensorhub.db")
    assert settings.model is None


def test_file_then_environment_then_flags_take_priority(tmp_path: Path) -> None:
    config = tmp_path / "sensorhub.toml"
    config.write_text('port = 6000\nlog-level = "warning"\ndata_dir = "/srv/hub"\n')
    environ = {"SENSORHUB_PORT": "7000", "SENSORHUB_CORS_ORIGINS": "http://a, http://b"}

    settings = load_settings({"port": 8000, "host": None}, environ=environ, config_file=config)

    assert settings.port == 8000
    assert settings.log_level == "warning"
    assert settings.data_dir == Path("/srv/hub")
    assert settings.cors_origins == ("http://a", "http://b")
    assert settings.host == "0.0.0.0"


def test_empty_environment_variable_counts_as_unset() -> None:
    settings = load_settings(environ={"SENSORHUB_MODEL": "", "SENSORHUB_PORT": ""})
    assert (settings.model, settings.port) == (None, 5000)


def test_config_file_can_come_from_environment(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text("port = 6001\n")
    assert load_settings(environ={"SENSORHUB_CONFIG": str(config)}).port == 6001


@pytest.mark.parametrize(
    ("environ", "names"),
    [
        ({"SENSORHUB_PORT": "high"}, "'port'"),
        ({"SENSORHUB_PORT": "70000"}, "'port'"),
        ({"SENSORHUB_LOG_LEVEL": "loud"}, "'log_level'"),
        ({"SENSORHUB_RATE_LIMIT_PER_S": "-1"}, "'rate_limit_per_s'"),
    ],
)
def test_bad_setting_is_one_line_naming_it(environ: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ=environ)
    assert names in caught.value.message
    assert "\n" not in caught.value.message


def test_unreadable_or_invalid_config_file_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings(environ={}, config_file=tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("port = = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(environ={}, config_file=broken)


def test_unknown_config_key_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "typo.toml"
    config.write_text("prot = 1\n")
    with pytest.raises(ConfigError, match="'prot'"):
        load_settings(environ={}, config_file=config)


def test_ensure_data_dir_creates_test_data(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "new")
    ensure_data_dir(settings)
    assert (tmp_path / "new" / "test_data").is_dir()


def test_data_dir_that_is_a_file_is_config_error(tmp_path: Path) -> None:
    occupied = tmp_path / "occupied"
    occupied.write_text("")
    with pytest.raises(ConfigError, match="not writable"):
        ensure_data_dir(Settings(data_dir=occupied))


def test_api_token_is_never_shown_and_a_short_one_is_refused() -> None:
    secret = "a-secret-api-token-value"
    settings = load_settings({"api_token": secret}, environ={})
    assert settings.api_token is not None and settings.api_token.get_secret_value() == secret
    assert secret not in repr(settings) and secret not in str(settings.model_dump())
    with pytest.raises(ConfigError, match="'api_token': .*at least 16 characters") as refused:
        load_settings({"api_token": "short-secret"}, environ={})
    assert "short-secret" not in str(refused.value)
