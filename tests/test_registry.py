"""The one registry helper behind the seven get(identifier): the same lookups and messages, plus a suggestion."""
import pytest

import gradkit as gk
from gradkit.errors import ConfigError
from gradkit.registry import Registry, close_matches, did_you_mean

TYPOS = [  # module, typo, the message's start (as before the helper), the suggestion
    ("losses", "binary_crossentropi", "unknown loss 'binary_crossentropi'; valid names: BinaryCrossentropy, ",
     "did you mean 'binary_crossentropy' or 'categorical_crossentropy'?"),
    ("optimizers", "adamm", "unknown optimizer 'adamm'; valid names: sgd, rmsprop, adam, adamw, adagrad, adamax, "
     "nadam, adadelta", "did you mean 'adam' or 'nadam' or 'adamw'?"),
    ("activations", "rellu", "unknown activation 'rellu'; valid names: linear, step, sigmoid, tanh, relu,",
     "did you mean 'relu' or 'relu6' or 'elu'?"),
    ("metrics", "acuracy", "unknown metric 'acuracy'; valid names: accuracy, acc,", "did you mean 'accuracy'"),
    ("initializers", "glorot_unifrom", "unknown initializer 'glorot_unifrom'; valid names: zeros, ones,",
     "did you mean 'glorot_uniform'"),
    ("constraints", "maxnorm", "unknown constraint 'maxnorm'; valid names: max_norm, non_neg, unit_norm, "
     "min_max_norm", "did you mean 'max_norm' or 'min_max_norm'?"),
    ("regularizers", "l1_l3", "unknown regularizer 'l1_l3'; valid names: l1, l2, l1_l2 (or a Regularizer)",
     "did you mean 'l1_l2'"),
]


@pytest.mark.parametrize("module,typo,start,suggestion", TYPOS)
def test_an_unknown_name_lists_the_valid_ones_and_suggests_the_close_one(module, typo, start, suggestion):
    with pytest.raises(ConfigError) as e:
        getattr(gk, module).get(typo)
    assert str(e.value).startswith(start)
    assert str(e.value).endswith("; " + suggestion) or suggestion in str(e.value)


def test_the_loss_error_lists_each_name_once_sorted_and_suggests_the_close_ones():
    with pytest.raises(ConfigError) as e:
        gk.losses.get("mean_sqared_error")
    listed = str(e.value).split("valid names: ")[1].split("; did you mean")[0].split(", ")
    assert len(listed) == len(set(listed)) == 37 and listed == sorted(listed)
    assert str(e.value).endswith("did you mean 'mean_squared_error' or 'mean_squared_logarithmic_error' or "
                                  "'mean_absolute_error'?")


def test_no_suggestion_when_nothing_is_close():
    with pytest.raises(ConfigError) as e:
        gk.regularizers.get("l3")
    assert str(e.value) == "unknown regularizer 'l3'; valid names: l1, l2, l1_l2 (or a Regularizer)"


def test_lookups_keep_their_rules():
    assert gk.activations.get(None) is gk.activations.linear
    assert gk.activations.get("SWISH") is gk.activations.silu
    assert type(gk.optimizers.get("RMSprop")).__name__ == "RMSprop"
    assert type(gk.optimizers.get(gk.optimizers.Adam)).__name__ == "Adam"
    assert type(gk.initializers.get("GlorotUniform")).__name__ == "GlorotUniform"
    assert gk.constraints.get(None) is None and gk.regularizers.get(None) is None
    assert gk.regularizers.get({"class_name": "L2", "config": {"l2": 0.5}}).l2 == 0.5
    assert gk.losses.get("mse").name == "mean_squared_error"
    assert gk.metrics.get("mae")[0] == "mae"
    f = lambda w: w  # noqa: E731
    assert gk.constraints.get(f) is f and gk.initializers.get(f) is f
    with pytest.raises(ConfigError, match="unknown optimizer <function"):
        gk.optimizers.get(f)
    with pytest.raises(ConfigError, match=r"unknown constraint \{'class_name': 'Max'\}; known classes: MaxNorm, "):
        gk.constraints.get({"class_name": "Max"})
    with pytest.raises(ConfigError, match="unknown activation"):
        gk.activations.get({"class_name": "relu"})


def test_close_matches_prefers_the_first_spelling_of_one_name():
    assert close_matches("Binary_Crossentropi", ["binary_crossentropy", "BinaryCrossentropy", "hinge"]) == \
        ["binary_crossentropy"]
    assert did_you_mean(3, ["a"]) == "" and did_you_mean("zzzz", ["adam"]) == ""


def test_registry_on_its_own():
    reg = Registry("thing", {"big_one": dict}, {"BigOne": list}, listed_tail=" (or a Thing)")
    assert reg.find("BIG_ONE") is dict and reg.find("BigOne") is list and reg.find("bigone") is None
    assert str(reg.unknown("big_on")) == "unknown thing 'big_on'; valid names: big_one (or a Thing); did you mean " \
        "'big_one'?"
