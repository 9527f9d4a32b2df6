"""The mnist-cnn workload: one epoch of keras.io's "Simple MNIST convnet" (54,000 images, batch 128, Adam),
for gradkit, PyTorch and Keras from the same initial weights, scored by the same NumPy forward pass.

Kept in its own module: ``workloads.WORKLOADS`` lists it, and the worker hands a workload with ``module`` set
to that module's ``load_data``, ``initial_weights``, ``setup`` and ``evaluate``.
"""
import numpy as np

from .workloads import Workload, register

WORKLOAD = Workload("mnist-cnn", "keras.io convnet: Conv32-pool-Conv64-pool-Dropout-Dense10, Adam, batch 128, "
                    "one epoch of 54,000 images", "mnist-images", (), "categorical_crossentropy", "adam", 1e-3, 128, 1,
                    module="convnet")
register(WORKLOAD)
FRAMEWORKS = ("gradkit", "gradkit-eager", "torch", "keras")
SHAPES = [(3, 3, 1, 32), (32,), (3, 3, 32, 64), (64,), (1600, 10), (10,)]  # Keras layouts


def load_data(w, seed=0):
    """The first 54,000 MNIST training images (keras.io's fit keeps 10 % for validation) as (N, 28, 28, 1) float32."""
    from gradkit.datasets import mnist
    from gradkit.errors import GradkitError
    try:
        (xtr, ytr), (xte, yte) = mnist.load_data()
        source = "MNIST (first 54,000 training images)"
    except GradkitError:
        rng = np.random.default_rng(seed)
        xtr, ytr = rng.integers(0, 256, (54000, 28, 28)), rng.integers(0, 10, 54000)
        xte, yte = rng.integers(0, 256, (10000, 28, 28)), rng.integers(0, 10, 10000)
        source = "synthetic MNIST-shaped noise (no mnist.npz found): accuracy stays at chance"
    n = w.samples or 54000
    eye = np.eye(10, dtype=np.float32)
    img = (lambda x: (x[..., None] / 255.0).astype(np.float32))
    return {"x": img(xtr[:n]), "y": eye[ytr[:n]], "x_test": img(xte), "y_test": eye[yte], "source": source}


def initial_weights(w, seed=0):
    """Glorot-uniform kernels (fans include the receptive field, as Keras) and zero biases, Keras layouts."""
    rng = np.random.default_rng(seed)
    out = []
    for shape in SHAPES:
        if len(shape) == 1:
            out.append(np.zeros(shape, np.float32))
            continue
        field = int(np.prod(shape[:-2]))
        lim = np.sqrt(6.0 / (field * (shape[-2] + shape[-1])))
        out.append(rng.uniform(-lim, lim, shape).astype(np.float32))
    return out


def setup(framework, w, data, weights, threads, shuffle=True):
    """(train, get_weights) for one framework; get_weights returns Keras layouts."""
    if framework in ("gradkit", "gradkit-eager"):
        return _gradkit(framework, w, data, weights, shuffle)
    if framework == "keras":
        return _keras(w, data, weights, threads, shuffle)
    if framework == "torch":
        return _torch(w, data, weights, threads, shuffle)
    raise NotImplementedError(f"mnist-cnn has no {framework} version")


def _fit(model, w, data, shuffle):
    def train():
        model.fit(data["x"], data["y"], batch_size=w.batch_size, epochs=w.epochs, verbose=0, shuffle=shuffle)
    return train, model.get_weights


def _gradkit(framework, w, data, weights, shuffle):
    import gradkit
    from gradkit.recipes.mnist_cnn import convnet
    gradkit.backend.set_seed(0)
    model = convnet()  # the recipe's (keras.io's) model, compiled with Adam
    if framework == "gradkit-eager":
        model.compile(loss="categorical_crossentropy", optimizer="adam", jit_compile=False)
    model.set_weights(weights)
    return _fit(model, w, data, shuffle)


def _keras(w, data, weights, threads, shuffle):
    from .keras_peer import _import
    keras, _ = _import(threads)
    keras.utils.set_random_seed(0)
    L = keras.layers
    model = keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(32, (3, 3), activation="relu"), L.MaxPooling2D((2, 2)),
                              L.Conv2D(64, (3, 3), activation="relu"), L.MaxPooling2D((2, 2)), L.Flatten(),
                              L.Dropout(0.5), L.Dense(10, activation="softmax")])
    model.set_weights(weights)
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    return _fit(model, w, data, shuffle)


def _torch(w, data, weights, threads, shuffle):
    """The idiomatic PyTorch convnet (NCHW, logits + CrossEntropyLoss, Adam ε = 1e-7 as Keras)."""
    import torch
    nn = torch.nn
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))
    k1, b1, k2, b2, k3, b3 = weights
    with torch.no_grad():
        for mod, k, b in ((model[0], k1, b1), (model[3], k2, b2)):
            mod.weight.copy_(torch.from_numpy(k.transpose(3, 2, 0, 1).copy()))
            mod.bias.copy_(torch.from_numpy(b))
        model[8].weight.copy_(torch.from_numpy(_dense_to_torch(k3)))  # Keras flattens (h, w, c), PyTorch (c, h, w)
        model[8].bias.copy_(torch.from_numpy(b3))
    x = torch.from_numpy(data["x"].transpose(0, 3, 1, 2).copy())
    y = torch.from_numpy(data["y"].argmax(1))
    opt = torch.optim.Adam(model.parameters(), lr=w.learning_rate, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(0)

    def train():
        model.train()
        for _ in range(w.epochs):
            order = torch.randperm(len(x), generator=gen) if shuffle else torch.arange(len(x))
            for idx in order.split(w.batch_size):
                opt.zero_grad()
                loss_fn(model(x[idx]), y[idx]).backward()
                opt.step()

    def get_weights():
        p = [t.detach().numpy() for t in model.parameters()]
        return [p[0].transpose(2, 3, 1, 0), p[1], p[2].transpose(2, 3, 1, 0), p[3], _dense_from_torch(p[4]), p[5]]

    return train, get_weights


def _dense_to_torch(k):
    return k.reshape(5, 5, 64, 10).transpose(3, 2, 0, 1).reshape(10, 1600).copy()


def _dense_from_torch(m):
    return m.reshape(10, 64, 5, 5).transpose(2, 3, 1, 0).reshape(1600, 10)


# ---- the shared NumPy scorer -------------------------------------------------------------------------

def _conv_relu_pool(x, k, b):
    """relu(valid 3x3 conv + b), then 2x2 max pooling (floor), in NumPy."""
    from numpy.lib.stride_tricks import sliding_window_view
    win = sliding_window_view(x, (3, 3), axis=(1, 2))  # (n, h-2, w-2, c, 3, 3)
    y = np.maximum(np.einsum("nhwcij,ijcf->nhwf", win, k, optimize=True) + b, 0)
    h, wd = y.shape[1] // 2 * 2, y.shape[2] // 2 * 2
    return y[:, :h, :wd].reshape(len(y), h // 2, 2, wd // 2, 2, -1).max(axis=(2, 4))


def predict(weights, x, chunk=2000):
    """Softmax outputs of the convnet (inference: no dropout) for images x, from Keras-layout weights."""
    k1, b1, k2, b2, k3, b3 = [np.asarray(a, np.float32) for a in weights]
    outs = []
    for s in range(0, len(x), chunk):
        h = _conv_relu_pool(_conv_relu_pool(x[s:s + chunk], k1, b1), k2, b2)
        z = h.reshape(len(h), -1) @ k3 + b3
        e = np.exp(z - z.max(1, keepdims=True))
        outs.append(e / e.sum(1, keepdims=True))
    return np.concatenate(outs).astype(np.float64)


def evaluate(w, weights, data):
    """Training loss and accuracy on the first 10,000 training images, test accuracy on all 10,000 test images."""
    from .workloads import accuracy, loss_value
    p, y = predict(weights, data["x"][:10000]), data["y"][:10000]
    return {"loss": loss_value(w, p, y), "accuracy": accuracy(w, p, y),
            "test_accuracy": accuracy(w, predict(weights, data["x_test"]), data["y_test"])}
