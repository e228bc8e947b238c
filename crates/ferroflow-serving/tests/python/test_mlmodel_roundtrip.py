"""Python-side check of ferroflow's MLmodel writer.

Runs the Rust fixture test with FERROFLOW_MLMODEL_WRITE_DIR so it rewrites every fixture
under crates/ferroflow-serving/tests/fixtures/, then checks that the official readers see
the same data in our rewrite as in the original:

- ``yaml.safe_load`` (what MLflow uses) returns equal Python objects, types included
  (``'on'`` stays a str, ``2024-01-01`` stays a date, ``1`` stays an int, NaN stays NaN);
- ``mlflow.models.Model.load(...).to_dict()`` is equal as well.

Run: ~/.cache/ferroflow/venv-mlflow-3.17.2/bin/python -m pytest crates/ferroflow-serving/tests/python
(needs ``cargo`` on PATH; the cargo build happens inside the first test).
"""

import math
import os
import subprocess
from pathlib import Path

import pytest
import yaml

CRATE = Path(__file__).resolve().parents[2]
FIXTURES = CRATE / "tests" / "fixtures"
NAMES = sorted(p.name for p in FIXTURES.iterdir() if (p / "MLmodel").is_file())


@pytest.fixture(scope="session")
def rewritten(tmp_path_factory):
    out = tmp_path_factory.mktemp("rewritten")
    subprocess.run(
        [
            "cargo",
            "test",
            "-p",
            "ferroflow-serving",
            "--test",
            "mlmodel_fixtures",
            "rewritten_files_for_python_check",
        ],
        cwd=CRATE,
        env={**os.environ, "FERROFLOW_MLMODEL_WRITE_DIR": str(out)},
        check=True,
        capture_output=True,
    )
    return out


def same(a, b):
    """Equality with exact types (True != 1, 1 != 1.0) and NaN == NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def test_fixtures_present():
    assert len(NAMES) >= 7


@pytest.mark.parametrize("name", NAMES)
def test_safe_load_sees_the_same_document(rewritten, name):
    original = yaml.safe_load((FIXTURES / name / "MLmodel").read_text())
    ours = yaml.safe_load((rewritten / name / "MLmodel").read_text())
    assert same(original, ours), f"{name}: safe_load differs"


@pytest.mark.parametrize("name", NAMES)
def test_mlflow_model_load_sees_the_same_model(rewritten, name):
    from mlflow.models import Model

    original = Model.load(str(FIXTURES / name / "MLmodel")).to_dict()
    ours = Model.load(str(rewritten / name / "MLmodel")).to_dict()
    assert same(original, ours), f"{name}: Model.load differs"
