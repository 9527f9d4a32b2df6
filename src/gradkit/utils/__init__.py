"""Utilities under Keras's names: seeding, to_categorical and pad_sequences (these two live in preprocessing),
PyDataset (alias Sequence: batches from Python code for fit), the datasets made from folders and arrays
(image_dataset_from_directory, text_dataset_from_directory, timeseries_dataset_from_array), image files
(load_img, img_to_array, array_to_img, save_img), plot_model, and ``utils.np_utils`` for Keras 2 code."""
import random as _random

import numpy as _np

from .. import backend as _backend
from ..errors import ConfigError
from ..preprocessing import pad_sequences, to_categorical  # noqa: F401  (keras.utils.* names)
from ..training.py_dataset import (PyDataset, Sequence, pack_x_y_sample_weight,  # noqa: F401  (keras.utils.*)
                                   unpack_x_y_sample_weight)
from ..saving import (CustomObjectScope, custom_object_scope, get_custom_objects,  # noqa: F401  (keras.utils.*)
                      get_registered_name, get_registered_object, register_keras_serializable)
from .image_dataset import image_dataset_from_directory  # noqa: F401
from .image_utils import array_to_img, img_to_array, load_img, save_img  # noqa: F401
from .text_dataset import text_dataset_from_directory  # noqa: F401
from .timeseries import timeseries_dataset_from_array  # noqa: F401


def set_random_seed(seed):
    """Seed everything, as Keras does: gradkit's Generator, NumPy's global generator and Python's ``random``
    (the courses build their data with np.random, so one seed repeats data and training bit for bit)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, _np.integer)):
        raise ConfigError(f"set_random_seed: seed must be an integer, got {seed!r} (of type {type(seed).__name__})")
    seed = int(seed)
    _random.seed(seed)
    _np.random.seed(seed)
    _backend.set_seed(seed)


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False, show_layer_names=True,
               rankdir="TB", expand_nested=False, dpi=200, show_layer_activations=False, show_trainable=False,
               **kwargs):
    """Draw the model's layer graph to an image file through pydot and Graphviz (the "graph" extra)."""
    from .plotting import plot_model as _plot
    return _plot(model, to_file, show_shapes=show_shapes, show_dtype=show_dtype, show_layer_names=show_layer_names,
                 rankdir=rankdir, expand_nested=expand_nested, dpi=dpi,
                 show_layer_activations=show_layer_activations, show_trainable=show_trainable, **kwargs)


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=200, show_layer_activations=False, show_trainable=False, **kwargs):
    """The model's layer graph as a ``pydot.Dot`` (the "graph" extra)."""
    from .plotting import model_to_dot as _dot
    return _dot(model, show_shapes=show_shapes, show_dtype=show_dtype, show_layer_names=show_layer_names,
                rankdir=rankdir, expand_nested=expand_nested, dpi=dpi,
                show_layer_activations=show_layer_activations, show_trainable=show_trainable, **kwargs)


def __getattr__(name):
    if name == "np_utils":  # Keras 2's keras.utils.np_utils, loaded on first use
        import importlib
        return importlib.import_module(".np_utils", __name__)
    from ..keras_api import not_provided
    return not_provided("utils", __name__)(name)
