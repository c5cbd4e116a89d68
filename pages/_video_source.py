"""Live with a video: the Live page's "use a video instead of the camera".

The clip (uploaded here, or the one analysed on the Upload page) gets the same checks and plan limits as an
upload and is copied into this session's own temporary folder, deleted when the session ends. START then plays
it through streamlit-webrtc's player source (`posetracker.clip_source`) into the same frame callback as a camera.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, replace

import streamlit as st
from streamlit_webrtc import WebRtcMode

from posetracker.clip_source import ClipControl, ClipPlayer, as_clip
from posetracker.errors import PoseTrackerError
from posetracker.inputs import VIDEO_EXTENSIONS, CheckedUpload, MediaKind, Workspace, check_media, store_upload

USE_CLIP = "live.use_clip"  # the toggle's key; the first screen's "Live with a video" sets it
_CLIP = "live.clip"
_WORKSPACE = "live.clip_workspace"
_ERROR = "live.clip_error"


@dataclass
class LiveClip:
    key: object
    upload: CheckedUpload
    control: ClipControl

    def player(self) -> ClipPlayer:
        return ClipPlayer(self.upload.path, self.control)


@dataclass
class VideoSource:
    """The camera (clip None) or a checked clip; what `webrtc_streamer` needs for it."""

    clip: LiveClip | None = None

    @property
    def is_camera(self) -> bool:
        return self.clip is None

    def streamer_args(self, on_start=None) -> dict:
        """`webrtc_streamer`'s source arguments. `on_start` runs when START plays the clip from its beginning: a
        replayed clip is a new set, not more reps on the last one."""
        if self.clip is None:
            return {"key": "live", "mode": WebRtcMode.SENDRECV}
        clip = self.clip

        def player() -> ClipPlayer:
            if on_start is not None:
                on_start()
            return clip.player()

        return {"key": "live-clip", "mode": WebRtcMode.RECVONLY, "player_factory": player}

    def settings_for(self, settings):
        """A clip is shown as recorded: mirroring is for a selfie camera."""
        return settings if self.clip is None else replace(settings, mirror=False)

    def controls(self, playing: bool) -> None:
        if self.clip is not None:
            _clip_controls(self.clip, playing)


def _workspace() -> Workspace:
    workspace = st.session_state.get(_WORKSPACE)
    if workspace is None or workspace.closed:
        workspace = st.session_state[_WORKSPACE] = Workspace()
    return workspace


def _adopt(key, store) -> None:
    """Check and keep a clip (`store(folder)` -> CheckedUpload), replacing the previous one; a refusal says why."""
    workspace = _workspace()
    previous: LiveClip | None = st.session_state.get(_CLIP)
    try:
        upload = as_clip(store(workspace.new_analysis()))
    except PoseTrackerError as exc:
        workspace.discard_current()
        st.session_state.pop(_CLIP, None)
        st.session_state[_ERROR] = (key, exc.message)
        return
    loop = previous.control.loop if previous is not None else False
    st.session_state[_CLIP] = LiveClip(key, upload, ClipControl(upload.duration_s, loop=loop))
    st.session_state.pop(_ERROR, None)


def _drop() -> None:
    _workspace().discard_current()
    st.session_state.pop(_CLIP, None)
    st.session_state.pop(_ERROR, None)


def _upload_page_clip() -> CheckedUpload | None:
    """The video analysed on the Upload page in this session, if its file is still there."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from pages._shared import session_registry

    ctx = get_script_run_ctx()
    outcome = getattr(session_registry().peek(ctx.session_id) if ctx else None, "outcome", None)
    upload = getattr(outcome, "upload", None)
    if upload is not None and upload.kind is MediaKind.VIDEO and upload.path.is_file():
        return upload
    return None


def video_source(settings) -> VideoSource:
    """The toggle, and with it on, the clip's uploader. Returns what START will play."""
    if not st.toggle("Use a video instead of the camera", key=USE_CLIP,
                     help="Play a recorded clip through live tracking, as if it were the camera: for demos, "
                          "or to check the counter on a recording."):
        return VideoSource()
    plan = settings.plan_info
    uploaded = st.file_uploader("A video to play as the camera (MP4, MOV, WebM, AVI, MKV)",
                                type=list(VIDEO_EXTENSIONS), max_upload_size=plan.max_upload_mb,
                                key="live.clip_file", help=f"{plan.name} plan: {plan.describe_limits()}")
    current: LiveClip | None = st.session_state.get(_CLIP)
    if uploaded is not None:
        key = ("file", uploaded.file_id)
        if current is None or current.key != key:
            if st.session_state.get(_ERROR, (None,))[0] != key:
                _adopt(key, lambda folder: store_upload(uploaded.getvalue(), uploaded.name, plan, folder))
    else:
        if current is not None and current.key[0] == "file":  # its file was removed from the uploader
            _drop()
            current = None
        if st.session_state.get(_ERROR, ((None,),))[0][0] == "file":  # so was a refused one
            st.session_state.pop(_ERROR)
        earlier = _upload_page_clip()
        if earlier is not None and (current is None or current.key != ("upload", earlier.path)):
            if st.button(f"Play {earlier.name} (from the Upload page)", icon=":material/movie:"):
                _adopt(("upload", earlier.path), lambda folder: check_media(
                    shutil.copy(earlier.path, folder / earlier.path.name), plan, earlier.name))
    error = st.session_state.get(_ERROR)
    if error is not None:
        st.error(error[1], icon=":material/error:")
    clip = st.session_state.get(_CLIP)
    if clip is None:
        st.info("Choose a video to play. Until then, START uses the camera.", icon=":material/movie:")
    return VideoSource(clip)


def _clip_controls(clip: LiveClip, playing: bool) -> None:
    @st.fragment(run_every=1.0 if playing else None)
    def controls() -> None:
        status = clip.control.status()
        left, middle, right = st.columns([2, 2, 3], vertical_alignment="center")
        paused = status.paused
        if left.button("Resume" if paused else "Pause", icon=":material/play_arrow:" if paused else
                       ":material/pause:", disabled=not playing or status.ended, key="live.clip_pause",
                       width="stretch"):
            clip.control.toggle_pause()
            st.rerun(scope="fragment")
        clip.control.loop = middle.toggle("Loop", value=clip.control.loop, key="live.clip_loop",
                                          help="Start the clip again when it ends; the count carries on.")
        total = f" / {status.duration_s:.0f} s" if status.duration_s else ""
        state = ("ended: press STOP, then START to play it again" if status.ended else
                 "paused" if paused else "playing" if playing else "press START to play it")
        loops = f" · loop {status.loops + 1}" if status.loops else ""
        right.caption(f"**{clip.upload.name}** · {status.position_s:.0f} s{total}{loops} · {state}")

    controls()
