"""Keras 2's generator methods, removed in Keras 3 (fit / evaluate / predict take generators): still accepted, with a
one-time DeprecationWarning naming the Keras 3 spelling, so that first-edition course code runs."""
import warnings

from ..compat import warn_once
from ..training.py_dataset import PyDataset

_LOADER_DEFAULTS = {"max_queue_size": 10, "workers": 1, "use_multiprocessing": False}


def _loader(x, where, **given):
    """Keras 2's loader arguments: set on a PyDataset (where Keras 3 keeps them); for a generator, which gradkit reads
    in the training loop, a warning when they ask for more than that."""
    changed = {k: v for k, v in given.items() if v != _LOADER_DEFAULTS[k]}
    if not changed:
        return
    if isinstance(x, PyDataset):
        for k, v in changed.items():
            setattr(x, k, v)
        return
    warnings.warn(f"{where}({', '.join(f'{k}={v!r}' for k, v in changed.items())}): gradkit reads a generator in "
                  "the training loop, one batch at a time; these apply to a keras.utils.PyDataset "
                  "(PyDataset(workers=...))", RuntimeWarning, stacklevel=3)


class Keras2Generators:
    """fit_generator / evaluate_generator / predict_generator: Keras 2's names for fit / evaluate / predict."""

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None, validation_data=None,
                      validation_steps=None, validation_freq=1, class_weight=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """Keras 2's fit on a generator: ``fit(generator, ...)``."""
        warn_once("model.fit_generator(...)", "model.fit(...), which takes generators")
        _loader(generator, "fit_generator", max_queue_size=max_queue_size, workers=workers,
                use_multiprocessing=use_multiprocessing)
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose,
                        callbacks=callbacks, validation_data=validation_data, validation_steps=validation_steps,
                        validation_freq=validation_freq, class_weight=class_weight,
                        shuffle=shuffle and isinstance(generator, PyDataset), initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                           use_multiprocessing=False, verbose=0):
        """Keras 2's evaluate on a generator: ``evaluate(generator, ...)``."""
        return self._keras2_inference("evaluate", generator, steps, callbacks, verbose, max_queue_size=max_queue_size,
                                      workers=workers, use_multiprocessing=use_multiprocessing)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                          use_multiprocessing=False, verbose=0):
        """Keras 2's predict on a generator: ``predict(generator, ...)``."""
        return self._keras2_inference("predict", generator, steps, callbacks, verbose, max_queue_size=max_queue_size,
                                      workers=workers, use_multiprocessing=use_multiprocessing)

    def reset_states(self):
        """Keras 2's ``model.reset_states()``: zeros for every stateful RNN's carried states."""
        warn_once("model.reset_states()", "layer.reset_states() on each stateful layer")
        for layer in self._flatten_layers(include_self=False):
            if getattr(layer, "stateful", False) is True:
                layer.reset_states()

    def _keras2_inference(self, method, generator, steps, callbacks, verbose, **loader):
        warn_once(f"model.{method}_generator(...)", f"model.{method}(...), which takes generators")
        _loader(generator, f"{method}_generator", **loader)
        return getattr(self, method)(generator, steps=steps, callbacks=callbacks, verbose=verbose)
