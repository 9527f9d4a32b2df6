"""Small stand-ins for the big datasets, so the convnet, recurrent and text chapters can be tried offline.

MNIST and Fashion-MNIST: real images, the first 1,000 training and 250 test images of each, shipped in the
package. IMDB and Reuters: synthetic word-id sequences made on the fly (no text ships with gradkit), laid
out as Keras's loaders return them; every report and tutorial that uses one says so, and names the one
command that fetches the full data.
"""
import numpy as np

from .fetch import PACKAGED_DIR

DESCRIBE = {
    "mnist": "a sample of MNIST shipped with gradkit (the first 1,000 training and 250 test images)",
    "fashion_mnist": "a sample of Fashion-MNIST shipped with gradkit (the first 1,000 training and 250 test "
                     "images)",
    "imdb": "SYNTHETIC IMDB-shaped reviews made on the fly (word ids only; labels from a fixed random score of "
            "the words), not real reviews",
    "reuters": "SYNTHETIC Reuters-shaped newswires made on the fly (word ids only; 46 topics, each with its own "
               "words), not real newswires",
}
"""What each sample is, in the words a report or tutorial shows."""


def fetch_command(name):
    """The one command that fetches the full data of dataset ``name``."""
    return f"gradkit fetch {name}"


def _images(name):
    with np.load(PACKAGED_DIR / f"{name}_sample.npz") as d:
        return (d["x_train"], d["y_train"]), (d["x_test"], d["y_test"])


def mnist():
    """``mnist.load_data()``'s layout on the shipped sample: uint8 (1000, 28, 28) / (250, 28, 28), labels 0-9."""
    return _images("mnist")


def fashion_mnist():
    """``fashion_mnist.load_data()``'s layout on the shipped sample of 1,000 training and 250 test images."""
    return _images("fashion_mnist")


def _sequences(rng, n, num_words, mean_length, topic_words=None, topics=None):
    """n lists of word ids in Keras's layout (1 starts each, ids from 3), lengths lognormal around mean_length.

    Word ids follow a Zipf law over [3, num_words); a sequence of topic t swaps a third of its words for
    draws from ``topic_words[t]``.
    """
    lengths = np.clip(rng.lognormal(np.log(mean_length), 0.5, n).astype(int), 10, 4 * mean_length)
    ranks = np.arange(1, num_words - 2)
    p = 1.0 / ranks
    p /= p.sum()
    out = []
    for i, length in enumerate(lengths):
        words = rng.choice(ranks, size=length, p=p) + 2
        if topics is not None:
            swap = rng.random(length) < 1 / 3
            words[swap] = rng.choice(topic_words[topics[i]], size=int(swap.sum()))
        out.append([1] + words.tolist())
    return out


def _as_object_array(lists):
    arr = np.empty(len(lists), dtype=object)
    arr[:] = lists
    return arr


def imdb(num_words=10000, n_train=2000, n_test=500, seed=0):
    """``imdb.load_data(num_words=...)``'s layout on synthetic reviews: labels 1 where the words' fixed random
    sentiment scores sum above the median, so a model has something real to learn."""
    rng = np.random.default_rng(seed)
    seqs = _sequences(rng, n_train + n_test, num_words, 230)
    sentiment = np.zeros(num_words)
    strong = rng.choice(np.arange(3, min(num_words, 2000)), size=200, replace=False)
    sentiment[strong] = rng.choice([-1.0, 1.0], size=len(strong))
    scores = np.array([sentiment[s].sum() / np.sqrt(len(s)) for s in seqs])
    labels = (scores > np.median(scores)).astype(np.int64)
    x = _as_object_array(seqs)
    return (x[:n_train], labels[:n_train]), (x[n_train:], labels[n_train:])


def reuters(num_words=10000, n_train=2000, n_test=500, seed=0, classes=46):
    """``reuters.load_data(num_words=...)``'s layout on synthetic newswires of ``classes`` topics (ids 0-45)."""
    rng = np.random.default_rng(seed)
    topics = rng.integers(0, classes, n_train + n_test)
    topic_words = [rng.choice(np.arange(3, num_words), size=40, replace=False) for _ in range(classes)]
    x = _as_object_array(_sequences(rng, n_train + n_test, num_words, 140, topic_words, topics))
    return (x[:n_train], topics[:n_train]), (x[n_train:], topics[n_train:])


def load(name, **kwargs):
    """The sample of dataset ``name`` (mnist, fashion_mnist, imdb, reuters) in its ``load_data`` layout."""
    from ..errors import ConfigError
    loaders = {"mnist": mnist, "fashion_mnist": fashion_mnist, "imdb": imdb, "reuters": reuters}
    if name not in loaders:
        raise ConfigError(f"samples.load: no sample of {name!r}; samples exist for {', '.join(loaders)}")
    return loaders[name](**kwargs)
