"""BatchNormalization: training vs inference, moving statistics, gradients, axis."""
import numpy as np

from gradkit import layers
from gradkit.gradcheck import gradcheck

R = np.random.default_rng(5)


def test_defaults_and_weights():
    bn = layers.BatchNormalization()
    bn(np.zeros((2, 3), np.float32))
    assert (bn.momentum, bn.epsilon) == (0.99, 1e-3)
    assert [w.name.split("/")[1] for w in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert len(bn.trainable_weights) == 2 and len(bn.non_trainable_weights) == 2


def test_training_normalizes_and_updates_moving_stats(float64):
    bn = layers.BatchNormalization(momentum=0.9)
    x = R.standard_normal((50, 3)) * 4 + 2
    y = bn(x, training=True).data
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(y.std(0), np.sqrt(x.var(0) / (x.var(0) + 1e-3)), rtol=1e-10)
    np.testing.assert_allclose(bn.moving_mean.data, 0.1 * x.mean(0))
    np.testing.assert_allclose(bn.moving_variance.data, 0.9 + 0.1 * x.var(0))
    before = bn.moving_mean.data.copy()
    out = bn(x, training=False).data  # inference: moving stats used, not updated
    np.testing.assert_array_equal(bn.moving_mean.data, before)
    np.testing.assert_allclose(out, (x - before) / np.sqrt(bn.moving_variance.data + 1e-3))


def test_gradcheck(float64):
    for training in (True, False):
        bn = layers.BatchNormalization(gamma_initializer="random_normal", beta_initializer="random_normal")
        x = R.standard_normal((6, 4)) + 1
        bn(x)
        from gradkit import Tensor
        xt = Tensor(x, requires_grad=True)
        res = gradcheck(lambda x_, *_: bn(x_, training=training), [xt, *bn.trainable_weights])
        assert res.max_rel_error < 1e-6, res.worst


def test_other_axis_and_no_scale(float64):
    bn = layers.BatchNormalization(axis=1, center=False, scale=False)
    x = R.standard_normal((8, 2, 5))
    y = bn(x, training=True).data
    assert bn.moving_mean.shape == (2,) and len(bn.trainable_weights) == 0
    np.testing.assert_allclose(y.mean(axis=(0, 2)), 0, atol=1e-12)


def test_frozen_layer_runs_in_inference_mode(float64):
    bn = layers.BatchNormalization(trainable=False)
    x = R.standard_normal((4, 2)) + 3
    y = bn(x, training=True).data
    np.testing.assert_array_equal(bn.moving_mean.data, 0)
    np.testing.assert_allclose(y, x / np.sqrt(1 + 1e-3))
