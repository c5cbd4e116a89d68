"""Any camera, any file: every frame size, pixel format and rotation reaches the model upright and unmirrored,
and comes out with its own displayed size and the overlay where the pose is, on the right side.

Property-based (hypothesis) over width, height, rotation and pixel format, for the live callback
(`LiveProcessor.process_av_frames`) and for the export (`analyze_video(..., export_path=...)`).
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from geometry_support import (
    GREEN_AT, MAGENTA_AT, STORAGE, MarkerEstimator, av_frame, find, GREEN, MAGENTA, marked_picture, side_drawn,
    write_stored,
)
from posetracker.annotate import I420
from posetracker.live import LiveProcessor
from posetracker.options import Mode, Options
from posetracker.tracker import model_size

LIVE_FORMATS = ["yuv420p", "yuv420p-full", "yuvj420p", "nv12", "yuv422p", "yuv444p", "rgb24", "yuv420p10le"]
FILE_FORMATS = ["yuv420p", "yuv420p-full", "yuvj420p", "nv12", "yuv422p", "yuv444p", "rgb24", "yuv420p10le", "h264"]


def _mirror(at):
    return 1.0 - at[0], at[1]


def _close(a, b, w, h, px=2.5):
    return abs(a[0] - b[0]) * w <= px and abs(a[1] - b[1]) * h <= px


# --- I420 itself ------------------------------------------------------------------------------------------------

@given(w=st.integers(1, 400).map(lambda n: 2 * n), h=st.integers(1, 400).map(lambda n: 2 * n))
@example(w=480, h=270).via("the 480x270 camera of the report")
@example(w=640, h=362).via("the 640x362 video of the report")
def test_i420_planes_are_the_buffers_y_u_and_v_for_every_even_size(w, h):
    data = np.arange(h * w * 3 // 2, dtype=np.uint32).astype(np.uint8).reshape(h * 3 // 2, w)
    picture = I420(data)
    flat = data.reshape(-1)
    assert picture.u.shape == picture.v.shape == (h // 2, w // 2)
    assert np.array_equal(np.concatenate([picture.y.ravel(), picture.u.ravel(), picture.v.ravel()]), flat)
    assert np.shares_memory(picture.u, data) and np.shares_memory(picture.v, data), "drawn on in place"


# --- the live callback ------------------------------------------------------------------------------------------

def _live_frame(w, h, kind):
    _, _, pix_fmt, color_range = STORAGE[kind]
    frame = av_frame(marked_picture(w, h), pix_fmt, color_range)
    frame.pts, frame.time_base = 0, Fraction(1, 30)
    return frame


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(w=st.integers(32, 1000), h=st.integers(32, 1000), kind=st.sampled_from(LIVE_FORMATS), mirror=st.booleans())
@example(w=480, h=270, kind="yuv420p", mirror=True)
@example(w=640, h=362, kind="yuv420p", mirror=True)
@example(w=481, h=271, kind="yuv420p", mirror=True)
@example(w=64, h=64, kind="nv12", mirror=False)
@example(w=3840, h=2160, kind="yuv420p", mirror=True)
@example(w=270, h=480, kind="yuv420p10le", mirror=True)
def test_live_any_frame_comes_back_its_size_with_each_side_drawn_where_it_is(w, h, kind, mirror):
    estimator = MarkerEstimator()
    processor = LiveProcessor("movenet", Options(exercise="squat"), mirror=mirror, estimator=estimator,
                              engine_factory=None)
    [out] = processor.process_av_frames([_live_frame(w, h, kind)])
    snap = processor.snapshot()
    assert snap.error is None and snap.frames_processed == 1
    assert (out.width, out.height) == (w, h)
    # The model sees the camera's picture (never the mirrored view), scaled to the model's size as every flow
    # does: green is where the camera put it.
    (shape, green, magenta), = estimator.seen
    mw, mh = model_size(w, h) or (w, h)
    assert shape == (mh, mw)
    px = 2.5 * w / mw  # a model pixel, in the camera's
    assert _close(green, find(marked_picture(w, h), GREEN), w, h, px)
    assert _close(magenta, find(marked_picture(w, h), MAGENTA), w, h, px)
    # The view shows the person's left in the left colour, mirrored with the picture when asked.
    shown = out.to_ndarray(format="rgb24")
    where = _mirror if mirror else (lambda at: at)
    assert side_drawn(shown, where(green)) == "left"
    assert side_drawn(shown, where(magenta)) == "right"


def test_live_sizes_change_mid_stream_and_the_overlay_follows():
    """WebRTC adapts the camera's size to the CPU and network: 640x480 -> 480x360 -> 320x240 -> back, and
    640x360 -> 480x270. Every frame is processed, none fails, and each comes back at its own size."""
    estimator = MarkerEstimator()
    processor = LiveProcessor("movenet", Options(exercise="squat"), mirror=True, estimator=estimator,
                              engine_factory=None)
    sizes = [(640, 480), (480, 360), (320, 240), (480, 360), (640, 480), (640, 360), (480, 270), (640, 360)]
    for i, (w, h) in enumerate(sizes):
        frame = _live_frame(w, h, "yuv420p")
        frame.pts = i
        [out] = processor.process_av_frames([frame])
        assert (out.width, out.height) == (w, h)
        green = estimator.seen[-1][1]
        assert side_drawn(out.to_ndarray(format="rgb24"), _mirror(green)) == "left"
    snap = processor.snapshot()
    assert snap.error is None and snap.frames_processed == len(sizes)


# --- the export -------------------------------------------------------------------------------------------------

def _facts(path):
    import av

    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    return frames


@pytest.fixture
def marker_model(monkeypatch):
    """`analyze_video` runs with the marker estimator in MoveNet's place."""
    from posetracker import estimators

    monkeypatch.setitem(estimators.ESTIMATORS, "movenet", MarkerEstimator)
    monkeypatch.setattr(estimators, "model_installed", lambda name: True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(w=st.integers(120, 480), h=st.integers(120, 480), rotation=st.sampled_from([0, 90, 180, 270]),
       kind=st.sampled_from(FILE_FORMATS))
@example(w=640, h=362, rotation=0, kind="h264")
@example(w=362, h=640, rotation=90, kind="h264")
@example(w=480, h=270, rotation=180, kind="yuv420p")
@example(w=481, h=271, rotation=270, kind="yuv420p")
@example(w=202, h=360, rotation=0, kind="yuv420p-full")
# An odd side turned by the display matrix, where the keypoints are drawn at the smallest size: a 3 px disc's
# colour (on the half-size colour planes) once left the patch's colour beside its centre.
@example(w=445, h=202, rotation=90, kind="h264")
@example(w=445, h=202, rotation=270, kind="h264")
@example(w=202, h=445, rotation=90, kind="h264")
@example(w=202, h=445, rotation=270, kind="h264")
@example(w=445, h=202, rotation=270, kind="yuvj420p")
@example(w=203, h=444, rotation=90, kind="yuvj420p")
def test_export_any_file_keeps_its_frames_displayed_size_and_sides(w, h, rotation, kind, tmp_path_factory,
                                                                   marker_model):
    from posetracker.pipeline import analyze_video

    folder = tmp_path_factory.mktemp("geometry")
    source = write_stored(folder / f"in.{'mkv' if STORAGE[kind][0] == 'matroska' else 'mp4'}",
                          [marked_picture(w, h)] * 3, kind, rotation)
    if STORAGE[kind][1] == "libx264":  # H.264 4:2:0 keeps even sides
        w, h = w - w % 2, h - h % 2
    result = analyze_video(source, Options(exercise="squat", mode=Mode.UPLOAD), "movenet",
                           export_path=folder / "out.mp4")
    frames = _facts(folder / "out.mp4")
    assert result.frames == len(frames) == 3
    assert frames[0].shape[:2] == (h - h % 2, w - w % 2), "displayed size (H.264 keeps even sides)"
    green, magenta = find(marked_picture(w, h), GREEN), find(marked_picture(w, h), MAGENTA)
    for frame in frames:
        assert side_drawn(frame, green) == "left" and side_drawn(frame, magenta) == "right"
    assert GREEN_AT[1] != MAGENTA_AT[1]  # the picture has no symmetry a turn or a mirror could hide behind


# --- left stays left: a one-sided movement, as the model sees it ----------------------------------------------

LIFTS = [0.62, 0.5, 0.38, 0.3, 0.38, 0.5, 0.62, 0.5]  # the left wrist goes up and down; the right one stays


def _one_sided(w, h):
    return [marked_picture(w, h, (GREEN_AT[0], y)) for y in LIFTS]


def _assert_left_moved_right_stayed(tracks):
    left, right = np.array([t[0] for t in tracks]), np.array([t[1] for t in tracks])
    assert np.allclose(left[:, 1], LIFTS, atol=0.02), "the left wrist rises and falls on the person's left"
    assert np.allclose(left[:, 0], GREEN_AT[0], atol=0.02) and np.allclose(right, MAGENTA_AT, atol=0.02)


@pytest.mark.parametrize("mirror", [True, False])
def test_live_a_one_sided_movement_reaches_the_engine_on_its_own_side(mirror):
    from posetracker.engine import create_engine
    from posetracker.pose import KP

    seen = []

    class Recording:
        def __init__(self, options):
            self.engine = create_engine(options)

        def update(self, pose, t, frame_id):
            seen.append((tuple(pose.xy[KP.LEFT_WRIST]), tuple(pose.xy[KP.RIGHT_WRIST])))
            return self.engine.update(pose, t, frame_id)

        def snapshot(self):
            return self.engine.snapshot()

    processor = LiveProcessor("movenet", Options(exercise="squat"), mirror=mirror, estimator=MarkerEstimator(),
                              engine_factory=Recording)
    for i, image in enumerate(_one_sided(640, 480)):
        frame = av_frame(image, "yuv420p")
        frame.pts, frame.time_base = i, Fraction(1, 30)
        processor.process_av_frames([frame])
    assert processor.snapshot().error is None
    _assert_left_moved_right_stayed(seen)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_file_a_one_sided_movement_turned_by_the_phone_reaches_the_engine_on_its_own_side(rotation, tmp_path,
                                                                                         marker_model):
    from posetracker.pipeline import analyze_video

    source = write_stored(tmp_path / "in.mp4", _one_sided(320, 240), "h264", rotation)
    result = analyze_video(source, Options(exercise="squat", mode=Mode.UPLOAD, keypoints=True), "movenet")
    tracks = []
    for event in result.events:
        for frame in event["frames"] if event["type"] == "keypoints_batch" else []:
            by_name = {k["name"]: (k["x"], k["y"]) for k in frame["keypoints"]}
            tracks.append((by_name["left_wrist"], by_name["right_wrist"]))
    assert len(tracks) == len(LIFTS)
    _assert_left_moved_right_stayed(tracks)


# --- the report's corpus: a real clip at the sizes and formats that broke, through the real model -------------

CORPUS = [((640, 362), "h264", 0), ((362, 640), "h264", 90), ((202, 360), "h264", 0), ((480, 270), "h264", 180),
          ((1080, 1366), "h264", 270), ((720, 1366), "h264", 0), ((640, 360), "yuvj420p", 0),
          ((640, 360), "h264-422", 0), ((640, 360), "h264-10bit", 90)]


@pytest.mark.parametrize("size,kind,rotation", CORPUS, ids=[f"{w}x{h}-{k}-{r}" for (w, h), k, r in CORPUS])
def test_a_real_clip_at_every_reported_geometry_analyses_and_exports_whole(size, kind, rotation, clip, tmp_path,
                                                                          movenet_installed):
    """Done when: 640x362, 362x640, 202x360, 480x270, 1080x1366 (720x1366), full range, 4:2:2 and 10-bit all
    analyse and export with the source's frame count and displayed size, and the model finds the person."""
    from corpus import clip_frames
    from posetracker.pipeline import analyze_video
    from posetracker.video import fit

    frames = [fit(f, *size) for f in clip_frames(clip("posetest_squat2.mp4"), seconds=1.5, size=(640, 360), fps=10,
                                                 start_s=2.0)]  # letterboxed, as a portrait phone would film it
    source = write_stored(tmp_path / "in.mp4", frames, kind, rotation)
    result = analyze_video(source, Options(exercise="squat", mode=Mode.UPLOAD), "movenet",
                           export_path=tmp_path / "out.mp4")
    exported = _facts(tmp_path / "out.mp4")
    assert result.frames == len(exported) == len(frames)
    assert exported[0].shape[:2] == (size[1], size[0]), "the export has the source's displayed size"
    assert sum(point.person_visible for point in result.trace) >= len(frames) - 2, "the person is found upright"


def test_a_file_whose_frame_size_changes_mid_stream_exports_every_frame_at_the_first_size(tmp_path, marker_model):
    """A browser recording (WebRTC adapting) or two clips joined: the second part's frames are fitted into the
    first part's size keeping their shape (not stretched), every frame is there, and the pose is drawn where the
    person is shown."""
    import av

    from posetracker.pipeline import analyze_video
    from posetracker.video import fit

    parts = []
    for i, (w, h) in enumerate([(640, 360), (360, 360)]):
        part = tmp_path / f"part{i}.h264"
        with av.open(str(part), mode="w", format="h264") as out:
            stream = out.add_stream("libx264", rate=10)
            stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
            for j in range(4):
                frame = av_frame(marked_picture(w, h), "yuv420p")
                frame.pts = j
                for packet in stream.encode(frame):
                    out.mux(packet)
            for packet in stream.encode(None):
                out.mux(packet)
        parts.append(part.read_bytes())
    joined = tmp_path / "joined.h264"
    joined.write_bytes(b"".join(parts))
    result = analyze_video(joined, Options(exercise="squat", mode=Mode.UPLOAD), "movenet",
                           export_path=tmp_path / "out.mp4")
    frames = _facts(tmp_path / "out.mp4")
    assert result.frames == len(frames) == 8
    assert {f.shape for f in frames} == {(360, 640, 3)}
    first, second = find(marked_picture(640, 360), GREEN), find(fit(marked_picture(360, 360), 640, 360), GREEN)
    assert abs(first[0] - second[0]) > 0.05, "a stretched square would put the patch elsewhere"
    assert all(side_drawn(f, first) == "left" for f in frames[:4])
    assert all(side_drawn(f, second) == "left" for f in frames[4:]), "the square part is letterboxed, not stretched"


def test_a_full_range_camera_frame_reaches_the_model_in_its_true_colours():
    """Full-range (JPEG) yuv420p must not take the limited-range plane path: read as limited range, its darks
    and lights would be stretched and clipped before the model sees them (found by the property tests' format
    list; the overlay looked right, the model's picture was not)."""
    seen = []

    class Looking(MarkerEstimator):
        def estimate(self, image_rgb, timestamp):
            seen.append(image_rgb.copy())
            return None

    ramp = np.repeat(np.repeat(np.linspace(0, 255, 640, dtype=np.uint8)[None, :, None], 480, axis=0), 3, axis=2)
    processor = LiveProcessor("movenet", Options(exercise="squat"), mirror=True, estimator=Looking(),
                              engine_factory=None)
    frame = av_frame(ramp, "yuv420p", color_range=2)
    frame.pts, frame.time_base = 0, Fraction(1, 30)
    processor.process_av_frames([frame])
    assert np.abs(seen[0].astype(int) - ramp).mean() < 3
