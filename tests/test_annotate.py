"""Annotators draw what they are given, where it belongs, on any frame size, and nothing when given nothing."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from posetracker.annotate import HudAnnotator, I420, SkeletonAnnotator, Status, StatusAnnotator, ascii_text
from posetracker.pose import KP, Pose


@dataclass(frozen=True)
class State:  # the fields of the engine's EngineState the HUD reads
    count: int = 0
    hold_seconds: float = 0.0
    is_duration: bool = False
    posture_message: str | None = None
    countdown_left: int | None = None
    progression: float | None = None
    last_grade: str | None = None
    last_score: float | None = None
    person_visible: bool = True


def blank(h: int = 480, w: int = 640) -> np.ndarray:
    return np.full((h, w, 3), 90, np.uint8)


def changed(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    return np.any(before != after, axis=2)


def standing_pose(score: float = 0.9) -> Pose:
    xy = np.array([[0.5, 0.1], [0.48, 0.08], [0.52, 0.08], [0.46, 0.09], [0.54, 0.09], [0.42, 0.2], [0.58, 0.2],
                   [0.40, 0.35], [0.60, 0.35], [0.39, 0.48], [0.61, 0.48], [0.45, 0.5], [0.55, 0.5],
                   [0.45, 0.7], [0.55, 0.7], [0.45, 0.9], [0.55, 0.9]])
    return Pose(xy, np.full(17, score), 0.0)


def test_skeleton_draws_at_the_keypoints_and_nothing_without_a_pose():
    image = blank()
    assert np.array_equal(SkeletonAnnotator().annotate(image.copy(), None), image)
    out = SkeletonAnnotator().annotate(image.copy(), standing_pose())
    diff = changed(image, out)
    x, y = 0.45 * 640, 0.9 * 480  # left ankle
    assert diff[int(y), int(x)]
    assert not diff[20, 20] and not diff[460, 620]  # far from the body


def test_keypoints_below_the_threshold_are_not_drawn():
    pose = standing_pose()
    scores = pose.scores.copy()
    scores[[KP.LEFT_ANKLE, KP.LEFT_KNEE]] = 0.1
    low = Pose(pose.xy, scores, 0.0)
    out = SkeletonAnnotator(threshold=0.3).annotate(blank(), low)
    assert not changed(blank(), out)[int(0.9 * 480), int(0.45 * 640)]


def test_mirrored_skeleton_lands_on_the_flipped_side():
    pose = Pose(standing_pose().xy - [0.3, 0], standing_pose().scores, 0.0)  # body on the left third
    plain = changed(blank(), SkeletonAnnotator(mirror=False).annotate(blank(), pose))
    mirrored = changed(blank(), SkeletonAnnotator(mirror=True).annotate(blank(), pose))
    assert plain[:, :320].sum() > 10 * plain[:, 320:].sum()
    assert mirrored[:, 320:].sum() > 10 * mirrored[:, :320].sum()


def test_threshold_is_validated():
    with pytest.raises(ValueError, match="between 0 and 1"):
        SkeletonAnnotator(threshold=3)


def test_hud_counter_grade_and_progression():
    image = blank()
    assert np.array_equal(HudAnnotator().annotate(image.copy(), None), image)
    empty_out = HudAnnotator().annotate(image.copy(), State(count=7, progression=0))
    full_out = HudAnnotator().annotate(image.copy(), State(count=7, progression=100, last_grade="A", last_score=93))
    empty, full = changed(image, empty_out), changed(image, full_out)
    assert empty[10:80, 10:120].any()  # the counter panel, top left
    bar = (slice(100, 380), slice(600, 630))  # the progression bar, right edge
    assert full[bar].any()
    assert full_out[bar][..., 0].mean() > empty_out[bar][..., 0].mean() + 50  # filled with the red accent
    assert full[70:110, 10:200].sum() > empty[70:110, 10:200].sum()  # the grade line under the counter


def test_hud_hides_what_the_options_switch_off():
    state = State(count=3, progression=80, last_grade="B", last_score=85)
    off = changed(blank(), HudAnnotator(show_grade=False, show_progression=False).annotate(blank(), state))
    assert not off[100:380, 600:630].any()


def test_hud_says_when_nobody_is_in_view_and_shows_the_countdown_big():
    nobody = changed(blank(), HudAnnotator().annotate(blank(), State(person_visible=False)))
    assert nobody[380:440, :].any()  # the banner near the bottom
    countdown = changed(blank(), HudAnnotator().annotate(blank(), State(countdown_left=3)))
    assert countdown[200:280, 280:360].mean() > 0.3  # a large digit in the middle


def test_status_line_along_the_bottom():
    out = changed(blank(), StatusAnnotator().annotate(blank(), Status("MoveNet Lightning", fps=29.7, ms=8.2)))
    assert out[-20:, :].any() and not out[:-30, :].any()
    assert np.array_equal(StatusAnnotator().annotate(blank(), None), blank())


@pytest.mark.parametrize("size", [(120, 160), (360, 202), (1080, 1920), (2160, 3840)])
def test_every_annotator_copes_with_any_frame_size(size):
    image = blank(*size)
    state = State(count=12, posture_message="Step back so your feet are in view…", progression=55,
                  last_grade="C", last_score=72)
    for annotate in (lambda im: SkeletonAnnotator(mirror=True).annotate(im, standing_pose()),
                     lambda im: HudAnnotator().annotate(im, state),
                     lambda im: HudAnnotator().annotate(im, State(countdown_left=2)),
                     lambda im: StatusAnnotator().annotate(im, Status("BlazePose Full", 14.0, 40.0))):
        out = annotate(image.copy())
        assert out.shape == image.shape and out.dtype == np.uint8


def test_messages_are_drawn_in_ascii():
    assert ascii_text("Go lower… — 90°") == "Go lower... - 90 deg"


@pytest.mark.parametrize("state", [
    State(count=7, last_grade="A", last_score=93.0, progression=55.0,
          posture_message="Turn sideways to the camera for the best form feedback."),
    State(countdown_left=2),
    State(person_visible=False),
])
def test_drawing_on_yuv_planes_matches_drawing_in_rgb_then_converting(state):
    """What the live view and the export send to the encoder: the overlay drawn on the frame's I420 planes looks
    like the RGB overlay converted to I420 (brightness alike to a grey level or two; colour alike but for the
    anti-aliased edges, which the chroma planes draw at half size)."""
    import cv2

    rng = np.random.default_rng(3)
    base = cv2.GaussianBlur((rng.random((480, 640, 3)) * 255).astype(np.uint8), (15, 15), 5)
    status = Status("MoveNet Lightning", 29.5, 7.1, "2 people in view: only one is tracked")

    def draw(picture):
        SkeletonAnnotator(mirror=True).annotate(picture, standing_pose())
        HudAnnotator().annotate(picture, state)
        return StatusAnnotator().annotate(picture, status)

    reference = cv2.cvtColor(draw(base.copy()), cv2.COLOR_RGB2YUV_I420).astype(int)
    planes = cv2.cvtColor(base, cv2.COLOR_RGB2YUV_I420)
    assert isinstance(draw(I420(planes)), I420)
    diff = np.abs(planes.astype(int) - reference)
    assert diff[:480].max() <= 3 and diff[:480].mean() < 0.1
    assert diff[480:].mean() < 1.5 and np.percentile(diff[480:], 99) < 25
    assert (np.abs(planes.astype(int) - cv2.cvtColor(base, cv2.COLOR_RGB2YUV_I420))[:480] > 10).mean() > 0.02


def test_i420_refuses_what_is_not_a_whole_even_picture():
    assert I420(np.zeros((720, 640), np.uint8)).shape == (480, 640)
    with pytest.raises(ValueError):
        I420(np.zeros((720, 641), np.uint8))  # odd width
    with pytest.raises(ValueError):
        I420(np.zeros((721, 640), np.uint8))  # not Y plus a quarter-size U and V
    with pytest.raises(ValueError):
        I420(np.zeros((1440, 640), np.uint8)[::2])  # not contiguous
    with pytest.raises(ValueError):
        I420(np.zeros((720, 640, 3), np.uint8))


@pytest.mark.parametrize("cx,cy", [(312, 118), (313, 118), (312, 117), (313, 117)])
def test_a_small_keypoint_on_yuv_planes_is_its_sides_colour_all_over(cx, cy):
    """On a small frame a keypoint is a 3 px disc, its colour drawn on the half-size colour planes: that colour
    covers the disc, whichever way its centre falls on the 2x2 colour blocks (it once sat a quarter of a colour
    pixel off and left a corner with the colour of what lies beneath)."""
    import cv2

    from posetracker.annotate import RIGHT

    h, w = 202, 444
    xy, scores = np.zeros((17, 2), np.float32), np.zeros(17, np.float32)
    xy[KP.RIGHT_WRIST], scores[KP.RIGHT_WRIST] = ((cx + 0.2) / w, (cy + 0.2) / h), 0.9
    base = np.full((h, w, 3), (220, 30, 220), np.uint8)  # magenta: neither side's colour
    picture = SkeletonAnnotator().annotate(I420(cv2.cvtColor(base, cv2.COLOR_RGB2YUV_I420)), Pose(xy, scores, 0.0))
    out = cv2.cvtColor(picture.data, cv2.COLOR_YUV2RGB_I420).astype(int)
    ys, xs = np.mgrid[:h, :w]
    inside = (xs - cx) ** 2 + (ys - cy) ** 2 <= 2 ** 2  # the 3 px disc but its anti-aliased rim
    r, g, b = out[inside].T
    assert RIGHT[0] - RIGHT[2] > 150
    assert ((r - b > 40) & (g > b)).all(), out[cy - 3:cy + 4, cx - 3:cx + 4].tolist()
