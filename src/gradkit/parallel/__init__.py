"""Scale out: K-fold cross-validation and sweeps in-process, on local processes or a Dask cluster.

``workers=N`` starts a local Dask cluster of N processes; ``scheduler="tcp://HOST:PORT"`` uses a running one.
Each job seeds gradkit itself, so every mode gives the same numbers for the same seed.
"""
from .folds import CVResult, SweepResult, cross_validate, expand_grid, standardize, sweep, train_and_score
from .runner import Job, JobResult, RunResult, execute, make_jobs, run_jobs

__all__ = ["cross_validate", "sweep", "standardize", "CVResult", "SweepResult", "expand_grid", "train_and_score",
           "Job", "JobResult", "RunResult", "run_jobs", "make_jobs", "execute"]
