"""`posetracker eval --augment`: each pose-level variation does what it says, the same way every time."""
from __future__ import annotations

import numpy as np
import pytest

import synth
from posetracker.cli import main
from posetracker.errors import PoseTrackerError
from posetracker.pose import KP
from posetracker.tools.augment import AUGMENTATIONS, augment_track, parse_augmentations
from posetracker.tools.posecache import PoseTrack


def track_of(poses, fps=30.0, size=(202, 360)) -> PoseTrack:
    return PoseTrack(np.array([t for _, t in poses]), [p for p, _ in poses], *size, fps)


@pytest.fixture(scope="module")
def squats() -> PoseTrack:
    return track_of(synth.perform("squat", reps=4, view="front", seed=3))


def test_every_variation_is_deterministic_per_clip_and_seed(squats):
    for name in AUGMENTATIONS:
        a, b = augment_track(squats, [name], key="a.mp4"), augment_track(squats, [name], key="a.mp4")
        assert np.array_equal(a.timestamps, b.timestamps)
        assert all((p is None and q is None) or np.array_equal(p.xy, q.xy) for p, q in zip(a.poses, b.poses))
    one, other = augment_track(squats, ["drop"], key="a.mp4"), augment_track(squats, ["drop"], key="b.mp4")
    assert not np.array_equal(one.timestamps, other.timestamps)
    assert not np.array_equal(one.timestamps, augment_track(squats, ["drop"], key="a.mp4", seed=1).timestamps)


def test_half_fps_keeps_every_other_frame_at_its_real_time(squats):
    half = augment_track(squats, ["half_fps"])
    assert np.array_equal(half.timestamps, squats.timestamps[::2]) and half.fps == squats.fps / 2
    assert half.poses[3] is squats.poses[6]


def test_dropped_frames_go_in_bursts_of_a_tenth_to_a_fifth_of_the_clip(squats):
    kept = augment_track(squats, ["drop"], key="c.mp4")
    lost = 1 - len(kept.poses) / len(squats.poses)
    assert 0.10 <= lost <= 0.30  # bursts overshoot the target by at most one burst
    gaps = np.diff(kept.timestamps)
    assert gaps.max() >= 0.1 - 1e-9 and kept.timestamps[0] == squats.timestamps[0]
    assert set(kept.timestamps) <= set(squats.timestamps)


def test_mirror_flips_x_and_swaps_sides(squats):
    m = augment_track(squats, ["mirror"])
    p, q = squats.poses[10], m.poses[10]
    assert q.xy[KP.LEFT_KNEE, 0] == pytest.approx(1 - p.xy[KP.RIGHT_KNEE, 0])
    assert q.xy[KP.LEFT_KNEE, 1] == pytest.approx(p.xy[KP.RIGHT_KNEE, 1])


@pytest.mark.parametrize("name, factor", [("zoom_in", 1.3), ("zoom_out", 0.75)])
def test_zoom_scales_every_keypoint_from_one_frame_on(squats, name, factor):
    z = augment_track(squats, [name], key="d.mp4")
    changed = [i for i, (p, q) in enumerate(zip(squats.poses, z.poses)) if not np.allclose(p.xy, q.xy)]
    n = len(squats.poses)
    assert changed == list(range(changed[0], n)) and 0.3 * n <= changed[0] <= 0.7 * n + 1
    i = changed[-1]
    spread = lambda pose: np.ptp(pose.xy[:, 1])  # noqa: E731
    assert spread(z.poses[i]) == pytest.approx(factor * spread(squats.poses[i]), rel=1e-4)


def test_jitter_is_a_couple_of_pixels_of_a_small_frame(squats):
    j = augment_track(squats, ["jitter"], key="e.mp4")
    dx = np.concatenate([(q.xy - p.xy) * (202, 360) for p, q in zip(squats.poses, j.poses) if p is not None])
    assert 1.5 < dx.std() < 2.5 and abs(dx.mean()) < 0.2


def test_unknown_names_list_the_valid_ones():
    assert parse_augmentations("mirror, drop") == ("mirror", "drop") and parse_augmentations(None) == ()
    with pytest.raises(PoseTrackerError) as err:
        parse_augmentations("mirror,upside_down")
    assert err.value.code == "invalid_augmentation" and "half_fps" in err.value.message


def test_eval_refuses_an_unknown_augmentation_and_out(tmp_path, capsys):
    labels = tmp_path / "labels.json"
    labels.write_text("[]")
    assert main(["eval", str(labels), "--videos", str(tmp_path), "--augment", "sideways"]) == 2
    assert "invalid_augmentation" in capsys.readouterr().err
    assert main(["eval", str(labels), "--videos", str(tmp_path), "--augment", "mirror",
                 "--out", str(tmp_path / "r.jsonl")]) == 2
    assert "--out" in capsys.readouterr().err
