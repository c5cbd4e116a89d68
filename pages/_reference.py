"""Reference movements on the pages (Business plan): count with a stored reference, or make one from an upload.

Pages call `reference_or_exercise()` where they would call `exercise_picker()`, and `reference_maker(outcome)`
under an analysed video. Everything they do goes through `posetracker.reference`, which checks the plan again.
"""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from pages._shared import exercise_picker, save_settings, session_settings
from posetracker.errors import PoseTrackerError
from posetracker.settings import Settings

_CREATED = "posetracker.reference_created"  # (upload key, reference id) just made on the Upload page


def _refs(settings: Settings):
    from posetracker.reference import list_references, owner_of

    try:
        return list_references(plan=settings.plan, owner=owner_of(settings.plan)), None
    except PoseTrackerError as exc:  # a damaged database: say so, keep the page working
        return [], exc


def reference_or_exercise(key: str) -> Settings:
    """The exercise picker, plus (on the Business plan) the choice of counting a stored reference instead."""
    settings = session_settings()
    if not settings.plan_info.allows("custom_exercises"):
        return exercise_picker(key=key)
    refs, error = _refs(settings)
    if error is not None:
        st.error(error.message, icon=":material/database:")
    by_id = {r.id: r for r in refs}
    if settings.reference and settings.reference not in by_id and error is None:
        st.warning(f"No reference with id {settings.reference}: it was deleted, or made with another plan. Counting "
                   "an exercise instead.", icon=":material/help:")
        settings = save_settings(replace(settings, reference=None))
    modes = ["A catalogue exercise", "A reference movement"]
    if st.session_state.get(f"{key}.synced", "") != settings.reference:
        # Chosen elsewhere (a link, "Count with this reference"): the widgets follow the settings.
        st.session_state[f"{key}.mode"] = modes[1] if settings.reference else modes[0]
        if settings.reference:
            st.session_state[f"{key}.reference"] = settings.reference
    mode = st.radio("Count", modes, horizontal=True, key=f"{key}.mode",
                    disabled=not refs and not settings.reference,
                    help="Reference movements: make one from a clip below (one repetition), then count it.")
    ids = list(by_id)
    if mode == modes[0] or not ids:
        if settings.reference:
            settings = save_settings(replace(settings, reference=None))
        st.session_state[f"{key}.synced"] = None
        return exercise_picker(key=key)
    if st.session_state.get(f"{key}.reference") not in ids:
        st.session_state[f"{key}.reference"] = settings.reference if settings.reference in ids else ids[0]
    chosen = st.selectbox("Reference", ids, format_func=lambda i: f"{by_id[i].name} · {i[:8]}",
                          key=f"{key}.reference")
    if chosen != settings.reference:
        settings = save_settings(replace(settings, reference=chosen))
    st.session_state[f"{key}.synced"] = settings.reference
    return settings


def reference_maker(outcome) -> None:
    """Under an analysed video (Business plan): make a reference from one of its reps, or from typed times."""
    settings = session_settings()
    result = outcome.result
    if not settings.plan_info.allows("custom_exercises") or result is None or result.reps is None:
        return
    from posetracker.reference import reference_from_video, segment_of_rep

    st.subheader("Make a reference movement")
    reps = result.reps_detail
    labels = [f"Rep {n}: {r.start_s:.2f}-{r.end_s:.2f} s" for n, r in enumerate(reps, start=1)]
    with st.form("reference_maker"):
        name = st.text_input("Name", placeholder="My squat")
        pick = st.selectbox("Repetition", labels + ["Type the start and end"], key="reference_maker.rep")
        st.caption("Start and End are read only with “Type the start and end”: a picked repetition brings its own.")
        c1, c2 = st.columns(2)
        start = c1.number_input("Start (s)", min_value=0.0, value=0.0, step=0.1, key="reference_maker.start")
        end = c2.number_input("End (s)", min_value=0.0, value=0.0, step=0.1, key="reference_maker.end")
        made = st.form_submit_button("Create the reference", icon=":material/add_circle:")
    if made:
        if pick in labels:
            start, end = segment_of_rep(reps, labels.index(pick), result.duration_s)
        try:
            with st.spinner("Reading the repetition…"):
                from posetracker.reference import owner_of

                ref = reference_from_video(outcome.upload.path, start, end, name, plan=settings.plan,
                                           owner=owner_of(settings.plan), model=result.model,
                                           clip_name=outcome.upload.name)
            st.session_state[_CREATED] = (outcome.key, ref.id, ref.name)
        except PoseTrackerError as exc:
            st.error(exc.message, icon=":material/error:")
    created = st.session_state.get(_CREATED)
    if created and created[0] == outcome.key:
        st.success(f"Reference “{created[2]}” saved ({created[1]}). Upload another clip to count it.",
                   icon=":material/check_circle:")
        if settings.reference != created[1] and st.button("Count with this reference", icon=":material/target:"):
            save_settings(replace(settings, reference=created[1]))
            st.rerun()


_RECORDER = "live.reference_recorder"
_TAKE = "live.reference_take"        # the recorded rep, waiting for its name
_LIVE_SAVED = "live.reference_saved"  # (id, name) of the reference just saved
_LIVE_ERROR = "live.reference_error"


def live_recorder(processor, clip: str | None = None) -> None:
    """On the Live page: one repetition between two taps becomes a reference (Business plan; others see why not)."""
    from posetracker.reference import FEATURE, require_plan

    settings = session_settings()
    st.markdown("**Record a reference movement**")
    if not settings.plan_info.allows(FEATURE):
        try:
            require_plan(settings.plan)
        except PoseTrackerError as exc:  # the library's own refusal says which plan to move to
            st.caption(f":material/lock: Record one repetition of any movement, then count it. {exc.message}")
        return
    from posetracker.reference.recording import RepRecorder

    recorder = st.session_state.setdefault(_RECORDER, RepRecorder())

    def tap() -> None:
        st.session_state.pop(_LIVE_ERROR, None)
        try:
            take = recorder.tap(processor, clip)
        except PoseTrackerError as exc:
            st.session_state[_LIVE_ERROR] = exc.message
            return
        if take is not None:
            st.session_state[_TAKE] = take
            st.session_state.pop(_LIVE_SAVED, None)

    @st.fragment  # a tap reruns only this, so it marks the stream's time at once
    def recorder_panel() -> None:
        take = st.session_state.get(_TAKE)
        if take is None:
            st.caption("Stand in the start position and tap; do one repetition; tap again when you are back.")
            c1, c2 = st.columns(2)
            c1.button("Mark its end" if recorder.recording else "Mark the start of a repetition", on_click=tap,
                      icon=":material/stop_circle:" if recorder.recording else ":material/radio_button_checked:",
                      key="live.reference_tap", type="primary" if recorder.recording else "secondary",
                      width="stretch")
            if recorder.recording:
                c2.button("Cancel", key="live.reference_cancel", on_click=recorder.cancel, width="stretch")
                st.caption(":material/fiber_manual_record: Recording: tap **Mark its end** when the repetition "
                           "is done.")
        else:
            _name_and_save(take, settings)
        if st.session_state.get(_LIVE_ERROR):
            st.error(st.session_state[_LIVE_ERROR], icon=":material/error:")
        saved = st.session_state.get(_LIVE_SAVED)
        if saved:
            st.success(f"Reference “{saved[1]}” saved ({saved[0]}). Count it with `reference={saved[0]}`.",
                       icon=":material/check_circle:")
            if session_settings().reference != saved[0] and st.button(
                    "Count with this reference", icon=":material/target:", key="live.reference_count"):
                save_settings(replace(session_settings(), reference=saved[0]))
                st.rerun(scope="app")

    recorder_panel()


def _name_and_save(take, settings: Settings) -> None:
    """The recorded rep's name and Save. Callbacks, not reruns: they run before the panel is drawn again."""
    from posetracker.reference import owner_of
    from posetracker.reference.recording import save_take

    def save() -> None:
        try:
            ref = save_take(take, st.session_state.get("live.reference_name", ""), plan=settings.plan,
                            owner=owner_of(settings.plan))
        except PoseTrackerError as exc:  # no name, a damaged database: the take stays for another try
            st.session_state[_LIVE_ERROR] = exc.message
            return
        discard()
        st.session_state[_LIVE_SAVED] = (ref.id, ref.name)

    def discard() -> None:
        st.session_state.pop(_TAKE, None)
        st.session_state.pop(_LIVE_ERROR, None)

    st.info(f"Recorded one repetition: {take.duration_s:.1f} s, {take.frames} frames. Name it to save it.",
            icon=":material/check:")
    with st.form("live.reference_form", border=False):
        st.text_input("Reference name", placeholder="My squat", key="live.reference_name")
        c1, c2 = st.columns(2)
        c1.form_submit_button("Save the reference", icon=":material/save:", type="primary", width="stretch",
                              on_click=save)
        c2.form_submit_button("Discard", width="stretch", on_click=discard)
