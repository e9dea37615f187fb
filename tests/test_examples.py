"""The README's main job: the digits example reaches >= 0.95 test accuracy, offline."""

import importlib.util
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "train_digits.py"


def test_digits_example_reaches_95_percent(capsys):
    spec = importlib.util.spec_from_file_location("train_digits", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    accuracy = module.main()
    out = capsys.readouterr().out
    assert accuracy >= 0.95
    assert "test accuracy" in out and "early stopping" in out
