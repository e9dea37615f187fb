"""Models: `Model` (functional, or subclass it), `Sequential`, and `load_model`."""

from kerasish.models.cloning import clone_model, model_from_json
from kerasish.models.model import Model
from kerasish.models.sequential import Sequential
from kerasish.saving.model_file import load_model

__all__ = ["Model", "Sequential", "clone_model", "load_model", "model_from_json"]
