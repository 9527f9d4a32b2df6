"""gradkit.ops as keras.ops: one module, NumPy-like, differentiable (gradchecked in float64), NumPy in, Tensors
out, constants for the ops without a gradient, a clear error for the ops gradkit does not provide."""
import numpy as np
import pytest

import gradkit
import gradkit as keras
from gradkit import Tensor, ops
from gradkit.errors import UnsupportedError
from gradkit.gradcheck import gradcheck

R = np.random.default_rng(7)


def T(a):
    return Tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


def check(f, *arrays):
    res = gradcheck(f, [T(a) for a in arrays])
    assert res.max_rel_error < 1e-6, res.worst


x34 = R.standard_normal((3, 4))
pos34 = R.uniform(0.5, 2.0, (3, 4))
UNARY = {
    "square": (ops.square, x34), "log1p": (ops.log1p, pos34), "expm1": (ops.expm1, x34),
    "sin": (ops.sin, x34), "cos": (ops.cos, x34), "tan": (ops.tan, x34 * 0.5), "sinh": (ops.sinh, x34),
    "cosh": (ops.cosh, x34), "log2": (ops.log2, pos34), "log10": (ops.log10, pos34),
    "reciprocal": (ops.reciprocal, pos34), "rsqrt": (ops.rsqrt, pos34),
    "min": (lambda a: ops.min(a, axis=1), x34), "prod": (lambda a: ops.prod(a, axis=0), x34),
    "prod_all": (ops.prod, pos34), "prod_keep": (lambda a: ops.prod(a, axis=1, keepdims=True), x34),
    "var": (lambda a: ops.var(a, axis=0), x34), "std": (lambda a: ops.std(a, axis=-1), x34),
    "logsumexp": (lambda a: ops.logsumexp(a, axis=1), x34), "logsumexp_all": (ops.logsumexp, x34),
    "cumsum": (lambda a: ops.cumsum(a, axis=1), x34), "cumsum_flat": (ops.cumsum, x34),
    "norm": (lambda a: ops.norm(a, axis=1), x34), "normalize": (ops.normalize, x34),
    "tile": (lambda a: ops.tile(a, (2, 3)), x34), "repeat": (lambda a: ops.repeat(a, 2, axis=1), x34),
    "repeat_flat": (lambda a: ops.repeat(a, 3), x34), "pad": (lambda a: ops.pad(a, ((1, 2), (0, 1))), x34),
    "flip": (lambda a: ops.flip(a, 1), x34), "swapaxes": (lambda a: ops.swapaxes(a, 0, 1), x34),
    "moveaxis": (lambda a: ops.moveaxis(ops.reshape(a, (3, 2, 2)), 0, -1), x34),
    "broadcast_to": (lambda a: ops.broadcast_to(a[0], (5, 4)), x34),
    "take": (lambda a: ops.take(a, np.array([2, 0, 2]), axis=1), x34),
    "take_along_axis": (lambda a: ops.take_along_axis(a, np.array([[0, 0], [3, 1], [2, 2]]), axis=1), x34),
    "sort": (lambda a: ops.sort(a, axis=1), x34), "top_k": (lambda a: ops.top_k(a, 2)[0], x34),
    "split": (lambda a: ops.split(a, 2, axis=1)[1], x34), "tril": (ops.tril, x34), "triu": (lambda a: ops.triu(a, 1), x34),
    "outer": (lambda a: ops.outer(a[0], a[1]), x34), "tensordot": (lambda a: ops.tensordot(a, a, axes=([0], [0])), x34),
    "softsign": (ops.softsign, x34), "selu": (ops.selu, x34), "silu": (ops.silu, x34), "gelu": (ops.gelu, x34),
    "relu6": (lambda a: ops.relu6(a * 5), x34), "hard_sigmoid": (lambda a: ops.hard_sigmoid(a * 2), x34),
    "log_sigmoid": (ops.log_sigmoid, x34), "softplus": (ops.softplus, x34),
    "average": (lambda a: ops.average(a, axis=1, weights=np.array([1.0, 2.0, 3.0, 4.0])), x34),
    "moments": (lambda a: ops.moments(a, axes=[0])[1], x34),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_differentiable_ops_gradcheck(float64, name):
    fn, a = UNARY[name]
    check(fn, a)


def test_crossentropy_ops_gradcheck_and_match_hand_values(float64):
    t = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    z = R.standard_normal((2, 3))
    check(lambda a: ops.categorical_crossentropy(t, a, from_logits=True), z)
    check(lambda a: ops.binary_crossentropy(t, a, from_logits=True), z)
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    want = -np.log(p[[0, 1], [1, 0]])
    np.testing.assert_allclose(ops.categorical_crossentropy(t, p).numpy(), want, rtol=1e-6)
    np.testing.assert_allclose(ops.sparse_categorical_crossentropy(np.array([1, 0]), z, from_logits=True).numpy(),
                               want, rtol=1e-6)


def test_values_equal_numpy(float64):
    a = R.standard_normal((3, 4))
    for name, want in [("square", a ** 2), ("sin", np.sin(a)), ("cumsum", np.cumsum(a)), ("var", a.var()),
                       ("std", a.std()), ("prod", a.prod()), ("logsumexp", np.log(np.exp(a).sum()))]:
        np.testing.assert_allclose(getattr(ops, name)(a).numpy(), want, rtol=1e-12, err_msg=name)
    np.testing.assert_allclose(ops.sort(a, axis=0).numpy(), np.sort(a, axis=0))
    np.testing.assert_allclose(ops.tensordot(a, a.T, axes=1).numpy(), a @ a.T)
    v, i = ops.top_k(a, 2)
    np.testing.assert_array_equal(i.numpy(), np.argsort(-a, axis=1, kind="stable")[:, :2])


def test_creation_and_constant_ops():
    assert ops.ones((2, 3)).dtype == np.float32 and ops.zeros((2,)).numpy().tolist() == [0, 0]
    np.testing.assert_array_equal(ops.one_hot(np.array([0, 2, -1]), 3).numpy(), [[1, 0, 0], [0, 0, 1], [0, 0, 0]])
    np.testing.assert_array_equal(ops.multi_hot(np.array([[0, 2], [1, 1]]), 3).numpy(), [[1, 0, 1], [0, 1, 0]])
    am = ops.argmax(np.array([[1.0, 3.0, 2.0]]), axis=-1)
    assert isinstance(am, Tensor) and not am.requires_grad and am.numpy().tolist() == [1]
    g = ops.greater(T([1.0, -1.0]), 0.0)
    assert g.dtype == bool and not g.requires_grad
    assert ops.arange(3).numpy().tolist() == [0, 1, 2] and ops.eye(2).numpy().tolist() == [[1, 0], [0, 1]]
    assert ops.convert_to_tensor([1.0, 2.0]).dtype == np.float32 and ops.shape(np.zeros((2, 5))) == (2, 5)
    assert ops.stop_gradient(T([1.0])).requires_grad is False


def test_one_module_under_both_names():
    import gradkit.ops as imported
    assert imported is ops is gradkit.ops is keras.ops
    assert len(ops.__all__) >= 130
    for name in ["ones", "zeros", "square", "one_hot", "array", "convert_to_tensor", "matmul", "mean", "sum",
                 "max", "argmax", "where", "concatenate", "stack", "reshape", "transpose", "expand_dims",
                 "squeeze", "clip", "abs", "exp", "log", "sqrt", "relu", "sigmoid", "softmax", "tanh"]:
        assert name in ops.__all__, name


def test_an_op_gradkit_does_not_provide_says_so():
    with pytest.raises(UnsupportedError, match="gradkit.ops.einsum is not provided"):
        ops.einsum("ij->i", np.ones((2, 2)))
    with pytest.raises(AttributeError):  # hasattr keeps working
        ops.fft
    assert not hasattr(ops, "vectorized_map")


def test_ops_on_keras_tensors_build_graph_nodes():
    x = keras.Input((4,))
    h = keras.layers.Dense(4, kernel_initializer="ones")(x)
    residual = h
    h = keras.layers.Dense(4, kernel_initializer="ones")(h)
    h += residual
    h = ops.concatenate([h, ops.square(x)], axis=-1) * 0.5 - 1.0
    y = ops.mean(h, axis=-1, keepdims=True)
    assert y.shape == (None, 1)
    model = keras.Model(x, y)
    a = R.standard_normal((5, 4)).astype(np.float32)
    s = a.sum(1, keepdims=True)
    h1 = np.repeat(s, 4, 1)
    want = (np.concatenate([h1 * 4 + h1, a ** 2], 1) * 0.5 - 1.0).mean(1, keepdims=True)
    np.testing.assert_allclose(model.predict(a, verbose=0), want, rtol=1e-5)
    again = keras.Model.from_config(model.get_config())
    again.set_weights(model.get_weights())
    np.testing.assert_allclose(again.predict(a, verbose=0), want, rtol=1e-5)
