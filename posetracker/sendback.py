"""The returned video's last stretch on the server: from the frame callback's output to the encoder.

streamlit-webrtc hands the annotated track to the peer connection through aiortc's `MediaRelay`, buffered:
its own task pulls a frame from the track for every camera frame and queues it, unbounded, for the encoder.
Two things then go wrong as soon as the encoder's loop runs below the camera's rate (a busy machine, a few
sessions; measured in the README's capacity section):

- **the queue grows without end**: every queued frame is still sent, so the returned video falls seconds
  behind the camera (aiortc's `buffered=False` exists for exactly this; streamlit-webrtc does not use it);
- **frames repeat as one object**: until the callback has a new annotated frame, streamlit-webrtc returns its
  last one again, the same `av.VideoFrame`, only setting its `pts` to the new camera frame's. The queue then
  holds that object several times, each copy showing the newest `pts`, so consecutive RTP frames share a
  timestamp. The receiver's jitter buffer joins packets of equal timestamp into one frame, the decoder drops
  the second half, and a VP8 decoder, whose state the lost frame would have updated, shows a corrupt or
  frozen picture until the next keyframe (aiortc's VP8 encoder sends one only when asked).

`SendbackRelay` subscribes the encoder to a processed track unbuffered (it gets the newest frame, older ones
are skipped: the video stays live at a lower rate instead of falling behind) and through `FreshFrames`, which
gives every frame an object of its own with the timestamp it had when it left the callback. Input tracks
(the camera) are relayed as before. The Live page makes it the relay streamlit-webrtc uses
(`pages/_capacity.py`); this module, like the rest of the library, never imports Streamlit.
"""
from __future__ import annotations

from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamTrack


def copy_frame(frame):
    """A new av.VideoFrame with `frame`'s pixels, pts and time base (a plane copy: about 0.1 ms at 640x480)."""
    import av

    if not isinstance(frame, av.VideoFrame):
        return frame
    out = av.VideoFrame(frame.width, frame.height, frame.format.name)
    for dst, src in zip(out.planes, frame.planes):
        if dst.buffer_size == src.buffer_size:
            dst.update(src)
        else:  # a different row padding: row by row through numpy
            import numpy as np

            rows = dst.height
            d = np.frombuffer(dst, np.uint8).reshape(rows, dst.line_size)
            s = np.frombuffer(src, np.uint8).reshape(-1, src.line_size)[:rows]
            width = min(dst.line_size, src.line_size)
            d[:, :width] = s[:, :width]
    out.pts, out.time_base = frame.pts, frame.time_base
    return out


class FreshFrames(MediaStreamTrack):
    """`source`'s frames, each copied as it arrives: nothing the source does later changes one handed out."""

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.kind = source.kind
        self._source = source

    async def recv(self):
        return copy_frame(await self._source.recv())


def is_processed_track(track) -> bool:
    """streamlit-webrtc's output track (its `(Async)VideoProcessTrack`: a `processor` applied to an input
    `track`), as opposed to a peer's incoming track."""
    return (track.kind == "video" and hasattr(track, "processor")
            and isinstance(getattr(track, "track", None), MediaStreamTrack))


class SendbackRelay(MediaRelay):
    """A MediaRelay whose consumers of a processed video track get its newest frame, each an object of its own."""

    def subscribe(self, track: MediaStreamTrack, buffered: bool = True) -> MediaStreamTrack:
        if not is_processed_track(track):
            return super().subscribe(track, buffered)
        # One copier per track, kept on the track (it goes when the session does): every consumer of the
        # track (the encoder, a recorder) reads the same copies.
        fresh = getattr(track, "_sendback_fresh", None)
        if fresh is None:
            fresh = track._sendback_fresh = FreshFrames(track)
        return super().subscribe(fresh, buffered=False)

