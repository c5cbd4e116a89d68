"""`posetracker analyze`: the JSON contract of issue 3, the plan gates of issue 5, exit status 2 on bad input."""
from __future__ import annotations

import json

import pytest

from media_factory import two_tone, write_clip
from posetracker.cli import build_parser, main

CONTRACT = {"exercise": str, "model": str, "reps": (int, type(None)), "hold_seconds": (float, int, type(None)),
            "frames": int, "duration_s": (float, int), "reps_detail": list}
REP = {"start_s": (float, int), "end_s": (float, int), "score": (float, int, type(None)),
       "grade": (str, type(None)), "counted": bool}


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["analyze", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def tiny(tmp_path):
    return write_clip(tmp_path / "tiny.mp4", [two_tone(64, 64)] * 6)


def test_json_matches_the_contract_on_a_real_clip(capsys, clip, tmp_path):
    code, out, err = run(capsys, clip("dollarpy_pushup5.mp4"), "--exercise", "push_up", "--json",
                         "--events", tmp_path / "e.jsonl", "--export", tmp_path / "out.mp4",
                         "--keypoints-csv", tmp_path / "k.csv", "--reps-csv", tmp_path / "r.csv")
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == set(CONTRACT)
    for key, types in CONTRACT.items():
        assert isinstance(result[key], types), key
    assert result["exercise"] == "push_up" and result["hold_seconds"] is None
    assert result["frames"] == 172 and result["duration_s"] == pytest.approx(7.17, abs=0.05)
    assert result["reps"] == sum(r["counted"] for r in result["reps_detail"])
    for rep in result["reps_detail"]:
        assert set(rep) == set(REP) and all(isinstance(rep[k], t) for k, t in REP.items())
    events = [json.loads(line) for line in (tmp_path / "e.jsonl").read_text().splitlines()]
    assert any(e["type"] == "counter" and e.get("final") and e["current_count"] == result["reps"] for e in events)
    assert {e["kind"] for e in events if e["type"] == "export_ready"} == {"video", "csv"}
    assert (tmp_path / "out.mp4").stat().st_size > 10_000 and (tmp_path / "k.csv").is_file()
    assert (tmp_path / "r.csv").read_text().startswith("rep,start_s,end_s")


def test_a_duration_exercise_reports_hold_seconds(capsys, tiny):
    code, out, _ = run(capsys, tiny, "--exercise", "plank", "--json")
    result = json.loads(out)
    assert code == 0 and result["reps"] is None and isinstance(result["hold_seconds"], (int, float))


def test_plain_output(capsys, tiny):
    code, out, _ = run(capsys, tiny, "--exercise", "squat")
    assert code == 0 and out.startswith("squat: 0 reps (6 frames")


def _refused(capsys, *argv, code_name: str, json_out: bool = True) -> dict | str:
    code, out, err = run(capsys, *argv, *(["--json"] if json_out else []))
    assert code == 2
    assert err.startswith(f"error: {code_name}: ") and err.count("\n") == 1, err
    if json_out:
        error = json.loads(out)
        assert error["type"] == "error" and error["code"] == code_name and error["message"]
        return error
    return err


def test_unknown_exercise_lists_the_valid_ids(capsys, tiny):
    error = _refused(capsys, tiny, "--exercise", "pushups", code_name="invalid_exercise")
    assert "push_up" in error["message"] and "squat" in error["details"]["valid"]


def test_free_plan_refuses_keypoints_naming_it(capsys, tiny, tmp_path):
    err = _refused(capsys, tiny, "--exercise", "squat", "--plan", "free", "--keypoints",
                   code_name="developer_feature_not_allowed", json_out=False)
    assert "Raw keypoints" in err
    assert not list(tmp_path.glob("*.csv"))


def test_free_plan_refuses_every_gated_flag_at_once(capsys, tiny):
    error = _refused(capsys, tiny, "--exercise", "squat", "--plan", "free", "--angles", "--form-score",
                     "--progression", "--recommendations", "--model", "blazepose", "--keypoints-csv", "k.csv",
                     code_name="developer_feature_not_allowed")
    assert set(error["details"]["blocked"]) == {"angles", "form_score", "progression", "recommendations",
                                                "blazepose", "keypoints"}


def test_free_plan_runs_what_it_includes(capsys, tiny, tmp_path):
    code, out, err = run(capsys, tiny, "--exercise", "squat", "--plan", "free", "--export", tmp_path / "o.mp4",
                         "--json")
    assert code == 0, err
    assert all(r["score"] is None for r in json.loads(out)["reps_detail"])


def test_tokens(capsys, tiny, monkeypatch):
    monkeypatch.setenv("POSETRACKER_TOKENS", "free-token-000000=free,biz-token-0000000=business")
    _refused(capsys, tiny, "--exercise", "squat", "--token", "free-token-000000", "--keypoints",
             code_name="developer_feature_not_allowed")
    assert run(capsys, tiny, "--exercise", "squat", "--token", "biz-token-0000000", "--keypoints")[0] == 0
    error = _refused(capsys, tiny, "--exercise", "squat", "--token", "no-such-token-123", code_name="invalid_token")
    assert "no-such-token-123" not in error["message"], "a token is never echoed in full"


@pytest.mark.parametrize("content,code_name", [(b"", "video_load_error"), (b"\x00" * 2048, "video_load_error"),
                                               (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "video_load_error")])
def test_bad_files(capsys, tmp_path, content, code_name):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(content)
    _refused(capsys, bad, "--exercise", "squat", code_name=code_name)


def test_missing_file(capsys, tmp_path):
    _refused(capsys, tmp_path / "nope.mp4", "--exercise", "squat", code_name="video_load_error")


def test_help_states_the_default_plan(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["analyze", "--help"])
    assert "default: developer" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("flag", ["--export", "--keypoints-csv", "--events", "--reps-csv"])
def test_an_output_in_a_missing_folder_is_refused_before_any_work(capsys, tiny, tmp_path, flag):
    error = _refused(capsys, tiny, "--exercise", "squat", flag, tmp_path / "no" / "such" / "out.x",
                     code_name="export_error")
    assert "folder does not exist" in error["message"]
