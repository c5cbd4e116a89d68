"""Reference movements on the real clips: a reference from one rep of one clip per exercise counts the other clips
of its exercise within one rep and at most one rep on clips of other exercises (the issue's acceptance table).

Every cell of the table is asserted except the ones listed in `KNOWN_MISSES`, each with why it misses today: the
list may only shrink. POSETRACKER_POSE_CACHE replays the poses instead of running the model over every clip."""
from __future__ import annotations

import json

import pytest

from posetracker.reference.judge import judge, table

LABEL_FILES = ("labels.json", "labels-more.json")

# (reference exercise, clip) -> why the cell misses today.
KNOWN_MISSES = {
    "movenet": {
        ("bicep_curl", "sukriti_hammer_curl.mp4"): "a hammer curl differs from a curl by the grip's rotation, which "
                                                   "17 keypoints do not see",
    },
    "blazepose": {
        ("bicep_curl", "sukriti_hammer_curl.mp4"): "a hammer curl differs from a curl by the grip's rotation, which "
                                                   "17 keypoints do not see",
    },
}


@pytest.fixture(scope="module")
def labels(videos_dir):
    out = []
    for name in LABEL_FILES:
        path = videos_dir.parent / name
        if not path.is_file():
            pytest.fail(f"{name} missing beside the clips at {path}")
        out += json.loads(path.read_text())
    return out


@pytest.mark.slow
@pytest.mark.parametrize("model", ["movenet", "blazepose"])
def test_a_reference_counts_its_exercise_and_not_the_others(model, labels, videos_dir, request, pose_cache):
    if model == "movenet":
        request.getfixturevalue("movenet_installed")
    cells = judge(labels, videos_dir, model, pose_cache)
    print(table(cells))
    known = KNOWN_MISSES[model]
    exercises = {c.reference for c in cells}
    assert exercises == {"squat", "push_up", "jumping_jack", "bicep_curl", "lunge", "lateral_raise"}
    unexpected = [c for c in cells if not c.ok and (c.reference, c.clip) not in known]
    assert not unexpected, "\n".join(f"{c.reference} reference on {c.clip} ({c.exercise}): {c.reps} reps, "
                                     f"labels {c.lo}-{c.hi}" for c in unexpected) + "\n" + table(cells)
    fixed = sorted(k for k in known if any((c.reference, c.clip) == k and c.ok for c in cells))
    if fixed:
        print("now within the acceptance (take them off KNOWN_MISSES):", fixed)
    # Every reference counts at least half of its own exercise's clips.
    for ex in exercises:
        same = [c for c in cells if c.reference == ex and c.same]
        assert sum(c.ok for c in same) * 2 >= len(same), table(cells)
