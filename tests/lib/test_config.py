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


def test_assignments_are_typed_by_the_settings_not_read_as_yaml() -> None:
    assert parse_assignments(["episodes.inactivity_gap_days=null", "ingest.columns.channel=", "ingest.delimiter=,",
                              "ingest.path=data #1/x.csv", "ingest.time_format=%d/%m/%Y"]) == {
        "episodes.inactivity_gap_days": None, "ingest.columns.channel": None, "ingest.delimiter": ",",
        "ingest.path": "data #1/x.csv", "ingest.time_format": "%d/%m/%Y",
    }


@pytest.mark.parametrize(("assignment", "key", "expected"), [
    ("ingest.columns.channel=yes", ("ingest", "columns", "channel"), "yes"),
    ("ingest.path=*.csv", ("ingest", "path"), "*.csv"),
    ("episodes.inactivity_gap_days=14", ("episodes", "inactivity_gap_days"), 14.0),
    ("value.purchase_activities=order,web purchase", ("value", "purchase_activities"), ["order", "web purchase"]),
])
def test_a_typed_assignment_reaches_its_setting(assignment: str, key: tuple[str, ...], expected) -> None:
    node = load_settings(conf_dir(), parse_assignments([assignment]))
    for part in key:
        node = getattr(node, part)
    assert node == expected


def test_a_bad_list_value_is_a_one_line_config_error() -> None:
    with pytest.raises(ConfigError, match="not a valid list"):
        parse_assignments(["value.purchase_activities=[a, b"])


@pytest.mark.parametrize("bad", ["timezone=UTC", "ingest.timezone"])
def test_assignment_without_section_or_value_fails(bad: str) -> None:
    with pytest.raises(ConfigError, match="section.key=value"):
        parse_assignments([bad])
