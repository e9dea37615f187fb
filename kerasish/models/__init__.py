"""Models: `Model` (functional, or subclass it), `Sequential`, and `load_model`."""

from kerasish.models.model import Model
from kerasish.models.sequential import Sequential
from kerasish.saving.model_file import load_model

__all__ = ["Model", "Sequential", "load_model"]
