"""Two app replicas behind nginx with sticky sessions, on loopback inside a network namespace of its own.

Two browsers open the Live page through the proxy, each with its own fake camera of a squat clip: each is
pinned to its own replica (round-robin for the first request, the cookie after), every request and the
WebSocket of a session go to the replica that holds it, and both count. nginx comes from the system (`.ci/run`
installs it); the configuration is the one `posetracker.tools.replicas` writes for a deployment.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from browser_support import AppServer, free_port, open_app, webrtc_frame
from netns_support import rerun_in_netns
from posetracker.tools.replicas import COOKIE, coturn_config, nginx_config, proxy_params, replica_names

pytestmark = pytest.mark.browser


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        import os

        reason = "nginx is not installed (Debian: apt-get install nginx-light; .ci/run does it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def start_nginx(folder: Path, replicas: list[str], port: int) -> subprocess.Popen:
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    conf = nginx_config(replicas, f"127.0.0.1:{port}", worker_processes="1", pid=str(folder / "nginx.pid"),
                        access_log=str(folder / "access.log"), error_log=str(folder / "error.log"))
    (folder / "nginx.conf").write_text(conf)
    (folder / "posetracker_proxy_params").write_text(proxy_params())
    binary = nginx_binary()
    check = subprocess.run([binary, "-t", "-p", str(folder), "-c", str(folder / "nginx.conf")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([binary, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"nginx did not answer: {(folder / 'error.log').read_text(errors='replace')}")


def shown_count(page) -> int:
    return int(page.get_by_test_id("stMetric").first.get_by_test_id("stMetricValue").inner_text().strip())


def test_nginx_config_pins_only_listed_replicas_and_carries_websockets():
    conf = nginx_config(["10.0.0.11:8501", "10.0.0.12:8501"], "80")
    assert "r0 10.0.0.11:8501;" in conf and "r1 10.0.0.12:8501;" in conf
    assert "default posetracker_any;" in conf  # an unknown cookie is never an address
    params = proxy_params()
    assert "Upgrade $http_upgrade" in params and "proxy_read_timeout 1d" in params and COOKIE in params
    assert replica_names(["a:1", "b:2", "c:3"]) == ["r0", "r1", "r2"]
    turn = coturn_config("10.0.0.20", "pt", "secret", "example.org", external_ip="203.0.113.7")
    assert "user=pt:secret" in turn and "external-ip=203.0.113.7/10.0.0.20" in turn and "lt-cred-mech" in turn
    with pytest.raises(ValueError):
        nginx_config([])


def test_two_replicas_behind_nginx_each_browser_counts_on_its_own_replica(request, launch_browser, fake_camera,
                                                                          artifacts_dir, tmp_path):
    if rerun_in_netns(request):
        return
    nginx_binary()
    ports = [free_port(), free_port()]
    replicas = [f"127.0.0.1:{p}" for p in ports]
    servers = [AppServer(artifacts_dir / f"replica-{i}.log", port=p) for i, p in enumerate(ports)]
    proxy_port = free_port()
    nginx = start_nginx(tmp_path / "nginx", replicas, proxy_port)
    pages = []
    try:
        # A small camera: the test is about routing, and two replicas plus two browsers share two cores.
        camera = fake_camera("rjsong_squat2.mp4", seconds=40, size=(320, 240))
        url = f"http://127.0.0.1:{proxy_port}/live?exercise=squat&countdown=0"
        for _ in range(2):  # one after the other, so round-robin gives each its own replica
            pages.append(open_app(launch_browser(camera=camera), url))
        pinned = []
        for page in pages:
            cookies = {c["name"]: c["value"] for c in page.context.cookies()}
            pinned.append(cookies.get(COOKIE))
        assert sorted(pinned) == ["r0", "r1"], pinned

        for page in pages:
            webrtc_frame(page).get_by_role("button", name="START").click(timeout=120_000)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if all(shown_count(page) >= 1 for page in pages):
                break
            for page in pages:  # a stream the starved machine dropped is started again, as a visitor would
                start = webrtc_frame(page).get_by_role("button", name="START")
                if start.count() and start.is_visible():
                    start.click(timeout=60_000)
            time.sleep(2.0)
        counts = [shown_count(page) for page in pages]
        for i, page in enumerate(pages):
            page.screenshot(path=str(artifacts_dir / f"replica-browser-{i}.png"))
        # At least one squat each: on a busy two-core machine the streams run at a few frames a second.
        assert all(c >= 1 for c in counts), counts
    finally:
        for page in pages:  # the WebSockets close first, so nginx logs them
            page.context.close()
        time.sleep(1.0)
        nginx.terminate()
        nginx.wait(10)
        for server in servers:
            server.stop()

    # Every request that carried a replica's cookie went to that replica, WebSockets included, and each
    # replica held one browser's WebSocket.
    log = (tmp_path / "nginx" / "access.log").read_text()
    lines = [re.search(r" (\S+) (\d+) upstream=(\S+) cookie=(\S*) upgrade=(\S*)", line) for line in log.splitlines()]
    routed = [(m.group(3), m.group(4), m.group(5)) for m in lines if m]
    wrong = [r for r in routed if r[1] in ("r0", "r1") and r[0] != replicas[int(r[1][1])]]
    assert routed and not wrong, wrong[:5]
    sockets = {m.group(3) for m in lines if m and m.group(1) == "/_stcore/stream" and m.group(4)}
    assert sockets == set(replicas), sockets
    for server in servers:
        assert server.returncode == 0
        # Browsers closed mid-stream can trip Streamlit's own WebSocket close race (a starlette
        # "WebSocketDisconnected" traceback in its server code); nothing of ours may appear in one.
        log = server.log_text()
        assert "posetracker/" not in log and "pages/" not in log, log[-4000:]
