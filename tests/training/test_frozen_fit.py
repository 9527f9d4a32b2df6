"""A model with nothing to train still fits (Keras runs the epochs and reports the loss; weights stay)."""
import numpy as np
import pytest

import gradkit as gk
from gradkit import layers as L


@pytest.mark.parametrize("jit", [False, "auto"])
def test_fit_of_a_frozen_model_reports_the_loss_and_keeps_the_weights(jit):
    model = gk.Sequential([L.Input((3,)), L.Dense(2), L.Dense(1)])
    model.trainable = False
    model.compile(optimizer="sgd", loss="mse", jit_compile=jit)
    before = model.get_weights()
    x, y = np.ones((8, 3), "float32"), np.ones(8, "float32")
    history = model.fit(x, y, epochs=2, verbose=0)
    expected = float(np.mean((model.predict(x, verbose=0)[:, 0] - y) ** 2))
    assert history.history["loss"] == pytest.approx([expected, expected], rel=1e-6)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
