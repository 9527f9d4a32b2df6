"""Keras 3 (TensorFlow backend) peer: the course code as written: Sequential, compile, fit(verbose=0)."""
import os

import numpy as np

from .workloads import NUMGRAD_FIRST, central_partials, dense_input, fit_closures, seconds_per_call

FRAMEWORKS = ("keras",)


def _import(threads=None):
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    if threads and tf.config.threading.get_intra_op_parallelism_threads() != threads:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        except RuntimeError:  # TensorFlow already ran in this process (a test run): its thread pools are fixed
            pass
    import keras
    return keras, tf


def version(variant="keras"):
    """Keras and TensorFlow versions (ImportError when not installed)."""
    keras, tf = _import()
    return f"keras {keras.__version__} / tf {tf.__version__}"


def _model(w, weights, keras):
    keras.config.set_floatx(w.dtype)
    model = keras.Sequential([keras.Input((weights[0][0].shape[0],))]
                             + [keras.layers.Dense(u, activation=a) for u, a in w.layers])
    model.set_weights([a for pair in weights for a in pair])
    opt = {"sgd": keras.optimizers.SGD, "adam": keras.optimizers.Adam,
           "rmsprop": keras.optimizers.RMSprop}[w.optimizer](learning_rate=w.learning_rate)
    model.compile(optimizer=opt, loss=w.loss)
    return model


def setup(w, data, weights, threads, variant="keras", shuffle=True):
    """Return (train, get_weights); train() is one model.fit call over all epochs."""
    keras, _ = _import(threads)
    keras.utils.set_random_seed(0)
    model = _model(w, weights, keras)
    x, y = dense_input(w, data["x"]), data["y"]
    return fit_closures(model, w, x, y, x.shape[0] if w.batch_size == "full" else w.batch_size, shuffle)


def numgrad(w, data, weights, threads, n_partials, variant="keras"):
    """Backprop step (train_on_batch) and central-difference partials through eager model calls."""
    keras, tf = _import(threads)
    model = _model(w, weights, keras)
    x, y = data["x"][:w.batch_size], data["y"][:w.batch_size]
    t_bp = seconds_per_call(lambda: model.train_on_batch(x, y))
    model.set_weights([a for pair in weights for a in pair])
    kernel = model.layers[0].kernel
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.categorical_crossentropy(y, model(x)))
    bp = np.asarray(tape.gradient(loss, model.trainable_variables)[0]).reshape(-1)[NUMGRAD_FIRST:NUMGRAD_FIRST + n_partials]
    k = kernel.numpy()
    flat = k.reshape(-1)[NUMGRAD_FIRST:]

    def loss_at():
        kernel.assign(k)
        return float(tf.reduce_mean(keras.losses.categorical_crossentropy(y, model(x))))

    num, t_part = central_partials(loss_at, flat.__getitem__, flat.__setitem__, n_partials)
    return {"backprop_step_s": t_bp, "partial_s": t_part, "numerical": num, "backprop": bp}
