"""keras.utils.text_dataset_from_directory: a folder with one subfolder per class of .txt files → batches of
(texts, labels), the texts a 1-D object array of str."""
import functools

from ..arguments import flag, number
from .dataset_utils import from_directory

_OWNER = "text_dataset_from_directory"


def _read_text(path, max_length):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return text if max_length is None else text[:max_length]


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                max_length=None, shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False, verbose=True):
    """A dataset of (texts, labels) batches from ``directory/<class>/*.txt`` with Keras's arguments, files ordered,
    shuffled and split as Keras does. max_length keeps the first max_length characters of each text (as Keras's
    "grain" format; its "tf" format cuts bytes and yields bytes strings)."""
    if max_length is not None:
        max_length = number(max_length, "max_length", _OWNER, "[1, inf)", integer=True)
    read = functools.partial(_read_text, max_length=max_length)
    return from_directory(_OWNER, directory, labels, label_mode, class_names, (".txt",), batch_size,
                          flag(shuffle, "shuffle", _OWNER), seed, validation_split, subset,
                          flag(follow_links, "follow_links", _OWNER), verbose, read)
