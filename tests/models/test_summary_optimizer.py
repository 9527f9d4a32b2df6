"""summary() after fit shows Keras 3's "Optimizer params" line, and counts them in the total (Keras's numbers)."""
import numpy as np

import gradkit as keras


def _model(optimizer):
    m = keras.Sequential([keras.Input((13,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
    m.compile(optimizer=optimizer, loss="mse")
    return m


def test_optimizer_line_appears_once_the_optimizer_is_built():
    from gradkit.models.summary import summary_text
    m = _model("rmsprop")
    assert "Optimizer params" not in summary_text(m)
    m.fit(np.random.rand(32, 13), np.random.rand(32, 1), verbose=0)
    text = summary_text(m)
    # Keras 3.15 prints exactly these for this model (rmsprop: iterations + learning_rate + 61 velocities)
    assert " Total params: 124 (500.00 B)" in text
    assert text.endswith(" Optimizer params: 63 (256.00 B)")


def test_plain_sgd_has_only_iterations_and_learning_rate():
    from gradkit.models.summary import summary_text
    m = _model(keras.optimizers.SGD())
    m.fit(np.random.rand(8, 13), np.random.rand(8, 1), verbose=0)
    assert summary_text(m).endswith(" Total params: 63 (256.00 B)\n Trainable params: 61 (244.00 B)\n"
                                    " Non-trainable params: 0 (0.00 B)\n Optimizer params: 2 (12.00 B)")
