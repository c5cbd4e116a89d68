"""The pose type: COCO-17 names and order, skeleton edges, normalisation, mirroring, the keypoints protocol."""
from __future__ import annotations

import numpy as np
import pytest

from posetracker.estimators.blazepose import BLAZEPOSE_TO_COCO
from posetracker.pose import KEYPOINT_NAMES, KP, NUM_KEYPOINTS, SKELETON_EDGES, Pose

COCO_17 = ("nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
           "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
           "right_knee", "left_ankle", "right_ankle")


def make_pose(timestamp: float = 1.5, score: float = 0.9) -> Pose:
    rng = np.random.default_rng(7)
    return Pose(rng.uniform(0.1, 0.9, (17, 2)), np.full(17, score), timestamp, z=rng.normal(size=17))


def test_keypoints_are_coco_17_in_coco_order():
    assert KEYPOINT_NAMES == COCO_17
    assert NUM_KEYPOINTS == 17
    assert [kp.name.lower() for kp in KP] == list(COCO_17)


def test_skeleton_edges_join_distinct_keypoints_and_reach_every_one():
    assert len(set(SKELETON_EDGES)) == len(SKELETON_EDGES)
    assert all(a != b for a, b in SKELETON_EDGES)
    assert {kp for edge in SKELETON_EDGES for kp in edge} == set(KP)


def test_blazepose_landmarks_map_to_the_coco_keypoints_of_the_same_name():
    from mediapipe.python.solutions.pose import PoseLandmark

    assert len(BLAZEPOSE_TO_COCO) == 17
    assert [PoseLandmark(i).name.lower() for i in BLAZEPOSE_TO_COCO] == list(COCO_17)


def test_pose_normalises_shapes_and_types():
    pose = Pose([[0.5, 0.5]] * 17, [1] * 17, 2.0)
    assert pose.xy.shape == (17, 2) and pose.xy.dtype == np.float32
    assert pose.scores.shape == (17,) and pose.scores.dtype == np.float32
    assert pose.z is None
    with pytest.raises(ValueError):
        Pose(np.zeros((16, 2)), np.zeros(16), 0.0)


def test_keypoint_lookup_by_enum_index_and_name():
    pose = make_pose()
    x, y, s = pose["left_knee"]
    assert (x, y, s) == pose[KP.LEFT_KNEE] == pose[13]
    assert x == pytest.approx(float(pose.xy[13, 0]))


def test_visible_needs_the_score_and_a_place_inside_the_frame():
    xy = np.full((17, 2), 0.5)
    xy[KP.NOSE] = (1.2, 0.5)  # off the right edge
    scores = np.full(17, 0.9)
    scores[KP.LEFT_WRIST] = 0.1
    visible = Pose(xy, scores, 0.0).visible(0.3)
    assert not visible[KP.NOSE] and not visible[KP.LEFT_WRIST]
    assert visible.sum() == 15


def test_mirroring_flips_x_swaps_sides_and_undoes_itself():
    pose = make_pose()
    mirrored = pose.mirrored()
    assert mirrored["left_wrist"][0] == pytest.approx(1.0 - pose["right_wrist"][0])
    assert mirrored["left_wrist"][1] == pytest.approx(pose["right_wrist"][1])
    assert mirrored["nose"][0] == pytest.approx(1.0 - pose["nose"][0])
    twice = mirrored.mirrored()
    np.testing.assert_allclose(twice.xy, pose.xy, atol=1e-6)
    np.testing.assert_allclose(twice.z, pose.z)
    assert twice.timestamp == pose.timestamp


def test_keypoints_protocol_round_trip():
    pose = make_pose(timestamp=3.25)
    keypoints = pose.to_keypoints()
    assert [k["name"] for k in keypoints] == list(COCO_17)
    assert set(keypoints[0]) == {"name", "x", "y", "z", "score"}
    back = Pose.from_keypoints(list(reversed(keypoints)), timestamp=3.25)
    np.testing.assert_allclose(back.xy, pose.xy, atol=1e-5)
    np.testing.assert_allclose(back.scores, pose.scores, atol=1e-4)
