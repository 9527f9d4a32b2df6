"""IMDB movie-review sentiment (25,000 train / 25,000 test reviews as word-rank lists), exactly as Keras loads it."""
import json

import numpy as np

from . import _sequences as seq
from .fetch import fetch
from .npz import load_npz


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
              index_from=3, **kwargs):
    """Keras's ``imdb.load_data``: ``(x_train, y_train), (x_test, y_test)``, shuffled and filtered as Keras does.

    x are 1-D object arrays of lists of ints; words outside [skip_top, num_words) become `oov_char`.
    Unknown keyword arguments raise (Keras 3 ignores them silently, which hides typos such as num_word=).
    """
    seq.check_args("imdb.load_data", kwargs, ("path", "num_words", "skip_top", "maxlen", "seed", "start_char",
                                              "oov_char", "index_from"), num_words, skip_top, maxlen)
    f = load_npz(fetch("imdb.npz", path), keys=("x_train", "y_train", "x_test", "y_test"))
    rng = np.random.RandomState(seed)  # Keras's legacy RNG calls, reproduced on a local RandomState
    x_train, labels_train = seq.shuffled(rng, f["x_train"], f["y_train"])
    x_test, labels_test = seq.shuffled(rng, f["x_test"], f["y_test"])
    x_train = seq.offset(x_train, start_char, index_from)
    x_test = seq.offset(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = seq.remove_long_seq(maxlen, x_train, labels_train)
        x_test, labels_test = seq.remove_long_seq(maxlen, x_test, labels_test)
        seq.check_kept(maxlen, x_train, x_test)
    xs = seq.clip_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    idx = len(x_train)
    return (seq.object_array(xs[:idx]), labels[:idx]), (seq.object_array(xs[idx:]), labels[idx:])


def get_word_index(path="imdb_word_index.json"):
    """Keras's IMDB word index: word -> frequency rank (1 = most frequent); add index_from for x's values."""
    with open(fetch("imdb_word_index.json", path), encoding="utf-8") as f:
        return json.load(f)
