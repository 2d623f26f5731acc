from pathlib import Path

import pytest

from parcours.paths import conf_dir
from parcours.settings import ConfigError, Settings, load_settings, parse_assignments


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


def test_an_unknown_key_from_the_command_line_is_named_with_the_nearest_known_one() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(conf_dir(), {"episodes.inactivty_gap_days": 3})
    assert str(caught.value) == ("invalid setting episodes.inactivty_gap_days=3 (from the command line): no such "
                                 "setting; did you mean episodes.inactivity_gap_days?")


def test_an_unknown_section_from_the_command_line_is_named_with_the_nearest_section() -> None:
    with pytest.raises(ConfigError, match=r"reprot\.title=x \(from the command line\): no such setting; did you mean "
                                          r"report\?"):
        load_settings(conf_dir(), {"reprot.title": "x"})


def test_an_unknown_key_in_a_file_names_the_file_and_the_nearest_key(tmp_path: Path) -> None:
    (tmp_path / "report.yaml").write_text("tittle: Weekly\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert str(caught.value) == (f"invalid setting report.tittle (in {tmp_path / 'report.yaml'}): no such setting; "
                                 "did you mean report.title?")


def test_a_bad_value_from_the_command_line_says_where_it_came_from() -> None:
    with pytest.raises(ConfigError, match=r"^invalid setting episodes\.inactivity_gap_days=soon \(from the command "
                                          r"line\): Input should be a valid number"):
        load_settings(conf_dir(), {"episodes.inactivity_gap_days": "soon"})


def test_an_unknown_key_far_from_every_setting_gets_no_guess() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(conf_dir(), {"episodes.zzz": 1})
    assert str(caught.value).endswith("no such setting")
