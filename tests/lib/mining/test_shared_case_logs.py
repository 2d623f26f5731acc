"""On the public case logs, one journey instance per case and duplicates kept, the process map is pm4py's DFG."""

import pandas as pd
import pytest

from parcours.engine import connect
from parcours.ingest import ingest_events
from parcours.instances import journey_instances
from parcours.mining import directly_follows
from parcours.paths import conf_dir
from parcours.settings import load_settings, parse_assignments
from tests.conftest import SHARED_LOG_MAPPINGS, SHARED_LOGS, shared_log

pytestmark = pytest.mark.slow  # the shared third-party logs against pm4py


@pytest.mark.parametrize("name", ["running_example", "receipt", "bpic2013_incidents"])
def test_process_map_equals_pm4py_edge_by_edge(name: str) -> None:
    path = shared_log(name)
    settings = load_settings(conf_dir(), parse_assignments(
        [*SHARED_LOG_MAPPINGS[name], "ingest.duplicates=keep", "episodes.inactivity_gap_days=null"]))
    ingested = ingest_events(connect(), settings.ingest, path)
    instances = journey_instances(ingested.events, settings.episodes, has_channel=False)
    ours = directly_follows(instances).filter(lambda t: t.kind == "follows").select("source", "target", "count")
    ours = ours.to_pandas().sort_values(["source", "target"]).reset_index(drop=True)
    theirs = pd.read_csv(SHARED_LOGS / name / "dfg_pm4py.csv").sort_values(["source", "target"]).reset_index(drop=True)
    assert ingested.summary.duplicates == 0 and ingested.summary.duplicates_policy == "keep"
    pd.testing.assert_frame_equal(ours, theirs, check_dtype=False)
