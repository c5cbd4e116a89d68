"""Upload: analyse a recorded video (or a photo) with the same pipeline as `posetracker analyze`.

The analysis runs on a worker thread owned by this session's `UploadSession`; a fragment polls its progress.
The finished result stays with the browser session, keyed by the upload, so reruns and widget changes never lose
it; a `SessionRegistry` deletes its files once the browser session has ended.
"""
from __future__ import annotations

import functools

import streamlit as st

from pages._jumps import jump_inputs, show_jump_result
from pages._reference import reference_maker, reference_or_exercise
from pages._shared import run_through_app, session_registry, session_settings, show_notices
from posetracker.charts import REASONS, score_figure, signal_figure
from posetracker.events import grade_of
from posetracker.exercises import human_name
from posetracker.inputs import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS
from posetracker.upload_session import UploadSession

POLL_S = 0.5
_MIME = {"video": "video/mp4", "events": "application/x-ndjson", "keypoints": "text/csv", "reps": "text/csv"}
_DOWNLOADS = {"video": ("Download the annotated video", "posetracker-{ex}.mp4"),
              "events": ("Events (JSONL)", "posetracker-{ex}-events.jsonl"),
              "keypoints": ("Keypoints (CSV)", "posetracker-{ex}-keypoints.csv"),
              "reps": ("Reps (CSV)", "posetracker-{ex}-reps.csv")}


def upload_session() -> UploadSession:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return session_registry().get(get_script_run_ctx().session_id)


@st.fragment(run_every=POLL_S)
def show_progress(session: UploadSession) -> None:
    session.poll()
    if not session.running:
        st.rerun()  # the whole page, now with the result
    p = session.progress
    if p is None:
        st.progress(0.0, text="loading video")
    else:
        st.progress(p.percent / 100.0, text=p.describe())
    if st.button("Cancel", icon=":material/cancel:"):
        session.cancel()
        st.rerun()


def show_video_result(result, settings) -> None:
    st.success(f"Analysis completed · {result.frames} frames in {result.wall_s:.1f} s "
               f"({result.fps:.0f} frames/s) with {result.model}", icon=":material/check_circle:")
    for notice in result.notices:
        st.warning(notice, icon=":material/info:")
    if show_jump_result(result):  # jumps: their summary, table and chart instead of reps
        return show_downloads(result.files, settings.exercise)
    table = result.reps_detail
    c1, c2, c3 = st.columns(3)
    if result.hold_seconds is not None:
        c1.metric("Seconds held", f"{result.hold_seconds:.1f}")
    else:
        c1.metric("Final count", result.reps)
    if settings.form_score and result.avg_score is not None:
        c2.metric("Average form score", f"{result.avg_score:.0f} ({grade_of(result.avg_score)})")
    rejected = sum(1 for r in table if not r.counted)
    c3.metric("Reps not counted" if rejected else "Clip length", rejected if rejected else f"{result.duration_s:.1f} s")
    st.plotly_chart(signal_figure(result), key="signal_chart")
    if table:
        st.subheader("Reps")
        rows = [{"rep": n, "start (s)": r.start_s, "end (s)": r.end_s,
                 "duration (s)": round(r.end_s - r.start_s, 2), "score": r.score, "grade": r.grade,
                 "result": "counted" if r.counted else f"rejected: {REASONS.get(r.reason, r.reason)}"}
                for n, r in enumerate(table, start=1)]
        if any(r.side for r in table):  # alternating exercises: which side each rep was
            rows = [{**row, "side": r.side} for row, r in zip(rows, table)]
        if not settings.form_score:  # the plan's gate: no empty score columns either
            rows = [{k: v for k, v in row.items() if k not in ("score", "grade")} for row in rows]
        st.dataframe(rows, hide_index=True)
        scores = score_figure(result) if settings.form_score else None
        if scores is not None:
            st.plotly_chart(scores, key="score_chart")
    if settings.recommendations:
        st.subheader("Recommendations")
        if result.recommendation_counts:
            st.dataframe([{"cue": cue, "times": n} for cue, n in
                          sorted(result.recommendation_counts.items(), key=lambda kv: -kv[1])], hide_index=True)
        else:
            st.caption("No form cue came up.")
    show_downloads(result.files, settings.exercise)


def show_downloads(files: dict, exercise: str) -> None:
    if "video" in files:
        st.subheader("Annotated video")
        st.video(str(files["video"]))
    columns = st.columns(len(files) or 1)
    for column, (kind, path) in zip(columns, files.items()):
        label, name = _DOWNLOADS[kind]
        column.download_button(label, functools.partial(path.read_bytes), file_name=name.format(ex=exercise),
                               mime=_MIME[kind], icon=":material/download:", key=f"download_{kind}")


def show_image_result(result, settings) -> None:
    st.success(f"Analysis completed · one picture with {result.model}", icon=":material/check_circle:")
    left, right = st.columns([3, 2])
    left.image(result.overlay, caption="Skeleton overlay")
    with right:
        verdict = result.placement
        (st.success if verdict["ready"] else st.warning)(f"Placement for {human_name(settings.exercise)}: "
                                                         f"{verdict['message']}")
        if result.pose is None:
            st.caption("No person was found in this picture.")
        if settings.keypoints and result.keypoints:
            st.dataframe(result.keypoints, hide_index=True)
        angles = next((e["data"] for e in result.events if e["type"] == "angles"), None)
        if settings.angles and angles:
            st.dataframe(angles, hide_index=True)


run_through_app()
settings = session_settings()
show_notices()
st.title(":material/upload_file: Upload a video")
plan = settings.plan_info
# the catalogue (with the jump inputs for a jump), or a reference movement (Business)
settings = jump_inputs(reference_or_exercise(key="upload_exercise"), key="upload.jumps")
uploaded = st.file_uploader("A video (MP4, MOV, WebM, AVI, MKV) or a photo (JPG, PNG)",
                            type=list(VIDEO_EXTENSIONS + IMAGE_EXTENSIONS),
                            # The browser refuses a file over the plan's size before sending a byte (the
                            # server's limit is the largest plan's); the library checks again after upload.
                            max_upload_size=plan.max_upload_mb,
                            help=f"{plan.name} plan: {plan.describe_limits()}")
st.caption(f"{plan.name} plan · {plan.describe_limits()} Features and the model are chosen on the Settings page.")

session = upload_session()
if uploaded is not None:
    key = (uploaded.file_id, uploaded.name, uploaded.size)
    if key != session.key:
        session.submit(key, uploaded.getvalue(), uploaded.name, settings)

if session.running:
    show_progress(session)
else:
    session.poll()
    outcome = session.outcome
    # Always there, so a notice appearing above the results does not shift (and briefly blank) them on a rerun.
    notice_area = st.container()
    if outcome is not None:
        shown = outcome.upload.name if outcome.upload else "this file"
        changed = outcome.settings != settings
        cancelled = outcome.error is not None and outcome.error.code == "analysis_cancelled"
        if (changed or cancelled) and uploaded is not None and outcome.key == session.key:
            if changed:
                notice_area.info(f"The settings changed since {shown} was analysed (shown below with the earlier "
                                 "settings).", icon=":material/tune:")
            if notice_area.button("Analyse again with the current settings", icon=":material/refresh:"):
                session.submit(outcome.key, uploaded.getvalue(), uploaded.name, settings)
                st.rerun()
        if outcome.error is not None:
            st.error(outcome.error.message, icon=":material/error:")
        elif outcome.upload is not None and outcome.upload.notice:
            st.info(outcome.upload.notice, icon=":material/info:")
        if outcome.result is not None:
            if outcome.upload.kind.value == "image":
                show_image_result(outcome.result, outcome.settings)
            else:
                show_video_result(outcome.result, outcome.settings)
                reference_maker(outcome)
