"""One error type whose code is part of the public protocol (the `error` event's `code`), and `ERRORS`: every
code with what it means and what the user should do (tests check that each code raised is listed here)."""
from __future__ import annotations

from typing import NamedTuple


class PoseTrackerError(Exception):
    """An error a user can act on: a stable `code`, a message that says what to do next, optional details."""

    def __init__(self, code: str, message: str, details: dict | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}

    def to_event(self) -> dict:
        event = {"type": "error", "code": self.code, "message": self.message}
        if self.details:
            event["details"] = self.details
        return event

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class ErrorCode(NamedTuple):
    meaning: str
    what_to_do: str


# Every code a user, an integrator or a script can receive (the `error` event's `code`, the CLI's
# `error: CODE: message` with exit status 2). PoseTracker's own codes are kept where they exist.
ERRORS: dict[str, ErrorCode] = {
    # input files (Upload page, `posetracker analyze`)
    "video_load_error": ErrorCode(
        "The file is empty, missing, not a video or image we know (judged from its bytes, not its name), has no "
        "video stream (audio only), or is cut short so its index is missing.",
        "Choose an MP4, MOV, WebM, AVI or MKV video (or a JPG/PNG picture on the Upload page); export or copy "
        "the file again if it was cut short."),
    "media_decode_error": ErrorCode(
        "The container opens but no frame decodes (damaged, or a codec we do not support).",
        "Export the video again as MP4 (H.264)."),
    "image_load_error": ErrorCode(
        "The picture cannot be decoded.", "Save it again as JPG or PNG."),
    "upload_too_large": ErrorCode(
        "The file is bigger than the plan's upload limit (enforced in the library, not only by the widget).",
        "Trim or compress the video, or use a plan (token) with a higher limit."),
    "video_too_long": ErrorCode(
        "The video lasts longer than the plan allows.", "Trim it, or use a plan with a higher limit."),
    "analysis_cancelled": ErrorCode(
        "The user cancelled the analysis; nothing was kept.", "Start it again when ready."),
    "export_error": ErrorCode(
        "An output path (`--export`, `--keypoints-csv`, `--events`, `--reps-csv`) is a folder or its folder does "
        "not exist; refused before any work.", "Give a file path in an existing folder."),
    "analysis_failed": ErrorCode(
        "An unexpected failure while analysing (logged on the server without user data).",
        "Try again or another file; report the file if it keeps happening."),
    # what to track, plans and tokens
    "invalid_exercise": ErrorCode(
        "Unknown exercise id; `details.valid` lists the catalogue.", "Use one of the listed ids."),
    "invalid_token": ErrorCode(
        "The token is not configured; the session stays on the Free plan. The token is never echoed in full.",
        "Check the token or ask for a new one."),
    "invalid_token_config": ErrorCode(
        "POSETRACKER_TOKENS or the [tokens] table of secrets.toml cannot be read.",
        "Fix the configuration (an operator's task); tokens from it are ignored meanwhile."),
    "developer_feature_not_allowed": ErrorCode(
        "A feature the plan does not include was asked for; `details.blocked` lists them and none is produced.",
        "Switch them off, or use a token for a plan that includes them."),
    "invalid_parameter": ErrorCode(
        "A URL query parameter has a value out of range or of the wrong type; its default is used.",
        "Fix the link (`details.param`, `details.valid`)."),
    "invalid_plan": ErrorCode("Unknown plan id.", "Use free, developer or business."),
    "invalid_settings": ErrorCode(
        "The session's settings were unreadable and were reset to the Free plan's defaults.",
        "Choose the settings again on the Settings page."),
    "invalid_difficulty": ErrorCode("Unknown difficulty.", "Use easy, medium or hard."),
    "invalid_min_grade": ErrorCode("Unknown minimum grade.", "Use A, B, C, D or none."),
    "invalid_countdown": ErrorCode("Countdown out of range.", "Use whole seconds from 0 to 10."),
    "jump_analysis_missing_height": ErrorCode(
        "jump_analysis was chosen without the person's height, so pixels cannot become centimetres; heights come "
        "from the time in the air meanwhile.", "Set the height (userHeightCm in the URL, --user-height-cm, or on "
        "the Settings page)."),
    "invalid_user_height": ErrorCode("The person's height is outside 50-250 cm.", "Give the height in cm."),
    "invalid_device_pitch": ErrorCode("The phone's tilt is outside ±60 degrees.", "Give the tilt in degrees."),
    "reference_invalid": ErrorCode(
        "A reference could not be made: the segment is shorter than 0.3 s or outside the clip, shows no person, "
        "or nothing moves in it (`details.reason`); or it has no name.",
        "Choose the start and end of one whole repetition, with the person in view."),
    "reference_not_found": ErrorCode(
        "No reference has that id (or it belongs to another token).",
        "List the references (`posetracker reference list`, the Upload page) and use one of their ids."),
    "reference_store_error": ErrorCode(
        "The reference database cannot be used: damaged, not a database, or written by a newer PoseTracker. "
        "Nothing in it was changed.",
        "Restore it from a backup, upgrade PoseTracker, or set POSETRACKER_DATA_DIR to another folder."),
    "invalid_feature": ErrorCode("Unknown feature name (a programming error).", "Use a name from plans.FEATURES."),
    # models and configuration
    "unknown_model": ErrorCode("Unknown model name; the valid ones are listed.", "Use movenet or blazepose."),
    "model_not_installed": ErrorCode("The model's weights are not in the models folder.",
                                     "Run `posetracker models fetch NAME` (or set POSETRACKER_MODELS_DIR)."),
    "model_checksum_mismatch": ErrorCode("A model file does not match its published checksum.",
                                         "Delete it and fetch it again."),
    "model_download_failed": ErrorCode("The model could not be downloaded (offline, or the source is down).",
                                       "Retry when online, or copy the file into the models folder."),
    "invalid_configuration": ErrorCode("ICE server configuration ($POSETRACKER_ICE_SERVERS or secrets.toml) is "
                                       "not valid.", "Give a JSON list of {urls, username?, credential?}."),
    # the live camera (reported by the browser; the Live page explains them)
    "camera_permission_denied": ErrorCode(
        "The browser refused the camera: permission denied, or the page is not served over HTTPS.",
        "Allow the camera for this site (the camera icon in the address bar) and open the app over HTTPS "
        "(or on localhost)."),
    "camera_not_found": ErrorCode(
        "The browser found no camera, or another application is using it.",
        "Connect a camera and close other apps that use it, then start the camera again."),
    "live_frame_error": ErrorCode(
        "A camera frame could not be read or analysed (an unusual picture format, or a fault in the model). It was "
        "shown without the overlay, the next frame was tried and the count was kept; the server log has the "
        "details. The message goes away after a few seconds without another failure.",
        "Nothing if it happens once. If it stays, press STOP then START; if it still stays, try another browser or "
        "camera, and tell us which."),
    "server_busy": ErrorCode(
        "Every live session the server can process at full frame rate is taken; a new one would slow all of "
        "them (see posetracker/capacity.py).",
        "Try again in a minute or two, or analyse a recorded video on the Upload page."),
    # `posetracker eval` and `bench`
    "labels_not_found": ErrorCode("No labels file at the given path.", "Pass the path of labels.json."),
    "labels_invalid": ErrorCode("The labels file is not a JSON list of records with a 'file', an 'exercise' and "
                                "an accepted count ('reps_min', 'reps_max') or 'hold_seconds'.",
                                "Fix the file (see ../shared/testdata/labels.json)."),
    "video_not_found": ErrorCode("A labelled clip is missing from --videos.", "Point --videos at the clips."),
    "no_clips": ErrorCode("No folder of clips to measure on, or no videos in the folder given to `batch`.",
                          "Pass --videos DIR, or a folder holding MP4/MOV/WebM/AVI/MKV files."),
    "invalid_augmentation": ErrorCode("`eval --augment` named a variation that does not exist, or was combined "
                                      "with --out.", "Use the names listed (half_fps, drop, mirror, zoom_in, "
                                      "zoom_out, jitter), without --out."),
    # `posetracker batch` and `eval` over many clips (a clip's own failure is recorded in its result row)
    "manifest_invalid": ErrorCode("The batch manifest lists no clips, or is a JSON file that is not a list of "
                                  "records with a 'file'.", "One `PATH [EXERCISE]` a line, or a labels-style "
                                  "JSON list."),
    "exercise_missing": ErrorCode("A clip of the batch names no exercise and no --exercise was given.",
                                  "Pass --exercise ID, or name the exercise beside the clip in the manifest."),
    "clip_failed": ErrorCode("One clip of a batch could not be analysed (recorded in its row; the batch went on).",
                             "Check that clip; the others' results are valid."),
    "worker_crashed": ErrorCode("The worker process analysing one clip of a batch died twice (recorded in its "
                                "row; the batch went on).", "The clip may be damaged: export it again."),
    "ray_missing": ErrorCode("--ray-address was given but Ray is not installed.",
                             "pip install 'posetracker[dist]'."),
    "ray_unreachable": ErrorCode("No Ray cluster answered at the address given (--ray-address or RAY_ADDRESS).",
                                 "Start the head with `ray start --head`, or leave the address out to use this "
                                 "machine's cores."),
}
