"""Models: `Model` (subclass it) and `Sequential`."""

from kerasish.models.model import Model
from kerasish.models.sequential import Sequential

__all__ = ["Model", "Sequential"]
