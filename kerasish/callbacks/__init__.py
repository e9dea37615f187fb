"""Callbacks: hooks into `fit`, `evaluate` and `predict` with Keras's names and order."""

from kerasish.callbacks.callback import Callback, CallbackList
from kerasish.callbacks.history import History
from kerasish.callbacks.progbar import ProgbarLogger

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger"]
