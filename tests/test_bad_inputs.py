"""Every odd file QA has, through the library (the Upload page's path) and through `posetracker analyze`.

Bad input must give a specific, documented code and a plain message (CLI: exit 2, `error: CODE: message`,
no traceback), leave no temporary file behind, and leave the session (or the next command) usable. Input that is
valid but odd (4K, rotated, VFR, two people, no person, one frame) must analyse and say something sensible.
"""
from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import pytest

from corpus import BAD_URL_PARAMS, build_corpus
from posetracker.errors import ERRORS
from posetracker.events import validate_event
from posetracker.settings import Settings

PROJECT = Path(__file__).resolve().parent.parent
ERROR_LINE = re.compile(r"^error: ([a-z_]+): (\S.*)$")
ODD = ("one_frame", "no_person", "two_people", "4k", "rotated", "vfr", "traversal_name", "truncated_faststart")
# What the Upload page must answer for each refused file. A PNG named .mp4 is not refused there: it is
# analysed as the picture it is, with a notice (the CLI's `analyze` takes videos only, so it refuses it).
UPLOAD_REFUSED = {"zero_byte": "video_load_error", "random_bytes": "video_load_error",
                  "truncated": "video_load_error", "audio_only": "video_load_error",
                  "too_long": "video_too_long", "too_large": "upload_too_large",
                  "control_chars": "video_load_error"}
CLI_REFUSED = {**UPLOAD_REFUSED, "png_as_mp4": "video_load_error"}
# The words that make each message specific to what is wrong with the file.
SPECIFIC = {"zero_byte": "empty", "random_bytes": "not a video or image", "truncated": "incomplete",
            "audio_only": "no video stream", "png_as_mp4": "PNG image", "too_long": "60 s", "too_large": "100 MB",
            "control_chars": "not a video or image"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, videos_dir):
    return build_corpus(tmp_path_factory.mktemp("corpus"), videos_dir)


@pytest.fixture
def private_tmp(tmp_path, monkeypatch) -> Path:
    """The temporary folder everything in this test (and its subprocesses) must use, and leave empty."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


def settings_for(item, **overrides) -> Settings:
    return Settings.defaults_for(item.plan, **{"exercise": item.exercise, "export": False, **overrides})


def submit_and_wait(session, key, data: bytes, name: str, settings, timeout_s: float = 180.0):
    session.submit(key, data, name, settings)
    deadline = time.monotonic() + timeout_s
    while session.running:
        assert time.monotonic() < deadline, "the analysis did not finish"
        time.sleep(0.05)
    session.poll()
    return session.outcome


def assert_plain_message(message: str, *forbidden: str) -> None:
    assert message and message.strip() == message
    assert "Traceback" not in message and "Error:" not in message.split(".")[0]
    assert not any(unicodedata.category(ch)[0] == "C" for ch in message), f"control characters in {message!r}"
    for text in forbidden:
        assert text not in message, f"{text!r} leaked into the message: {message}"


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


# --- the library: the Upload page's path --------------------------------------------------------------------------

@pytest.mark.parametrize("item_id", list(UPLOAD_REFUSED))
def test_upload_refuses_bad_file_with_its_code_and_stays_usable(item_id, corpus, private_tmp, caplog):
    from posetracker.upload_session import UploadSession

    item, good = corpus[item_id], corpus["upright"]
    session = UploadSession()
    outcome = submit_and_wait(session, item_id, item.path.read_bytes(), item.name, settings_for(item))

    assert outcome.result is None and outcome.error is not None
    assert outcome.error.code == UPLOAD_REFUSED[item_id], outcome.error.message
    assert outcome.error.code in ERRORS
    assert_plain_message(outcome.error.message, str(private_tmp), str(item.path.parent))
    assert SPECIFIC.get(item_id, "").lower() in outcome.error.message.lower(), outcome.error.message
    assert validate_event(outcome.error.to_event()) == []
    assert files_under(session.workspace.path) == [], "a refused upload left a file in the session's folder"

    # The same session analyses the next file as if nothing had happened.
    again = submit_and_wait(session, "good", good.path.read_bytes(), "good.mp4", settings_for(good))
    assert again.error is None and again.result.reps >= 1
    session.close()
    assert list(private_tmp.iterdir()) == [], "the session's temporary folder outlived it"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "an unexpected exception was logged"


def test_png_named_mp4_is_analysed_as_a_picture_with_a_notice(corpus, private_tmp):
    from posetracker.upload_session import UploadSession

    item = corpus["png_as_mp4"]
    session = UploadSession()
    outcome = submit_and_wait(session, "png", item.path.read_bytes(), item.name, settings_for(item))
    assert outcome.error is None and outcome.upload.kind.value == "image"
    assert "PNG" in outcome.upload.notice and "picture.mp4" in outcome.upload.notice
    assert outcome.result.pose is not None  # a squat frame: a person is in it
    session.close()
    assert list(private_tmp.iterdir()) == []


def test_unknown_exercise_in_a_forged_settings_object_is_refused(corpus, private_tmp):
    from posetracker.upload_session import UploadSession

    item = corpus["upright"]
    session = UploadSession()
    outcome = submit_and_wait(session, "x", item.path.read_bytes(), "x.mp4", settings_for(item, exercise="moonwalk"))
    assert outcome.error is not None and outcome.error.code == "invalid_exercise"
    assert "squat" in outcome.error.message and outcome.error.details["valid"]
    session.close()
    assert list(private_tmp.iterdir()) == []


@pytest.fixture(scope="module")
def odd_results(corpus, tmp_path_factory):
    """Each valid-but-odd item analysed once through the Upload page's session (keypoints on)."""
    from posetracker.upload_session import UploadSession

    root = tmp_path_factory.mktemp("odd-sessions")
    results = {}
    for item_id in (*ODD, "upright"):
        item = corpus[item_id]
        session = UploadSession(root)
        outcome = submit_and_wait(session, item_id, item.path.read_bytes(), item.name,
                                  settings_for(item, keypoints=True))
        assert outcome.error is None, f"{item_id}: {outcome.error}"
        results[item_id] = (outcome, session)
    yield results
    for _, session in results.values():
        session.close()
    assert list(root.iterdir()) == []


def hip_x(result) -> list[float | None]:
    """Per frame, the picked person's hip centre across the picture (None when no person)."""
    xs = []
    for event in result.events:
        if event["type"] == "keypoints_batch":
            for frame in event["frames"]:
                kp = {k["name"]: k for k in frame["keypoints"]}
                xs.append((kp["left_hip"]["x"] + kp["right_hip"]["x"]) / 2)
    return xs


def test_odd_but_valid_files_analyse_and_say_something_sensible(odd_results, labels):
    def result(item_id):
        return odd_results[item_id][0].result

    for item_id in ODD:
        r = result(item_id)
        assert r.frames > 0 and all(validate_event(e) == [] for e in r.events), item_id
        assert r.events[-1]["type"] in ("initialization", "export_ready") and any(
            e["type"] == "counter" and e.get("final") for e in r.events), item_id

    cut = result("truncated_faststart")
    assert 0 < cut.frames < result("upright").frames and any("ended early" in n for n in cut.notices)

    one = result("one_frame")
    assert (one.frames, one.reps) == (1, 0)

    nobody = result("no_person")
    assert nobody.reps == 0 and not any(p.person_visible for p in nobody.analysis.trace)
    assert any(e["type"] == "posture" and "frame" in e["message"] for e in nobody.events), \
        "no person: the events must say to step into the frame"

    # Two people side by side: the user is told, and one of them is followed, not a mix of both (at most one
    # switch, early). Nobody else is warned about a crowd.
    two = result("two_people")
    warnings = [e for e in two.events if e["type"] == "warning" and e["code"] == "multiple_people"]
    assert warnings and warnings[0]["active"] and warnings[0]["people"] == 2, warnings
    assert any("2 people were in view" in n for n in two.notices), two.notices
    for item_id in set(ODD) - {"two_people"}:
        assert not any(e["type"] == "warning" for e in result(item_id).events), item_id
    xs = [x for x in hip_x(two) if x is not None]
    sides = [x < 0.5 for x in xs]
    switches = sum(a != b for a, b in zip(sides, sides[1:]))
    assert switches <= 1 and sides[len(sides) // 4:].count(sides[-1]) == len(sides) - len(sides) // 4, sides

    big = odd_results["4k"][0]
    label = next(c for c in labels if c["file"] == "suyog_curl.mp4")
    assert (big.result.info.width, big.result.info.height) == (3840, 2160)
    assert label["reps_min"] - 1 <= big.result.reps <= label["reps_max"] + 1

    upright, rotated, vfr = result("upright"), result("rotated"), result("vfr")
    assert (rotated.info.width, rotated.info.height) == (upright.info.width, upright.info.height) == (320, 180)
    assert rotated.reps == upright.reps >= 1, "the rotated copy must count as the upright one does"
    assert abs(vfr.duration_s - upright.duration_s) < 0.2, "VFR timing comes from pts"
    assert abs(vfr.reps - upright.reps) <= 1


def test_a_users_file_name_is_a_label_never_a_path(odd_results, corpus):
    outcome, session = odd_results["traversal_name"]
    assert outcome.upload.name == "x.mp4"
    assert outcome.upload.path.parent == session.workspace.current
    assert outcome.upload.path.name == "input.mp4"
    for root in (session.workspace.path, session.workspace.path.parent):
        assert not (root / "x.mp4").exists() and not (root.parent / "x.mp4").exists()


def test_url_parameters_out_of_range_become_error_events_and_defaults():
    from posetracker.exercises import exercise_ids
    from posetracker.settings import from_query_params

    settings, errors = from_query_params(BAD_URL_PARAMS, exercise_ids(), {})
    assert settings == Settings()  # every bad value fell back to the Free plan's default
    assert errors and all(validate_event(e) == [] for e in errors)
    codes = {e["code"] for e in errors}
    assert codes <= set(ERRORS) and {"invalid_parameter", "invalid_exercise"} <= codes
    named = {e.get("details", {}).get("param") for e in errors}
    assert {"countdown", "minGrade", "difficulty", "skeleton", "keypoints", "blazepose", "plan"} <= named


@pytest.mark.parametrize("page", ["settings", "upload"])
def test_pages_opened_with_bad_url_parameters_report_them_and_do_not_crash(page):
    from streamlit.testing.v1 import AppTest

    sys.path.insert(0, str(PROJECT))
    at = AppTest.from_file(str(PROJECT / "pages" / f"{page}.py"), default_timeout=60)
    for name, value in BAD_URL_PARAMS.items():
        at.query_params[name] = value.replace("\x00", "%00")
    at.run()
    assert not at.exception, at.exception
    shown = " ".join(e.value for e in at.error) + " ".join(e.value for e in at.warning)
    assert "countdown" in shown and "passwd" in shown and "Traceback" not in shown


# --- the command line ---------------------------------------------------------------------------------------------

def run_cli(args: list, cwd: Path, tmp: Path, timeout_s: float = 300.0) -> subprocess.CompletedProcess:
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONUNBUFFERED": "1"}
    env.pop("POSETRACKER_TOKENS", None)
    return subprocess.run([sys.executable, "-m", "posetracker.cli", "analyze", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout_s, errors="replace")


def assert_cli_refused(proc, code: str, *forbidden: str) -> str:
    assert proc.returncode == 2, f"exit {proc.returncode}\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr + proc.stdout
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    match = ERROR_LINE.match(errors[0])
    assert match and match.group(1) == code, errors[0]
    assert code in ERRORS, f"{code} is not documented in posetracker.errors.ERRORS"
    assert_plain_message(match.group(2), *forbidden)
    event = json.loads(proc.stdout.strip().splitlines()[-1])
    assert event["type"] == "error" and event["code"] == code and validate_event(event) == []
    return match.group(2)


@pytest.fixture
def workdir(tmp_path) -> Path:
    folder = tmp_path / "cwd"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("item_id", list(CLI_REFUSED))
def test_cli_refuses_bad_file_with_exit_2_and_one_error_line(item_id, corpus, workdir, private_tmp):
    item = corpus[item_id]
    path = item.path
    if item_id == "control_chars":  # the real name, control characters and all, on disk
        path = workdir / item.name.replace("\x00", "")
        path.write_bytes(item.path.read_bytes())
    proc = run_cli([path, "--exercise", item.exercise, "--plan", item.plan, "--json", "--export", "out.mp4",
                    "--events", "events.jsonl"], workdir, private_tmp)
    message = assert_cli_refused(proc, CLI_REFUSED[item_id], "\x1b")
    assert SPECIFIC[item_id].lower() in message.lower(), message
    assert [p.name for p in workdir.iterdir()] == ([path.name] if path.parent == workdir else []), \
        "a refused file left an output or a partial file behind"
    assert list(private_tmp.iterdir()) == []


@pytest.mark.parametrize("case, args, code", [
    ("missing file", ["../../x.mp4", "--exercise", "squat"], "video_load_error"),
    ("a folder", [".", "--exercise", "squat"], "video_load_error"),
    ("unknown exercise", ["{good}", "--exercise", "moonwalk"], "invalid_exercise"),
    ("unknown token", ["{good}", "--exercise", "squat", "--token", "tok-not-configured-1234"], "invalid_token"),
    ("gated feature", ["{good}", "--exercise", "squat", "--plan", "free", "--keypoints"],
     "developer_feature_not_allowed"),
])
def test_cli_refuses_bad_arguments(case, args, code, corpus, workdir, private_tmp):
    args = [a.replace("{good}", str(corpus["upright"].path)) for a in args]
    message = assert_cli_refused(run_cli([*args, "--json"], workdir, private_tmp), code, "tok-not-configured-1234")
    if code == "invalid_exercise":
        assert "squat" in message and "plank" in message  # the valid ids are listed
    assert list(workdir.iterdir()) == [] and list(private_tmp.iterdir()) == []


@pytest.mark.parametrize("item_id", [i for i in ODD if i != "4k"] + ["4k"])
def test_cli_analyses_odd_but_valid_files(item_id, corpus, workdir, private_tmp):
    item = corpus[item_id]
    export = [] if item_id == "4k" else ["--export", "out.mp4"]  # a 4K export is the Upload tests' business
    proc = run_cli([item.path, "--exercise", item.exercise, "--json", *export], workdir, private_tmp)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert {"exercise", "model", "reps", "hold_seconds", "frames", "duration_s", "reps_detail"} <= set(out)
    assert out["frames"] >= 1 and isinstance(out["reps"], int)
    if item_id == "no_person":
        assert out["reps"] == 0 and "no person was found" in proc.stderr
    elif item_id == "truncated_faststart":
        assert "ended early" in proc.stderr
    else:
        assert "no person was found" not in proc.stderr
    assert sorted(p.name for p in workdir.iterdir()) == (["out.mp4"] if export else [])
    assert list(private_tmp.iterdir()) == []


# --- security: checks that hold in the code and configuration ------------------------------------------------------

def test_xsrf_protection_stays_on():
    import tomllib

    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert config["client"]["showErrorDetails"] in ("none", False)  # no tracebacks in the browser


def test_no_unsafe_html_in_the_pages():
    sources = [PROJECT / "app.py", *sorted((PROJECT / "pages").glob("*.py"))]
    offenders = [f"{p.name}:{n}" for p in sources for n, line in enumerate(p.read_text().splitlines(), 1)
                 if "unsafe_allow_html" in line or "st.html(" in line or "components.html(" in line]
    assert offenders == [], "HTML with user text could be injected here: " + ", ".join(offenders)


def test_pages_never_make_a_path_from_a_users_file_name():
    for page in (PROJECT / "pages").glob("*.py"):
        text = page.read_text()
        assert not re.search(r"(Path|open|join)\([^)]*\.name\b", text), f"{page.name} builds a path from a name"


def test_plan_limits_hold_in_the_library_whatever_the_widget_allows():
    from posetracker.errors import PoseTrackerError
    from posetracker.inputs import check_size
    from posetracker.plans import PLANS

    for plan in PLANS.values():
        check_size(plan.max_upload_mb * 1024 * 1024, plan)
        with pytest.raises(PoseTrackerError) as refused:
            check_size(plan.max_upload_mb * 1024 * 1024 + 1, plan)
        assert refused.value.code == "upload_too_large" and refused.value.details["plan"] == plan.id


def test_every_error_code_raised_in_the_code_is_documented():
    pattern = re.compile(r"""(?:PoseTrackerError\(\s*|["']code["']:\s*|\berror\(\s*)["']([a-z]+_[a-z_]+)["']""")
    sources = [*(PROJECT / "posetracker").rglob("*.py"), PROJECT / "app.py", *(PROJECT / "pages").glob("*.py")]
    found = {code for p in sources for code in pattern.findall(p.read_text())}
    assert found, "the pattern found no code at all"
    assert found <= set(ERRORS), f"codes missing from posetracker.errors.ERRORS: {sorted(found - set(ERRORS))}"
    assert all(e.meaning and e.what_to_do for e in ERRORS.values())
