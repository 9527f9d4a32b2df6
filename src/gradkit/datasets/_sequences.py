"""The word-index filtering IMDB and Reuters share, step for step as Keras does it (same arguments, same lists)."""
import numpy as np

from ..errors import ConfigError, DataError


def shuffled(rng, *arrays):
    """The arrays permuted by one ``rng.shuffle`` of their indices (Keras's legacy RandomState call)."""
    indices = np.arange(len(arrays[0]))
    rng.shuffle(indices)
    return [a[indices] for a in arrays]


def offset(xs, start_char, index_from):
    """Shift word ranks by `index_from` and prepend `start_char` (when not None): lists of Python ints."""
    head = [] if start_char is None else [start_char]
    return [head + [w + index_from for w in x] for x in xs]


def remove_long_seq(maxlen, seq, label):
    """Keep the (sequence, label) pairs with len(sequence) < maxlen (Keras keeps strictly shorter ones)."""
    kept = [(x, y) for x, y in zip(seq, label) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def clip_vocabulary(xs, num_words, skip_top, oov_char):
    """Replace (or drop, if oov_char is None) words outside [skip_top, num_words).

    As in Keras, num_words=None means the largest index present, which is then itself out of range.
    """
    if not num_words:
        num_words = max((max(x) for x in xs if x), default=0)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def object_array(lists):
    """A 1-D object array of Python lists (never 2-D, even when all lists have one length)."""
    out = np.empty(len(lists), dtype=object)
    for i, x in enumerate(lists):
        out[i] = x
    return out


def check_kept(maxlen, *parts):
    """Raise if filtering by maxlen left a part empty (Keras's message)."""
    if any(len(p) == 0 for p in parts):
        raise DataError(f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was kept. "
                        "Increase maxlen.")


def check_args(loader, kwargs, expected, num_words=None, skip_top=0, maxlen=None, test_split=None):
    """ConfigError naming the loader for an unknown keyword (Keras 3 ignores them, hiding typos such as
    num_word=) or a count out of range; checked before any file is read."""
    from ..arguments import number
    if kwargs:
        raise ConfigError(f"{loader} got unknown arguments {sorted(kwargs)}; expected {', '.join(expected)}")
    if num_words is not None:
        number(num_words, "num_words", loader, "[1, inf)", integer=True)
    number(skip_top, "skip_top", loader, "[0, inf)", integer=True)
    if maxlen is not None:
        number(maxlen, "maxlen", loader, "[1, inf)", integer=True)
    if test_split is not None:
        number(test_split, "test_split", loader, "[0, 1)")
