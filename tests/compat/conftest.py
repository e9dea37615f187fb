"""tests/compat: the keras.io programs in `programs/` are scripts run by `test_keras_programs.py`, not test modules:
pytest (and its doctest collection) must not import them."""

collect_ignore_glob = ["programs/*.py"]
