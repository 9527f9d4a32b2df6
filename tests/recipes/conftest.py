"""Recipe tests run offline: a private dataset cache, no downloads, the mirror only where a test asks for it."""
import os

import numpy as np
import pytest

MIRROR = os.environ.get("GRADKIT_DATA")


@pytest.fixture(autouse=True)
def _offline(offline_data):
    """Every test here runs offline (see tests/conftest.py)."""


@pytest.fixture
def mnist_mirror(monkeypatch):
    """Point GRADKIT_DATA at the mirror holding mnist.npz, or skip saying why."""
    if not MIRROR or not os.path.isfile(os.path.join(MIRROR, "mnist.npz")):
        pytest.skip(f"needs mnist.npz in the GRADKIT_DATA mirror (GRADKIT_DATA={MIRROR or 'unset'})")
    monkeypatch.setenv("GRADKIT_DATA", MIRROR)


def ragged(lists):
    """A 1-D object array of lists, as Keras stores word sequences."""
    out = np.empty(len(lists), dtype=object)
    for i, x in enumerate(lists):
        out[i] = list(x)
    return out


def learnable_docs(rng, n, classes, vocab=200, length=30):
    """Documents whose words give their label away (a class's own words are frequent), and the labels."""
    labels = rng.integers(0, classes, n)
    docs = []
    for c in labels:
        own = 10 + c * 4 + rng.integers(0, 4, length // 2)
        docs.append([int(w) for w in np.concatenate([own, rng.integers(10, vocab, length // 2)])])
    return docs, labels


@pytest.fixture
def imdb_file(tmp_path):
    """A small imdb.npz in Keras's format whose reviews are learnable."""
    rng = np.random.default_rng(0)
    docs, labels = learnable_docs(rng, 1600, 2)
    p = tmp_path / "imdb.npz"
    np.savez(p, x_train=ragged(docs[:1200]), y_train=labels[:1200], x_test=ragged(docs[1200:]),
             y_test=labels[1200:])
    return p


@pytest.fixture
def reuters_file(tmp_path):
    """A small reuters.npz in Keras's format (x, y) with 46 learnable topics."""
    rng = np.random.default_rng(1)
    docs, labels = learnable_docs(rng, 1500, 46)
    p = tmp_path / "reuters.npz"
    np.savez(p, x=ragged(docs), y=labels)
    return p
