from pathlib import Path

import pytest

from parcours.config import ConfigError, Settings, load_settings, parse_assignments
from parcours.paths import conf_dir


def test_committed_conf_is_valid_and_equals_the_defaults() -> None:
    assert load_settings(conf_dir()) == Settings()


def test_override_reaches_a_nested_key() -> None:
    settings = load_settings(conf_dir(), {"ingest.columns.customer_id": "user"})
    assert settings.ingest.columns.customer_id == "user"


def test_unknown_key_in_a_file_fails(tmp_path: Path) -> None:
    (tmp_path / "episodes.yaml").write_text("inactivity_gap: 7\n")
    with pytest.raises(ConfigError, match="episodes.inactivity_gap"):
        load_settings(tmp_path)


def test_unknown_time_zone_fails() -> None:
    with pytest.raises(ConfigError, match="unknown time zone"):
        load_settings(conf_dir(), {"ingest.timezone": "Mars/Olympus"})


def test_a_file_that_is_not_a_mapping_fails(tmp_path: Path) -> None:
    (tmp_path / "ingest.yaml").write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_settings(tmp_path)


def test_missing_folder_fails(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope")


def test_assignments_are_read_as_yaml() -> None:
    assert parse_assignments(["episodes.inactivity_gap_days=7", "ingest.columns.channel="]) == {
        "episodes.inactivity_gap_days": 7, "ingest.columns.channel": None,
    }


@pytest.mark.parametrize("bad", ["timezone=UTC", "ingest.timezone"])
def test_assignment_without_section_or_value_fails(bad: str) -> None:
    with pytest.raises(ConfigError, match="section.key=value"):
        parse_assignments([bad])
