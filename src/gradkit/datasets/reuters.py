"""Reuters newswire topics (11,228 wires over 46 topics as word-rank lists), exactly as Keras loads them."""
import json

import numpy as np

from . import _sequences as seq
from .fetch import fetch
from .npz import load_npz

LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee", "sugar",
    "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp",
    "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi", "iron-steel",
    "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog",
    "lead",
)


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """Keras's ``reuters.load_data``: one shuffle, then the first (1 - test_split) of the wires for training.

    Unknown keyword arguments raise (as imdb.load_data), where Keras 3 ignores them."""
    seq.check_args("reuters.load_data", kwargs, ("path", "num_words", "skip_top", "maxlen", "test_split", "seed",
                                                 "start_char", "oov_char", "index_from"),
                   num_words, skip_top, maxlen, test_split)
    f = load_npz(fetch("reuters.npz", path), keys=("x", "y"))
    xs, labels = seq.shuffled(np.random.RandomState(seed), f["x"], f["y"])  # Keras's legacy RNG call
    xs = seq.offset(xs, start_char, index_from)
    if maxlen:
        xs, labels = seq.remove_long_seq(maxlen, xs, labels)
    xs = seq.clip_vocabulary(xs, num_words, skip_top, oov_char)
    idx = int(len(xs) * (1 - test_split))
    return (seq.object_array(xs[:idx]), np.array(labels[:idx])), (seq.object_array(xs[idx:]), np.array(labels[idx:]))


def get_word_index(path="reuters_word_index.json"):
    """Keras's Reuters word index: word -> frequency rank (1 = most frequent); add index_from for x's values."""
    with open(fetch("reuters_word_index.json", path), encoding="utf-8") as f:
        return json.load(f)


def get_label_names():
    """The 46 topic names, indexed like the labels (Keras's ``reuters.get_label_names``)."""
    return LABEL_NAMES
