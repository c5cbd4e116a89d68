"""`posetracker reference create|list|delete` and `analyze --reference` on a real clip, the plan gate, the URL
parameter `reference=` and the settings' gate."""
from __future__ import annotations

import json

import pytest

from posetracker.cli import main
from posetracker.settings import Settings, enforce, from_query_params, to_query_params
from posetracker.options import Mode

CLIP = "dollarpy_pushup5.mp4"  # 7 s, two push-ups seen side-on
REF_ID = "3b9d6bcd-bbfd-4b2d-9b5d-ab8dfbe4e2ed"


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([*map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_create_list_analyze_delete(capsys, clip, movenet_installed, tmp_path, monkeypatch):
    monkeypatch.setenv("POSETRACKER_DATA_DIR", str(tmp_path))
    code, out, err = cli(capsys, "reference", "create", clip(CLIP), "--name", "Push-up", "--start", "0.1",
                         "--end", "3.2", "--plan", "business", "--json")
    assert code == 0, err
    made = json.loads(out)
    assert set(made) >= {"id", "name", "duration_s", "moving_parts"} and made["name"] == "Push-up"
    assert (tmp_path / "references.sqlite3").is_file()

    code, out, _ = cli(capsys, "reference", "list", "--plan", "business", "--json")
    assert [r["id"] for r in json.loads(out)["references"]] == [made["id"]]

    code, out, err = cli(capsys, "analyze", clip(CLIP), "--reference", made["id"], "--plan", "business", "--json",
                         "--events", tmp_path / "e.jsonl")
    assert code == 0, err
    result = json.loads(out)
    assert result["reference"] == made["id"] and result["reps"] == 2  # the labels: two push-ups
    counted = [r for r in result["reps_detail"] if r["counted"]]
    assert len(counted) == 2 and all(r["referenceScore"]["grade"] in "ABCD" for r in counted)
    events = [json.loads(line) for line in (tmp_path / "e.jsonl").read_text().splitlines()]
    summary = next(e for e in events if e["type"] == "exercise_summary")
    assert [h["referenceScore"] for h in summary["history"] if h["counted"]] == [r["referenceScore"] for r in counted]
    assert all("reference_score" in e for e in events if e["type"] == "counter" and not e.get("final"))

    code, out, _ = cli(capsys, "reference", "delete", made["id"], "--plan", "business")
    assert code == 0
    code, out, err = cli(capsys, "analyze", clip(CLIP), "--reference", made["id"], "--plan", "business", "--json")
    assert code == 2 and json.loads(out)["code"] == "reference_not_found"


@pytest.mark.parametrize("argv", [
    ("reference", "list"), ("reference", "list", "--plan", "developer"), ("reference", "delete", REF_ID),
    ("reference", "create", "x.mp4", "--name", "n", "--start", "0", "--end", "1"),
    ("analyze", "x.mp4", "--reference", REF_ID, "--plan", "developer"),
])
def test_other_plans_are_refused(capsys, argv, tmp_path, monkeypatch):
    monkeypatch.setenv("POSETRACKER_DATA_DIR", str(tmp_path))
    code, out, err = cli(capsys, *argv)
    assert code == 2 and "developer_feature_not_allowed" in err
    assert not (tmp_path / "references.sqlite3").exists()


def test_bad_segments_and_unknown_ids_say_so(capsys, clip, movenet_installed, tmp_path, monkeypatch):
    monkeypatch.setenv("POSETRACKER_DATA_DIR", str(tmp_path))
    code, out, err = cli(capsys, "reference", "create", clip(CLIP), "--name", "n", "--start", "1", "--end", "1.1",
                         "--plan", "business", "--json")
    assert code == 2 and json.loads(out)["code"] == "reference_invalid" and "0.3 s" in err
    code, _, err = cli(capsys, "reference", "delete", REF_ID, "--plan", "business")
    assert code == 2 and "reference_not_found" in err
    code, _, err = cli(capsys, "analyze", clip(CLIP), "--exercise", "squat", "--reference", REF_ID)
    assert code == 2 and "either --exercise" in err


def test_url_reference_parameter():
    ids = ["squat", "push_up"]
    settings, errors = from_query_params({"plan": "business", "reference": REF_ID}, ids)
    assert settings.reference == REF_ID and errors == []
    params = to_query_params(settings)
    assert params["reference"] == REF_ID and "exercise" not in params  # PoseTracker's link: one or the other
    assert from_query_params(params, ids)[0].reference == REF_ID
    assert settings.to_options(Mode.UPLOAD).reference == REF_ID

    settings, errors = from_query_params({"plan": "business", "reference": REF_ID, "exercise": "squat"}, ids)
    assert settings.reference is None and settings.exercise == "squat"
    assert [e["code"] for e in errors] == ["invalid_parameter"] and "both" in errors[0]["message"]

    settings, errors = from_query_params({"plan": "business", "reference": "not-a-uuid"}, ids)
    assert settings.reference is None and errors[0]["details"]["param"] == "reference"

    settings, errors = from_query_params({"plan": "developer", "reference": REF_ID}, ids)
    assert settings.reference is None and errors[0]["code"] == "developer_feature_not_allowed"


def test_a_forged_settings_object_cannot_reach_the_engine_with_a_reference():
    forged = Settings(plan="free", reference=REF_ID)
    allowed, error = enforce(forged)
    assert allowed.reference is None and error["details"]["blocked"] == ["custom_exercises"]
    assert forged.to_options(Mode.UPLOAD).reference is None


def test_judge_explains_each_rep_a_reference_compared_on_a_clip(capsys, videos_dir, movenet_installed, pose_cache,
                                                                 tmp_path):
    """`reference judge --explain CLIP` lists every rep compared there, counted or the rule that rejected it."""
    labels = [label for label in json.loads((videos_dir.parent / "labels.json").read_text())
              if label["file"] in ("dollarpy_pushup2.mp4", "mrpose_pushup_a.mp4")]
    (tmp_path / "labels.json").write_text(json.dumps(labels))
    code, out, err = cli(capsys, "reference", "judge", tmp_path / "labels.json", "--videos", videos_dir,
                         "--pose-cache", pose_cache, "--explain", "mrpose_pushup_a.mp4")
    assert code == 0, err
    table, _, explained = out.partition("reference push_up on mrpose_pushup_a.mp4 (push_up): ")
    assert "reference push_up: same exercise 2/2 within one rep" in table
    counted = int(explained.split(" counted")[0])
    lines = explained.splitlines()[1:]
    assert sum(line.endswith(")") and " counted " in line for line in lines) == counted >= 8
    assert all(" s  counted" in line or " s  rejected: " in line for line in lines)


def test_the_judge_table_shows_how_many_reps_other_exercises_clips_counted():
    """A cell going from 0 to 1 rep on another exercise's clip still passes; the spread line shows it."""
    from posetracker.reference.judge import Cell, table

    cells = [Cell("squat", "a.mp4", "squat", 5, 5, 5), Cell("squat", "b.mp4", "push_up", 0, 3, 3),
             Cell("squat", "c.mp4", "lunge", 1, 4, 4), Cell("squat", "d.mp4", "curl", 0, 2, 2),
             Cell("squat", "e.mp4", "jack", 3, 6, 6)]
    out = table(cells).splitlines()
    assert "    other exercises' clips by reps counted: 0: 2, 1: 1, 3: 1" in out
    assert out[-1] == ("all references: same exercise 1/1 within one rep; other exercises 3/4 at most one rep "
                       "(by reps counted: 0: 2, 1: 1, 3: 1)")


def test_judge_every_clip_makes_each_clip_the_reference_in_turn(capsys, videos_dir, movenet_installed, pose_cache,
                                                                 tmp_path):
    """`reference judge --every-clip`: each clip of an exercise is the reference once and counts the others; a
    cell's count is what that reference counts on that clip through the tracker step."""
    from posetracker.reference.judge import count_with, reference_from
    from posetracker.tools.posecache import track_video

    names = ("mrpose_squat.mp4", "vengaza_squats.mp4", "posetest_squat2.mp4")
    labels = [label for file in ("labels.json", "labels-more.json")
              for label in json.loads((videos_dir.parent / file).read_text()) if label["file"] in names]
    assert len(labels) == 3
    (tmp_path / "labels.json").write_text(json.dumps(labels))
    code, out, err = cli(capsys, "reference", "judge", tmp_path / "labels.json", "--videos", videos_dir,
                         "--pose-cache", pose_cache, "--every-clip")
    assert code == 0, err
    lines = out.splitlines()
    assert [line.split()[3] for line in lines[:-1]] == list(names)
    tracks = {n: track_video(videos_dir / n, "movenet", pose_cache) for n in names}
    ok = 0
    for line, ref in zip(lines, names):
        signature, _ = reference_from(tracks[ref], "squat", "movenet")
        for other in (n for n in names if n != ref):
            reps, _ = count_with(signature, tracks[other], "squat")
            label = next(x for x in labels if x["file"] == other)
            assert f"{other.rsplit('.', 1)[0]} {reps} ({label['reps_min']}-{label['reps_max']})" in line
            ok += label["reps_min"] - 1 <= reps <= label["reps_max"] + 1
    assert lines[-1] == (f"every clip as the reference: {ok}/6 same-exercise cells within one rep; other "
                         f"exercises 0/0 at most one rep (by reps counted: none)")
