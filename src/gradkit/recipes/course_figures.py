"""The course's printed figures: the one table every report and tutorial draws a course number from.

Each entry keeps the value as the course printed it (a string, every digit this table holds), what it measures,
the setup that produced it and where the notes print it. ``held`` says how far the digits were checked: the
notes themselves were not available when this table was made (issue 20), so entries keep the digits gradkit
cited before, except the Boston "Epoch 5000" loss, whose 16 digits issue 20 quotes from the notes and gradkit's
own run reproduces. A number not in this table must not be called the course's.
"""
import math
import re
from dataclasses import dataclass

PRIOR = ("the digits gradkit cited before issue 20, not every digit printed: the notes were not at hand to recount "
         "them (the course's code prints full floats or NumPy's 8 decimals)")
BOSTON = "RM and LSTAT min-max scaled, 506 rows; w = 0, b = 1; lr 0.01; full batch"
GATES = "np.random.seed(1); randn(2) weights, rand(1) bias; lr 0.1; central differences, eps 1e-5; cost ½·Σ BCE"
XOR2 = ("np.random.seed(1); randn(2), rand(2), randn(2), rand(2) for w_1, b_1, w_2, b_2; lr 0.3; "
        "central differences, eps 1e-5; cost ½·Σ BCE over both output columns")
IMDB = "all 25,000 training reviews, 10,000 held out; Dense 16-16-1, rmsprop, batch 512, 20 epochs"
REUTERS = "all 8,982 training wires, 1,000 held out; Dense 64-64-46, rmsprop, batch 512, 20 epochs"
UNSEEDED = "lr 0.01, 5000 steps; unseeded (the code runs `np.random.seed = 2023`, which seeds nothing)"


@dataclass(frozen=True)
class Figure:
    """One number the course printed: ``printed`` as printed, what it ``measures``, its ``setup``, ``where``."""
    printed: str
    measures: str
    setup: str
    where: str
    held: str = PRIOR
    complete: bool = False

    @property
    def value(self):
        """The printed string as a float."""
        return float(self.printed.replace("−", "-"))

    @property
    def digits(self):
        """How many significant digits the printed string has."""
        return len(_significant(self.printed))

    @property
    def decimals(self):
        """How many digits after the decimal point were printed."""
        return len(self.printed.split(".")[1]) if "." in self.printed else 0

    def cite(self):
        """Where the number comes from, in one phrase for a report's source list."""
        return f"the course's printout: {self.where} ({self.setup})"


def _gate(printed, measures, where="the single-neuron code's printout at epoch 1000 (print(AND.predict(X)) "
                                  "and the 'Epoch: 1000, Cost:' line)"):
    return Figure(printed, measures, GATES, where)


FIGURES = {
    "boston-gd/loss-epoch-5000": Figure(
        "30.52907816250869", "full-data MSE computed before the 5000th update (the loop prints the loss it "
        "computed before updating)", BOSTON + "; 5000 steps",
        "the explicit gradient-descent loop's 'Epoch 5000' line",
        held="all 16 digits, as issue 20 quotes them from the notes; gradkit's loss before its 5000th update "
             "repeats them", complete=True),
    "boston-gd/w1": Figure("25.4186", "w1 (RM) after the 5000th update", BOSTON + "; 5000 steps",
                           "the explicit loop's final weights"),
    "boston-gd/w2": Figure("-23.6005", "w2 (LSTAT) after the 5000th update", BOSTON + "; 5000 steps",
                           "the explicit loop's final weights"),
    "boston-gd/bias": Figure("16.3857", "bias after the 5000th update", BOSTON + "; 5000 steps",
                             "the explicit loop's final weights"),
    "boston-gd/keras-mse": Figure("30.519", "full-data MSE of the Keras model after training",
                                  "Dense(1), kernel zeros, bias ones, Adam(0.01), batch 32, 5000 epochs",
                                  "the Keras model's printout after model.fit"),
    "boston-sgd/sgd-mse": Figure("31.9", "final MSE of SGD on one random house per step", UNSEEDED,
                                 "the SGD loop's last printed line"),
    "boston-sgd/random-mse": Figure("30.534", "final MSE of random mini-batches of 30 (with replacement)",
                                    UNSEEDED, "the random mini-batch loop's last printed line"),
    "logic-gates/AND-cost": _gate("0.160439", "AND neuron's cost at epoch 1000"),
    "logic-gates/AND-out-00": _gate("0.00135", "AND neuron's output for (0, 0) after 1000 epochs"),
    "logic-gates/AND-out-01": _gate("0.0887", "AND neuron's output for (0, 1) after 1000 epochs"),
    "logic-gates/AND-out-10": _gate("0.0889", "AND neuron's output for (1, 0) after 1000 epochs"),
    "logic-gates/AND-out-11": _gate("0.875", "AND neuron's output for (1, 1) after 1000 epochs"),
    "logic-gates/XOR-cost": _gate("1.386294", "XOR neuron's cost at epoch 1000 (stuck at ½·4·ln 2)"),
    "logic-gates/XOR2-cost": Figure("0.0420271224", "the two-layer XOR network's cost at epoch 1000", XOR2,
                                    "the XOR network code's 'Epoch: 1000, Cost:' line"),
    **{f"logic-gates/XOR2-out-{k}": Figure(
        v, f"the two-layer XOR network's output for ({k[0]}, {k[1]}) after 1000 epochs (both output columns)",
        XOR2, "print(XOR.predict(X)) after training: a 4×2 array, NumPy's 8 decimals",
        held="the first 5 of the 8 printed decimals, as gradkit cited them before issue 20; the two printed "
             "columns are equal to these digits") for k, v in (("00", "0.00846"), ("01", "0.98354"),
                                                                ("10", "0.99163"), ("11", "0.00850"))},
    **{f"boston-kfold/fold-{i + 1}-mae": Figure(
        v, f"validation MAE of fold {i + 1} ($1000s)", "Keras 64-64-1, rmsprop, 4 folds, 100 epochs, batch 1; "
        "features preprocessed once with train_data -= mean; train_data -= std (subtracting the std, never "
        "dividing)", "the 4-fold loop's printed list of fold MAEs") for i, v in enumerate(("2.09", "2.98", "2.60",
                                                                                          "2.90"))},
    "imdb/peak-val-acc": Figure("0.89", "highest validation accuracy over 20 epochs",
                                IMDB,
                                "the IMDB model's 20-epoch validation history"),
    "imdb/final-val-acc": Figure("0.868", "validation accuracy at epoch 20",
                                 IMDB,
                                 "the IMDB model's 20-epoch validation history"),
    "imdb/peak-epoch-first": Figure("3", "first epoch of the validation-accuracy peak",
                                    IMDB,
                                    "the IMDB model's 20-epoch validation history (peak around epoch 3–4)"),
    "imdb/peak-epoch-last": Figure("4", "last epoch of the validation-accuracy peak",
                                   IMDB,
                                   "the IMDB model's 20-epoch validation history (peak around epoch 3–4)"),
    "reuters/val-acc-low": Figure("0.80", "final validation accuracy, lower end of the stated range",
                                  REUTERS,
                                  "the Reuters model's final validation accuracy, stated as about 0.80–0.82"),
    "reuters/val-acc-high": Figure("0.82", "final validation accuracy, upper end of the stated range",
                                   REUTERS,
                                   "the Reuters model's final validation accuracy, stated as about 0.80–0.82"),
}
"""Key → Figure. Keys are ``recipe/quantity``."""


def figure(key):
    """The Figure called ``key`` (KeyError names the known keys)."""
    try:
        return FIGURES[key]
    except KeyError:
        raise KeyError(f"no course figure {key!r}; known: {', '.join(FIGURES)}") from None


def value(key):
    """The printed value of ``key`` as a float."""
    return figure(key).value


def _significant(text):
    """The significant digits of a decimal string ("-0.00846" → "846")."""
    return re.sub(r"\D", "", text.replace("−", "-").split("e")[0]).lstrip("0")


def agreeing_digits(measured, printed):
    """(agreeing, printed) significant digits: how many leading printed digits ``measured`` repeats.

    All agree when ``measured`` rounds to the printed string; otherwise the leading digits of its truncated
    expansion that match; a sign or magnitude mismatch agrees on none.
    """
    printed = printed.replace("−", "-")
    target = _significant(printed)
    if not math.isfinite(measured) or (float(printed) < 0) != (measured < 0):
        return 0, len(target)
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    if _significant(f"{abs(measured):.{decimals}f}") == target:  # rounds to the printed digits
        return len(target), len(target)
    if len(f"{abs(measured):.{decimals}f}") != len(f"{abs(float(printed)):.{decimals}f}"):
        return 0, len(target)  # another order of magnitude
    full = _significant(f"{abs(measured):.{decimals + 6}f}"[:-6])
    n = 0
    while n < min(len(target), len(full)) and full[n] == target[n]:
        n += 1
    return n, len(target)


def agreement(measured, key):
    """"agrees to all 16 of the 16 printed digits" (or "to 12 of 16"), computed; says so when the table holds
    only some of the printed digits."""
    fig = figure(key)
    n, m = agreeing_digits(float(measured), fig.printed)
    count = f"{'all ' if n == m else ''}{n} of the {m}"
    if fig.complete:
        return f"agrees to {count} printed digits"
    return f"agrees to {count} digits held of the course's printout (it printed more)"
