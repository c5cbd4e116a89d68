"""Image mode: one inference, the skeleton overlay, keypoints and angles when enabled, a placement verdict."""
from __future__ import annotations

import numpy as np
import pytest

from posetracker.errors import PoseTrackerError
from posetracker.events import validate_event
from posetracker.image_mode import analyze_image, load_image
from posetracker.options import Mode, Options


@pytest.fixture(scope="module")
def photo(clip, tmp_path_factory):
    """A JPEG of a person standing, taken from a real clip."""
    from PIL import Image

    from posetracker.video import iter_frames

    frame = next(f.image for f in iter_frames(clip("mrpose_squat.mp4")) if f.index == 100)
    path = tmp_path_factory.mktemp("img") / "person.jpg"
    Image.fromarray(frame).save(path, quality=92)
    return path


def test_image_mode_returns_keypoints_overlay_and_placement(photo, tmp_path):
    options = Options(exercise="squat", mode=Mode.UPLOAD, keypoints=True, angles=True)
    result = analyze_image(photo, options, "movenet", overlay_path=tmp_path / "overlay.png")
    assert result.pose is not None
    assert [k["name"] for k in result.keypoints][:3] == ["nose", "left_eye", "right_eye"]
    assert len(result.keypoints) == 17 and all(0 <= k["x"] <= 1 and 0 <= k["y"] <= 1 for k in result.keypoints)
    assert result.overlay.shape == (720, 1280, 3), "the overlay keeps the picture's size"
    assert not np.array_equal(result.overlay, load_image(photo)), "the skeleton is drawn"
    assert result.placement["type"] == "posture" and isinstance(result.placement["ready"], bool)
    types = [e["type"] for e in result.events]
    assert "keypoints" in types and "angles" in types and "counter" not in types
    assert all(validate_event(e) == [] for e in result.events)
    assert (tmp_path / "overlay.png").is_file() and types[-1] == "export_ready"
    assert result.to_json()["person"] is True


def test_raw_outputs_only_when_enabled(photo):
    result = analyze_image(photo, Options(exercise="squat", mode=Mode.UPLOAD), "movenet")
    assert {e["type"] for e in result.events} == {"initialization", "posture"}


def test_no_skeleton_option_leaves_the_picture_alone(photo):
    result = analyze_image(photo, Options(exercise="squat", mode=Mode.UPLOAD, skeleton=False), "movenet")
    assert np.array_equal(result.overlay, load_image(photo))


def test_an_empty_picture_has_no_person_and_a_verdict_that_says_so(tmp_path):
    from PIL import Image

    path = tmp_path / "wall.png"
    Image.fromarray(np.full((240, 320, 3), 200, np.uint8)).save(path)
    result = analyze_image(path, Options(exercise="plank", mode=Mode.UPLOAD, keypoints=True), "movenet")
    assert result.placement["ready"] is False
    if result.pose is None:
        assert result.keypoints is None and result.placement["direction"] == "in-frame"


def test_exif_orientation_is_applied(tmp_path):
    from PIL import Image

    path = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90 degrees clockwise to show
    Image.fromarray(np.zeros((40, 80, 3), np.uint8)).save(path, exif=exif)
    assert load_image(path).shape == (80, 40, 3)


def test_a_damaged_image_is_an_image_load_error(tmp_path):
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    with pytest.raises(PoseTrackerError) as raised:
        analyze_image(path, Options(exercise="squat"), "movenet")
    assert raised.value.code == "image_load_error"


def test_unknown_exercise_is_refused_before_any_work(photo):
    with pytest.raises(PoseTrackerError) as raised:
        analyze_image(photo, Options(exercise="yoga"), "movenet")
    assert raised.value.code == "invalid_exercise"
