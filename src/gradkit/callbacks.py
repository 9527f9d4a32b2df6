"""Keras's callbacks under their Keras names: ``from gradkit.callbacks import EarlyStopping``."""
from .training.callbacks import (Callback, CSVLogger, EarlyStopping, LambdaCallback, LearningRateScheduler,
                                 ModelCheckpoint, ReduceLROnPlateau, TerminateOnNaN)
from .training.history import History
from .training.progress import ProgbarLogger
from .training.tensorboard import TensorBoard

__all__ = ["Callback", "History", "ProgbarLogger", "EarlyStopping", "ModelCheckpoint", "TerminateOnNaN",
           "LearningRateScheduler", "ReduceLROnPlateau", "CSVLogger", "LambdaCallback", "TensorBoard"]

from .keras_api import not_provided as _not_provided  # noqa: E402

__getattr__ = _not_provided("callbacks", __name__)
