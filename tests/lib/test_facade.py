import importlib
import subprocess
import sys

import pytest

from parcours.facade import lazy_facade
from tests.test_architecture import STAGES


@pytest.mark.parametrize("stage", STAGES)
def test_every_name_a_stage_facade_lists_resolves(stage: str) -> None:
    package = importlib.import_module(f"parcours.{stage}")
    missing = [name for name in package.__all__ if not hasattr(package, name)]
    assert package.__all__ and missing == []


def test_an_unknown_name_is_an_attribute_error() -> None:
    _, getattr_, _ = lazy_facade("parcours.value")
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        getattr_("no_such_name")


@pytest.mark.slow
def test_the_facade_imports_a_name_only_when_it_is_used() -> None:
    code = ("import sys\nimport parcours.value as value\nbefore = 'pymc_marketing' in sys.modules\n"
            "value.estimate_customer_value\nprint(before, 'pymc_marketing' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split() == ["False", "True"], done.stderr
