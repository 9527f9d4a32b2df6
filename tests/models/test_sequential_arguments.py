"""Sequential's layers come as one list: layers passed one by one get a gradkit error that says so."""
import pytest

import gradkit as gk
from gradkit.errors import ConfigTypeError
from gradkit.layers import Dense, Input


@pytest.mark.parametrize("args, text", [
    ((Dense(4), Dense(1)), "the layers go in one list, Sequential([Dense(...), Dense(...)]); got them as separate "
                           "arguments (the second argument of Sequential is trainable, the third name)"),
    ((Dense(4),), "Sequential([Dense(...)]); got a layer on its own"),
    ((Input((3,)), Dense(4), Dense(1)), "Sequential([Input(...), Dense(...), Dense(...), ...])"),
    (("dense",), "Sequential(layers=...): expected a list of layers, got str 'dense'"),
])
def test_layers_not_in_a_list_are_a_clear_error(args, text):
    with pytest.raises(ConfigTypeError) as e:
        gk.Sequential(*args)
    assert text in str(e.value) and isinstance(e.value, TypeError)


def test_a_list_or_tuple_of_layers_still_builds():
    assert len(gk.Sequential([Input((3,)), Dense(2), Dense(1)], name="m").layers) == 2
    assert len(gk.Sequential((Dense(2), Dense(1)), True).layers) == 2
