"""gradkit.parallel: K-fold and sweeps in-process and on a real Dask LocalCluster (loopback, 2 processes)."""
import os
import signal
import time

import numpy as np
import pytest

from gradkit import backend
from gradkit.errors import ConfigError
from gradkit.parallel import cross_validate, make_jobs, run_jobs, standardize, sweep

distributed = pytest.importorskip("distributed", reason="gradkit.parallel's cluster modes need dask.distributed")
import dask  # noqa: E402 (distributed brings it)


# ---- module-level (picklable) model builders and job functions --------------------------------

def build_dense(learning_rate=0.1):
    """The course's regression net, shrunk: Dense(8, relu) -> Dense(1), rmsprop, mse, mae."""
    import gradkit
    model = gradkit.Sequential([gradkit.layers.Dense(8, activation="relu", input_shape=(5,)),
                                gradkit.layers.Dense(1)])
    model.compile(optimizer=gradkit.optimizers.RMSprop(learning_rate), loss="mse", metrics=["mae"])
    return model


def build_broken(learning_rate=0.01):
    if learning_rate > 1:
        raise ValueError(f"learning rate {learning_rate} is too large")
    return build_dense(learning_rate)


def kill_own_worker_once(data, marker, value, done=None, after=()):
    """Kills the worker process running it the first time (marker file absent; always if marker is None). A killer
    given ``after`` (files the other jobs write when ``done``) first frees its worker's thread and waits for them, so a
    job the scheduler queued behind it on the same worker is not killed with it."""
    if marker is None or not os.path.exists(marker):
        if marker is not None:
            open(marker, "w").close()
        if after:
            distributed.secede()
            deadline = time.monotonic() + 20
            while not all(os.path.exists(f) for f in after) and time.monotonic() < deadline:
                time.sleep(0.05)
        time.sleep(0.3)  # let the worker report that the job started
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.2)
    if done:
        open(done, "w").close()
    return value + float(data["x"].sum())


def draw(data, offset):
    """A seeded draw plus the data's sum: equal across modes only if seeding and data shipping work."""
    return float(backend.rng().standard_normal()) + offset + float(data["x"].sum())


@pytest.fixture(scope="module")
def boston_like():
    rng = np.random.default_rng(7)
    x = rng.normal(3, 2, (48, 5))
    y = x @ np.array([1.0, -2.0, 0.5, 0.0, 3.0]) + rng.normal(0, 0.1, 48) + 4
    return x, y


@pytest.fixture(scope="module")
def cluster():
    """One 2-process LocalCluster on loopback shared by every cluster test (startup is the slow part). A worker
    holds only the job it runs (worker-saturation 1.0): queued behind a job that kills its worker, another job
    would die with it, and the killed-worker tests failed about one run in six."""
    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                     dashboard_address="127.0.0.1:0") as c:
        yield c.scheduler_address


# ---- in-process -------------------------------------------------------------------------------

def test_cross_validate_in_process_folds_mean_std(boston_like):
    x, y = boston_like
    cv = cross_validate(build_dense, x, y, k=4, epochs=10, batch_size=8, seed=0, preprocess=standardize,
                        progress=False)
    assert [f["fold"] for f in cv.folds] == [0, 1, 2, 3]
    maes = cv.scores("mae")
    assert cv.mean["mae"] == pytest.approx(np.mean(maes)) and cv.std["mae"] == pytest.approx(np.std(maes))
    assert cv.mean["mae"] < 0.3 * np.mean(np.abs(y - y.mean()))  # far better than predicting the mean
    again = cross_validate(build_dense, x, y, k=4, epochs=10, batch_size=8, seed=0, preprocess=standardize,
                           progress=False)
    assert again.folds == cv.folds


def test_standardize_uses_training_split_only():
    train, val = np.array([[1.0], [3.0]]), np.array([[5.0]])
    t, v = standardize(train, val)
    np.testing.assert_allclose(t[:, 0], [-1, 1])
    np.testing.assert_allclose(v[:, 0], [3.0])  # (5 - 2) / 1, not rescaled with the validation row


def test_in_process_run_leaves_caller_seed_and_floatx_alone(boston_like):
    backend.set_seed(5)
    expected = np.random.default_rng(5).standard_normal()
    backend.set_floatx("float64")
    cross_validate(build_dense, *boston_like, k=2, epochs=1, seed=3, progress=False)
    assert backend.floatx() == "float64"
    assert backend.rng().standard_normal() == expected


def test_failed_job_reported_with_params_and_traceback_in_process(boston_like):
    with pytest.warns(RuntimeWarning, match=r"1 of 3 jobs failed: \[learning_rate=5.0\] ValueError"):
        res = sweep(build_broken, {"learning_rate": [0.01, 5.0, 0.05]}, *boston_like, epochs=2, batch_size=8,
                    validation_data=boston_like, progress=False, seed=1)
    assert res.rows[-1]["learning_rate"] == 5.0 and "too large" in res.rows[-1]["error"]
    (failed,) = res.run.failed
    assert failed.params == {"learning_rate": 5.0}
    assert "build_broken" in failed.traceback and "ValueError" in failed.traceback
    assert "learning_rate=5.0" in res.run.summary() and "1 failed" in res.run.summary()


def test_sweep_sorted_by_metric(boston_like):
    res = sweep(build_dense, {"learning_rate": [0.001, 0.05, 0.01], "batch_size": [8]}, *boston_like, epochs=2,
                validation_data=boston_like, metric="val_mae", preprocess=standardize, progress=False, seed=1)
    vals = [r["val_mae"] for r in res.rows]
    assert vals == sorted(vals) and res.best["learning_rate"] == 0.05
    assert "learning_rate" in str(res) and "val_mae" in str(res)


def test_sweep_metric_without_validation_is_a_config_error(boston_like):
    with pytest.raises(ConfigError, match="'val_loss' is not among the results"):
        sweep(build_dense, {"learning_rate": [0.01]}, *boston_like, epochs=1, progress=False)


def test_workers_and_scheduler_together_is_a_config_error():
    with pytest.raises(ConfigError, match="not both"):
        run_jobs([], {}, workers=2, scheduler="tcp://127.0.0.1:1")
    with pytest.raises(ConfigError, match="positive int"):
        run_jobs([], {}, workers=0)


# ---- on the cluster ---------------------------------------------------------------------------

def test_cluster_cross_validate_matches_in_process(cluster, boston_like):
    kw = dict(k=4, epochs=3, batch_size=8, seed=11, preprocess=standardize, val_history=True, progress=False)
    here = cross_validate(build_dense, *boston_like, **kw)
    there = cross_validate(build_dense, *boston_like, scheduler=cluster, **kw)
    assert there.folds == here.folds and there.histories == here.histories
    assert there.run.mode.startswith("scheduler") and not there.run.failed
    assert len({r.worker for r in there.run.results}) == 2  # both worker processes took folds


def test_cluster_sweep_matches_in_process_and_reports_failure(cluster, boston_like):
    grid = {"learning_rate": [0.01, 5.0, 0.05]}
    kw = dict(epochs=2, batch_size=8, k=2, seed=4, progress=False)
    with pytest.warns(RuntimeWarning, match="2 of 6 jobs failed"):
        here = sweep(build_broken, grid, *boston_like, **kw)
        there = sweep(build_broken, grid, *boston_like, scheduler=cluster, **kw)
    assert there.rows == here.rows
    assert [r["learning_rate"] for r in there.rows][-1] == 5.0 and "too large" in there.rows[-1]["error"]
    assert {tuple(f.params.items()) for f in there.run.failed} == {(("learning_rate", 5.0), ("fold", 0)),
                                                                  (("learning_rate", 5.0), ("fold", 1))}
    assert all("ValueError" in f.traceback for f in there.run.failed)


def test_seeds_and_shared_data_reach_the_workers(cluster):
    data = {"x": np.arange(1000.0)}
    jobs = make_jobs(draw, [{"i": i} for i in range(6)], [{"offset": i} for i in range(6)], range(6))
    here = run_jobs(jobs, data, progress=False)
    there = run_jobs(jobs, data, scheduler=cluster, progress=False)
    assert [r.value for r in there.results] == [r.value for r in here.results]
    expected = [np.random.default_rng(s).standard_normal() + s + 499500.0 for s in range(6)]
    assert [r.value for r in here.results] == expected


def test_killed_worker_job_is_rerun_and_reported(cluster, tmp_path):
    marker = str(tmp_path / "killed-once")
    kwargs = [{"marker": marker if i == 1 else "/", "value": float(i)} for i in range(4)]  # "/" always exists
    jobs = make_jobs(kill_own_worker_once, [{"i": i} for i in range(4)], kwargs, range(4))
    streamed = []
    run = run_jobs(jobs, {"x": np.ones(3)}, scheduler=cluster, progress=False, on_result=streamed.append)
    assert [r.value for r in run.results] == [3.0, 4.0, 5.0, 6.0] and not run.failed
    assert len(streamed) == 4 and os.path.exists(marker)
    (restarted,) = run.restarted
    assert restarted.params == {"i": 1} and restarted.attempts == 2
    assert len(run.lost_workers) == 1
    assert "restarted after its worker died" in run.summary() and "lost 1 worker" in run.summary()


def test_job_that_keeps_killing_workers_is_reported(cluster, tmp_path):
    def set_allowed_failures(n, dask_scheduler=None):
        dask_scheduler.allowed_failures = n

    with distributed.Client(cluster) as client:
        client.run_on_scheduler(set_allowed_failures, 0)  # give up at the first death instead of the 4th
        try:
            done = [str(tmp_path / f"done{i}") for i in range(2)]
            kwargs = [{"marker": "/", "value": 0.0, "done": done[0]}, {"marker": "/", "value": 1.0, "done": done[1]},
                      {"marker": None, "value": 2.0, "after": done}]  # the last kills, once the others are done
            jobs = make_jobs(kill_own_worker_once, [{"i": i} for i in range(3)], kwargs, range(3))
            with pytest.warns(RuntimeWarning, match=r"1 of 3 jobs failed: \[i=2\] KilledWorker"):
                run = run_jobs(jobs, {"x": np.ones(3)}, scheduler=cluster, progress=False)
        finally:
            client.run_on_scheduler(set_allowed_failures, 3)
    assert [r.ok for r in run.results] == [True, True, False] and run.results[1].value == 4.0
    assert "job [i=2] failed: KilledWorker" in run.summary() and "lost 1 worker" in run.summary()


@pytest.mark.slow
def test_workers_2_starts_its_own_local_cluster(boston_like):
    kw = dict(k=4, epochs=2, batch_size=8, seed=2, progress=False)
    here = cross_validate(build_dense, *boston_like, **kw)
    there = cross_validate(build_dense, *boston_like, workers=2, **kw)
    assert there.folds == here.folds and there.run.mode == "2 local workers"
