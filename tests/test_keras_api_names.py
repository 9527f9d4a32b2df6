"""Every name Keras 3 exports either exists in gradkit or raises an UnsupportedError naming it (never a bare
AttributeError); a Keras-form train_step and Keras-only Input arguments get clear errors."""
import importlib

import numpy as np
import pytest

import gradkit
from gradkit.errors import ConfigError, UnsupportedError
from gradkit.keras_api import KERAS_NAMES


@pytest.mark.parametrize("namespace", sorted(KERAS_NAMES))
def test_each_keras_name_exists_or_is_refused_by_name(namespace):
    module = importlib.import_module(f"gradkit.{namespace}" if namespace else "gradkit")
    provided, refused = [], []
    for name in sorted(KERAS_NAMES[namespace]):
        try:
            getattr(module, name)
            provided.append(name)
        except UnsupportedError as e:
            assert f"keras.{namespace + '.' if namespace else ''}{name} is not provided by gradkit" in str(e)
            assert not hasattr(module, name)  # an AttributeError: hasattr and getattr(..., default) keep working
            refused.append(name)
    assert provided and len(provided) + len(refused) == len(KERAS_NAMES[namespace])
    with pytest.raises(AttributeError) as info:
        getattr(module, "no_such_keras_name")
    assert not isinstance(info.value, UnsupportedError)


def test_the_names_the_course_code_uses_are_provided():
    for path in ["layers.Dense", "layers.Conv2D", "layers.LSTM", "layers.Embedding", "layers.MaxPooling2D",
                 "optimizers.RMSprop", "losses.SparseCategoricalCrossentropy", "metrics.AUC",
                 "callbacks.EarlyStopping", "utils.to_categorical", "utils.np_utils", "datasets.imdb"]:
        ns, name = path.split(".")
        assert getattr(getattr(gradkit, ns), name) is not None, path


def test_keras_form_train_step_is_refused_with_gradkit_s_signature():
    class Custom(gradkit.Sequential):
        def train_step(self, data):
            return {"loss": 0.0}

    model = Custom([gradkit.Input((3,)), gradkit.layers.Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(ConfigError, match=r"train_step\(self, xs, ys, sample_weight=None\)"):
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), verbose=0)


@pytest.mark.parametrize("kwargs", [{"ragged": True}, {"optional": True}])
def test_input_ragged_or_optional_is_refused(kwargs):
    with pytest.raises(ConfigError, match="ragged and optional inputs are not supported"):
        gradkit.Input((3,), **kwargs)
