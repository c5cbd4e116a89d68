"""Checks that need a real Ray cluster, run by test_batch_ray.py inside a network namespace of their own.

Not collected on its own (the name does not start with `test_`): Ray rewrites 127.0.0.1 to the machine's
network address, so outside a namespace the head node would bind to the machine's real interfaces.
"""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import PROJECT, TESTDATA
from posetracker.tools.evaluate import evaluate, load_label_sets
from posetracker.tools.batch import Clip, run_batch

SHORT = {"dollarpy_pushup5.mp4": "push_up", "kaiakol_push_up.mp4": "push_up",
         "techbusa_glute_bridge.mp4": "glute_bridge"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes_mentioning(text: str) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and text in (proc / "cmdline").read_bytes().decode(errors="replace"):
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids


@pytest.fixture(scope="module")
def cluster():
    """A head node on 127.0.0.1 with its own port and temp dir, two CPUs; stopped, every process of it, after.

    `ray start --block` in a session of its own: stopping it means signalling that one process group, never
    `ray stop`, which would stop every Ray cluster on the machine."""
    port = _free_port()
    temp = tempfile.mkdtemp(prefix="ray-", dir="/tmp")  # Ray's socket paths must stay short
    # The cluster's own token, for the head and this driver alike (nothing read from or written to ~/.ray).
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16)}
    saved = {k: os.environ.get(k) for k in auth}
    os.environ.update(auth)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")])),
           "RAY_USAGE_STATS_ENABLED": "0"}
    head = subprocess.Popen(
        [str(Path(sys.executable).with_name("ray")), "start", "--head", "--block", "--node-ip-address=127.0.0.1",
         f"--port={port}", f"--temp-dir={temp}", "--num-cpus=2", "--include-dashboard=false",
         "--disable-usage-stats"],
        env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    address = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        assert head.poll() is None, "the Ray head exited while starting"
        time.sleep(0.5)
    else:
        pytest.fail(f"no Ray head listening on {address} after 120 s")
    yield address
    for k, v in saved.items():
        os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    os.killpg(head.pid, signal.SIGTERM)  # `ray start --block` stops its processes on SIGTERM (slowly, under load)
    try:
        head.wait(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(head.pid, signal.SIGKILL)
        head.wait(timeout=30)
    deadline = time.monotonic() + 30
    while _processes_mentioning(temp) and time.monotonic() < deadline:
        time.sleep(0.5)
    left = _processes_mentioning(temp)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes of the test cluster still running after it was stopped: {left}"


@pytest.fixture(scope="module")
def pose_cache(tmp_path_factory):
    return os.environ.get("POSETRACKER_POSE_CACHE") or tmp_path_factory.mktemp("posecache")


def test_both_label_files_on_ray_give_exactly_the_sequential_counts(cluster, videos_dir, pose_cache, tmp_path,
                                                                     movenet_installed):
    labels = load_label_sets([TESTDATA / "labels.json", TESTDATA / "labels-more.json"])
    assert len(labels) == 34
    sequential = evaluate(labels, videos_dir, "movenet", pose_cache, workers=1, results=tmp_path / "seq.jsonl")
    on_ray = evaluate(labels, videos_dir, "movenet", pose_cache, workers=2, ray_address=cluster,
                      results=tmp_path / "ray.jsonl")
    assert on_ray.to_dict() == sequential.to_dict()
    assert not on_ray.failures and len(on_ray.clips) == 34
    for suffix in (".jsonl", ".csv"):
        ray_file, seq_file = tmp_path / f"ray{suffix}", tmp_path / f"seq{suffix}"
        assert ray_file.read_bytes() == seq_file.read_bytes(), suffix
    print(on_ray.table())


def test_the_model_runs_on_the_ray_workers_with_the_same_results(cluster, videos_dir, movenet_installed, tmp_path):
    clips = [Clip(name, str(videos_dir / name), exercise, (videos_dir / name).stat().st_size)
             for name, exercise in SHORT.items()]
    clips.append(Clip("missing.mp4", str(tmp_path / "missing.mp4"), "squat"))  # recorded, never aborts
    sequential = run_batch(clips, "movenet", workers=1)  # no pose cache: every pose comes from the model
    on_ray = run_batch(clips, "movenet", workers=2, ray_address=cluster)
    assert on_ray == sequential
    assert [r["error"]["code"] if r["error"] else None for r in on_ray] == [None, None, None, "video_not_found"]
    assert all(r["frames"] > 100 for r in on_ray[:3])
