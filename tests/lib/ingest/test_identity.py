import pandas as pd

from parcours.ingest import ingest_events
from parcours.ingest.identity import resolve_identities
from parcours.settings import IdentitySettings, IngestSettings
from tests.conftest import NOW


def test_identities_join_transitively_and_leave_the_unlinked_alone() -> None:
    links = pd.DataFrame({"identifier": ["a", "a", "b", "b", "z"], "customer": ["C3", "C5", "C5", "C4", "C9"]})
    mapping = resolve_identities(links).mapping.set_index("identifier").customer_id.to_dict()
    assert {mapping[k] for k in ("a", "b", "C3", "C4", "C5")} == {"C3"} and mapping["z"] == mapping["C9"] == "C9"


def test_a_shared_device_merges_two_customer_accounts_into_the_smallest_id() -> None:
    links = pd.DataFrame({"identifier": ["dev1", "dev1", "cookie9"], "customer": ["C2", "C1", "C2"]})
    mapping = resolve_identities(links).mapping.set_index("identifier").customer_id.to_dict()
    assert mapping == {"dev1": "C1", "cookie9": "C1", "C2": "C1", "C1": "C1"}


def test_stitching_rewrites_device_events_and_reports_merges(con, write_csv, tmp_path) -> None:
    (tmp_path / "ids.csv").write_text("device,customer\ndev1,C1\ndev2,C1\ndev3,C3\n")
    path = write_csv(["dev1,2024-06-01T10:00:00Z,view,web,", "C1,2024-06-01T11:00:00Z,order,store,5",
                      "dev2,2024-06-02T10:00:00Z,view,app,", "dev9,2024-06-02T10:00:00Z,view,app,"])
    identity = IdentitySettings(path=str(tmp_path / "ids.csv"), identifier_column="device", customer_column="customer")
    result = ingest_events(con, IngestSettings(identity=identity), path, now=NOW)
    assert sorted(result.events.to_pandas().customer_id) == ["C1", "C1", "C1", "dev9"]
    assert result.summary.identities == {"links": 3, "people": 2, "merged_identities": 2, "events_restitched": 2}


def test_stitched_events_that_become_identical_are_duplicates(con, write_csv, tmp_path) -> None:
    (tmp_path / "ids.csv").write_text("identifier,customer_id\ncookie,C1\n")
    path = write_csv(["cookie,2024-06-01T10:00:00Z,view,web,", "C1,2024-06-01T10:00:00Z,view,web,"])
    result = ingest_events(con, IngestSettings(identity=IdentitySettings(path=str(tmp_path / "ids.csv"))), path, now=NOW)
    assert (result.summary.clean, result.summary.duplicates) == (1, 1)
