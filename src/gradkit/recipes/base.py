"""What a recipe is (name, description, dataset, configs, run) and what its run measures (a Result)."""
import math
from dataclasses import dataclass, field

from ..errors import ConfigError

RELATIONS = ("≈", "≥", "≤")


@dataclass(frozen=True)
class Recipe:
    """One course experiment: ``run(config, out_dir, progress, result)`` fills ``result`` as it measures.

    ``dataset`` names the file it needs that is not shipped in the package (None: runs offline);
    ``quick`` overrides ``defaults`` for a fast run on small data; ``options`` lists the allowed
    values of the choice keys (e.g. {"variant": ("course", "relu-adam")}).
    """
    name: str
    description: str
    run: object
    defaults: dict
    quick: dict = field(default_factory=dict)
    dataset: str = None
    options: dict = field(default_factory=dict)

    @property
    def offline(self):
        """True when everything it needs ships with gradkit."""
        return self.dataset is None

    def config(self, quick=False, **overrides):
        """The default (or quick) config with ``overrides`` applied; unknown keys or values raise ConfigError."""
        cfg = dict(self.defaults, **(self.quick if quick else {}), quick=bool(quick))
        for key, value in overrides.items():
            if value is None:
                continue
            if key not in self.defaults:
                known = ", ".join(k for k in self.defaults) or "none"
                raise ConfigError(f"recipe {self.name!r} has no setting {key!r}; its settings: {known}")
            if key in self.options and value not in self.options[key]:
                raise ConfigError(f"recipe {self.name!r}: {key} must be one of "
                                  f"{', '.join(map(str, self.options[key]))}, got {value!r}")
            cfg[key] = value
        return cfg


@dataclass
class Comparison:
    """A measured number beside the course's published one: ≈ within ``tolerance``, or ≥ / ≤ a bound.

    ``comparable=False`` (a run with other settings than the course's, e.g. --quick) shows both numbers
    without a verdict; ``source`` says where the published number comes from (the course's printout, with
    where it prints it, or another named source); ``printed`` is the course's figure as printed, every digit.
    """
    quantity: str
    measured: float
    published: float = None
    tolerance: float = None
    relation: str = "≈"
    note: str = ""
    comparable: bool = True
    source: str = ""
    printed: str = ""

    @property
    def difference(self):
        """measured − published (None without a published figure or measurement)."""
        if self.published is None or self.measured is None:
            return None
        return float(self.measured) - float(self.published)

    @property
    def agrees(self):
        """True/False against the published figure, None when there is nothing to judge by."""
        d = self.difference
        if not self.comparable:
            return None
        if d is None or not math.isfinite(d):
            return None if d is None else False
        if self.relation == "≥":
            return d >= 0
        if self.relation == "≤":
            return d <= 0
        return None if self.tolerance is None else abs(d) <= self.tolerance

    def to_dict(self):
        """Plain JSON-able form, with the difference and verdict spelled out."""
        return {"quantity": self.quantity, "measured": _num(self.measured), "published": _num(self.published),
                "relation": self.relation, "tolerance": self.tolerance, "difference": _num(self.difference),
                "agrees": self.agrees, "note": self.note, "source": self.source,
                "printed": self.printed}


@dataclass
class Result:
    """What a run measured, filled in as it goes (so a failed run still shows what it had).

    ``history``: {column: sequence} (columns may differ in length), written to history.csv;
    ``weights``: {name: array}; ``tables``: [{"title", "columns", "rows"}]; ``figures``: [{"file", "caption"}];
    ``reading``: short plain-language paragraphs on what the pictures show.
    """
    metrics: dict = field(default_factory=dict)
    comparisons: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    reading: list = field(default_factory=list)
    history: dict = field(default_factory=dict)
    weights: dict = field(default_factory=dict)

    def compare(self, quantity, measured, published=None, tolerance=None, relation="≈", note="", comparable=True,
                source="", figure=None):
        """Record a measured value beside a published figure and where it comes from (see Comparison).

        ``figure`` names an entry of ``course_figures.FIGURES``: its printed value, digits and location are used,
        and a comparable run's note says how many printed digits the measurement repeats.
        """
        if relation not in RELATIONS:
            raise ConfigError(f"relation must be one of {', '.join(RELATIONS)}, got {relation!r}")
        printed = ""
        if figure is not None:
            from .course_figures import agreement
            from .course_figures import figure as lookup
            fig = lookup(figure)
            published, printed, source = fig.value, fig.printed, source or fig.cite()
            if comparable and measured is not None and relation == "≈":
                note = "; ".join(filter(None, [note, agreement(measured, figure)]))
        self.comparisons.append(Comparison(quantity, _num(measured), published, tolerance, relation, note,
                                           comparable, source, printed))

    def table(self, title, columns, rows):
        """Add a table of measured values (rows of cells, numbers kept as numbers)."""
        self.tables.append({"title": title, "columns": list(columns), "rows": [[_num(c) for c in r] for r in rows]})

    def figure(self, path, caption):
        """Register a PNG written into the run folder (path relative to it or absolute)."""
        from pathlib import Path
        self.figures.append({"file": Path(path).name, "caption": caption})


def _num(value):
    """Floats and NumPy scalars as Python floats/ints; everything else unchanged."""
    if value is None or isinstance(value, (str, bool)):
        return value
    try:
        f = float(value)
    except (TypeError, ValueError):
        return value
    return int(f) if isinstance(value, int) or (hasattr(value, "dtype") and value.dtype.kind in "iu") else f
