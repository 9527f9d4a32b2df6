"""The dataset files gradkit knows: name, canonical URL, known-good hashes and where each hash comes from."""
from dataclasses import dataclass, field

KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
"""The folder Keras downloads every one of these files from (keras/src/datasets/*.py)."""

_KERAS = "Keras's own file: the file_hash in keras/src/datasets/{}.py"


@dataclass(frozen=True)
class DataFile:
    """One file: its name (relative to the mirror / cache folder), URL, known-good hashes and packaged copy.

    ``hashes`` holds ("algorithm:hexdigest", provenance) pairs; the first is the one a download must match.
    ``aliases``: the names the same file has in Keras's caches, also looked for in the GRADKIT_DATA mirror.
    """

    name: str
    url: str
    hashes: tuple
    packaged: str | None = None
    about: str = field(default="", compare=False)
    aliases: tuple = ()


def _keras_file(name, digest, loader, extra=(), packaged=None, about=""):
    """A file Keras downloads from KERAS_URL, verified by Keras's own hash (plus known-good extras)."""
    return DataFile(name, KERAS_URL + name, ((digest, _KERAS.format(loader)),) + tuple(extra), packaged, about)


_MNIST_REPACK = (
    "sha256:501c7abc242fc38fa8d4e33984db0074353283649e17b792c11627e589d037c8",
    "the GRADKIT_DATA mirror's mnist.npz: Keras's arrays built from LeCun's idx files and repacked in Keras's "
    "layout (same size; only zip timestamps differ); arrays checked value for value, see the mirror's README",
)
_IMDB_INDEX_SHA256 = (
    "sha256:027313fe9a320280f3bf0fac5baf58c4a683cf39a7ed9c3d3d3912bde4284cf6",
    "SHA-256 of Keras's imdb_word_index.json (the file whose MD5 Keras checks), from the mirror's README",
)


CIFAR_URL = "https://www.cs.toronto.edu/~kriz/"
"""Where Keras downloads the CIFAR archives from (keras/src/datasets/cifar10.py, cifar100.py)."""


def _cifar(name, digest, loader, aliases):
    """A CIFAR tar.gz from the Toronto site (Keras's origin), verified by Keras's own hash."""
    return DataFile(name, CIFAR_URL + name, ((digest, _KERAS.format(loader)),), aliases=aliases,
                    about="CIFAR-10 / CIFAR-100 (Krizhevsky, 2009, Learning Multiple Layers of Features from Tiny "
                          "Images)")

FILES = {f.name: f for f in (
    _keras_file("mnist.npz", "sha256:731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
                "mnist", extra=(_MNIST_REPACK,), about="MNIST (LeCun, Cortes & Burges); CC BY-SA 3.0"),
    _keras_file("boston_housing.npz", "sha256:f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5",
                "boston_housing", packaged="boston_housing.npz",
                about="Boston Housing (Harrison & Rubinfeld, 1978; StatLib, CMU)"),
    _keras_file("imdb.npz", "sha256:69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
                "imdb", about="IMDB Large Movie Review Dataset (Maas et al., 2011)"),
    _keras_file("imdb_word_index.json", "md5:bfafd718b763782e994055a2d397834f", "imdb",
                extra=(_IMDB_INDEX_SHA256,), about="Keras's IMDB word index"),
    _keras_file("reuters.npz", "sha256:d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916",
                "reuters", about="Reuters-21578 newswires, 46 topics (Keras's preprocessing)"),
    _keras_file("reuters_word_index.json", "md5:4d44cc38712099c9e383dc6e5f11a921", "reuters",
                about="Keras's Reuters word index"),
    _keras_file("california_housing.npz", "sha256:1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f",
                "california_housing", about="California Housing (Pace & Barry, 1997; StatLib), 1990 US census"),
    # aliases: the archive's name in Keras 3's cache (get_file(..., extract=True)), then in tf.keras 2's
    _cifar("cifar-10-python.tar.gz", "sha256:6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
           "cifar10", ("cifar-10-batches-py-target_archive", "cifar-10-batches-py.tar.gz")),
    _cifar("cifar-100-python.tar.gz", "sha256:85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7",
           "cifar100", ("cifar-100-python-target_archive",)),
    *(DataFile("fashion-mnist/" + name, KERAS_URL + name, ((digest, _KERAS.format("fashion_mnist")),),
               about="Fashion-MNIST (Xiao, Rasul & Vollgraf, Zalando Research, 2017); MIT licence")
      for name, digest in (
        ("train-labels-idx1-ubyte.gz", "sha256:a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
        ("train-images-idx3-ubyte.gz", "sha256:3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
        ("t10k-labels-idx1-ubyte.gz", "sha256:67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
        ("t10k-images-idx3-ubyte.gz", "sha256:346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
    )),
)}
"""Every known file, keyed by its path relative to the mirror / cache folder (Keras's cache layout)."""

DATASETS = {"mnist": ("mnist.npz",),
            "fashion_mnist": tuple("fashion-mnist/" + n for n in (
                "train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
                "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")),
            "imdb": ("imdb.npz",),
            "reuters": ("reuters.npz",),
            "boston_housing": ("boston_housing.npz",),
            "california_housing": ("california_housing.npz",),
            "cifar10": ("cifar-10-python.tar.gz",),
            "cifar100": ("cifar-100-python.tar.gz",)}
"""The registry files each dataset's ``load_data`` reads, by dataset name (``gradkit fetch NAME`` gets them all)."""
