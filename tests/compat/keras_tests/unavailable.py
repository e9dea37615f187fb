"""Stand-ins for the modules Keras's tests import that kerasish's test environment does not have.

A ported test file imports `tensorflow`, `tf_data` (TensorFlow's `data` module) or `grain` from here instead
of the real module, so the file loads; a test that uses one fails with `ModuleNotFoundError` naming it, and
is marked `xfail(strict=True, reason="needs TensorFlow")` (or grain) in the port.
"""

from __future__ import annotations

from typing import Any


class Unavailable:
    """A module that is not installed: any use raises ModuleNotFoundError naming it."""

    def __init__(self, name: str) -> None:
        self._name = name

    def _fail(self) -> ModuleNotFoundError:
        return ModuleNotFoundError(f"{self._name} is not installed in kerasish's test environment (the ported Keras "
                                   f"test needs it).")

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        raise self._fail()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise self._fail()


tensorflow = Unavailable("tensorflow")
tf_data = Unavailable("tensorflow.data")
grain = Unavailable("grain")


#: Keras's `backend_utils` converts TensorFlow tensors; without TensorFlow there are none to convert.
tensorflow_backend_utils = Unavailable("tensorflow (keras.src.utils.backend_utils)")
