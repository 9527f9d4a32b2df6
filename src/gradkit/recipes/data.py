"""A recipe's data: the full dataset, or with --quick when its files are not here, a sample, said in the report."""
from pathlib import Path

from ..datasets import samples
from ..datasets.fetch import find_local
from ..datasets.registry import DATASETS


def load(config, result, name, load_full, **sample_kwargs):
    """``load_full()``, or on a --quick run whose files for dataset ``name`` are missing (and whose ``path`` is not
    the user's own file), its sample (no download).

    A sample run records ``data`` in the metrics and a first reading line saying what the sample is and the one
    command that fetches the full data; the full data records ``data: "full"``.
    """
    own = config.get("path")
    missing = [] if own and Path(own).expanduser().is_file() else [f for f in DATASETS[name] if find_local(f) is None]
    if not (config.get("quick") and missing):
        result.metrics["data"] = "full"
        return load_full()
    result.metrics["data"] = "sample"
    result.reading.insert(0, f"This quick run used {samples.DESCRIBE[name]}, because {missing[0]} is not on this "
                             f"machine; its numbers say nothing about the full data. Fetch the full data with "
                             f"`{samples.fetch_command(name)}`, then run again.")
    return samples.load(name, **sample_kwargs)
