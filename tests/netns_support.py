"""Tests that open many network endpoints (replicas, a proxy, TURN, WebRTC peers) run in a network namespace of
their own: loopback plus a veth pair and no route out, made by `../shared/tools/netns-run` (root, as on the
development and CI machines). WebRTC gathers every interface's address; inside, it only ever finds these.

    def test_something(request):
        if rerun_in_netns(request):
            return            # the outer run: the test ran (and passed) inside the namespace
        ...                   # the inner run: the test's body

The outer run re-invokes pytest on the same test under `netns-run` and fails with the inner run's output.
Everything is installed before (nothing inside reaches a package registry).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("POSETRACKER_SHARED_DIR") or PROJECT.parent / "shared").resolve()
NETNS_RUN = SHARED / "tools" / "netns-run"
INSIDE_ENV = "POSETRACKER_IN_NETNS"
INNER_TIMEOUT_S = 900
# The addresses of the namespace's veth pair (see netns-run).
VETH_A, VETH_B = "10.213.0.1", "10.213.0.2"


def inside_netns() -> bool:
    return os.environ.get(INSIDE_ENV) == "1"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason + ". CI runs as root with ../shared beside the project and must run this test.")
    pytest.skip(reason)


def rerun_in_netns(request, timeout_s: float = INNER_TIMEOUT_S) -> bool:
    """True in the outer run (after the inner run passed); False inside, where the test's body goes on."""
    if inside_netns():
        return False
    if not NETNS_RUN.is_file():
        _unavailable(f"netns-run not found at {NETNS_RUN}")
    if os.geteuid() != 0:
        _unavailable("a network namespace of its own needs root")
    command = [str(NETNS_RUN), sys.executable, "-m", "pytest", request.node.nodeid, "-q", "-x", "-s",
               "-p", "no:cacheprovider", "-o", "addopts="]
    result = subprocess.run(command, cwd=PROJECT, env={**os.environ, INSIDE_ENV: "1"}, capture_output=True,
                            text=True, timeout=timeout_s)
    output = result.stdout[-8000:] + ("\n--- stderr ---\n" + result.stderr[-4000:] if result.stderr else "")
    print(output)
    if result.returncode == 5 or " skipped" in result.stdout and " passed" not in result.stdout:
        pytest.fail(f"the test did not run inside the namespace:\n{output}")
    assert result.returncode == 0, f"inside the network namespace the test failed:\n{output}"
    return True
