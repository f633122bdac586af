"""Ensemble members scored side by side on a CPU box: one single-threaded process per member, as in training.

Scoring is per member and the members are independent, so on a 2-core box two processes each with a core of their
own finish in about half the time of one process scoring the members in turn (whose second thread, where torch has
one, mostly spins on a loaded box). On GPUs, or with `train.member_processes` 1, the members are scored in turn.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any

import torch


def map_members(fn: Callable[..., Any], jobs: list[tuple], *, processes: int, threads: int) -> list[Any]:
    """`[fn(*job) for job in jobs]`, in up to `processes` spawned processes of `threads` torch threads each."""
    if processes <= 1 or len(jobs) <= 1:
        return [fn(*job) for job in jobs]
    # spawn, not fork: a forked child inherits torch's thread pool in an unusable state
    with multiprocessing.get_context("spawn").Pool(min(processes, len(jobs)), initializer=_single_core,
                                                   initargs=(threads,)) as pool:
        return pool.starmap(fn, jobs, chunksize=1)


def _single_core(threads: int) -> None:
    torch.set_num_threads(max(threads, 1))


def side_by_side(cfg, device: torch.device) -> int:
    """How many member processes scoring may use: the training config's, on a CPU."""
    return cfg.train.member_processes if device.type == "cpu" else 1
