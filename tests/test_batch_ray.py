"""Batch runs on a real Ray cluster (a head node on 127.0.0.1 with its own port and temp dir), compared with the
sequential run. Ray binds to the machine's network address, so the checks (tests/ray_cluster_checks.py) run in
a network namespace of their own: this test re-runs pytest on them under ../shared/tools/netns-run (root)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, SHARED

NETNS_RUN = SHARED / "tools" / "netns-run"
CHECKS = Path(__file__).with_name("ray_cluster_checks.py")


@pytest.mark.slow
def test_ray_cluster_batches_match_the_sequential_run(videos_dir, movenet_installed):
    pytest.importorskip("ray", reason="Ray is the optional `dist` extra (make test installs it)")
    if not NETNS_RUN.is_file() or os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run as root with {NETNS_RUN} present")
        pytest.skip(f"needs root and {NETNS_RUN} (a network namespace for the test cluster)")
    inner = subprocess.run(
        [str(NETNS_RUN), sys.executable, "-m", "pytest", str(CHECKS), "-q", "-s", "-p", "no:cacheprovider",
         "--rootdir", str(PROJECT)],
        cwd=PROJECT, capture_output=True, text=True, timeout=3600)
    print(inner.stdout[-20000:], inner.stderr[-5000:])
    assert inner.returncode == 0, inner.stdout[-6000:] + inner.stderr[-3000:]
    assert re.search(r"\b2 passed", inner.stdout), inner.stdout[-3000:]
