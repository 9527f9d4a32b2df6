"""Keras's mask propagation, minimally: a layer gets its input's mask when its ``call`` takes ``mask``.

A layer that makes or changes a mask defines ``compute_mask(inputs, mask)`` (Embedding with mask_zero,
the recurrent layers); one with ``supports_masking = True`` passes it on unchanged; any other drops it.
"""
import inspect

_takes_mask = {}


def takes_mask(layer):
    """Whether the layer's ``call`` has a ``mask`` parameter (cached per class)."""
    cls = type(layer)
    if cls not in _takes_mask:
        _takes_mask[cls] = "mask" in inspect.signature(cls.call).parameters
    return _takes_mask[cls]


def call_masked(layer, x, mask, training=False):
    """``layer.call(x)`` with ``mask=`` when the layer takes one; returns (output, the output's mask)."""
    if mask is not None and takes_mask(layer):
        y = layer.call(x, training=training, mask=mask)
    else:
        y = layer.call(x, training=training)
    if hasattr(layer, "compute_mask"):
        return y, layer.compute_mask(x, mask)
    return y, mask if getattr(layer, "supports_masking", False) else None
