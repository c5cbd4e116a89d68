"""`posetracker bench --capacity`: how many live sessions this server holds at >= 15 fps and < 250 ms.

    report = run_capacity(CapacityConfig(videos=Path("clips"), models=("movenet",)))
    print(format_capacity(report))

The server side is the Live page's own, without the page: per session a `LiveProcessor` and a streamlit-webrtc
`WebRtcWorker` built with the page's arguments (SENDRECV, the queued-frames callback, async processing, no ICE
servers), on one event loop thread as streamlit-webrtc runs them, admitted by the same `LiveAdmission`. The
visitors are aiortc peers in a process of their own (`live_clients`) sending a real clip at the camera's size
and rate. Why not through Streamlit itself: the offer and answer travel inside Streamlit's WebSocket protocol
as component values across script reruns, which only a browser speaks; a browser per session would cost the
machine far more than a visitor costs a real server. Everything after signalling (ICE, RTP, decode, the
callback, encode, RTCP) is what a real session runs.

Sessions are added one at a time; after each, a short warm-up, then every session's delivered fps (new
annotated frames back a second), latency (frame sent -> annotated frame back) and dropped frames are taken over
a window. The largest N where every session kept the targets is the figure. Run it inside a network namespace
of its own (WebRTC gathers every interface's address).
"""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from posetracker.capacity import TARGET_FPS, TARGET_LATENCY_MS, LiveAdmission, Refusal
from posetracker.tools.live_clients import CameraSpec, client_process

DEFAULT_CLIP = "rjsong_squat2.mp4"


@dataclass(frozen=True)
class CapacityConfig:
    videos: Path
    models: tuple[str, ...] = ("movenet", "blazepose")
    clip: str = DEFAULT_CLIP
    exercise: str = "squat"
    width: int = 640
    height: int = 480
    fps: int = 30
    codec: str = "VP8"
    max_sessions: int = 6
    warmup_s: float = 4.0
    window_s: float = 6.0
    admission: float | None = None  # None: no admission (find the limit); a number: admit up to this load

    @property
    def camera(self) -> CameraSpec:
        return CameraSpec(self.clip, self.width, self.height, self.fps, self.codec)


def meets_targets(session: dict) -> bool:
    return (session["delivered_fps"] >= TARGET_FPS and session["latency_ms_median"] is not None
            and session["latency_ms_median"] < TARGET_LATENCY_MS)


class LiveServer:
    """The Live page's server side for many sessions: processors and WebRTC workers on one event loop."""

    def __init__(self, exercise: str = "squat", admission: LiveAdmission | None = None,
                 sendback_relay: bool = True) -> None:
        from aiortc.contrib.media import MediaRelay

        from posetracker.sendback import SendbackRelay

        self.exercise = exercise
        self.admission = admission
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="live-server-loop", daemon=True)
        self._thread.start()

        async def relay():  # the page's (install_sendback_relay); False: streamlit-webrtc's own, to compare
            return SendbackRelay() if sendback_relay else MediaRelay()

        self._relay = asyncio.run_coroutine_threadsafe(relay(), self._loop).result()
        self.sessions: dict[str, tuple] = {}

    def open(self, key: str, model: str, offer_sdp: str) -> tuple[str | None, Refusal | None]:
        """Answer a visitor's offer as the Live page would, or refuse it when the server is full."""
        from aiortc import RTCConfiguration
        from streamlit_webrtc.webrtc import WebRtcMode, WebRtcWorker

        from posetracker.live import LiveProcessor
        from posetracker.settings import Settings
        from posetracker.options import Mode

        settings = Settings(exercise=self.exercise, countdown_s=0)
        processor = LiveProcessor(model, settings.to_options(Mode.LIVE), mirror=settings.mirror)
        if self.admission is not None:
            refusal = self.admission.admit(key, model, processor)
            if refusal is not None:
                processor.close()
                return None, refusal

        async def on_frames(frames):
            return processor.process_av_frames(frames)

        worker = WebRtcWorker(
            mode=WebRtcMode.SENDRECV, rtc_configuration=RTCConfiguration(iceServers=[]),
            source_video_track=None, source_audio_track=None, sink_video_track=None, sink_audio_track=None,
            player_factory=None, in_recorder_factory=None, out_recorder_factory=None,
            video_frame_callback=None, audio_frame_callback=None, queued_video_frames_callback=on_frames,
            queued_audio_frames_callback=None, on_video_ended=None, on_audio_ended=None,
            video_processor_factory=None, audio_processor_factory=None, async_processing=True,
            video_receiver_size=4, audio_receiver_size=4, sendback_video=True, sendback_audio=True,
            loop=self._loop, relay=self._relay)
        answer = worker.process_offer(offer_sdp, "offer", timeout=10)
        self.sessions[key] = (processor, worker)
        return answer.sdp, None

    def snapshot(self, key: str):
        return self.sessions[key][0].snapshot()

    def close(self, key: str) -> None:
        processor, worker = self.sessions.pop(key)
        worker.stop(timeout=5)
        processor.close()
        if self.admission is not None:
            self.admission.release(key)

    def shutdown(self) -> None:
        for key in list(self.sessions):
            self.close(key)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


class Visitors:
    """The client process and its pipe: one aiortc peer per visitor."""

    def __init__(self, config: CapacityConfig) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=client_process, args=(child, config.camera, str(config.videos)),
                                    name="capacity-visitors", daemon=True)
        self._process.start()
        self._ask_ready()

    def _ask_ready(self) -> None:
        if not self._conn.poll(120):
            raise RuntimeError("the visitors' process did not start")
        self._conn.recv()

    def ask(self, *command, timeout: float = 60.0):
        self._conn.send(command)
        if not self._conn.poll(timeout):
            raise RuntimeError(f"the visitors' process did not answer {command[0]!r}")
        reply = self._conn.recv()
        if reply[0] == "error":
            raise RuntimeError(f"visitor {command[0]} failed: {reply[1]}")
        return reply[1] if len(reply) > 1 else None

    def close(self) -> None:
        try:
            self.ask("quit", timeout=20)
        except (RuntimeError, OSError, EOFError):
            pass
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()


@dataclass
class Step:
    sessions: int
    per_session: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.per_session) and all(meets_targets(s) for s in self.per_session)


def measure(server: LiveServer, visitors: Visitors, config: CapacityConfig, keys: list[str]) -> list[dict]:
    """Every session's figures over one window, the client's view beside the server's own count."""
    before = {k: server.snapshot(k) for k in keys}
    cpu0, t0 = time.process_time(), time.monotonic()
    time.sleep(config.window_s)
    cpu1, t1 = time.process_time(), time.monotonic()
    seen = visitors.ask("window", t0, t1)
    out = []
    processed = sum(server.snapshot(k).frames_processed - before[k].frames_processed for k in keys)
    # The server process runs nothing but the sessions, so its CPU time over the window is what they cost:
    # decoding, the model, drawing, encoding, RTP. Per processed frame it hardly depends on how loaded the
    # machine is, so it projects to a machine of one's own where the direct count cannot be taken.
    cpu_ms_per_frame = round((cpu1 - cpu0) * 1000 / processed, 1) if processed else None
    for key in keys:
        after = server.snapshot(key)
        row = {"session": key, **seen[key], "server_cpu_ms_per_frame": cpu_ms_per_frame,
               "server_fps": round((after.frames_processed - before[key].frames_processed) / (t1 - t0), 1),
               "server_dropped": after.frames_dropped - before[key].frames_dropped,
               "model_ms": round(after.ms_per_frame, 1) if after.ms_per_frame else None}
        out.append(row)
    return out


def add_session(server: LiveServer, visitors: Visitors, key: str, model: str) -> Refusal | None:
    offer = visitors.ask("offer", key)
    answer, refusal = server.open(key, model, offer)
    if refusal is not None:
        visitors.ask("close", key)
        return refusal
    visitors.ask("answer", key, answer)
    return None


def wait_streaming(visitors: Visitors, key: str, timeout_s: float = 60.0) -> bool:
    """Until annotated frames come back to `key` (ICE, DTLS, the first keyframe and the model's first frames
    take seconds on a loaded machine); False when none came within the timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = time.monotonic()
        if visitors.ask("window", now - 2.0, now)[key]["delivered_fps"] > 0:
            return True
        time.sleep(0.5)
    return False


def find_capacity(model: str, config: CapacityConfig, log=lambda s: None) -> dict:
    """Add sessions one by one until one misses the targets; N is the last count where all kept them."""
    server = LiveServer(config.exercise)
    visitors = Visitors(config)
    steps: list[Step] = []
    try:
        keys: list[str] = []
        for n in range(1, config.max_sessions + 1):
            key = f"{model}-{n}"
            add_session(server, visitors, key, model)
            keys.append(key)
            wait_streaming(visitors, key)
            time.sleep(config.warmup_s)
            step = Step(n, measure(server, visitors, config, keys))
            steps.append(step)
            log(f"{model}: {n} session(s): " + ", ".join(
                f"{s['delivered_fps']} fps {s['latency_ms_median']} ms" for s in step.per_session))
            if not step.ok:
                break
    finally:
        visitors.close()
        server.shutdown()
    capacity = max([s.sessions for s in steps if s.ok], default=0)
    costs = sorted(r["server_cpu_ms_per_frame"] for s in steps for r in s.per_session[:1]
                   if r["server_cpu_ms_per_frame"])
    cost = costs[len(costs) // 2] if costs else None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return {"model": model, "capacity": capacity, "server_cpu_ms_per_frame": cost,
            # Sessions whose processing at the target rate would fill every core of an otherwise idle server.
            "projected_idle": int(cores * 1000 // (TARGET_FPS * cost)) if cost else None,
            "steps": [{"sessions": s.sessions, "ok": s.ok, "per_session": s.per_session} for s in steps]}


def run_capacity(config: CapacityConfig, log=lambda s: None) -> dict:
    info = {"cores": os.cpu_count(), "loadavg": list(os.getloadavg()),
            "camera": f"{config.width}x{config.height}@{config.fps} {config.codec}", "clip": config.clip,
            "targets": {"fps": TARGET_FPS, "latency_ms": TARGET_LATENCY_MS},
            "cpu": _cpu_model()}
    return {"machine": info, "models": {m: find_capacity(m, config, log) for m in config.models}}


def _cpu_model() -> str:
    from posetracker.tools.bench import _cpu_model as cpu

    return cpu()


def format_capacity(report: dict) -> str:
    m = report["machine"]
    lines = [f"Live capacity: camera {m['camera']}, clip {m['clip']}, {m['cores']} cores, load "
             f"{' '.join(f'{x:.1f}' for x in m['loadavg'])} at start; targets >= {TARGET_FPS:.0f} fps delivered, "
             f"< {TARGET_LATENCY_MS:.0f} ms median latency", ""]
    for model, result in report["models"].items():
        lines.append(f"{model}: {result['capacity']} session(s) measured; server CPU "
                     f"{result['server_cpu_ms_per_frame']} ms per processed frame, so about "
                     f"{result['projected_idle']} on an idle server of these cores")
        for step in result["steps"]:
            rows = "; ".join(
                f"{s['delivered_fps']:.1f} fps, {s['latency_ms_median']} ms (p95 {s['latency_ms_p95']}), "
                f"{s['dropped']} dropped" for s in step["per_session"])
            lines.append(f"  N={step['sessions']} {'ok  ' if step['ok'] else 'MISS'} {rows}")
    return "\n".join(lines)

