"""Draws spread over dask workers give byte-identical results to a serial run."""

from __future__ import annotations

import pytest

import model
from conftest import BASELINE
from model.analysis import distributed
from model.analysis.distributed import Runner
from model.errors import UserError
from model.outputs import csv_bytes
from model.simulation.results import make_job


def test_local_cluster_equals_serial(monkeypatch):
    monkeypatch.setattr(distributed, "BLOCK_DRAWS", 3)
    sc = model.load_scenario(BASELINE, overrides=["horizon.end_year=2025"])
    serial = model.simulate(sc, draws=11, seed=9, progress=False)
    with Runner(workers=2, progress=False) as runner:
        spread = model.simulate(sc, draws=11, seed=9, progress=False, runner=runner)
    assert csv_bytes(serial.summary()) == csv_bytes(spread.summary())
    assert csv_bytes(serial.draws_table()) == csv_bytes(spread.draws_table())


def test_existing_scheduler_and_numba_threads():
    from distributed import Client, LocalCluster

    sc = model.load_scenario(BASELINE, overrides=["horizon.end_year=2022"])
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                      env={"NUMBA_NUM_THREADS": "1"}) as cluster:
        with Runner(scheduler=cluster.scheduler_address, progress=False) as runner:
            [raw] = runner.raw([make_job(sc, 4, 1)])
            assert set(Client.current().run(lambda: __import__("os").environ["NUMBA_NUM_THREADS"]).values()) == {"1"}
    [serial] = Runner(progress=False).raw([make_job(sc, 4, 1)])
    assert (raw == serial).all()


def test_runner_arguments_are_checked():
    with pytest.raises(UserError, match="either --workers or --scheduler"):
        Runner(workers=2, scheduler="tcp://localhost:8786")
    with pytest.raises(UserError, match="at least 1"):
        Runner(workers=0)
    with pytest.raises(UserError, match="cannot connect"):
        with Runner(scheduler="tcp://127.0.0.1:1", timeout=1):
            pass
