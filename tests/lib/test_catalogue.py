from pathlib import Path

from parcours.catalogue import OUTPUTS, README_END, README_START, column_descriptions, readme_table, rewrite_readme

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_table_is_the_one_the_catalogue_generates() -> None:
    text = README.read_text(encoding="utf-8")
    block = text[text.index(README_START) + len(README_START):text.index(README_END)]
    assert block.strip() == readme_table(), "run: python -m parcours.catalogue --readme README.md"


def test_every_table_column_has_a_description() -> None:
    missing = [(o.asset, c.name) for o in OUTPUTS for c in o.columns if not c.description]
    assert missing == []


def test_descriptions_read_as_plain_sentences() -> None:
    descriptions = [d for o in OUTPUTS for d in o.descriptions().values()]
    assert not [d for d in descriptions if "`" in d or not d.endswith(".")]


def test_a_column_without_a_sentence_takes_the_shared_one_then_its_note() -> None:
    assert column_descriptions("journey_assignments")["journey_id"] == "The discovered journey (-1: noise, in no journey)."
    assert column_descriptions("process_map")["target"] == "The token the edge reaches ([end] for an end edge)."
    assert column_descriptions("no_such_asset") == {}


def test_rewriting_the_readme_replaces_only_the_generated_block(tmp_path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{README_START}\nstale\n{README_END}\nafter\n", encoding="utf-8")
    assert rewrite_readme(readme) and not rewrite_readme(readme)
    assert readme.read_text(encoding="utf-8") == f"before\n{README_START}\n{readme_table()}\n{README_END}\nafter\n"
