"""Run many scenario variants, serially or on a dask.distributed cluster, with identical results.

A *job* is one scenario variant with a number of draws. Jobs are cut into blocks of draws; each block
is one task ``engine.simulate_draws(P, R, seed, draw_ids, capacity)`` returning integer tallies.
Every random number is a pure function of (seed, draw, worker, year, event), so a block's tallies do
not depend on where it runs; blocks are put back in draw order before metrics are computed, and the
results are byte-identical to a serial run.

Serial runs use numba's threads across draws. On a cluster each worker runs one task per thread with
numba limited to one thread (``NUMBA_NUM_THREADS=1`` in local workers, and per task), so workers do
not oversubscribe cores.
"""

from __future__ import annotations

import sys

import numpy as np
from tqdm import tqdm

from model.errors import UserError
from model.scenario.params import Params
from model.simulation import engine
from model.simulation.checks import check_raw
from model.simulation.metrics import to_metrics
from model.simulation.population import Roster
from model.simulation.results import Job, Results, check_memory, job_tallies

BLOCK_DRAWS = 50  # most draws per task on a cluster


def _block(state: tuple[Params, Roster], seed: int, first: int, stop: int) -> np.ndarray:
    """Raw tallies [draw, t, N_RAW] of draws first..stop-1 (a task on a cluster worker)."""
    import numba

    numba.set_num_threads(1)
    P, R = state
    ids = np.arange(first, stop, dtype=np.int64)
    return engine.simulate_draws(P, R, seed, ids, engine.capacity_for(P, len(R.wid)))


def check_address(address: str) -> None:
    """UserError unless ``address`` is a dask scheduler address such as ``tcp://HOST:8786``."""
    from distributed.comm import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    try:
        scheme, where = parse_address(address, strict=True)
        get_backend(scheme)  # ValueError for a scheme dask does not know
        if scheme in ("tcp", "tls"):
            host, port = parse_host_port(where)
            if not host or port is None:
                raise ValueError("expected HOST:PORT")
    except ValueError as exc:
        raise UserError(f"--scheduler {address!r}: not a scheduler address ({exc}); expected tcp://HOST:PORT, "
                        "e.g. tcp://127.0.0.1:8786") from None


class Runner:
    """Runs jobs serially (``workers=None, scheduler=None``), on a new local cluster of ``workers``
    processes, or on the dask scheduler at ``scheduler`` (``tcp://HOST:8786``, waiting up to ``timeout``
    seconds to connect). Use as a context manager."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None, progress: bool = True,
                 timeout: float = 20):
        if workers is not None and scheduler is not None:
            raise UserError("give either --workers or --scheduler, not both")
        if workers is not None and workers < 1:
            raise UserError(f"--workers must be at least 1, got {workers}")
        self.workers, self.scheduler, self.progress, self.timeout = workers, scheduler, progress, timeout
        self.client = self.cluster = None

    @property
    def distributed(self) -> bool:
        return self.client is not None

    def __enter__(self) -> Runner:
        if self.workers is None and self.scheduler is None:
            return self
        from distributed import Client, LocalCluster

        if self.scheduler is not None:
            check_address(self.scheduler)
            try:
                self.client = Client(self.scheduler, timeout=f"{self.timeout}s")
            except (OSError, TimeoutError) as exc:
                raise UserError(f"--scheduler {self.scheduler}: cannot connect ({exc})") from None
            try:  # a scheduler without workers would take the tasks and never run them
                self.client.wait_for_workers(1, timeout=self.timeout)
            except TimeoutError:
                self.client.close()
                self.client = None
                raise UserError(f"--scheduler {self.scheduler}: the scheduler has no workers (none joined within "
                                f"{self.timeout:g} s); start one on each machine with `dask worker {self.scheduler}`") from None
        else:
            self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, env={"NUMBA_NUM_THREADS": "1"})
            self.client = Client(self.cluster)
        return self

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None

    def raw(self, jobs: list[Job], desc: str = "draws") -> list[np.ndarray]:
        """Raw tallies [draw, t, N_RAW] of each job, in job order and draw order. Jobs that are the same (Job.key:
        e.g. the end of a parameter's range at the scenario's own value) are simulated once."""
        check_memory([(j.draws, j.P.n_years) for j in jobs])  # every job's results are kept until the end
        keys = [j.key() for j in jobs]
        distinct: dict[bytes, Job] = {}
        for k, j in zip(keys, jobs):
            distinct.setdefault(k, j)
        todo = list(distinct.values())
        total = sum(j.draws for j in todo)
        with tqdm(total=total, desc=desc, unit="draw", disable=not self.progress, delay=1.0, file=sys.stderr) as bar:
            raws = [job_tallies(j, bar) for j in todo] if not self.distributed else self._raw_distributed(todo, bar)
        raw_of = dict(zip(distinct, raws))
        out, given = [], set()
        for k in keys:  # a repeated job gets a copy of its tallies
            out.append(raw_of[k].copy() if k in given else raw_of[k])
            given.add(k)
        return out

    def _raw_distributed(self, jobs: list[Job], bar) -> list[np.ndarray]:
        from distributed import as_completed

        threads = sum(w["nthreads"] for w in self.client.scheduler_info()["workers"].values())
        # At most BLOCK_DRAWS per task, and at least two tasks per thread when draws are few.
        block = max(1, min(BLOCK_DRAWS, -(-sum(j.draws for j in jobs) // (2 * max(threads, 1)))))
        futures, where = [], {}
        for k, j in enumerate(jobs):
            [state] = self.client.scatter([(j.P, j.R)], hash=False)
            for first in range(0, j.draws, block):
                stop = min(first + block, j.draws)
                f = self.client.submit(_block, state, j.seed, first, stop, pure=False)
                where[f.key] = (k, first, stop - first)
                futures.append(f)
        blocks: dict[tuple[int, int], np.ndarray] = {}
        for f, value in as_completed(futures, with_results=True):
            k, first, n = where[f.key]
            blocks[(k, first)] = value
            bar.update(n)
        return [np.concatenate([blocks[(k, first)] for first in range(0, j.draws, block)]) for k, j in enumerate(jobs)]

    def results(self, jobs: list[Job], desc: str = "draws") -> list[Results]:
        """Simulate each job; checks the accounting identities and returns one ``Results`` per job."""
        out = []
        for j, raw in zip(jobs, self.raw(jobs, desc)):
            check_raw(raw, j.years)
            out.append(Results(j.scenario, j.years, j.draws, j.seed, to_metrics(raw, j.years)))
        return out


__all__ = ["Runner"]
