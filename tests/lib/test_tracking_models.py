import subprocess
import sys

import mlflow
import pandas as pd
import pytest

from parcours import tracking
from parcours.journeys import discover_journeys
from parcours.settings import JourneySettings
from parcours.tracking.models import JOURNEY_CLASSIFIER, load_journey_classifier, register_journey_classifier
from tests.lib.journeys.conftest import variants_table

pytestmark = pytest.mark.slow  # an MLflow store per test, and a fresh process


def _discovery():
    rows = [(f"view@web → order@web{' → view@web' * i}", 100 - i) for i in range(12)]
    rows += [(f"visit@store → order@store{' → visit@store' * i}", 90 - i) for i in range(12)]
    rows += [(f"open@email → click@email{' → open@email' * i}", 80 - i) for i in range(12)]
    return discover_journeys(variants_table(rows), JourneySettings(bootstrap_rounds=0, min_cluster_floor=10))


def test_classifier_is_registered_with_the_candidate_alias_and_predicts(tmp_mlflow) -> None:
    discovery = _discovery()
    with tracking.pipeline_run("run-classifier") as run:
        version = register_journey_classifier(discovery.classifier, discovery.journeys, {"min_samples": 10},
                                              discovery.quality)
    alias = mlflow.MlflowClient().get_model_version_by_alias(JOURNEY_CLASSIFIER, "candidate")
    assert str(alias.version) == version and alias.run_id == run.info.run_id
    model = load_journey_classifier()
    tokens = discovery.variants.variant.iloc[0].split(" → ")
    result = model.predict(pd.DataFrame({"tokens": [tokens, tokens]}))
    expected = discovery.variants.journey_id.iloc[0]
    assert result.journey_id.tolist() == [expected, expected] and list(result.columns) == ["journey_id", "probability"]
    logged = mlflow.get_run(run.info.run_id)
    assert logged.data.params["journeys.min_samples"] == "10" and "journeys.noise_share" in logged.data.metrics


def test_classifier_loads_in_a_process_without_dagster(tmp_mlflow) -> None:
    discovery = _discovery()
    with tracking.pipeline_run("run-classifier-2"):
        register_journey_classifier(discovery.classifier, discovery.journeys, {}, {})
    code = (f"import sys, mlflow, pandas as pd; mlflow.set_tracking_uri({tmp_mlflow!r});"
            "m = mlflow.pyfunc.load_model('models:/parcours-journey-classifier@candidate');"
            "print(int(m.predict(pd.DataFrame({'tokens': [['view@web', 'order@web']]})).journey_id[0]));"
            "assert 'dagster' not in sys.modules")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.strip().splitlines()[-1]) == discovery.variants.set_index("variant").journey_id[
        "view@web → order@web"]


def test_the_classifier_version_says_what_it_does_and_carries_its_quality(tmp_mlflow) -> None:
    discovery = _discovery()
    with tracking.pipeline_run("run-described"):
        version = register_journey_classifier(discovery.classifier, discovery.journeys, {}, discovery.quality)
    registered = mlflow.MlflowClient().get_model_version(JOURNEY_CLASSIFIER, version)
    journeys = int(discovery.quality["journeys"])
    assert registered.description.startswith(f"Assigns a path of activity@channel tokens to one of {journeys} ")
    assert registered.tags["journeys"] == str(journeys)
    assert float(registered.tags["noise_share"]) == pytest.approx(discovery.quality["noise_share"], rel=1e-3)
