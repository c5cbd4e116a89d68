"""The command line is quiet: the native libraries' log lines only with --verbose, and never a traceback."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from posetracker.quiet import NATIVE_LOG_LINE

CLIP = "dollarpy_pushup5.mp4"
NATIVE = ("XNNPACK delegate", "inference_feedback_manager", "landmark_projection_calculator", "absl::InitializeLog")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    # A real process: the lines come from C++ straight to file descriptor 2, where only a subprocess sees them.
    return subprocess.run([sys.executable, "-m", "posetracker.cli", *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONUNBUFFERED": "1"})


@pytest.mark.parametrize("model", ["movenet", "blazepose"])
def test_a_normal_run_prints_no_native_log_lines_and_verbose_shows_them(clip, model, movenet_installed):
    quiet = run_cli("analyze", str(clip(CLIP)), "--exercise", "push_up", "--model", model)
    assert quiet.returncode == 0, quiet.stderr
    assert "push_up: 2 reps" in quiet.stdout
    assert not any(marker in quiet.stderr for marker in NATIVE), quiet.stderr
    loud = run_cli("analyze", str(clip(CLIP)), "--exercise", "push_up", "--model", model, "--verbose")
    assert loud.returncode == 0 and "push_up: 2 reps" in loud.stdout
    assert "XNNPACK delegate" in loud.stderr, "--verbose shows what the libraries say"


def test_our_own_messages_still_reach_stderr_when_quiet(tmp_path):
    missing = run_cli("analyze", str(tmp_path / "nothing.mp4"), "--exercise", "squat")
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: video_load_error: ")


def test_an_unexpected_failure_is_a_plain_sentence_with_a_code_and_verbose_has_the_traceback(monkeypatch, capsys,
                                                                                          tmp_path):
    from posetracker import cli
    from posetracker.commands import analyze

    def broken(args):
        raise ValueError("cannot reshape array of size 32160 into shape (135,240)")

    monkeypatch.setattr(analyze, "run", broken)
    assert cli.main(["analyze", "x.mp4", "--exercise", "squat"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: analysis_failed: ") and "reshape" not in err and "Traceback" not in err
    assert "--verbose" in err
    assert cli.main(["analyze", "x.mp4", "--exercise", "squat", "--verbose"]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_the_filter_drops_only_the_native_formats():
    dropped = [b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n",
               b"W0000 00:00:1796020844.370589   13522 inference_feedback_manager.cc:114] Feedback manager\n",
               b"I0000 00:00:1796020844.370589   13522 gl_context.cc:357] GL version\n",
               b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"]
    kept = [b"error: video_load_error: No such file: a.mp4.\n", b"E0000 00:00:1.5 1 x.cc:1] a native error\n",
            b"note: This video ended early\n", b"Fatal Python error: Segmentation fault\n"]
    assert all(NATIVE_LOG_LINE.match(line) for line in dropped)
    assert not any(NATIVE_LOG_LINE.match(line) for line in kept)


@pytest.mark.parametrize("argv", [["reference", "judge", "labels.json", "--videos", "clips"],
                                  ["reference", "list"], ["reference", "delete", "some-id"]])
def test_the_error_message_s_advice_works_for_nested_commands_too(argv):
    """The unexpected-error sentence says "run the same command with --verbose": `posetracker reference judge ...
    --verbose` must parse as that, not fail on an unrecognised argument."""
    from posetracker.cli import build_parser

    assert build_parser().parse_args(argv + ["--verbose"]).verbose is True
    assert build_parser().parse_args(argv).verbose is False
