"""Clips on this machine's cores: one process per worker, each loading its model once.

Processes, not threads: decoding, the model and the engine all hold the GIL for part of each frame. Spawned,
not forked, so no worker inherits a half-initialised model or decoder thread from the parent.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Callable

from posetracker.tools.batch import Clip, analyse_clip, failed, worker_estimator

_worker: dict = {}


def _init_worker(model: str, pose_cache: str | None) -> None:
    _worker.update(model=model, pose_cache=pose_cache, estimator=worker_estimator(model))


def _analyse(clip: Clip) -> dict:
    return analyse_clip(clip, _worker["model"], _worker["pose_cache"], _worker["estimator"])


def run_local(clips: list[Clip], model: str, pose_cache: str | None, workers: int,
              on_record: Callable[[dict, Clip], None]) -> None:
    workers = max(1, min(workers, len(clips)))
    # A model that cannot load (weights missing) is said once, here, not as a dead worker for every clip.
    worker_estimator(model).close()
    if workers == 1:
        with worker_estimator(model) as estimator:
            for clip in clips:
                on_record(analyse_clip(clip, model, pose_cache, estimator), clip)
        return
    # A worker that dies (a crash in native code) breaks the whole pool: the clips it left unfinished run
    # again in a fresh pool; if that breaks too, each remaining clip runs alone, so the crash is pinned on the
    # clip that causes it and every other clip still gets its result.
    pending = _run_pool(clips, model, pose_cache, workers, on_record)
    if pending:
        pending = _run_pool(pending, model, pose_cache, workers, on_record)
    for clip in pending:
        if _run_pool([clip], model, pose_cache, 1, on_record):
            on_record(failed(clip, model, "worker_crashed", "The worker process analysing this clip died "
                             "(a crash in the decoder or the model); the clip may be damaged."), clip)


def _run_pool(clips: list[Clip], model: str, pose_cache: str | None, workers: int,
              on_record: Callable[[dict, Clip], None]) -> list[Clip]:
    """Runs `clips`; returns the ones left unfinished because a worker died."""
    unfinished = []
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(min(workers, len(clips)), mp_context=context, initializer=_init_worker,
                               initargs=(model, pose_cache))
    try:
        futures = {pool.submit(_analyse, clip): clip for clip in clips}
        waiting = set(futures)
        while waiting:
            done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
            for future in done:
                clip = futures[future]
                try:
                    record = future.result()
                except BrokenProcessPool:
                    unfinished.append(clip)
                    continue
                on_record(record, clip)
    finally:
        # Stopped early (Ctrl-C): the clips not started are dropped, not run to the end of the queue.
        pool.shutdown(wait=True, cancel_futures=True)
    order = {c.key: i for i, c in enumerate(clips)}
    return sorted(unfinished, key=lambda c: order[c.key])
