"""Run independent training jobs in-process, on N local worker processes, or on a Dask cluster.

Dask distributed does the scheduling (LocalCluster for ``workers=N``, ``Client(address)`` for
``scheduler=``); this module only describes jobs, ships the data once, and collects results.
"""
import contextlib
import dataclasses
import os
import threading
import time
import traceback
import warnings
from typing import Callable

from .. import backend as B
from ..errors import ConfigError, JobsFailedError

_JOB_LOCK = threading.Lock()  # gradkit's seed and floatx are process-wide: one job per process at a time
_EVENT_TOPIC = "gradkit.parallel"


@dataclasses.dataclass
class Job:
    """One training run: ``fn(data, **kwargs)`` seeded with ``seed``; ``params`` label it in reports.

    ``fn`` must be picklable (a module-level function); ``data`` is shared by all jobs of a run.
    """

    index: int
    params: dict
    fn: Callable
    kwargs: dict
    seed: int
    floatx: str = "float32"

    @property
    def label(self):
        """'fold=2' / 'learning_rate=0.01, units=64': the job's parameters as text."""
        return _label(self.params, self.index)


@dataclasses.dataclass
class JobResult:
    """Outcome of one job: ``value`` (what fn returned) or ``error`` with its ``traceback`` text."""

    index: int
    params: dict
    ok: bool
    value: object = None
    error: str = None
    traceback: str = None
    worker: str = None
    seconds: float = 0.0
    attempts: int = 1

    @property
    def label(self):
        """The job's parameters as text."""
        return _label(self.params, self.index)


@dataclasses.dataclass
class RunResult:
    """All job results in job order, plus what happened on the way (lost workers, restarts)."""

    results: list
    mode: str
    seconds: float
    lost_workers: list = dataclasses.field(default_factory=list)

    @property
    def failed(self):
        """Results of the jobs that failed."""
        return [r for r in self.results if not r.ok]

    @property
    def restarted(self):
        """Results of the jobs that ran more than once (their worker died under them)."""
        return [r for r in self.results if r.attempts > 1]

    def summary(self):
        """A few lines: counts, lost workers, restarted and failed jobs (with their tracebacks)."""
        n_ok = len(self.results) - len(self.failed)
        lines = [f"{len(self.results)} jobs ({self.mode}): {n_ok} ok, {len(self.failed)} failed "
                 f"in {self.seconds:.1f} s"]
        if self.lost_workers:
            lines.append(f"lost {len(self.lost_workers)} worker(s): {', '.join(self.lost_workers)}")
        for r in self.restarted:
            status = "finished" if r.ok else "failed"
            lines.append(f"job [{r.label}] restarted after its worker died; "
                         f"{status} on attempt {r.attempts}")
        for r in self.failed:
            lines.append(f"job [{r.label}] failed: {r.error}\n{r.traceback}")
        return "\n".join(lines)


def _label(params, index):
    return ", ".join(f"{k}={v}" for k, v in params.items()) or f"job {index}"


def make_jobs(fn, param_list, kwargs_list, seeds):
    """Jobs for ``fn`` from parallel lists of report params, fn kwargs and seeds (floatx as now)."""
    return [Job(i, p, fn, kw, int(s), B.floatx())
            for i, (p, kw, s) in enumerate(zip(param_list, kwargs_list, seeds))]


# ---- inside a worker (or in-process) ----------------------------------------------------------

@contextlib.contextmanager
def _job_state(job):
    """Seed gradkit and set floatx for the job; give the caller's RNG state and floatx back after."""
    with _JOB_LOCK:
        saved_rng, saved_floatx = B.rng().bit_generator.state, B.floatx()
        B.set_floatx(job.floatx)
        from ..utils import set_random_seed
        set_random_seed(job.seed)
        try:
            yield
        finally:
            B.rng().bit_generator.state = saved_rng
            B.set_floatx(saved_floatx)


def _worker_address():
    try:
        from distributed import get_worker
        return get_worker().address
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


def execute(job, data):
    """Run one job here; never raises for the job's own errors (returns them with their traceback)."""
    worker = _worker_address()
    if not worker.startswith("pid"):
        from distributed import get_worker
        w = get_worker()
        w.log_event(_EVENT_TOPIC, {"key": w.get_current_task()})  # counts attempts across worker deaths
    start = time.perf_counter()
    try:
        with _job_state(job):
            value = job.fn(data, **job.kwargs)
        return JobResult(job.index, job.params, True, value=value, worker=worker,
                         seconds=time.perf_counter() - start)
    except Exception as e:  # noqa: BLE001 - a failed job is reported, the others go on
        return JobResult(job.index, job.params, False, error=f"{type(e).__name__}: {e}",
                         traceback=traceback.format_exc(), worker=worker, seconds=time.perf_counter() - start)


# ---- the driver -------------------------------------------------------------------------------

def _progress(total, desc, enabled):
    from ..display import in_notebook, tqdm_class
    tqdm = tqdm_class()  # a text bar; in a notebook none at all (a widget per sweep would bloat the file)
    return tqdm(total=total, desc=desc, unit="job", disable=not enabled or in_notebook(), leave=False)


def _finish(bar, result, on_result):
    bar.set_postfix_str(("ok " if result.ok else "FAILED ") + result.label, refresh=False)
    bar.update(1)
    if on_result is not None:
        on_result(result)


def _run_here(jobs, data, bar, on_result):
    results = []
    for job in jobs:
        results.append(execute(job, data))
        _finish(bar, results[-1], on_result)
    return results, []


def _future_failure(job, exc):
    """A JobResult for a future dask itself could not finish (e.g. KilledWorker, unpicklable job)."""
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return JobResult(job.index, job.params, False, error=f"{type(exc).__name__}: {exc}", traceback=tb)


def _scatter(client, data):
    """Send the data arrays to every worker once; returns the same dict with futures for values.

    Keys are fresh per run (hash=False): a run never shares a key with an earlier run's data being released.
    """
    names = list(data)
    return dict(zip(names, client.scatter([data[n] for n in names], broadcast=True, hash=False)))


def _attempts_and_lost(client, keys, workers_before):
    """Per task key, how many times it started; and the workers that left the cluster meanwhile."""
    attempts, seen = {}, set(workers_before)
    for _, msg in client.get_events(_EVENT_TOPIC):
        if msg.get("key") in keys:
            attempts[msg["key"]] = attempts.get(msg["key"], 0) + 1
            seen.add(msg.get("worker"))
    return attempts, sorted(w for w in seen - set(client.scheduler_info()["workers"]) if w)


def _run_on_client(client, jobs, data, bar, on_result):
    from distributed import as_completed
    workers_before = set(client.scheduler_info()["workers"])
    shared = _scatter(client, data)
    futures = {client.submit(execute, job, shared, pure=False): job for job in jobs}
    keys = {f.key: job for f, job in futures.items()}
    results = {}
    for future in as_completed(futures):
        job = futures[future]
        try:
            result = future.result()
        except Exception as e:  # noqa: BLE001 - dask could not run it (KilledWorker, unpicklable job, ...)
            result = _future_failure(job, e)
        future.release()  # drop it now, so a later worker death does not recompute a finished job
        results[future.key] = result
        _finish(bar, result, on_result)
    attempts, lost = _attempts_and_lost(client, keys, workers_before)
    for key, r in results.items():
        r.attempts = max(attempts.get(key, 1), 1)
    return list(results.values()), lost


@contextlib.contextmanager
def _client(workers, scheduler, timeout=30):
    """A Dask client on a new LocalCluster of ``workers`` processes, or on the cluster at ``scheduler``."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as e:
        raise ConfigError("workers=/scheduler= need Dask: pip install 'gradkit[parallel]'") from e
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=timeout)
        except OSError as e:
            raise ConfigError(f"cannot reach the Dask scheduler at {scheduler!r} ({e}); start one with "
                              "`dask scheduler` and workers with `dask worker ADDRESS`") from e
        with client:
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as cluster, Client(cluster) as client:
        yield client


def run_jobs(jobs, data, workers=None, scheduler=None, progress=True, on_result=None, desc="jobs"):
    """Run ``jobs`` on ``data`` and return a RunResult (results in job order).

    ``workers=None, scheduler=None`` runs them here one by one; ``workers=N`` on a new local Dask cluster
    of N processes; ``scheduler="tcp://HOST:PORT"`` on that Dask cluster. Results stream to ``on_result``
    as they finish; a job whose worker dies is rerun elsewhere by Dask.
    """
    if workers is not None and scheduler is not None:
        raise ConfigError(f"give workers= or scheduler=, not both (got workers={workers!r}, scheduler={scheduler!r})")
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise ConfigError(f"workers must be a positive int (number of local processes), got {workers!r}")
    mode = (f"scheduler {scheduler}" if scheduler else f"{workers} local workers" if workers else "in-process")
    start = time.perf_counter()
    with _progress(len(jobs), desc, progress) as bar:
        if workers is None and scheduler is None:
            results, lost = _run_here(jobs, data, bar, on_result)
        else:
            with _client(workers, scheduler) as client:
                results, lost = _run_on_client(client, jobs, data, bar, on_result)
    results.sort(key=lambda r: r.index)
    run = RunResult(results, mode, time.perf_counter() - start, lost)
    if jobs and len(run.failed) == len(jobs):
        first = run.failed[0]
        raise JobsFailedError(f"all {len(jobs)} jobs failed; the first, [{first.label}], with {first.error}:\n"
                              f"{first.traceback}", run)
    if run.failed:
        errors = "; ".join(f"[{r.label}] {r.error}" for r in run.failed[:3])
        warnings.warn(f"{len(run.failed)} of {len(jobs)} jobs failed: {errors}; see the run's summary() for "
                      "tracebacks", RuntimeWarning, stacklevel=3)
    return run
