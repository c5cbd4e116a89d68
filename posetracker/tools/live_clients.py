"""Camera stand-ins for the capacity benchmark: aiortc peers that send a real clip and time what comes back.

They run in a process of their own (so their Python work never shares the server's interpreter lock) and cost
the machine what a browser's WebRTC stack costs the far end: packets out, the returned video decoded. The
clip is encoded once, up front, as a browser's encoder would (VP8 or H.264 at a camera's size and rate), and
its packets are sent on the camera's clock; every frame carries its number in two 16-pixel strips at the
picture's left and right edges (the same on both, so the server's mirroring keeps it), read back from the
returned video's luma to time each frame from sent to annotated-and-back.
"""
from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

CODE_BITS = 8          # frame number modulo 256 (the loop is shorter, so a frame is never mistaken for another)
BLOCK_H = 24
STRIP_W = 16
LOOP_FRAMES = 120      # the clip loops every 4 s at 30 fps; latencies are far shorter
BITRATE = 1_000_000    # about what Chrome sends for 640x480 on a local network


@dataclass(frozen=True)
class CameraSpec:
    clip: str
    width: int = 640
    height: int = 480
    fps: int = 30
    codec: str = "VP8"   # or "H264"


def code_rows(height: int) -> tuple[int, int]:
    top = height // 2 - (CODE_BITS + 1) * BLOCK_H // 2
    return top, top + (CODE_BITS + 1) * BLOCK_H


def stamp(y_plane: np.ndarray, number: int) -> None:
    """Write `number` (mod 256) and a parity bit as white/black blocks in both edge strips of the luma plane."""
    bits = [(number >> i) & 1 for i in range(CODE_BITS)]
    bits.append(sum(bits) & 1)
    top, _ = code_rows(y_plane.shape[0])
    for i, bit in enumerate(bits):
        value = 235 if bit else 16
        rows = slice(top + i * BLOCK_H, top + (i + 1) * BLOCK_H)
        y_plane[rows, :STRIP_W] = value
        y_plane[rows, -STRIP_W:] = value


def read_code(y_plane: np.ndarray) -> int | None:
    """The frame number stamped by `stamp`, from either strip; None when neither reads cleanly."""
    top, _ = code_rows(y_plane.shape[0])
    for strip in (slice(3, STRIP_W - 3), slice(-STRIP_W + 3, -3)):
        bits = []
        for i in range(CODE_BITS + 1):
            block = y_plane[top + i * BLOCK_H + 5: top + (i + 1) * BLOCK_H - 5, strip]
            bits.append(1 if float(block.mean()) > 125 else 0)
        if sum(bits[:CODE_BITS]) & 1 == bits[CODE_BITS]:
            return sum(bit << i for i, bit in enumerate(bits[:CODE_BITS]))
    return None


def encode_clip(spec: CameraSpec, videos: Path) -> list:
    """The clip as the camera's encoded packets: LOOP_FRAMES frames, numbered, a keyframe every second."""
    import av

    from posetracker.tools.bench import live_frames

    frames = live_frames(videos / spec.clip, LOOP_FRAMES)
    codec = av.CodecContext.create("libvpx" if spec.codec == "VP8" else "libx264", "w")
    codec.width, codec.height, codec.pix_fmt = spec.width, spec.height, "yuv420p"
    codec.time_base = Fraction(1, spec.fps)
    codec.framerate = Fraction(spec.fps)
    codec.bit_rate = BITRATE
    codec.gop_size = spec.fps
    codec.options = ({"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"} if spec.codec == "VP8"
                     else {"preset": "veryfast", "tune": "zerolatency", "bf": "0"})
    if spec.codec == "H264":
        codec.profile = "Baseline"
    packets = []
    for i in range(LOOP_FRAMES):
        vf = frames[i % len(frames)]
        if (vf.width, vf.height) != (spec.width, spec.height):
            vf = vf.reformat(width=spec.width, height=spec.height, format="yuv420p")
        planes = vf.to_ndarray()  # yuv420p as one (h*3/2, w) array; the luma is its top
        stamp(planes[:spec.height], i)
        out = av.VideoFrame.from_ndarray(planes, format="yuv420p")
        out.pts = i
        packets.extend(codec.encode(out))
    packets.extend(codec.encode(None))
    if len(packets) != LOOP_FRAMES:
        raise RuntimeError(f"the encoder gave {len(packets)} packets for {LOOP_FRAMES} frames")
    return packets


class _CameraTrack:
    """A MediaStreamTrack of pre-encoded packets at the camera's rate; notes when each number went out."""

    def __new__(cls, packets, fps, sent):
        from aiortc.mediastreams import MediaStreamTrack

        class Track(MediaStreamTrack):
            kind = "video"

            def __init__(self):
                super().__init__()
                self._i = 0
                self._start = None

            async def recv(self):
                if self._start is None:
                    self._start = time.monotonic()
                due = self._start + self._i / fps
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                src = packets[self._i % len(packets)]
                packet = type(src)(bytes(src))
                packet.pts, packet.time_base = self._i, Fraction(1, fps)
                packet.is_keyframe = src.is_keyframe
                sent[(self._i % len(packets)) % (1 << CODE_BITS)] = time.monotonic()
                self._i += 1
                return packet

        return Track()


class Client:
    """One visitor: sends the camera, and records (arrival time, latency) of every new annotated frame."""

    def __init__(self, spec: CameraSpec, packets: list) -> None:
        from aiortc import RTCConfiguration, RTCPeerConnection

        self.sent: dict[int, float] = {}
        self.arrivals: list[tuple[float, float]] = []
        self.frames_sent = 0
        self.unreadable = 0
        self.received: list[float] = []
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self._track = _CameraTrack(packets, spec.fps, self.sent)
        transceiver = self.pc.addTransceiver(self._track, direction="sendrecv")
        from aiortc.rtcrtpsender import RTCRtpSender

        codecs = [c for c in RTCRtpSender.getCapabilities("video").codecs
                  if c.mimeType.upper() in (f"VIDEO/{spec.codec}", "VIDEO/RTX")]
        transceiver.setCodecPreferences(codecs)
        self.pc.on("track", self._on_track)
        self._last_code: int | None = None

    def _on_track(self, track) -> None:
        asyncio.ensure_future(self._read(track))

    async def _read(self, track) -> None:
        from aiortc.mediastreams import MediaStreamError

        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            now = time.monotonic()
            self.received.append(now)
            plane = frame.planes[0]
            y = np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)[:frame.height, :frame.width]
            code = read_code(y)
            if code is None:
                self.unreadable += 1
                continue
            if code == self._last_code or code not in self.sent:
                continue  # the server repeats its last annotated frame until a new one is ready
            self._last_code = code
            self.arrivals.append((now, (now - self.sent[code]) * 1000.0))

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def answer(self, sdp: str) -> None:
        from aiortc import RTCSessionDescription

        await self.pc.setRemoteDescription(RTCSessionDescription(sdp, "answer"))

    def window(self, t0: float, t1: float, fps: int) -> dict:
        got = [ms for t, ms in self.arrivals if t0 <= t < t1]
        seconds = max(t1 - t0, 1e-9)
        sent = round(seconds * fps)
        lat = sorted(got)
        return {"delivered_fps": round(len(got) / seconds, 1), "sent": sent,
                "dropped": max(0, sent - len(got)),
                "returned_fps": round(sum(t0 <= t < t1 for t in self.received) / seconds, 1),
                "unreadable": self.unreadable,
                "latency_ms_median": round(lat[len(lat) // 2], 1) if lat else None,
                "latency_ms_p95": round(lat[min(len(lat) - 1, int(len(lat) * 0.95))], 1) if lat else None}


def client_process(conn, spec: CameraSpec, videos: str) -> None:
    """The child process: commands from the benchmark over `conn` (a multiprocessing Connection)."""
    packets = encode_clip(spec, Path(videos))
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    clients: dict[str, Client] = {}

    def run(coro, timeout=30):
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

    async def make(key):
        clients[key] = Client(spec, packets)
        return await clients[key].offer()

    async def close(key):
        client = clients.pop(key, None)
        if client is not None:
            await client.pc.close()

    conn.send(("ready",))
    while True:
        command, *args = conn.recv()
        try:
            if command == "offer":
                conn.send(("offer", run(make(args[0]))))
            elif command == "answer":
                run(clients[args[0]].answer(args[1]))
                conn.send(("ok",))
            elif command == "window":
                t0, t1 = args
                conn.send(("window", {k: c.window(t0, t1, spec.fps) for k, c in clients.items()}))
            elif command == "close":
                run(close(args[0]))
                conn.send(("ok",))
            elif command == "quit":
                for key in list(clients):
                    run(close(key))
                conn.send(("ok",))
                return
        except Exception as exc:  # noqa: BLE001 - reported to the benchmark, which stops cleanly
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
