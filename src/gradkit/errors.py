"""gradkit's exceptions: every user mistake raises one of these, in the user's words."""


class GradkitError(Exception):
    """Base class of all gradkit errors."""


class ShapeError(GradkitError, ValueError):
    """Shapes that do not fit: names the op or layer and both shapes."""


class DTypeError(GradkitError, TypeError):
    """A dtype that cannot do what was asked (e.g. an integer tensor requiring grad)."""


class GradientError(GradkitError, RuntimeError):
    """A backward pass that cannot run as asked."""


class BackendError(GradkitError, ImportError):
    """An array backend that is unknown or not installed."""


class GradcheckError(GradkitError, AssertionError):
    """Backprop and numerical gradients disagree beyond tolerance."""


class ConfigError(GradkitError, ValueError):
    """An unknown name or a bad argument value (lists the valid ones)."""


class ConfigTypeError(ConfigError, TypeError):
    """An argument of the wrong type (a string where a number is expected): a ConfigError and a TypeError."""


class PathError(GradkitError, OSError):
    """A file or folder given by the user that cannot be written or read as asked (names the user's path)."""


class JobsFailedError(GradkitError, RuntimeError):
    """Every job of a parallel run failed: carries the first failure's traceback (and the run as ``.run``)."""

    def __init__(self, message, run=None):
        super().__init__(message)
        self.run = run


class DataError(GradkitError, ValueError):
    """Input data that cannot be used as given (NaN, lengths, label format)."""


class TrainingError(GradkitError, RuntimeError):
    """Training that cannot go on (e.g. a loss that turned NaN or inf)."""


class UnsupportedError(GradkitError, AttributeError):
    """A Keras name gradkit does not provide (an op, an argument value): names it and what to use instead."""


class MissingDependencyError(GradkitError, ImportError):
    """An optional package a feature needs is not installed: names the feature and the gradkit extra to install."""


class SerializationError(GradkitError, NotImplementedError):
    """An object that cannot be saved as configured (a custom layer whose constructor arguments get_config cannot
    record): names the class and the arguments (a NotImplementedError, as Keras raises)."""


class InitError(GradkitError, AttributeError):
    """A Layer or Model subclass used although its ``__init__`` did not call ``super().__init__()``."""


class TrainingWarning(GradkitError, RuntimeWarning):
    """Training stopped by a loss that turned NaN or inf: says what went wrong first (a warning, as Keras's)."""


class OutOfRangeError(ShapeError, IndexError):
    """An index outside an axis (an IndexError too, so iterating a Tensor by index stops as Python expects)."""


class OutOfMemoryError(GradkitError, MemoryError):
    """An allocation that does not fit in memory: names what was being built (a layer's weight, a fit) and its size."""
