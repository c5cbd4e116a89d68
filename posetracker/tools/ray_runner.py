"""Clips on a Ray cluster: one actor per worker holds its model for all the clips it is given.

Needs the `dist` extra (`pip install posetracker[dist]`). Every node must see the clips (and the pose cache,
if one is used) at the same paths, e.g. on shared storage, and have the model files installed
(`posetracker models ensure movenet`); the driver ships its own copy of the `posetracker` package, so the
workers run exactly the code the driver runs.
"""
from __future__ import annotations

import os
from typing import Callable

from posetracker.errors import PoseTrackerError
from posetracker.tools.batch import Clip, analyse_clip, failed, worker_estimator

try:
    import ray
except ImportError:  # pragma: no cover - depends on the install
    ray = None

FORWARDED_ENV = ("POSETRACKER_MODELS_DIR",)


class ClipWorker:
    def __init__(self, model: str, pose_cache: str | None) -> None:
        self._model, self._pose_cache = model, pose_cache
        self._estimator = worker_estimator(model)

    def analyse(self, clip: Clip) -> dict:
        return analyse_clip(clip, self._model, self._pose_cache, self._estimator)


def connect(address: str) -> bool:
    """Joins the cluster at `address` ("HOST:PORT", "auto", or "local" for a one-machine cluster started
    here). Returns whether this call connected (and so should disconnect)."""
    if ray is None:
        raise PoseTrackerError("ray_missing", "Running on a Ray cluster needs Ray: pip install 'posetracker[dist]'.")
    if ray.is_initialized():
        return False
    import posetracker

    env = {k: os.environ[k] for k in FORWARDED_ENV if k in os.environ}
    runtime_env = {"py_modules": [os.path.dirname(posetracker.__file__)], "env_vars": env}
    try:
        ray.init(address=address, runtime_env=runtime_env, log_to_driver=False, logging_level="ERROR")
    except ConnectionError as exc:
        raise PoseTrackerError("ray_unreachable", f"No Ray cluster answered at {address} ({exc}). Start one "
                               "with `ray start --head`, or leave out --ray-address to use this machine's "
                               "cores.") from None
    return True


def run_ray(clips: list[Clip], model: str, pose_cache: str | None, workers: int | None, address: str,
            on_record: Callable[[dict, Clip], None]) -> None:
    connected = connect(address)
    remote_worker = ray.remote(num_cpus=1)(ClipWorker)
    actors = []
    try:
        n = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        actors = [remote_worker.remote(model, pose_cache) for _ in range(max(1, min(n, len(clips))))]
        queue = list(reversed(clips))
        running: dict = {}
        retried: set = set()

        def give(actor) -> None:
            if queue:
                clip = queue.pop()
                running[actor.analyse.remote(clip)] = (actor, clip)

        for actor in actors:
            give(actor)
        while running:
            (ref,), _ = ray.wait(list(running), num_returns=1)
            actor, clip = running.pop(ref)
            try:
                record = ray.get(ref)
            except ray.exceptions.RayActorError as exc:
                # The worker died (a node lost, a native crash): a fresh actor takes its place and the
                # clip gets one more try before it is recorded as failed.
                actors.remove(actor)
                actor = remote_worker.remote(model, pose_cache)
                actors.append(actor)
                if clip.key not in retried:
                    retried.add(clip.key)
                    queue.append(clip)
                    give(actor)
                    continue
                record = failed(clip, model, "worker_crashed",
                                f"The Ray worker analysing this clip died twice ({str(exc)[:300]}).")
            except ray.exceptions.RayError as exc:
                record = failed(clip, model, "clip_failed", f"{type(exc).__name__}: {exc}")
            on_record(record, clip)
            give(actor)
    finally:
        for actor in actors:
            ray.kill(actor)
        if connected:
            ray.shutdown()
