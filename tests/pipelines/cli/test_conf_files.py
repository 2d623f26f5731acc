import pytest
import yaml

from parcours.paths import conf_dir
from parcours.settings import ConfigError, Settings, load_settings
from parcours_pipelines.cli.conf_files import render_section, show_settings, write_conf


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_the_committed_conf_file_is_generated_from_the_models(name: str) -> None:
    path = conf_dir() / f"{name}.yaml"
    assert path.read_text() == render_section(name, yaml.safe_load(path.read_text()) or {}), (
        f"{path} drifted from the settings models: run `parcours config init`")


def test_every_default_is_written_commented_out(tmp_path) -> None:
    write_conf(tmp_path)
    assert all(not (yaml.safe_load(p.read_text()) or {}) for p in tmp_path.glob("*.yaml"))
    text = (tmp_path / "ingest.yaml").read_text()
    assert all(f"\n# {key}:" in text for key in Settings.model_fields["ingest"].annotation.model_fields)


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_each_default_as_written_reads_back_as_the_default(name: str) -> None:
    defaults = getattr(Settings(), name).model_dump()
    written = yaml.safe_load(render_section(name, defaults))
    assert Settings.model_validate({name: written}) == Settings()


def test_rewriting_keeps_a_folders_overrides(tmp_path) -> None:
    (tmp_path / "value.yaml").write_text("horizon_months: 3\npurchase_activities: [purchase]\n")
    write_conf(tmp_path)
    settings = load_settings(tmp_path)
    assert settings.value.horizon_months == 3 and settings.value.purchase_activities == ["purchase"]
    assert "\nhorizon_months: 3\n" in (tmp_path / "value.yaml").read_text()
    assert "\n# time_unit: W\n" in (tmp_path / "value.yaml").read_text()


def test_a_folder_with_invalid_settings_is_not_rewritten(tmp_path) -> None:
    (tmp_path / "value.yaml").write_text("horizon_month: 3\n")
    with pytest.raises(ConfigError, match="horizon_month"):
        write_conf(tmp_path)
    assert (tmp_path / "value.yaml").read_text() == "horizon_month: 3\n"


def test_the_settings_shown_are_yaml_of_the_settings_in_effect() -> None:
    shown = show_settings(Settings(), [{"setting": "value.horizon_months", "value": 3, "reason": "a third of the span"}])
    assert "  horizon_months: auto  # auto: a third of the span" in shown
    assert "  outcome: auto  # auto: resolved from the log's profile" in shown
    assert "  format: auto\n" in shown  # read from the file's extension, not from the profile
    assert yaml.safe_load(shown)["ingest"]["columns"]["customer_id"] == "customer_id"


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_the_committed_conf_repeats_no_default(name: str) -> None:
    """A key set to its default would be a second copy of it: the defaults live in the models only."""
    written = yaml.safe_load((conf_dir() / f"{name}.yaml").read_text()) or {}
    defaults = getattr(Settings(), name).model_dump()
    section = getattr(load_settings(conf_dir()), name).model_dump()
    assert [key for key in written if section[key] == defaults[key]] == []
